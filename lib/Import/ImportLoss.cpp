//===- ImportLoss.cpp - ONNX loss ops -> tg -------------------------------===//
//
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opsets 12/13) are
// decomposed into existing tg ops, following the ONNX reference:
//
//   mask  = target == ignore_index            (only with ignore_index)
//   t     = where(mask, 0, target)            (ignore_index may be out of
//                                              range, so never gather it)
//   loss  = -gather_elements(input, t, axis 1), 0 where mask
//   w     = weight[t], 0 where mask           (1 where not masked if no weight)
//   loss *= w
//   none: loss; sum: sum(loss); mean: sum(loss) / sum(w), or mean(loss)
//   when there is neither weight nor ignore_index.
//
// SoftmaxCrossEntropyLoss applies this to log_softmax(scores, axis 1), which
// is also its optional second output.
//
//===----------------------------------------------------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

namespace {

/// A rank-0 constant of element type `elem` holding `v`.
Value scalarConst(NodeContext &n, Type elem, double v) {
  DType dt;
  if (!fromMlirType(elem, dt))
    return Value();
  Tensor t(DType::F64, {});
  t.setDouble(0, v);
  return n.g.materialize(t.castTo(dt), n.loc);
}

/// Reduce `v` over all dims to a scalar.
template <typename OpTy> Value reduceAll(NodeContext &n, Value v) {
  return n.make<OpTy>({v},
                      {n.i64Array("axes", {}), n.boolean("keepdims", false)});
}

/// Loss of `logp` ([N, C, d...] log-probabilities) against `target`
/// ([N, d...] class indices) with optional class `weight` ([C]). Null after
/// reporting a failure.
Value nllLoss(NodeContext &n, Value logp, Value target, Value weight) {
  auto xType = cast<RankedTensorType>(logp.getType());
  auto tType = cast<RankedTensorType>(target.getType());
  ArrayRef<int64_t> xShape = xType.getShape();
  ArrayRef<int64_t> tShape = tType.getShape();
  Type elem = xType.getElementType();
  auto fail = [&](const std::string &msg) {
    (void)n.fail(msg);
    return Value();
  };
  auto unsupported = [&](const std::string &msg) {
    (void)n.unsupported(msg);
    return Value();
  };

  if (!isa<FloatType>(elem))
    return unsupported("input element type must be floating point");
  auto tElem = dyn_cast<IntegerType>(tType.getElementType());
  if (!tElem || tElem.getWidth() == 1)
    return fail("target must be an integer tensor");
  if (xType.getRank() < 2)
    return fail("input must have shape [N, C] or [N, C, d1, ..., dk]");
  SmallVector<int64_t> expected{xShape[0]};
  expected.append(xShape.begin() + 2, xShape.end());
  if (tShape != ArrayRef<int64_t>(expected))
    return fail("target must have shape [N, d1, ..., dk] matching the input");
  int64_t numClasses = xShape[1];
  if (weight) {
    auto wType = cast<RankedTensorType>(weight.getType());
    if (wType.getRank() != 1 || wType.getDimSize(0) != numClasses)
      return fail("weight must have shape [C]");
    if (wType.getElementType() != elem)
      return fail("weight must have the input's element type");
  }

  std::string reduction = n.attrString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return fail("reduction must be 'none', 'sum' or 'mean', got '" + reduction +
                "'");

  Value zero = scalarConst(n, elem, 0.0);
  if (!zero)
    return unsupported("unsupported input element type");

  // Entries whose target is ignore_index get a valid index (0) so that the
  // gathers stay in range; their loss and weight are zeroed below.
  Value mask;
  if (n.hasAttr("ignore_index")) {
    Tensor ii(DType::I64, {});
    ii.setInt(0, n.attrInt("ignore_index", 0));
    DType tdt;
    if (!fromMlirType(tElem, tdt))
      return fail("unsupported target element type");
    Value iiConst = n.g.materialize(ii.castTo(tdt), n.loc);
    Value zeroIdx = scalarConst(n, tElem, 0.0);
    mask = n.make<tg::EqualOp>({target, iiConst});
    if (!mask)
      return Value();
    target = n.make<tg::WhereOp>({mask, zeroIdx, target});
    if (!target)
      return Value();
  }

  // loss[n, d...] = -logp[n, target[n, d...], d...]
  SmallVector<int64_t> idxShape(tShape);
  idxShape.insert(idxShape.begin() + 1, 1);
  Value idx = n.make<tg::ReshapeOp>({target}, {n.i64Array("shape", idxShape)});
  if (!idx)
    return Value();
  Value picked = n.make<tg::GatherElementsOp>({logp, idx}, {n.i64("axis", 1)});
  if (!picked)
    return Value();
  picked = n.make<tg::ReshapeOp>({picked}, {n.i64Array("shape", tShape)});
  if (!picked)
    return Value();
  Value loss = n.make<tg::NegOp>({picked});
  if (!loss)
    return Value();
  if (mask && !(loss = n.make<tg::WhereOp>({mask, zero, loss})))
    return Value();

  // Per-element weights: the class weight of the target, 0 where ignored.
  Value w;
  if (weight) {
    w = n.make<tg::GatherOp>({weight, target}, {n.i64("axis", 0)});
    if (!w)
      return Value();
    if (mask && !(w = n.make<tg::WhereOp>({mask, zero, w})))
      return Value();
    if (!(loss = n.make<tg::MulOp>({loss, w})))
      return Value();
  } else if (mask && reduction == "mean") {
    Value one = scalarConst(n, elem, 1.0);
    if (!(w = n.make<tg::WhereOp>({mask, zero, one})))
      return Value();
  }

  if (reduction == "none")
    return loss;
  if (reduction == "mean" && !w)
    return reduceAll<tg::ReduceMeanOp>(n, loss);
  Value sum = reduceAll<tg::ReduceSumOp>(n, loss);
  if (!sum || reduction == "sum")
    return sum;
  // Weighted mean: divide by the total weight of the counted entries.
  Value total = reduceAll<tg::ReduceSumOp>(n, w);
  if (!total)
    return Value();
  return n.make<tg::DivOp>({sum, total});
}

LogicalResult importNllLoss(NodeContext &n) {
  if (!n.hasInput(0) || !n.hasInput(1))
    return n.fail("expects inputs input and target");
  Value x = n.input(0), target = n.input(1);
  Value weight = n.hasInput(2) ? n.input(2) : Value();
  if (!x || !target || (n.hasInput(2) && !weight))
    return failure();
  Value loss = nllLoss(n, x, target, weight);
  if (!loss)
    return failure();
  n.setOutput(0, loss);
  return success();
}

LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &n) {
  if (!n.hasInput(0) || !n.hasInput(1))
    return n.fail("expects inputs scores and labels");
  Value x = n.input(0), labels = n.input(1);
  Value weight = n.hasInput(2) ? n.input(2) : Value();
  if (!x || !labels || (n.hasInput(2) && !weight))
    return failure();
  if (n.inputRank(0) < 2)
    return n.fail("scores must have shape [N, C] or [N, C, d1, ..., dk]");
  Value logp = n.make<tg::LogSoftmaxOp>({x}, {n.i64("axis", 1)});
  if (!logp)
    return failure();
  Value loss = nllLoss(n, logp, labels, weight);
  if (!loss)
    return failure();
  n.setOutput(0, loss);
  if (n.hasOutput(1))
    n.setOutput(1, logp);
  return success();
}

} // namespace

void registerLossImporters(ImporterTable &table) {
  table["NegativeLogLikelihoodLoss"] = importNllLoss;
  table["SoftmaxCrossEntropyLoss"] = importSoftmaxCrossEntropyLoss;
}

} // namespace tdc::import
