//===- ImportNormalization.cpp - ONNX normalization ops -> tg -------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

namespace {

/// BatchNormalization in inference mode only: the training form (opset 14+
/// training_mode=1, or the extra running/saved statistics outputs of older
/// opsets) updates statistics, which tdc does not compile.
LogicalResult importBatchNorm(NodeContext &n) {
  if (n.numInputs() < 5)
    return n.fail("expects 5 inputs (X, scale, B, mean, var)");
  for (size_t i = 0; i < 5; ++i)
    if (!n.hasInput(i))
      return n.fail("input " + std::to_string(i) + " is required");
  if (n.attrInt("training_mode", 0) != 0)
    return n.unsupported("training_mode=1 is not supported (inference only)");
  for (size_t i = 1; i < n.numOutputs(); ++i)
    if (n.hasOutput(i))
      return n.unsupported("training outputs (running/saved mean and "
                           "variance) are not supported (inference only)");
  if (n.opset() < 9 && n.attrInt("spatial", 1) == 0)
    return n.unsupported("spatial=0 is not supported");
  if (n.opset() < 7 && n.attrInt("is_test", 0) == 0)
    return n.unsupported("is_test=0 (training) is not supported");
  Value v = n.make<tg::BatchNormOp>(
      {n.input(0), n.input(1), n.input(2), n.input(3), n.input(4)},
      {n.f64("epsilon", n.attrFloat("epsilon", 1e-5))});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importInstanceNorm(NodeContext &n) {
  if (!n.hasInput(0) || !n.hasInput(1) || !n.hasInput(2))
    return n.fail("expects 3 inputs (input, scale, B)");
  Value v = n.make<tg::InstanceNormOp>(
      {n.input(0), n.input(1), n.input(2)},
      {n.f64("epsilon", n.attrFloat("epsilon", 1e-5))});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

/// LayerNormalization (opset 17). The statistics are computed in at least
/// f32 (stash_type=1, the only value ONNX defines besides "same as input"),
/// and are returned in the input element type.
LogicalResult importLayerNorm(NodeContext &n) {
  if (!n.hasInput(0) || !n.hasInput(1))
    return n.fail("expects inputs X and Scale");
  auto axis = n.normalizeAxis(n.attrInt("axis", -1), n.inputRank(0));
  if (!axis)
    return failure();
  SmallVector<Value> operands{n.input(0), n.input(1)};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  auto op = n.create<tg::LayerNormOp>(
      operands,
      {n.i64("axis", *axis), n.f64("epsilon", n.attrFloat("epsilon", 1e-5))},
      3);
  if (!op)
    return failure();
  for (unsigned i = 0; i < 3; ++i)
    n.setOutput(i, op->getResult(i));
  return success();
}

} // namespace

void registerNormalizationImporters(ImporterTable &table) {
  table["BatchNormalization"] = importBatchNorm;
  table["InstanceNormalization"] = importInstanceNorm;
  table["LayerNormalization"] = importLayerNorm;
}

} // namespace tdc::import
