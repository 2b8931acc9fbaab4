//===- ParallelizeOuterLoops.cpp - large loop nests as parallel tasks -----===//
//
// Linalg ops that the contraction schedule leaves alone (elementwise chains,
// eOperators, broadcasts, pooling, strided convolutions, ...) are loop nests
// whose leading parallel loops carry independent work. The large ones are
// tiled into one scf.forall over those loops (tile size 1), which lowers to
// a parallel loop of the runtime's thread team; the inner loops, innermost
// dim whole, stay as they were so that LLVM still vectorizes them.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <functional>

namespace tdc {
#define GEN_PASS_DEF_PARALLELIZEOUTERLOOPS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// Tile sizes (1 on the leading parallel loops that make enough tasks, 0
/// elsewhere), or nothing when the op is too small or has no such loops.
std::optional<SmallVector<int64_t>>
parallelTiles(linalg::LinalgOp op, int64_t minWork, int64_t minTasks) {
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
      op.getNumDpsInits() == 0 || op.getNumLoops() < 2)
    return std::nullopt;
  // Tiling re-bases operand slices but keeps the indexing maps: a map with
  // a constant offset or a negative coefficient (the flipped kernel of a
  // transposed conv reads 3 - d) would read outside its tile's slice.
  std::function<bool(AffineExpr)> tileable = [&](AffineExpr e) {
    if (isa<AffineDimExpr>(e))
      return true;
    auto bin = dyn_cast<AffineBinaryOpExpr>(e);
    if (!bin)
      return false;
    if (bin.getKind() == AffineExprKind::Add)
      return tileable(bin.getLHS()) && tileable(bin.getRHS());
    auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
    return bin.getKind() == AffineExprKind::Mul && c && c.getValue() > 0 &&
           isa<AffineDimExpr>(bin.getLHS());
  };
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr e : map.getResults()) {
      // A broadcast dim reads index 0, which its slice (offset 0) has.
      auto c = dyn_cast<AffineConstantExpr>(e);
      if (!(c && c.getValue() == 0) && !tileable(e))
        return std::nullopt;
    }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // Work: points times operands read per point, so that a depthwise
  // convolution written as one term per tap (19 operands) at 14x14x384
  // counts as the pass over memory it is.
  int64_t work = std::max<int64_t>(1, op.getNumDpsInputs());
  for (int64_t r : ranges)
    work *= r;
  if (work < minWork)
    return std::nullopt;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> sizes(ranges.size(), 0);
  int64_t tasks = 1;
  // The innermost loop stays whole: it is the one LLVM vectorizes.
  for (unsigned d = 0; d + 1 < ranges.size() && tasks < minTasks; ++d) {
    if (iters[d] != utils::IteratorType::parallel)
      break;
    if (ranges[d] == 1)
      continue;
    sizes[d] = 1;
    tasks *= ranges[d];
  }
  if (tasks < 2)
    return std::nullopt;
  return sizes;
}

struct ParallelizeOuterLoops
    : tdc::impl::ParallelizeOuterLoopsBase<ParallelizeOuterLoops> {
  using Base::Base;

  void runOnOperation() override {
    // Only ops at the top of a function: ops inside loops (the tiles of
    // other schedules) already run inside a task or are too small.
    SmallVector<std::pair<linalg::LinalgOp, SmallVector<int64_t>>> work;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!isa<func::FuncOp>(op->getParentOp()))
        return;
      if (auto sizes = parallelTiles(op, minWork, minTasks))
        work.push_back({op, *sizes});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, sizes] : work) {
      scf::SCFTilingOptions options;
      options.setTileSizes(
          getAsIndexOpFoldResult(rewriter.getContext(), sizes));
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue; // stays a sequential loop nest
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace
