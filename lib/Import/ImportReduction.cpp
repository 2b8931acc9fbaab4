//===- ImportReduction.cpp - ONNX reduction and softmax-like ops -> tg ----===//
//
// Reduce* ops get their axes normalized (non-negative, sorted, unique; empty
// means all dims) whether they come from the `axes` attribute (older opsets)
// or the optional `axes` input (ReduceSum from 13, the others from 18).
// Softmax-like ops of opset < 13 coerce the input to 2-D; that is imported
// as reshape -> op over axis 1 -> reshape back.
//
//===----------------------------------------------------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include <algorithm>

using namespace mlir;

namespace tdc::import {

namespace {

/// Normalized axes of a Reduce* node; nullopt after reporting a failure.
/// `identity` is set when the node is a no-op (empty axes with
/// noop_with_empty_axes).
std::optional<SmallVector<int64_t>> reduceAxes(NodeContext &n, bool &identity) {
  identity = false;
  int64_t rank = n.inputRank(0);
  std::vector<int64_t> raw;
  if (n.hasInput(1)) {
    const Tensor *t = n.requireConstInput(1, "reduction axes");
    if (!t)
      return std::nullopt;
    if (t->shape.size() > 1) {
      (void)n.fail("axes input must be 1-D");
      return std::nullopt;
    }
    for (int64_t i = 0, e = t->numElements(); i < e; ++i)
      raw.push_back(t->getInt(i));
  } else {
    raw = n.attrInts("axes");
  }
  if (raw.empty() && n.attrInt("noop_with_empty_axes", 0)) {
    identity = true;
    return SmallVector<int64_t>();
  }
  SmallVector<int64_t> axes;
  for (int64_t a : raw) {
    auto norm = n.normalizeAxis(a, rank);
    if (!norm)
      return std::nullopt;
    axes.push_back(*norm);
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

template <typename OpTy> LogicalResult importReduce(NodeContext &n) {
  if (!n.input(0))
    return failure();
  bool identity;
  auto axes = reduceAxes(n, identity);
  if (!axes)
    return failure();
  if (identity) {
    n.setOutput(0, n.input(0));
    return success();
  }
  Value r = n.make<OpTy>({n.input(0)},
                         {n.i64Array("axes", *axes),
                          n.boolean("keepdims", n.attrInt("keepdims", 1))});
  if (!r)
    return failure();
  n.setOutput(0, r);
  return success();
}

template <typename OpTy> LogicalResult importArgReduce(NodeContext &n) {
  if (!n.input(0))
    return failure();
  auto axis = n.normalizeAxis(n.attrInt("axis", 0), n.inputRank(0));
  if (!axis)
    return failure();
  Value r = n.make<OpTy>(
      {n.input(0)},
      {n.i64("axis", *axis), n.boolean("keepdims", n.attrInt("keepdims", 1)),
       n.boolean("select_last_index", n.attrInt("select_last_index", 0))});
  if (!r)
    return failure();
  n.setOutput(0, r);
  return success();
}

template <typename OpTy> LogicalResult importSoftmaxLike(NodeContext &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t rank = n.inputRank(0);
  if (rank == 0)
    return n.fail("input must have rank >= 1");
  bool coerce2D = n.opset() < 13;
  auto axis = n.normalizeAxis(n.attrInt("axis", coerce2D ? 1 : -1), rank);
  if (!axis)
    return failure();
  // The 2-D coercion only differs from a single-axis op when more than one
  // dim is flattened into the inner block.
  if (!coerce2D || *axis == rank - 1) {
    Value r = n.make<OpTy>({x}, {n.i64("axis", *axis)});
    if (!r)
      return failure();
    n.setOutput(0, r);
    return success();
  }
  ArrayRef<int64_t> shape = n.inputShape(0);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < *axis ? outer : inner) *= shape[i];
  Value flat = n.make<tg::ReshapeOp>(
      {x}, {n.i64Array("shape", SmallVector<int64_t>{outer, inner})});
  if (!flat)
    return failure();
  Value r = n.make<OpTy>({flat}, {n.i64("axis", 1)});
  if (!r)
    return failure();
  Value back = n.make<tg::ReshapeOp>({r}, {n.i64Array("shape", shape)});
  if (!back)
    return failure();
  n.setOutput(0, back);
  return success();
}

} // namespace

void registerReductionImporters(ImporterTable &table) {
  table["ReduceSum"] = importReduce<tg::ReduceSumOp>;
  table["ReduceMean"] = importReduce<tg::ReduceMeanOp>;
  table["ReduceMax"] = importReduce<tg::ReduceMaxOp>;
  table["ReduceMin"] = importReduce<tg::ReduceMinOp>;
  table["ReduceProd"] = importReduce<tg::ReduceProdOp>;
  table["ReduceL1"] = importReduce<tg::ReduceL1Op>;
  table["ReduceL2"] = importReduce<tg::ReduceL2Op>;
  table["ReduceLogSum"] = importReduce<tg::ReduceLogSumOp>;
  table["ReduceLogSumExp"] = importReduce<tg::ReduceLogSumExpOp>;
  table["ReduceSumSquare"] = importReduce<tg::ReduceSumSquareOp>;
  table["ArgMax"] = importArgReduce<tg::ArgMaxOp>;
  table["ArgMin"] = importArgReduce<tg::ArgMinOp>;
  table["Softmax"] = importSoftmaxLike<tg::SoftmaxOp>;
  table["LogSoftmax"] = importSoftmaxLike<tg::LogSoftmaxOp>;
  table["Hardmax"] = importSoftmaxLike<tg::HardmaxOp>;
}

} // namespace tdc::import
