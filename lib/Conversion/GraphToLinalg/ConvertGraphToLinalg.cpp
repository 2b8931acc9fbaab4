//===- ConvertGraphToLinalg.cpp - the convert-tg-to-linalg pass -----------===//
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Conversion/Passes.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/DialectConversion.h"

namespace tdc {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALG
#include "tdc/Conversion/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {
namespace tg = tdc::tg;

// Unsigned integers (ONNX uint8..uint64).
//
// tg keeps ui<N> element types, and so does this conversion: the patterns
// see them on both the tg op and its operands, and the shared scalar helpers
// (LoweringUtils) pick the unsigned form of every operation whose result
// depends on signedness (divui/remui, cmpi ult.., maxui/minui, extui,
// uitofp/fptoui, unsigned identities of max/min). After the conversion,
// eraseSignedness() rewrites every ui<N> to i<N> (arith only accepts
// signless integers; the bits are identical, so the bare-pointer ABI does
// not change). In between, arith ops on ui<N> exist only inside this pass.
//
// This was chosen over a TypeConverter with materializations: every pattern
// would have had to convert its result types and to be told the signedness
// separately, whereas here a pattern that only moves data (reshape, gather,
// pad, ...) is correct without knowing about unsigned types at all.
//
// Ops whose lowering has been checked for unsigned semantics are listed
// here; any other tg op on an unsigned type is rejected, naming the type.
bool lowersUnsigned(Operation *op) {
  return isa<
      // Elementwise (ElementwiseLowering.cpp); float-only ones reject ints.
      tg::ConstantOp, tg::IdentityOp, tg::NegOp, tg::AbsOp, tg::SqrtOp,
      tg::ExpOp, tg::LogOp, tg::ErfOp, tg::TanhOp, tg::SigmoidOp, tg::ReluOp,
      tg::ReciprocalOp, tg::FloorOp, tg::CeilOp, tg::RoundOp, tg::SignOp,
      tg::NotOp, tg::ShrinkOp, tg::ClipOp, tg::AddOp, tg::SubOp, tg::MulOp,
      tg::DivOp, tg::PowOp, tg::MaxOp, tg::MinOp, tg::AndOp, tg::OrOp,
      tg::XorOp, tg::BitshiftLeftOp, tg::BitshiftRightOp, tg::ModOp,
      tg::EqualOp, tg::LessOp, tg::GreaterOp, tg::LessOrEqualOp,
      tg::GreaterOrEqualOp, tg::WhereOp, tg::CastOp,
      // Data movement only.
      tg::ReshapeOp, tg::TransposeOp, tg::ConcatOp, tg::SplitOp, tg::SliceOp,
      tg::GatherOp, tg::GatherElementsOp, tg::PadOp, tg::ExpandOp, tg::TileOp,
      // Identities and max/min from LoweringUtils, sums and products wrap
      // alike, arg-reductions and 2-D max pooling compare unsigned.
      tg::ReduceMaxOp, tg::ReduceMinOp, tg::ReduceSumOp, tg::ReduceProdOp,
      tg::ArgMaxOp, tg::ArgMinOp, tg::MaxPoolOp,
      // Indexing family.
      tg::TopKOp, tg::EinsumOp, tg::GatherNDOp, tg::ScatterElementsOp,
      tg::ScatterNDOp>(op);
}

/// Make every unsigned integer type signless, in types and attributes
/// (function types, constants), once the lowering has fixed the semantics.
void eraseSignedness(Operation *root) {
  AttrTypeReplacer replacer;
  replacer.addReplacement([](IntegerType t) -> std::optional<Type> {
    if (!t.isUnsigned())
      return std::nullopt;
    return IntegerType::get(t.getContext(), t.getWidth());
  });
  // The types of typed attributes are not sub-elements; rebuild them.
  auto signless = [](Type t) -> Type {
    if (auto it = dyn_cast<IntegerType>(t); it && it.isUnsigned())
      return IntegerType::get(t.getContext(), it.getWidth());
    return {};
  };
  replacer.addReplacement([=](IntegerAttr a) -> std::optional<Attribute> {
    if (Type t = signless(a.getType()))
      return IntegerAttr::get(t, a.getValue());
    return std::nullopt;
  });
  replacer.addReplacement(
      [=](DenseIntOrFPElementsAttr a) -> std::optional<Attribute> {
        if (Type t = signless(a.getElementType()))
          return a.bitcast(t);
        return std::nullopt;
      });
  replacer.addReplacement(
      [=](DenseResourceElementsAttr a) -> std::optional<Attribute> {
        if (Type t = signless(a.getElementType()))
          return DenseResourceElementsAttr::get(a.getType().clone(t),
                                                a.getRawHandle());
        return std::nullopt;
      });
  replacer.recursivelyReplaceElementsIn(root, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/false,
                                        /*replaceTypes=*/true);
  // Inherent attributes stored as properties (arith.constant's value) are
  // not covered by the above.
  root->walk([&](Operation *op) {
    if (!op->getPropertiesStorageSize())
      return;
    Attribute props = op->getPropertiesAsAttribute();
    if (!props)
      return;
    Attribute replaced = replacer.replace(props);
    if (replaced != props)
      (void)op->setPropertiesFromAttribute(replaced,
                                           [&] { return op->emitError(); });
  });
}

struct ConvertGraphToLinalg
    : tdc::impl::ConvertGraphToLinalgBase<ConvertGraphToLinalg> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Reject unsigned element types, naming the node, on ops not known to
    // lower them correctly (see lowersUnsigned), rather than compute wrong
    // results.
    WalkResult walk = getOperation().walk([](Operation *op) {
      if ((op->getDialect() && op->getDialect()->getNamespace() != "tg") ||
          lowersUnsigned(op))
        return WalkResult::advance();
      for (Type t : llvm::concat<Type>(llvm::to_vector(op->getOperandTypes()),
                                       llvm::to_vector(op->getResultTypes())))
        if (auto st = dyn_cast<ShapedType>(t))
          if (st.getElementType().isUnsignedInteger()) {
            op->emitError()
                << "unsupported element type " << st.getElementType();
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
    tdc::populatePoolLoweringPatterns(patterns);
    tdc::populateNormalizationLoweringPatterns(patterns);
    tdc::populateReductionLoweringPatterns(patterns);
    tdc::populateShapeLoweringPatterns(patterns);
    tdc::populateIndexingLoweringPatterns(patterns);
    tdc::populateTensorOpsLoweringPatterns(patterns);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<tdc::tg::GraphDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect, vector::VectorDialect,
                           func::FuncDialect>();
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    eraseSignedness(getOperation());
  }
};
} // namespace
