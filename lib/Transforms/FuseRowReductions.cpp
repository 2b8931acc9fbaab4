//===- FuseRowReductions.cpp - a row's reductions and passes in one task --===//
//
// Softmax and LayerNormalization lower to reductions along the innermost
// dims (max and sum of exponentials; mean and variance) and elementwise ops
// that read those per-row values back, each a pass over the whole tensor
// (Softmax: 3 reads of its input and a write; LayerNormalization with the
// residual Add before it: 5). Here an elementwise op that reads a row
// reduction is tiled into one scf.forall over rows, and the reductions,
// their fills and the cheap elementwise ops feeding them (when nothing else
// reads them) are fused into each task; every op of the task is then
// vectorized whole, so that a row is read from memory once and the steps
// pass it on in registers (CSE merges the steps' identical reads and the
// exponentials a Softmax computes for its sum and again for its result).
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"
#include "tdc/Transforms/TileAndFuse.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace tdc {
#define GEN_PASS_DEF_FUSEROWREDUCTIONS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// Static, on tensors, one init, and every operand read through a projected
/// permutation (so that tiles are plain slices).
bool tileable(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
      op.getNumDpsInits() != 1)
    return false;
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) {
    return m.isProjectedPermutation(/*allowZeroInResults=*/true);
  });
}

bool allParallel(linalg::LinalgOp op) {
  return op.getNumParallelLoops() == op.getNumLoops();
}

/// Number of leading (row) dims of a reduction over the trailing dims of its
/// loops that writes one value per row; 0 for any other op.
unsigned rowDims(linalg::LinalgOp op) {
  if (!tileable(op) || allParallel(op))
    return 0;
  unsigned rows = op.getNumParallelLoops();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned d = 0; d < iters.size(); ++d)
    if ((d < rows) != (iters[d] == utils::IteratorType::parallel))
      return 0;
  // Sums in any order only (they become tree reductions of the row's
  // vector); max/min are order-independent.
  Value acc = op.getBlock()->getArguments().back();
  for (Operation *combine : acc.getUsers()) {
    if (isa<arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
            arith::MinNumFOp>(combine))
      continue;
    if (!isa<arith::AddFOp, arith::MulFOp>(combine) ||
        !bitEnumContainsAll(cast<arith::ArithFastMathInterface>(combine)
                                .getFastMathFlagsAttr()
                                .getValue(),
                            arith::FastMathFlags::reassoc))
      return 0;
  }
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineMap first =
      AffineMap::getMultiDimIdentityMap(op.getNumLoops(), op->getContext())
          .getSubMap(llvm::to_vector(llvm::seq(0u, rows)));
  return out == first ? rows : 0;
}

/// An elementwise op over the same rows, identity output, and only
/// arithmetic in its body: cheap enough to compute again for each step of
/// the row that reads it.
bool cheapElementwise(linalg::LinalgOp op) {
  if (!tileable(op) || !allParallel(op) || !isa<linalg::GenericOp>(op))
    return false;
  if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  for (Operation &b : op.getBlock()->without_terminator())
    if (!isa<arith::ArithDialect>(b.getDialect()))
      return false;
  return true;
}

/// A generic's operand that only adds unit dims to a value (the per-row
/// results of a reduction shaped [.., 1] for broadcasting) is read at its
/// source instead, so that the reduction's result feeds the op directly.
void readThroughUnitExpansions(linalg::GenericOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  bool changed = false;
  for (OpOperand *in : op.getDpsInputOperands()) {
    auto expand = in->get().getDefiningOp<tensor::ExpandShapeOp>();
    if (!expand || !expand.getSrcType().hasStaticShape())
      continue;
    ArrayRef<int64_t> shape = expand.getResultType().getShape();
    ArrayRef<int64_t> src = expand.getSrcType().getShape();
    AffineMap map = maps[in->getOperandNumber()];
    SmallVector<AffineExpr> results;
    for (auto [i, group] : llvm::enumerate(expand.getReassociationIndices())) {
      // The one dim of the group that carries the source dim (any of them
      // when the source dim is 1: the others are 1 too).
      int64_t keep = group.front();
      for (int64_t d : group)
        if (shape[d] == src[i] && shape[d] != 1)
          keep = d;
      bool unitOthers = llvm::all_of(
          group, [&](int64_t d) { return d == keep || shape[d] == 1; });
      if (!unitOthers) {
        results.clear();
        break;
      }
      results.push_back(map.getResult(keep));
    }
    if (results.size() != src.size())
      continue;
    maps[in->getOperandNumber()] =
        AffineMap::get(map.getNumDims(), 0, results, op.getContext());
    in->set(expand.getSrc());
    changed = true;
    // Dead now unless something else reads it (which then keeps the
    // reduction a pass of its own).
    if (expand->use_empty())
      expand->erase();
  }
  if (changed)
    op.setIndexingMapsAttr(
        Builder(op.getContext()).getAffineMapArrayAttr(maps));
}

