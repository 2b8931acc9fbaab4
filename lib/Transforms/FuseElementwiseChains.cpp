//===- FuseElementwiseChains.cpp - one pass over memory per chain ---------===//
//
// Elementwise ops lower to one linalg.generic each, and each is a full pass
// over memory: GELU's erf chain, LayerNormalization's centering and
// scaling, Add + ReLU after a residual block, Clip feeding the padded copy
// of the next (channels-last) convolution. Upstream elementwise fusion
// merges a producer into its consumer; here only between all-parallel
// generics and only for producers with one use, so that no work is
// duplicated and contractions (whose schedules match their body) are
// never touched.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tdc {
#define GEN_PASS_DEF_FUSEELEMENTWISECHAINS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

bool allParallelGeneric(Operation *op) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  return g && g.hasPureTensorSemantics() &&
         llvm::all_of(g.getIteratorTypesArray(), [](utils::IteratorType t) {
           return t == utils::IteratorType::parallel;
         });
}

/// A consumer generic absorbs a single-use all-parallel producer generic.
/// (Not linalg::populateElementwiseOpsFusionPatterns: its companion
/// patterns replace unread outs by tensor.empty, which turns a copy into the
/// interior of a padded buffer into a copy of a temporary.)
struct FuseProducer : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    if (!allParallelGeneric(consumer))
      return failure();
    for (OpOperand &operand : consumer->getOpOperands()) {
      Operation *producer = operand.get().getDefiningOp();
      if (!producer || !producer->hasOneUse() ||
          !allParallelGeneric(producer) ||
          !linalg::areElementwiseOpsFusable(&operand))
        continue;
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, &operand);
      if (failed(fused))
        continue;
      // The consumer's results (the producer's has no other use and dies).
      for (auto [orig, repl] : fused->replacements)
        rewriter.replaceUsesWithIf(orig, repl, [&](OpOperand &use) {
          return use.get().getDefiningOp() != producer;
        });
      rewriter.eraseOp(consumer);
      return success();
    }
    return failure();
  }
};

struct FuseElementwiseChains
    : tdc::impl::FuseElementwiseChainsBase<FuseElementwiseChains> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseProducer>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
