//===- ImportLinalg.cpp - ONNX MatMul and Gemm -> tg ----------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

namespace {

LogicalResult importMatMul(NodeContext &n) {
  if (!n.hasInput(0) || !n.hasInput(1))
    return n.fail("expects 2 inputs");
  Value v = n.make<tg::MatMulOp>({n.input(0), n.input(1)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

/// Gemm: C became optional in opset 11; the opset < 7 `broadcast` attribute
/// only allowed what unidirectional broadcasting allows anyway.
LogicalResult importGemm(NodeContext &n) {
  if (!n.hasInput(0) || !n.hasInput(1))
    return n.fail("expects inputs A and B");
  SmallVector<Value> operands{n.input(0), n.input(1)};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  else if (n.opset() < 11)
    return n.fail("input C is required before opset 11");
  Value v = n.make<tg::GemmOp>(
      operands, {n.f64("alpha", n.attrFloat("alpha", 1.0)),
                 n.f64("beta", n.attrFloat("beta", 1.0)),
                 n.boolean("transA", n.attrInt("transA", 0) != 0),
                 n.boolean("transB", n.attrInt("transB", 0) != 0)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

} // namespace

void registerLinalgImporters(ImporterTable &table) {
  table["MatMul"] = importMatMul;
  table["Gemm"] = importGemm;
}

} // namespace tdc::import
