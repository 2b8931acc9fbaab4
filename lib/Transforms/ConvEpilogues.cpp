//===- ConvEpilogues.cpp - elementwise epilogues in register tiles --------===//
//
// An elementwise op after a convolution or a packed matmul (Relu, Clip,
// GELU, a residual Add) is a pass of its own over the activation: one read
// and one write of it per op. tdc-tile-and-vectorize-contractions applies
// it instead to each register tile of the convolution, after the tile's
// reductions complete, on the accumulators while they are still in
// registers; the convolution's result then holds the op's result.
//
// The epilogue reads the convolution's blocked output through a
// collapse_shape ([.., C/Cb, Cb] -> [.., C]); it is first expanded onto the
// convolution's shape (upstream reshape-by-expansion, its other operands
// expanded), so that its tile is the convolution's tile.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/ContractionTiles.h"
#include "tdc/Transforms/ElementwiseBodies.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace tdc {

/// The convolution whose only use is `operand`'s value, reshaped by a
/// collapse_shape used only there (or directly), or null.
static linalg::LinalgOp convolutionOf(Value value) {
  if (!value.hasOneUse())
    return {};
  if (auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>())
    value = collapse.getSrc();
  auto conv = value.getDefiningOp<linalg::LinalgOp>();
  if (!conv || !value.hasOneUse() || conv->getNumResults() != 1 ||
      (!linalg::isaConvolutionOpInterface(conv) &&
       !conv->hasAttr("tdc.packed")))
    return {};
  return conv;
}

void expandConvEpilogues(
    Operation *root,
    llvm::function_ref<std::optional<Plan>(linalg::LinalgOp)> planOf) {
  // Only convolutions whose tiles can take an epilogue: an epilogue
  // expanded onto the blocked shape of one that cannot stays a pass of its
  // own, and its collapse back costs a copy into the consumer's buffer.
  auto takesEpilogue = [planOf](Value value) {
    linalg::LinalgOp conv = convolutionOf(value);
    if (!conv)
      return false;
    std::optional<Plan> plan = planOf(conv);
    return plan &&
           (!splitsReduction(conv, *plan) || peeledReduction(conv, *plan));
  };
  SmallVector<Operation *> epilogues, reshapes;
  root->walk([&](linalg::GenericOp op) {
    if (!isElementwise(op))
      return;
    for (OpOperand *in : op.getDpsInputOperands())
      if (auto collapse = in->get().getDefiningOp<tensor::CollapseShapeOp>();
          collapse && takesEpilogue(in->get())) {
        epilogues.push_back(op);
        reshapes.push_back(collapse);
        return;
      }
  });
  if (epilogues.empty())
    return;
  // Only the epilogue's read of the convolution's collapsed result folds;
  // its other operands are expanded by the pattern.
  RewritePatternSet patterns(root->getContext());
  linalg::populateFoldReshapeOpsByExpansionPatterns(
      patterns, [&](OpOperand *fused) {
        auto generic = dyn_cast<linalg::GenericOp>(fused->getOwner());
        return generic && isElementwise(generic) &&
               fused->get().getDefiningOp<tensor::CollapseShapeOp>() &&
               takesEpilogue(fused->get());
      });
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingOps);
  // (The reshapes, left unused, are erased.)
  epilogues.append(reshapes);
  (void)applyOpPatternsGreedily(epilogues, std::move(patterns), config);
}

/// The input of `epilogue` that reads `conv`'s result.
static OpOperand *convOperand(linalg::GenericOp epilogue, Value result) {
  for (OpOperand *in : epilogue.getDpsInputOperands())
    if (in->get() == result)
      return in;
  return nullptr;
}

/// The output dim (the epilogue's loop) that `conv`'s loop `d` indexes.
static std::optional<unsigned> outputDim(linalg::LinalgOp conv, unsigned d) {
  AffineMap out = conv.getMatchingIndexingMap(conv.getDpsInitOperand(0));
  for (auto [i, e] : llvm::enumerate(out.getResults()))
    if (auto dim = dyn_cast<AffineDimExpr>(e); dim && dim.getPosition() == d)
      return i;
  return std::nullopt;
}

linalg::GenericOp convEpilogue(linalg::LinalgOp conv, const Plan &plan) {
  // The epilogue needs every output element final in its register tile:
  // no reduction split across outer (cache block) loops, or one whose last
  // block is peeled (its tiles then hold the final sums).
  if (splitsReduction(conv, plan) && !peeledReduction(conv, plan))
    return {};
  if (!plan.fuseInit || conv->getNumResults() != 1)
    return {};
  Value result = conv->getResult(0);
  if (!result.hasOneUse())
    return {};
  auto epilogue = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!epilogue || !isElementwise(epilogue) ||
      epilogue->getBlock() != conv->getBlock() ||
      epilogue.getResult(0).getType() != result.getType())
    return {};
  OpOperand *in = convOperand(epilogue, result);
  if (!in || !epilogue.getMatchingIndexingMap(in).isIdentity())
    return {};
  // Every operand's innermost index moves with the register block's
  // vector dim n, or not at all (a broadcast along it).
  std::optional<unsigned> n = outputDim(conv, plan.n);
  if (!n || !outputDim(conv, plan.m))
    return {};
  for (OpOperand &operand : epilogue->getOpOperands()) {
    AffineMap map = epilogue.getMatchingIndexingMap(&operand);
    for (auto [i, e] : llvm::enumerate(map.getResults()))
      if (cast<AffineDimExpr>(e).getPosition() == *n &&
          i + 1 != map.getNumResults())
        return {};
  }
  return epilogue;
}