/// The ops fused into each row of `consumer`: the row reductions it reads,
/// their inits' fills, and cheap elementwise producers, transitively, each
/// only when all its users are in the group too. Empty when no reduction
/// qualifies.
llvm::SetVector<Operation *> rowGroup(linalg::GenericOp consumer) {
  llvm::SetVector<Operation *> group;
  if (!tileable(consumer) || !allParallel(consumer) ||
      !consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0))
           .isIdentity())
    return group;
  SmallVector<int64_t> ranges = consumer.getStaticLoopRanges();
  unsigned loops = consumer.getNumLoops();
  // The rows: the leading dims of the first row reduction read per row.
  unsigned rows = 0;
  for (OpOperand *in : consumer.getDpsInputOperands()) {
    auto r = in->get().getDefiningOp<linalg::LinalgOp>();
    if (!r || r.getStaticLoopRanges() != ranges)
      continue;
    unsigned n = rowDims(r);
    if (n && consumer.getMatchingIndexingMap(in) ==
                 AffineMap::getMultiDimIdentityMap(loops, r->getContext())
                     .getSubMap(llvm::to_vector(llvm::seq(0u, n)))) {
      rows = n;
      break;
    }
  }
  if (!rows)
    return group;
  auto eligible = [&](Operation *op) {
    if (isa<linalg::FillOp>(op))
      return true;
    auto l = dyn_cast<linalg::LinalgOp>(op);
    if (!l || l.getStaticLoopRanges() != ranges)
      return false;
    return rowDims(l) == rows || cheapElementwise(l);
  };
  group.insert(consumer);
  for (unsigned i = 0; i < group.size(); ++i)
    for (Value v : group[i]->getOperands())
      if (Operation *p = v.getDefiningOp())
        if (isa<func::FuncOp>(p->getParentOp()) && eligible(p))
          group.insert(p);
  // Anything read outside the group stays a pass of its own (its users in
  // the group then read its result).
  bool pruned = true;
  while (pruned) {
    pruned = false;
    for (Operation *op : llvm::to_vector(group)) {
      if (op == consumer.getOperation())
        continue;
      if (llvm::all_of(op->getUsers(),
                       [&](Operation *u) { return group.contains(u); }))
        continue;
      group.remove(op);
      pruned = true;
    }
  }
  if (llvm::none_of(group, [&](Operation *op) {
        auto l = dyn_cast<linalg::LinalgOp>(op);
        return l && !allParallel(l);
      }))
    group.clear();
  return group;
}

/// x / s with s the same in every lane (a row's sum or deviation read back
/// as a broadcast) becomes x * (1 / s): one division per row instead of one
/// per vector register of the row (Softmax's normalization, as ONNX Runtime
/// computes it; at most one rounding more).
struct DivideByReciprocal : OpRewritePattern<arith::DivFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::DivFOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(op.getType());
    if (!type || type.getNumElements() <= 16 ||
        matchPattern(op.getLhs(), m_OneFloat()))
      return failure();
    Operation *d = op.getRhs().getDefiningOp();
    auto read = dyn_cast_or_null<vector::TransferReadOp>(d);
    bool uniform =
        isa_and_nonnull<vector::BroadcastOp>(d) ||
        (read &&
         llvm::all_of(read.getPermutationMap().getResults(), [](AffineExpr e) {
           auto c = dyn_cast<AffineConstantExpr>(e);
           return c && c.getValue() == 0;
         }));
    if (!uniform)
      return failure();
    Location loc = op.getLoc();
    Value one = arith::ConstantOp::create(
        rewriter, loc, type,
        DenseElementsAttr::get(
            type, rewriter.getFloatAttr(type.getElementType(), 1.0)));
    Value inv = arith::DivFOp::create(rewriter, loc, one, op.getRhs());
    rewriter.replaceOpWithNewOp<arith::MulFOp>(op, op.getLhs(), inv);
    return success();
  }
};

