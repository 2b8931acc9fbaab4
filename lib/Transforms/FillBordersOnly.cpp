//===- FillBordersOnly.cpp - fill a padded buffer's border ----------------===//
//
// A padded buffer is tensor.insert_slice %image into linalg.fill(%pad,
// tensor.empty). The fill writes the interior only for the insert to
// overwrite it, and CSE shares one fill among same-shaped buffers
// (MobileNet's repeated blocks): bufferization then copies the filled
// buffer for every insert but one. Here each insert writes into a
// tensor.empty of its own and only the border is filled.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tdc {
#define GEN_PASS_DEF_FILLBORDERSONLY
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// insert_slice %x into fill(%v, empty) with static unit-stride offsets ->
/// a fresh empty tensor, a fill of each slab of its border (per dim d, the
/// slabs before and after the interior along d, spanning the interior along
/// the dims before d and everything along those after), %x inserted.
void fillOnlyTheBorder(RewriterBase &rewriter, tensor::InsertSliceOp insert) {
  auto fill = insert.getDest().getDefiningOp<linalg::FillOp>();
  if (!fill || !fill.hasPureTensorSemantics() ||
      !fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
    return;
  RankedTensorType type = insert.getDestType();
  if (!type.hasStaticShape() || !insert.hasUnitStride() ||
      ShapedType::isDynamicShape(insert.getStaticOffsets()) ||
      ShapedType::isDynamicShape(insert.getStaticSizes()))
    return;
  ArrayRef<int64_t> offsets = insert.getStaticOffsets(),
                    sizes = insert.getStaticSizes(), shape = type.getShape();
  Location loc = insert.getLoc();
  Value pad = fill.getInputs()[0];
  // The border where the fill was, before the image's producer, into
  // whose destination eliminate-empty-tensors turns the buffer's interior.
  rewriter.setInsertionPointAfter(fill);
  Value buffer =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  int64_t rank = type.getRank();
  for (int64_t d = 0; d < rank; ++d) {
    for (bool before : {true, false}) {
      SmallVector<int64_t> slabOffsets, slabSizes;
      for (int64_t i = 0; i < rank; ++i) {
        if (i < d) {
          slabOffsets.push_back(offsets[i]);
          slabSizes.push_back(sizes[i]);
        } else if (i > d) {
          slabOffsets.push_back(0);
          slabSizes.push_back(shape[i]);
        } else if (before) {
          slabOffsets.push_back(0);
          slabSizes.push_back(offsets[i]);
        } else {
          slabOffsets.push_back(offsets[i] + sizes[i]);
          slabSizes.push_back(shape[i] - offsets[i] - sizes[i]);
        }
      }
      if (slabSizes[d] == 0)
        continue;
      Value slab = tensor::EmptyOp::create(rewriter, loc, slabSizes,
                                           type.getElementType());
      slab = linalg::FillOp::create(rewriter, loc, pad, slab).getResult(0);
      buffer = tensor::InsertSliceOp::create(
          rewriter, loc, slab, buffer,
          getAsIndexOpFoldResult(rewriter.getContext(), slabOffsets),
          getAsIndexOpFoldResult(rewriter.getContext(), slabSizes),
          SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1)));
    }
  }
  // The image last: its insert's result is the finished buffer, which the
  // readers of the image then read (tdc-read-inserted-slices) with no
  // write to the buffer after it.
  rewriter.setInsertionPoint(insert);
  buffer = tensor::InsertSliceOp::create(
      rewriter, loc, insert.getSource(), buffer, insert.getMixedOffsets(),
      insert.getMixedSizes(), insert.getMixedStrides());
  rewriter.replaceOp(insert, buffer);
  if (fill->use_empty()) {
    Operation *empty = fill.getOutputs()[0].getDefiningOp();
    rewriter.eraseOp(fill);
    if (empty->use_empty())
      rewriter.eraseOp(empty);
  }
}

/// A static tensor.pad with a constant value (the derived programs' padded
/// intermediates, e.g. a ConvTranspose's overlap-add) as that form first:
/// bufferized as is, it fills the whole buffer and then copies the source
/// in.
void decomposeConstantPads(Operation *root) {
  SmallVector<Operation *> pads;
  root->walk([&](tensor::PadOp pad) {
    if (pad.getResultType().hasStaticShape() &&
        pad.getSourceType().hasStaticShape() && pad.getConstantPaddingValue())
      pads.push_back(pad);
  });
  if (pads.empty())
    return;
  RewritePatternSet patterns(root->getContext());
  linalg::populateDecomposePadPatterns(patterns);
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingOps);
  (void)applyOpPatternsGreedily(pads, std::move(patterns), config);
}

struct FillBordersOnly : tdc::impl::FillBordersOnlyBase<FillBordersOnly> {
  void runOnOperation() override {
    decomposeConstantPads(getOperation());
    IRRewriter rewriter(&getContext());
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation()->walk(
        [&](tensor::InsertSliceOp op) { inserts.push_back(op); });
    for (tensor::InsertSliceOp insert : inserts)
      fillOnlyTheBorder(rewriter, insert);
  }
};

} // namespace