/// `value` (static, every dim 1 but those at `keep`) as the rank-reduced
/// tensor of the kept dims.
static Value keepDims(RewriterBase &rewriter, Location loc, Value value,
                      ArrayRef<unsigned> keep) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (unsigned d = 0; d < type.getRank(); ++d)
    if (llvm::is_contained(keep, d))
      shape.push_back(type.getDimSize(d));
  if (shape.size() == static_cast<size_t>(type.getRank()))
    return value;
  auto reduced = RankedTensorType::get(shape, type.getElementType());
  unsigned rank = type.getRank();
  return tensor::ExtractSliceOp::create(
      rewriter, loc, reduced, value,
      SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(0)),
      getAsIndexOpFoldResult(rewriter.getContext(), type.getShape()),
      SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1)));
}

/// Replaces `tile` (the epilogue on a register tile: every loop but m and
/// n has one iteration; its init is the tile of accumulators) by vector
/// code in the outer-product tile's form: per row and vector chunk, the
/// accumulators read and written at the same indices, so that they fold
/// onto the hoisted accumulators.
static LogicalResult vectorizeTile(RewriterBase &rewriter,
                                   linalg::GenericOp tile, unsigned m,
                                   unsigned n, int64_t vectorBits) {
  SmallVector<int64_t> ranges = tile.getStaticLoopRanges();
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (d != m && d != n && ranges[d] != 1)
      return failure();
  Location loc = tile.getLoc();
  rewriter.setInsertionPoint(tile);
  // Each operand as (value, m kept, n kept) over its kept dims.
  struct View {
    Value value;
    bool hasM = false, hasN = false;
  };
  auto view = [&](OpOperand *operand) -> View {
    AffineMap map = tile.getMatchingIndexingMap(operand);
    View v;
    SmallVector<unsigned> keep;
    for (auto [i, e] : llvm::enumerate(map.getResults())) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (d == m || d == n)
        keep.push_back(i);
      v.hasM |= d == m;
      v.hasN |= d == n;
    }
    v.value = keepDims(rewriter, loc, operand->get(), keep);
    return v;
  };
  SmallVector<View> ins;
  for (OpOperand *in : tile.getDpsInputOperands())
    ins.push_back(view(in));
  View out = view(tile.getDpsInitOperand(0));
  if (!out.hasM || !out.hasN)
    return failure();
  Type elem = getElementTypeOrSelf(out.value.getType());
  Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Block &body = tile.getRegion().front();
  Value written = out.value;
  for (auto [off, width] :
       vectorChunks(ranges[n], vectorBits / elem.getIntOrFloatBitWidth())) {
    Value col = arith::ConstantIndexOp::create(rewriter, loc, off);
    for (int64_t i = 0; i < ranges[m]; ++i) {
      Value row = arith::ConstantIndexOp::create(rewriter, loc, i);
      auto vecOf = [&](Type t) { return VectorType::get({width}, t); };
      IRMapping map;
      for (auto [v, arg] : llvm::zip(ins, body.getArguments())) {
        Type t = getElementTypeOrSelf(v.value.getType());
        SmallVector<Value> idx;
        if (v.hasM)
          idx.push_back(row);
        if (v.hasN) {
          idx.push_back(col);
          Value pad =
              arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(t));
          map.map(arg, vector::TransferReadOp::create(rewriter, loc, vecOf(t),
                                                      v.value, idx, pad,
                                                      ArrayRef<bool>{true}));
          continue;
        }
        // A broadcast along the vector dim: one element.
        auto rank = cast<RankedTensorType>(v.value.getType()).getRank();
        while (static_cast<int64_t>(idx.size()) < rank)
          idx.push_back(c0);
        Value scalar = tensor::ExtractOp::create(rewriter, loc, v.value, idx);
        map.map(arg,
                vector::BroadcastOp::create(rewriter, loc, vecOf(t), scalar));
      }
      Value yielded = vectorizeBody(rewriter, loc, body, map, width);
      written = vector::TransferWriteOp::create(rewriter, loc, yielded, written,
                                                ValueRange{row, col},
                                                ArrayRef<bool>{true})
                    .getResult();
    }
  }
  Value init = tile.getDpsInitOperand(0)->get();
  Value result = written;
  if (written.getType() != init.getType()) {
    auto type = cast<RankedTensorType>(init.getType());
    unsigned rank = type.getRank();
    result = tensor::InsertSliceOp::create(
        rewriter, loc, written, init,
        SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(0)),
        getAsIndexOpFoldResult(rewriter.getContext(), type.getShape()),
        SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1)));
  }
  rewriter.replaceOp(tile, result);
  return success();
}