struct FuseRowReductions : tdc::impl::FuseRowReductionsBase<FuseRowReductions> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> consumers;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (isa<func::FuncOp>(op->getParentOp()) && allParallel(op))
        consumers.push_back(op);
    });
    for (linalg::GenericOp op : consumers)
      readThroughUnitExpansions(op);
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> tiles;
    SmallVector<Operation *> loops;
    // Last consumer first: a consumer fused into a later one's row (as an
    // elementwise producer) needs no row of its own.
    llvm::SetVector<Operation *> fused;
    DenseSet<Operation *> erased;
    for (linalg::GenericOp op : llvm::reverse(consumers)) {
      if (fused.contains(op))
        continue;
      llvm::SetVector<Operation *> group = rowGroup(op);
      if (group.empty())
        continue;
      // Rows per task: one (the steps then hold one row each).
      unsigned rows = 0;
      for (Operation *g : group)
        if (auto l = dyn_cast<linalg::LinalgOp>(g); l && !allParallel(l))
          rows = rowDims(l);
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      int64_t rowElems = 1;
      for (unsigned d = rows; d < ranges.size(); ++d)
        rowElems *= ranges[d];
      if (rowElems > maxRowElements)
        continue;
      SmallVector<int64_t> sizes(ranges.size(), 0);
      for (unsigned d = 0; d < rows; ++d)
        sizes[d] = 1;
      scf::SCFTilingOptions tiling;
      tiling.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      FailureOr<scf::SCFTileAndFuseResult> tiled = tdc::tileAndFuseProducers(
          rewriter, op, tiling, [&group](OpResult candidate, bool) {
            return group.contains(candidate.getOwner());
          });
      if (failed(tiled))
        continue;
      for (Operation *t : tiled->tiledAndFusedOps)
        tiles.push_back(t);
      loops.push_back(tiled->loops.front());
      fused.insert(group.begin(), group.end());
    }
    // The groups' originals are dead now, but for the slices of their
    // results that fusion left behind unused; erased users first.
    for (bool more = true; more;) {
      more = false;
      for (Operation *g : fused) {
        if (erased.contains(g))
          continue;
        for (Operation *u : llvm::to_vector(g->getUsers()))
          if (isa<tensor::ExtractSliceOp>(u) && u->use_empty())
            rewriter.eraseOp(u);
        if (!g->use_empty())
          continue;
        erased.insert(g);
        rewriter.eraseOp(g);
        more = true;
      }
    }
    // Each step of a row is vectorized whole: its tile is one row.
    for (Operation *t : tiles) {
      rewriter.setInsertionPoint(t);
      FailureOr<linalg::VectorizationResult> vec =
          linalg::vectorize(rewriter, t);
      if (succeeded(vec))
        rewriter.replaceOp(t, vec->replacements);
    }
    if (tiles.empty())
      return;
    // Inside the tasks only (the loops themselves stay as they are): reads
    // of what a step just wrote forward the written vector, so the row's
    // temporaries vanish, and unit dims go away; then the row reductions
    // become 1-D vector.reductions (the lowering to LLVM has no n-D
    // multi_reduction).
    MLIRContext *ctx = &getContext();
    RewritePatternSet forwarding(ctx);
    vector::populateCastAwayVectorLeadingOneDimPatterns(forwarding);
    vector::populateVectorTransferDropUnitDimsPatterns(forwarding);
    tensor::ExtractSliceOp::getCanonicalizationPatterns(forwarding, ctx);
    tensor::EmptyOp::getCanonicalizationPatterns(forwarding, ctx);
    vector::TransferReadOp::getCanonicalizationPatterns(forwarding, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(forwarding, ctx);
    forwarding.add<DivideByReciprocal>(ctx);
    RewritePatternSet lowering(ctx);
    vector::populateVectorMultiReductionLoweringPatterns(
        lowering, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorShapeCastLoweringPatterns(lowering);
    vector::populateCastAwayVectorLeadingOneDimPatterns(lowering);
    FrozenRewritePatternSet frozenForwarding(std::move(forwarding));
    FrozenRewritePatternSet frozenLowering(std::move(lowering));
    // The fused reductions all sum with `reassoc` (rowDims): their row sums
    // may be trees rather than LLVM's default serial order.
    auto reassoc =
        arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::reassoc);
    for (Operation *loop : loops) {
      Region &body = loop->getRegion(0);
      if (failed(applyPatternsGreedily(body, frozenForwarding)) ||
          failed(applyPatternsGreedily(body, frozenLowering)))
        return signalPassFailure();
      loop->walk([&](vector::ReductionOp r) {
        if (r.getKind() == vector::CombiningKind::ADD ||
            r.getKind() == vector::CombiningKind::MUL)
          r.setFastmathAttr(reassoc);
      });
    }
  }
};

} // namespace
