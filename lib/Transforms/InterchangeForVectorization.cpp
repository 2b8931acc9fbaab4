//===- InterchangeForVectorization.cpp - innermost unit-stride loop -------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace tdc {
#define GEN_PASS_DEF_INTERCHANGEFORVECTORIZATION
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// The output dim to walk innermost: the output's last one, unless that
/// (and maybe more) has extent 1 and the last one of extent > 1 is an
/// input's innermost index. Then both walk with unit stride there: a
/// global pooling of a channels-last image into [N, C, 1, 1] sums whole
/// vectors of channels instead of one channel's pixels at a time.
unsigned innerOutputDim(linalg::LinalgOp op, AffineMap out) {
  unsigned last = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges[last] != 1)
    return last;
  for (AffineExpr e : llvm::reverse(out.getResults())) {
    auto dim = dyn_cast<AffineDimExpr>(e);
    if (!dim)
      return last;
    unsigned d = dim.getPosition();
    if (ranges[d] == 1)
      continue;
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      if (map.getNumResults() > 0 && map.getResults().back() == e)
        return d;
    }
    return last;
  }
  return last;
}

/// Loop order: parallel dims except the innermost output dim (above), then
/// the reductions, then that output dim. Null when nothing would change.
std::optional<SmallVector<unsigned>> desiredOrder(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() == 0)
    return std::nullopt;
  if (!isa<AffineDimExpr>(out.getResults().back()))
    return std::nullopt;
  unsigned inner = innerOutputDim(op, out);
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<unsigned> order;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::parallel && d != inner)
      order.push_back(d);
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      order.push_back(d);
  order.push_back(inner);
  bool identity = true;
  for (unsigned d = 0; d < order.size(); ++d)
    identity &= order[d] == d;
  if (identity)
    return std::nullopt;
  return order;
}

struct InterchangeForVectorization
    : tdc::impl::InterchangeForVectorizationBase<InterchangeForVectorization> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (linalg::isaContractionOpInterface(op) ||
          linalg::isaConvolutionOpInterface(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      auto order = desiredOrder(op);
      if (!order)
        continue;
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic;
      if (auto g = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        generic = g;
      } else {
        FailureOr<linalg::GenericOp> gen =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(gen))
          continue;
        generic = *gen;
      }
      (void)linalg::interchangeGenericOp(rewriter, generic, *order);
    }
  }
};

} // namespace
