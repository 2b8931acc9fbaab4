//===- ConvertGraphToLinalg.cpp - the convert-tg-to-linalg pass -----------===//
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Conversion/Passes.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace tdc {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALG
#include "tdc/Conversion/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {
struct ConvertGraphToLinalg
    : tdc::impl::ConvertGraphToLinalgBase<ConvertGraphToLinalg> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Unsigned element types need their own arith ops everywhere; reject
    // them here, naming the node, rather than compute wrong results.
    WalkResult walk = getOperation().walk([](Operation *op) {
      if (op->getDialect() &&
          op->getDialect()->getNamespace() != "tg")
        return WalkResult::advance();
      for (Type t : llvm::concat<Type>(llvm::to_vector(op->getOperandTypes()),
                                       llvm::to_vector(op->getResultTypes())))
        if (auto st = dyn_cast<ShapedType>(t))
          if (st.getElementType().isUnsignedInteger()) {
            op->emitError() << "unsupported element type "
                            << st.getElementType();
            return WalkResult::interrupt();
          }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    RewritePatternSet patterns(ctx);
    tdc::populateElementwiseLoweringPatterns(patterns);
    tdc::populateLinalgOpLoweringPatterns(patterns);
    tdc::populateConvLoweringPatterns(patterns);
    tdc::populateNormalizationLoweringPatterns(patterns);
    tdc::populateReductionLoweringPatterns(patterns);
    tdc::populateShapeLoweringPatterns(patterns);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<tdc::tg::GraphDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect, func::FuncDialect>();
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
