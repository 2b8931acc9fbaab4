//===- FoldBiasIntoPackedInit.cpp - a matmul starts from its bias ---------===//
//
// A packed matmul (tdc-pack-contractions) accumulates into zeros, and the
// elementwise op after it adds a bias (Gemm's C, MatMul + Add): a pass over
// the whole output that reads and writes it once more. Started from the
// bias broadcast instead, the matmul computes bias + A B itself, and the
// tiling pass broadcasts each task's tile in cache (as for convolutions);
// the elementwise op keeps what else it computes (a Relu, a residual add),
// or folds away. The bias is then added first rather than last, as ONNX
// Runtime's fused MatMul + Add does. When n was padded to whole panels
// (a classifier's 1000 outputs), the bias is padded with zeros too, and
// the padded output's zero fill goes with the add.
//
//===----------------------------------------------------------------------===//
#include "tdc/Dialect/Graph/IR/ConstantData.h"
#include "tdc/Transforms/PanelPadding.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace tdc {
#define GEN_PASS_DEF_FOLDBIASINTOPACKEDINIT
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// The zero fill a packed op's init is (possibly through the expand_shape
/// that splits n into panels and lanes, and the zero padding of n to whole
/// panels).
bool startsFromZero(Value init) {
  if (auto expand = init.getDefiningOp<tensor::ExpandShapeOp>())
    init = expand.getSrc();
  if (auto pad = init.getDefiningOp<tensor::PadOp>()) {
    Value padding = pad.getConstantPaddingValue();
    if (!padding || !matchPattern(padding, m_AnyZeroFloat()))
      return false;
    init = pad.getSource();
  }
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

/// The elementwise op's input operand added to its block argument `acc`
/// (the only use of `acc`, an arith.addf of it and another block argument
/// whose map broadcasts without transposing), or null.
OpOperand *addedOperand(linalg::GenericOp g, BlockArgument acc,
                        arith::AddFOp &add) {
  if (!acc.hasOneUse())
    return nullptr;
  add = dyn_cast<arith::AddFOp>(*acc.getUsers().begin());
  if (!add)
    return nullptr;
  Value other = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  auto arg = dyn_cast<BlockArgument>(other);
  if (!arg || arg.getOwner() != g.getBody() ||
      arg.getArgNumber() >= g.getNumDpsInputs() || arg == acc)
    return nullptr;
  OpOperand *operand = g.getDpsInputOperand(arg.getArgNumber());
  AffineMap map = g.getMatchingIndexingMap(operand);
  if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
    return nullptr;
  // Dims in increasing order: a broadcast, not a transpose.
  int64_t last = -1;
  for (AffineExpr e : map.getResults()) {
    int64_t d = cast<AffineDimExpr>(e).getPosition();
    if (d <= last)
      return nullptr;
    last = d;
  }
  return operand;
}

/// `b` padded with zeros at the end of its last dim to `shape`: a
/// constant of that shape when `b` is a readable constant, else a
/// tensor.pad.
Value padLastDim(RewriterBase &rewriter, Location loc, Value b,
                 ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(b.getType());
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  int64_t elemBytes = type.getElementTypeBitWidth() / 8;
  ElementsAttr attr;
  if (matchPattern(b, m_Constant(&attr))) {
    std::vector<char> src = tdc::elementBytes(attr, elemBytes);
    if (!src.empty()) {
      int64_t from = type.getShape().back() * elemBytes;
      int64_t to = shape.back() * elemBytes;
      std::vector<char> dst(src.size() / from * to, 0);
      for (size_t row = 0; row < src.size() / from; ++row)
        std::memcpy(dst.data() + row * to, src.data() + row * from, from);
      return arith::ConstantOp::create(
          rewriter, loc, paddedType,
          tdc::bytesConstant(paddedType, ArrayRef<char>(dst), "tdc_bias"));
    }
  }
  return tdc::padWithZeros(rewriter, loc, b, shape.size() - 1, shape.back());
}

void fold(RewriterBase &rewriter, linalg::GenericOp packed) {
  Value init = packed.getDpsInitOperand(0)->get();
  auto packedType = cast<RankedTensorType>(init.getType());
  if (!startsFromZero(init) || !packed->getResult(0).hasOneUse())
    return;
  // [.., m, p, lane] collapsed to [.., m, n] (n padded to whole panels:
  // then sliced back to its first n).
  auto collapse =
      dyn_cast<tensor::CollapseShapeOp>(*packed->getResult(0).user_begin());
  if (!collapse || !collapse->hasOneUse())
    return;
  unsigned rank = collapse.getResultType().getRank();
  Value product = collapse.getResult();
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(*collapse->user_begin())) {
    ArrayRef<int64_t> full = collapse.getResultType().getShape();
    if (!slice->hasOneUse() || !slice.hasZeroOffset() ||
        !slice.hasUnitStride() || slice.getResultType().getRank() != rank ||
        slice.getResultType().getShape().drop_back() != full.drop_back())
      return;
    product = slice.getResult();
  }
  auto g = dyn_cast<linalg::GenericOp>(*product.user_begin());
  if (!g || g.getNumDpsInits() != 1 || g.getNumReductionLoops() != 0 ||
      g.getNumLoops() != rank ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return;
  OpOperand *accOperand = nullptr;
  for (OpOperand *in : g.getDpsInputOperands())
    if (in->get() == product) {
      if (accOperand || !g.getMatchingIndexingMap(in).isIdentity())
        return;
      accOperand = in;
    }
  if (!accOperand)
    return;
  BlockArgument acc = g.getMatchingBlockArgument(accOperand);
  arith::AddFOp add;
  OpOperand *bias = addedOperand(g, acc, add);
  if (!bias)
    return;

  // The bias with its n dim (when it has one) split like the output's,
  // broadcast along the output dims it lacks.
  Location loc = packed.getLoc();
  rewriter.setInsertionPoint(packed);
  Value b = bias->get();
  auto bType = cast<RankedTensorType>(b.getType());
  AffineMap bMap = g.getMatchingIndexingMap(bias);
  bool hasN =
      bMap.getNumResults() &&
      cast<AffineDimExpr>(bMap.getResults().back()).getPosition() == rank - 1;
  if (hasN) {
    int64_t padded =
        packedType.getShape()[rank - 1] * packedType.getShape()[rank];
    if (bType.getShape().back() != padded) {
      // Zeros for the padding's columns, which the slice drops.
      SmallVector<int64_t> shape(bType.getShape());
      shape.back() = padded;
      b = padLastDim(rewriter, loc, b, shape);
      bType = cast<RankedTensorType>(b.getType());
    }
    SmallVector<ReassociationIndices> reassoc;
    for (int64_t i = 0; i + 1 < bType.getRank(); ++i)
      reassoc.push_back({i});
    reassoc.push_back({bType.getRank() - 1, bType.getRank()});
    SmallVector<int64_t> shape(bType.getShape());
    shape.back() = packedType.getShape()[rank - 1];
    shape.push_back(packedType.getShape()[rank]);
    b = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(shape, bType.getElementType()), b,
        reassoc);
  }
  SmallVector<int64_t> dims;
  for (unsigned d = 0; d < rank; ++d)
    if (!bMap.isFunctionOfDim(d)) {
      dims.push_back(d);
      if (d == rank - 1)
        dims.push_back(rank);
    }
  Value empty = tensor::EmptyOp::create(rewriter, loc, packedType.getShape(),
                                        packedType.getElementType());
  Value start =
      linalg::BroadcastOp::create(rewriter, loc, b, empty, dims).getResult()[0];
  rewriter.modifyOpInPlace(packed,
                           [&] { packed.getDpsInitOperand(0)->set(start); });
  rewriter.replaceAllUsesWith(add.getResult(), acc);
  rewriter.eraseOp(add);
  // A consumer left yielding the matmul's value is a copy of it.
  Operation *yield = g.getBody()->getTerminator();
  if (&g.getBody()->front() == yield && yield->getOperand(0) == acc)
    rewriter.replaceOp(g, product);
}

struct FoldBiasIntoPackedInit
    : tdc::impl::FoldBiasIntoPackedInitBase<FoldBiasIntoPackedInit> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> packed;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op->hasAttr("tdc.packed") && op.getNumDpsInits() == 1)
        packed.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : packed)
      fold(rewriter, op);
    // A consumer that added the bias to each of several reads of the
    // matmul (GELU's x * ... * erf(x / sqrt 2) after MatMul + Add) now
    // reads it several times: one operand, so that it can become the
    // matmul's epilogue (tdc-tile-and-vectorize-contractions).
    RewritePatternSet patterns(&getContext());
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