LogicalResult applyEpilogueToTile(RewriterBase &rewriter, linalg::LinalgOp tile,
                                  linalg::GenericOp epilogue, unsigned m,
                                  unsigned n, int64_t vectorBits) {
  // The tile's insertion into the convolution's result (in the register
  // loops, or directly into the task's result when the task is one
  // register tile): its offsets and sizes are the epilogue's iteration
  // tile (identity maps).
  Value result = tile->getResult(0);
  if (!result.hasOneUse())
    return failure();
  Operation *user = *result.getUsers().begin();
  auto insert = dyn_cast<tensor::InsertSliceOp>(user);
  auto taskInsert = dyn_cast<tensor::ParallelInsertSliceOp>(user);
  if ((!insert || !insert.hasUnitStride()) &&
      (!taskInsert || !taskInsert.hasUnitStride()))
    return failure();
  OpOperand *convIn = nullptr;
  for (OpOperand *in : epilogue.getDpsInputOperands())
    if (in->get().getDefiningOp() &&
        in->get().getDefiningOp()->isAncestor(tile))
      convIn = in;
  if (!convIn)
    return failure();
  unsigned convIdx = convIn->getOperandNumber();
  SmallVector<OpFoldResult> offsets, sizes;
  if (taskInsert) {
    rewriter.setInsertionPointAfter(tile);
    offsets = taskInsert.getMixedOffsets();
    sizes = taskInsert.getMixedSizes();
  } else {
    // The insert's offsets are within its loop's tile: add the offsets at
    // which each enclosing loop's result goes into its parent's tile (the
    // panel blocks of a packed matmul), up to the parallel task's.
    rewriter.setInsertionPoint(insert);
    offsets = insert.getMixedOffsets();
    sizes = insert.getMixedSizes();
    AffineExpr d0, d1;
    bindDims(rewriter.getContext(), d0, d1);
    DominanceInfo dominance;
    auto compose = [&](ArrayRef<OpFoldResult> base) {
      for (auto [offset, b] : llvm::zip(offsets, base)) {
        // (Task offsets are computed at the top of the task, before its
        // loops.)
        if (auto v = dyn_cast<Value>(b);
            v && !dominance.properlyDominates(v, insert))
          return false;
        offset = affine::makeComposedFoldedAffineApply(
            rewriter, insert.getLoc(), d0 + d1, {b, offset});
      }
      return true;
    };
    Value value = insert.getResult();
    Operation *at = insert;
    bool inTask = false;
    while (auto loop = dyn_cast<scf::ForOp>(at->getParentOp())) {
      auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
      auto yielded = llvm::find(yield.getOperands(), value);
      if (yielded == yield.getOperands().end())
        return failure();
      Value out = loop->getResult(yielded - yield.getOperands().begin());
      if (!out.hasOneUse())
        return failure();
      Operation *outUser = *out.getUsers().begin();
      if (auto outer = dyn_cast<tensor::InsertSliceOp>(outUser)) {
        if (!outer.hasUnitStride() || !compose(outer.getMixedOffsets()))
          return failure();
        value = outer.getResult();
        at = outer;
      } else if (auto task = dyn_cast<tensor::ParallelInsertSliceOp>(outUser)) {
        if (!task.hasUnitStride() || !compose(task.getMixedOffsets()))
          return failure();
        inTask = true;
        break;
      } else if (isa<scf::YieldOp>(outUser)) {
        value = out;
        at = loop;
      } else {
        // The outermost loop: its result is the whole of the op's.
        break;
      }
    }
    // Within a task, only through the task's own insert.
    if (!inTask && at->getParentOfType<scf::ForallOp>())
      return failure();
  }
  FailureOr<TilingResult> applied =
      cast<TilingInterface>(epilogue.getOperation())
          .getTiledImplementation(rewriter, offsets, sizes);
  if (failed(applied) || applied->tiledOps.size() != 1)
    return failure();
  auto epiTile = cast<linalg::GenericOp>(applied->tiledOps.front());
  // It reads the accumulators and writes them in place.
  auto replaceOperand = [&](unsigned idx) {
    Value old = epiTile->getOperand(idx);
    rewriter.modifyOpInPlace(epiTile,
                             [&] { epiTile->setOperand(idx, result); });
    if (Operation *def = old.getDefiningOp(); def && def->use_empty())
      rewriter.eraseOp(def);
  };
  replaceOperand(convIdx);
  replaceOperand(epiTile.getDpsInitOperand(0)->getOperandNumber());
  rewriter.modifyOpInPlace(user,
                           [&] { user->setOperand(0, epiTile.getResult(0)); });
  // The convolution's result now is the epilogue's.
  rewriter.replaceOp(epilogue, convIn->get());
  std::optional<unsigned> epiM = outputDim(tile, m), epiN = outputDim(tile, n);
  if (!epiM || !epiN)
    return failure();
  return vectorizeTile(rewriter, epiTile, *epiM, *epiN, vectorBits);
}

} // namespace tdc
