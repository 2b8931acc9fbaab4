//===- ApproximateMath.cpp - vectorizable f32 erf, exp and tanh -----------===//
//
// GELU's erf, Softmax's exp and a generator's final tanh lowered to libm
// calls cost a call per element and keep LLVM from vectorizing the loop
// around them. Their polynomial approximations are plain arithmetic that
// vectorizes with the loop.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "tdc/Transforms/Passes.h"

namespace tdc {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// The functions approximated: those whose libm call showed in a model's
/// profile (BERT: erf, exp; DCGAN: tanh). log and the rest keep libm until
/// a model shows a need and a test checks them.
bool approximated(StringRef name) {
  name.consume_front("math.");
  return name == "erf" || name == "exp" || name == "tanh";
}

struct ApproximateMath : tdc::impl::ApproximateMathBase<ApproximateMath> {
  void runOnOperation() override {
    // Only the selected math ops and what their rewrites create: a
    // function-wide greedy rewrite would also fold and simplify the rest.
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<math::ErfOp, math::ExpOp, math::TanhOp>(op) &&
          getElementTypeOrSelf(op->getResult(0).getType()).isF32())
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding(false);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
