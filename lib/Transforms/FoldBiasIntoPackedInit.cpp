//===- FoldBiasIntoPackedInit.cpp - a matmul starts from its bias ---------===//
//
// A packed matmul (tdc-pack-contractions) accumulates into zeros, and the
// elementwise op after it adds a bias (Gemm's C, MatMul + Add): a pass over
// the whole output that reads and writes it once more. Started from the
// bias broadcast instead, the matmul computes bias + A B itself, and the
// tiling pass broadcasts each task's tile in cache (as for convolutions);
// the elementwise op keeps what else it computes (a Relu, a residual add),
// or folds away. The bias is then added first rather than last, as ONNX
// Runtime's fused MatMul + Add does.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tdc {
#define GEN_PASS_DEF_FOLDBIASINTOPACKEDINIT
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// The zero fill a packed op's init is (possibly through the expand_shape
/// that splits n into panels and lanes).
bool startsFromZero(Value init) {
  if (auto expand = init.getDefiningOp<tensor::ExpandShapeOp>())
    init = expand.getSrc();
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

void fold(RewriterBase &rewriter, linalg::GenericOp packed) {
  Value init = packed.getDpsInitOperand(0)->get();
  auto packedType = cast<RankedTensorType>(init.getType());
  if (!startsFromZero(init) || !packed->getResult(0).hasOneUse())
    return;
  // [.., m, p, lane] collapsed to [.., m, n], whole (no padding slice).
  auto collapse =
      dyn_cast<tensor::CollapseShapeOp>(*packed->getResult(0).user_begin());
  if (!collapse || !collapse->hasOneUse())
    return;
  unsigned rank = collapse.getResultType().getRank();
  auto g = dyn_cast<linalg::GenericOp>(*collapse->user_begin());
  if (!g || g.getNumDpsInits() != 1 || g.getNumReductionLoops() != 0 ||
      g.getNumLoops() != rank ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return;
  OpOperand *accOperand = nullptr;
  for (OpOperand *in : g.getDpsInputOperands())
    if (in->get() == collapse.getResult()) {
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
    rewriter.replaceOp(g, collapse.getResult());
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
