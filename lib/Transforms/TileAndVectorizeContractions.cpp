//===- TileAndVectorizeContractions.cpp - register-blocked matmuls --------===//
//
// A matmul as plain loops (even in the i-k-j order) streams the whole output
// row through memory for every k. Here each contraction (and each NCHW
// convolution, a sum of shifted, possibly strided, matmuls) is tiled into an
// Mr x Nr register block whose reduction loops are innermost, and the block
// is written as vector code: per reduction step, Mr broadcasts of A, Nr/VL
// loads of B and Mr*Nr/VL FMAs into accumulators that loop-invariant subset
// hoisting then keeps in registers.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "tdc/Schedule/RegisterBlocks.h"
#include "tdc/Transforms/ContractionTiles.h"
#include "tdc/Transforms/Passes.h"
#include "tdc/Transforms/ScheduleKnobs.h"
#include "tdc/Transforms/TileAndFuse.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tdc {
#define GEN_PASS_DEF_TILEANDVECTORIZECONTRACTIONS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

using tdc::emitOuterProductTile;
using tdc::Plan;
using tdc::planConvolution;
using tdc::schedule::kMaxRows;
using tdc::schedule::largestDivisor;
using tdc::schedule::packedRows;
/// Cache block of the n and k dims: a Kc x Nc block of B (256 KiB in f32)
/// stays in L2 while every row block of A streams past it.
constexpr int64_t kMaxNc = 256;
constexpr int64_t kMaxKc = 256;

/// Parallel tiles (scf.forall) must carry at least this many multiply-adds
/// in all (some 20 us of vector code) to be worth a fork/join of the
/// runtime's thread team (a few us).
constexpr int64_t kMinParallelWork = 1 << 20;
/// The work of streaming one operand element from beyond L2, in
/// multiply-adds: a register block does some 32 per cycle (2 FMA ports x
/// 16 lanes), a thread streams some 4 elements per cycle from L3. A
/// matrix-vector product (1x512 by 512x1000, ResNet-18's classifier) has
/// few multiply-adds but a pass over 2 MB of weights to share.
constexpr int64_t kOperandElementWork = 8;
/// Row chunk of a matmul's parallel tiles: a multiple of the register rows
/// so that tall outputs split over threads even when n has one cache block.
constexpr int64_t kMaxMc = 32;
/// The share of L2 that a packed contraction's panels-outer order may fill:
/// half of 1 MiB, the smallest L2 of the AVX-512 cores (Skylake-SP; Ice Lake
/// has 1.25 MiB, Sapphire Rapids 2 MiB), so that B's panel and the output
/// tile are not evicted by the slice of A streaming past them.
constexpr int64_t kPanelsOuterL2Bytes = 512 * 1024;

std::optional<Plan> planContraction(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() != 2 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  if (op.hasDynamicShape())
    return std::nullopt;
  Type elem = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  if (!elem.isF32() && !elem.isF64())
    return std::nullopt;

  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() == 0 || !out.isProjectedPermutation())
    return std::nullopt;
  unsigned n = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  // The n dim must be unit-stride in the input that carries it (B), so B's
  // rows and C's rows are contiguous vector loads.
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    if (!map.isProjectedPermutation())
      return std::nullopt;
    if (map.isFunctionOfDim(n) &&
        cast<AffineDimExpr>(map.getResults().back()).getPosition() != n)
      return std::nullopt;
  }
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  if (out.getNumResults() < 2)
    return std::nullopt;
  std::optional<unsigned> m =
      cast<AffineDimExpr>(out.getResults()[out.getNumResults() - 2])
          .getPosition();
  if (iters[*m] != utils::IteratorType::parallel)
    return std::nullopt;

  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t bits = elem.getIntOrFloatBitWidth();
  int64_t vl = 512 / bits; // one AVX-512 register; LLVM splits/legalizes.
  int64_t nr = 0;
  for (int64_t cand : {2 * vl, vl, vl / 2})
    if (ranges[n] % cand == 0) {
      nr = cand;
      break;
    }
  if (nr == 0)
    return std::nullopt;

  // The last reduction dim is the one cache-blocked; all reduction dims are
  // innermost at the register level so the accumulators are loop-invariant.
  SmallVector<unsigned> reductions;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      reductions.push_back(d);
  if (reductions.empty())
    return std::nullopt;
  unsigned k = reductions.back();

  Plan plan;
  unsigned numLoops = ranges.size();
  plan.outer.assign(numLoops, 0);
  plan.inner.assign(numLoops, 1);
  for (unsigned d = 0; d < numLoops; ++d)
    if (iters[d] == utils::IteratorType::parallel && d != n && d != m)
      plan.outer[d] = 1;
  // `tdc tune` choices (tdc.schedule) replace the analytic ones.
  tdc::ScheduleKnobs knobs = tdc::scheduleKnobs(op);
  plan.outer[n] = largestDivisor(ranges[n], knobs.nc ? knobs.nc : kMaxNc, nr);
  int64_t kc = knobs.kc                  ? largestDivisor(ranges[k], knobs.kc)
               : ranges[k] <= 2 * kMaxKc ? 0
                                         : largestDivisor(ranges[k], kMaxKc);
  plan.outer[k] = kc >= 32 && kc < ranges[k] ? kc : 0;
  plan.inner[n] = nr;
  plan.inner[*m] =
      largestDivisor(ranges[*m], knobs.rows ? knobs.rows : kMaxRows);
  plan.m = *m;
  plan.n = n;

  // Outer: batch, n, k (m stays whole). Inner: batch, m, n, reductions.
  auto order = [&](bool outer) {
    SmallVector<int64_t> o;
    for (unsigned d = 0; d < numLoops; ++d)
      if (iters[d] == utils::IteratorType::parallel && d != n && d != m)
        o.push_back(d);
    if (!outer && m)
      o.push_back(*m);
    o.push_back(n);
    for (unsigned d : reductions)
      o.push_back(d);
    if (outer && m)
      o.push_back(*m);
    return o;
  };
  plan.outerOrder = order(true);
  plan.innerOrder = order(false);

  // Tasks never split a reduction, so every output element sums its
  // products in the same order whatever the thread count. With several row
  // chunks, the tasks are the chunks of one cache block (a fork per block,
  // which the threads' caches share); else the batch dims and n blocks,
  // each task running its k blocks.
  plan.par.assign(numLoops, 0);
  int64_t mc = ranges[*m] > kMaxMc
                   ? largestDivisor(ranges[*m], kMaxMc, plan.inner[*m])
                   : 0;
  if (mc) {
    plan.par[*m] = mc;
    plan.parInside = true;
  } else {
    for (unsigned d = 0; d < numLoops; ++d)
      if (iters[d] == utils::IteratorType::parallel && d != n) {
        plan.par[d] = d == *m ? 0 : 1;
        plan.parOrder.push_back(d);
      }
    plan.par[n] = plan.outer[n];
    plan.parOrder.push_back(n);
    // Within a task the n block is whole: only k is blocked there.
    plan.outer[n] = 0;
  }
  return plan;
}

/// Roles of a packed contraction's loops (tdc-pack-contractions): output
/// [.., m, .., p, n] with n the lanes of a panel, p the panels, m the dim
/// only A carries, k the reduction.
struct PackedRoles {
  unsigned m, p, n, k;
};

std::optional<PackedRoles> packedRoles(linalg::LinalgOp op) {
  if (!op->hasAttr("tdc.packed") || !op.hasPureTensorSemantics() ||
      op.hasDynamicShape() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() < 3 || !out.isProjectedPermutation())
    return std::nullopt;
  PackedRoles r;
  r.n = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  r.p = cast<AffineDimExpr>(out.getResults()[out.getNumResults() - 2])
            .getPosition();
  AffineMap in0 = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap b = in0.isFunctionOfDim(r.n)
                    ? in0
                    : op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  std::optional<unsigned> m, k;
  for (AffineExpr e : out.getResults().drop_back(2)) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (!b.isFunctionOfDim(d))
      m = d;
  }
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      k = d;
  if (!m || !k)
    return std::nullopt;
  r.m = *m;
  r.k = *k;
  return r;
}

/// Rows of a packed op's remainder (m % Mr), split off so that the bulk
/// keeps full register blocks; 0 when Mr divides m well enough.
int64_t packedRemainder(linalg::LinalgOp op, const PackedRoles &r, int64_t vl,
                        int64_t vectorBits) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t mr = packedRows(ranges[r.n], vl, vectorBits), rows = ranges[r.m];
  if (rows <= mr || largestDivisor(rows, mr) * 2 > mr)
    return 0;
  return rows % mr;
}

/// Packed contractions (panels of B streamed contiguously): tasks over the
/// batch dims, row chunks and panel chunks; within a task, cache blocks of
/// panels (Nc columns) and k (Kc), every row of the task streaming past
/// the block; an Mr x Nr register block over (m, lanes).
Plan planPacked(linalg::LinalgOp op, const PackedRoles &r, int64_t vl,
                int64_t vectorBits) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  unsigned numLoops = ranges.size();
  int64_t nr = ranges[r.n];
  // `tdc tune` choices (tdc.schedule) replace the analytic ones.
  tdc::ScheduleKnobs knobs = tdc::scheduleKnobs(op);
  int64_t mr =
      largestDivisor(ranges[r.m], knobs.rows ? std::min(knobs.rows, kMaxRows)
                                             : packedRows(nr, vl, vectorBits));
  int64_t rows = ranges[r.m] / mr, panels = ranges[r.p];
  int64_t batch = 1;
  for (unsigned d = 0; d < numLoops; ++d)
    if (iters[d] == utils::IteratorType::parallel && d != r.m && d != r.p &&
        d != r.n)
      batch *= ranges[d];

  Plan plan;
  plan.m = r.m;
  plan.n = r.n;
  // Tasks: the batch first; then split rows (each task then reads all of
  // B) or panels (each task reads all of A), whichever re-reads fewer
  // elements, until there are kTasks.
  const int64_t kTasks = knobs.tasks ? knobs.tasks : 8;
  int64_t aSize = ranges[r.m] * ranges[r.k], bSize = panels * nr * ranges[r.k];
  int64_t cm = 1, cp = 1;
  while (batch * cm * cp < kTasks) {
    bool canM = rows % (cm * 2) == 0, canP = panels % (cp * 2) == 0;
    if (canM && (!canP || cm * bSize <= cp * aSize))
      cm *= 2;
    else if (canP)
      cp *= 2;
    else
      break;
  }
  plan.par.assign(numLoops, 0);
  for (unsigned d = 0; d < numLoops; ++d)
    if (iters[d] == utils::IteratorType::parallel && d != r.m && d != r.p &&
        d != r.n) {
      plan.par[d] = 1;
      plan.parOrder.push_back(d);
    }
  plan.par[r.m] = ranges[r.m] / cm;
  plan.par[r.p] = panels / cp;
  plan.parOrder.push_back(r.m);
  plan.parOrder.push_back(r.p);
  // Each task zeroes (or broadcasts the bias into) its own output tile,
  // in cache, instead of a pass over the whole output before the matmul.
  plan.fuseInit = true;

  // Cache block of one task: Nc columns of panels by Kc.
  const int64_t kPackedNc = knobs.nc ? knobs.nc : 256;
  plan.outer.assign(numLoops, 0);
  for (unsigned d = 0; d < numLoops; ++d)
    if (iters[d] == utils::IteratorType::parallel && d != r.m && d != r.p &&
        d != r.n)
      plan.outer[d] = 1;
  plan.outer[r.p] =
      largestDivisor(panels / cp, std::max<int64_t>(1, kPackedNc / nr));
  int64_t kc = knobs.kc ? largestDivisor(ranges[r.k], knobs.kc)
               : ranges[r.k] <= 2 * kMaxKc
                   ? 0
                   : largestDivisor(ranges[r.k], kMaxKc);
  plan.outer[r.k] = kc >= 32 && kc < ranges[r.k] ? kc : 0;

  plan.inner.assign(numLoops, 1);
  plan.inner[r.m] = mr;
  plan.inner[r.n] = nr;
  auto order = [&](ArrayRef<unsigned> tail) {
    SmallVector<int64_t> o;
    for (unsigned d = 0; d < numLoops; ++d)
      if (iters[d] == utils::IteratorType::parallel && d != r.m && d != r.p &&
          d != r.n)
        o.push_back(d);
    for (unsigned d : tail)
      o.push_back(d);
    return o;
  };
  plan.outerOrder = order({r.p, r.k, r.m, r.n});
  // Rows outer: the Mr rows of A (L1) serve every panel of the block, B's
  // block streams from L2 once per row block. Panels outer: one panel of B
  // serves every row block of the task, A streams once per panel. The
  // latter measured faster when a task has many more row blocks than the
  // block has panels (3136x576x64: 49 row blocks, 2 panels, +4%), the
  // former otherwise (1024^3: 32 and 8; 49x4608x512: 7 and 2, +14%).
  // Panels outer also needs the task's slice of A (read in place, rows K
  // apart), a panel and the task's column of outputs to stay in L2 between
  // panels: 2048^3 (A slice 512 KiB) ran 18% slower with it (1 thread).
  int64_t rowBlocks = ranges[r.m] / cm / mr;
  int64_t taskRows = ranges[r.m] / cm, blockK = kc ? kc : ranges[r.k];
  int64_t panelsOuterBytes =
      4 * (taskRows * blockK + blockK * nr + taskRows * nr);
  bool panelsOuter = rowBlocks >= 8 * plan.outer[r.p] &&
                     panelsOuterBytes <= kPanelsOuterL2Bytes;
  plan.innerOrder =
      panelsOuter ? order({r.p, r.m, r.n, r.k}) : order({r.m, r.p, r.n, r.k});
  return plan;
}

/// Vector lanes of `op`'s output element type in `vectorBits`.
int64_t lanes(linalg::LinalgOp op, int64_t vectorBits) {
  Type elem = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  return vectorBits / elem.getIntOrFloatBitWidth();
}

/// Drops parallel tiles that cover their whole dim and all of them when
/// there are fewer than two tasks or too little work to share (its
/// multiply-adds and the reading of its inputs); completes `parOrder` to a
/// permutation of all loops, as tiling wants it.
void finishParallelTiles(Plan &plan, linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t tasks = 1, work = 0;
  for (OpOperand *in : op.getDpsInputOperands())
    if (auto type = dyn_cast<ShapedType>(in->get().getType());
        type && type.hasStaticShape())
      work += kOperandElementWork * type.getNumElements();
  int64_t points = 1;
  for (unsigned d = 0; d < ranges.size(); ++d) {
    points *= ranges[d];
    if (plan.par[d] == ranges[d])
      plan.par[d] = 0;
    if (plan.par[d])
      tasks *= ranges[d] / plan.par[d];
  }
  work += points;
  // An op inside a task (a fused Winograd convolution's matmuls) runs in
  // that task's thread.
  if (tasks < 2 || work < kMinParallelWork ||
      op->getParentOfType<scf::ForallOp>())
    plan.par.assign(plan.par.size(), 0);
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (!llvm::is_contained(plan.parOrder, d))
      plan.parOrder.push_back(d);
}

/// Tiles `op` by `sizes` in loop order `order` (into one scf.forall when
/// `parallel`, else nested scf.for); returns the tiled op.
FailureOr<linalg::LinalgOp> tile(RewriterBase &rewriter, linalg::LinalgOp op,
                                 ArrayRef<int64_t> sizes,
                                 ArrayRef<int64_t> order,
                                 bool parallel = false) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setInterchange(order);
  if (parallel)
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  auto result = dyn_cast<linalg::LinalgOp>(tiled->tiledOps.back());
  if (!result)
    return failure();
  return result;
}

/// Tiles `op` into one scf.forall like `tile` (or nested scf.for when not
/// `parallel`), with the producer of its init (a linalg.broadcast or
/// linalg.fill used only there) computed per tile. Legal when the tiles
/// split parallel dims only: each output element's initial value is
/// produced once, by the tile that sums it.
FailureOr<linalg::LinalgOp> tileFusingInit(RewriterBase &rewriter,
                                           linalg::LinalgOp op,
                                           ArrayRef<int64_t> sizes,
                                           ArrayRef<int64_t> order,
                                           bool parallel = true) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  tiling.setInterchange(order);
  if (parallel)
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  // Only an init that `op` alone reads (the untiled op still does while
  // the control function runs).
  Value init = op.getDpsInitOperand(0)->get();
  Operation *producer = init.getDefiningOp();
  if (!init.hasOneUse() ||
      !isa_and_nonnull<linalg::BroadcastOp, linalg::FillOp>(producer))
    producer = nullptr;
  FailureOr<scf::SCFTileAndFuseResult> tiled = tdc::tileAndFuseProducers(
      rewriter, op, tiling, [producer](OpResult candidate, bool isDestination) {
        return isDestination && producer && candidate.getOwner() == producer;
      });
  if (failed(tiled))
    return failure();
  auto result = dyn_cast<linalg::LinalgOp>(tiled->tiledAndFusedOps.front());
  rewriter.eraseOp(op);
  if (!result)
    return failure();
  return result;
}

/// Whether `op`'s init is a broadcast or fill that only it reads, which its
/// register blocks can compute themselves.
bool startsFromInit(linalg::LinalgOp op, const Plan &plan) {
  Value init = op.getDpsInitOperand(0)->get();
  return plan.fuseInit && init.hasOneUse() &&
         isa_and_nonnull<linalg::BroadcastOp, linalg::FillOp>(
             init.getDefiningOp());
}

/// The register blocks of `op` (a task's tile, or a part of it), as
/// outer-product vector code. The register block's parallel loops first,
/// then the reductions inside, when something is done per block around
/// them: `epilogue` applied to the finished tile, or the block's own
/// initial value (`blockInit`). Then every block starts from its own small
/// broadcast, whose reads tdc-fold-reads-of-broadcasts turns into loads of
/// the bias, and the task never writes its whole tile of biases first (a
/// pass over the output through the caches).
void registerTiles(RewriterBase &rewriter, linalg::LinalgOp op,
                   const Plan &plan, linalg::GenericOp epilogue, bool blockInit,
                   int64_t bits) {
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> regPar(plan.inner), regRed(plan.inner.size(), 0);
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      std::swap(regPar[d], regRed[d]);
  bool twoSteps = epilogue || blockInit;
  FailureOr<linalg::LinalgOp> reg =
      blockInit
          ? tileFusingInit(rewriter, op, regPar, plan.innerOrder,
                           /*parallel=*/false)
          : tile(rewriter, op, twoSteps ? regPar : plan.inner, plan.innerOrder);
  if (twoSteps && succeeded(reg) && !reg->hasDynamicShape()) {
    // (An epilogue is left as its own op if its tile does not vectorize.)
    if (epilogue)
      (void)tdc::applyEpilogueToTile(rewriter, *reg, epilogue, plan.m, plan.n,
                                     bits);
    reg = tile(rewriter, *reg, regRed, plan.innerOrder);
  }
  if (failed(reg) || reg->hasDynamicShape())
    return;
  // Blocks that don't fit the outer-product form stay scalar loops.
  (void)emitOuterProductTile(rewriter, *reg, plan.m, plan.n, bits);
}

/// Splits `op` along its reduction dim `k` into its first block of `kc`,
/// the blocks in between (null when there are two blocks) and its last
/// block, each summing into the previous one's result. The whole-tensor
/// slices the splits leave between them are folded, so that the first part
/// reads the initial value directly and the last one's result is `op`'s.
FailureOr<std::array<linalg::LinalgOp, 3>>
peelReductionBlocks(RewriterBase &rewriter, linalg::LinalgOp op, unsigned k,
                    int64_t kc) {
  int64_t size = op.getStaticLoopRanges()[k];
  if (kc <= 0 || size % kc != 0 || size < 2 * kc)
    return failure();
  Block *block = op->getBlock();
  llvm::SmallPtrSet<Operation *, 32> before;
  for (Operation &existing : *block)
    before.insert(&existing);
  rewriter.setInsertionPoint(op);
  auto [first, rest] =
      linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), k,
                      rewriter.getIndexAttr(kc));
  if (!first || !rest)
    return failure();
  TilingInterface middle, last = rest;
  if (size > 2 * kc) {
    rewriter.setInsertionPoint(rest);
    std::tie(middle, last) = linalg::splitOp(
        rewriter, rest, k, rewriter.getIndexAttr(size - 2 * kc));
    if (!middle || !last)
      return failure();
  }
  std::array<linalg::LinalgOp, 3> parts{
      cast<linalg::LinalgOp>(first.getOperation()),
      middle ? cast<linalg::LinalgOp>(middle.getOperation())
             : linalg::LinalgOp(),
      cast<linalg::LinalgOp>(last.getOperation())};
  // The slices the splits made between the parts, in program order (an
  // insert of the whole value is that value, and so is such an extract).
  for (Operation &made : llvm::make_early_inc_range(*block)) {
    if (before.contains(&made))
      continue;
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(made);
        insert && insert.getSourceType() == insert.getDestType())
      rewriter.replaceOp(insert, insert.getSource());
    else if (auto extract = dyn_cast<tensor::ExtractSliceOp>(made);
             extract && extract.getSourceType() == extract.getType())
      rewriter.replaceOp(extract, extract.getSource());
  }
  return parts;
}

struct TileAndVectorizeContractions
    : tdc::impl::TileAndVectorizeContractionsBase<
          TileAndVectorizeContractions> {
  using Base::Base;
  void runOnOperation() override {
    std::vector<std::pair<linalg::LinalgOp, Plan>> work;
    IRRewriter rewriter(&getContext());
    int64_t bits = vectorBits;
    // Epilogues of packed matmuls whose rows split into full register
    // blocks (a remainder op would leave the epilogue a pass of its own).
    tdc::expandConvEpilogues(
        getOperation(), [bits](linalg::LinalgOp op) -> std::optional<Plan> {
          if (auto r = packedRoles(op)) {
            int64_t vl = lanes(op, bits);
            if (packedRemainder(op, *r, vl, bits))
              return std::nullopt;
            return planPacked(op, *r, vl, bits);
          }
          return planConvolution(op, bits);
        });
    // Packed ops whose rows don't split into full register blocks: the
    // remainder rows become an op of their own.
    SmallVector<std::pair<linalg::LinalgOp, PackedRoles>> packed;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (auto r = packedRoles(op))
        packed.push_back({op, *r});
    });
    for (auto &[op, r] : packed) {
      int64_t rest = packedRemainder(op, r, lanes(op, bits), bits);
      if (!rest)
        continue;
      rewriter.setInsertionPoint(op);
      int64_t rows = op.getStaticLoopRanges()[r.m];
      (void)linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                            r.m, rewriter.getIndexAttr(rows - rest));
    }
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (auto r = packedRoles(op))
        work.push_back({op, planPacked(op, *r, lanes(op, bits), bits)});
      else if (auto plan = planContraction(op))
        work.push_back({op, *plan});
      else if (auto plan = planConvolution(op, bits))
        work.push_back({op, *plan});
    });
    for (auto &[op, plan] : work) {
      // Parallel tasks and the cache block (a no-op for convolutions), in
      // the plan's nesting, then the register block inside: tiling keeps
      // the iteration space's dims, so each plan applies to the tile as is.
      finishParallelTiles(plan, op);
      // (Asked of the untiled op: a tile's ranges are its tile sizes.)
      bool reductionSplit = tdc::splitsReduction(op, plan);
      // An epilogue's other operands (a residual) are read inside the
      // convolution's loops: the convolution moves down to its only user.
      linalg::GenericOp epilogue = tdc::convEpilogue(op, plan);
      if (epilogue)
        op->moveBefore(epilogue);
      // Packed matmuls peel their first and last k blocks only for an
      // epilogue (their register blocks are not otherwise measured to gain).
      std::optional<unsigned> peel;
      if (reductionSplit && plan.fuseInit && !plan.parInside &&
          (linalg::isaConvolutionOpInterface(op) || epilogue))
        peel = tdc::peeledReduction(op, plan);
      FailureOr<linalg::LinalgOp> tiled = op;
      auto parallelLevel = [&] {
        tiled = plan.fuseInit
                    ? tileFusingInit(rewriter, *tiled, plan.par, plan.parOrder)
                    : tile(rewriter, *tiled, plan.par, plan.parOrder,
                           /*parallel=*/true);
      };
      if (!plan.parInside)
        parallelLevel();
      if (failed(tiled))
        continue;
      if (peel) {
        // The first and last cache blocks of the reduction apart from the
        // others: the first one's register blocks start from the initial
        // value, the last one's apply the epilogue.
        FailureOr<std::array<linalg::LinalgOp, 3>> parts =
            peelReductionBlocks(rewriter, *tiled, *peel, plan.outer[*peel]);
        if (failed(parts))
          continue;
        auto [first, middle, last] = *parts;
        registerTiles(rewriter, first, plan, {}, startsFromInit(first, plan),
                      bits);
        if (middle) {
          FailureOr<linalg::LinalgOp> blocked =
              tile(rewriter, middle, plan.outer, plan.outerOrder);
          if (succeeded(blocked))
            registerTiles(rewriter, *blocked, plan, {}, false, bits);
        }
        registerTiles(rewriter, last, plan, epilogue, false, bits);
        continue;
      }
      tiled = tile(rewriter, *tiled, plan.outer, plan.outerOrder);
      if (succeeded(tiled) && plan.parInside)
        parallelLevel();
      if (failed(tiled))
        continue;
      registerTiles(rewriter, *tiled, plan, epilogue,
                    startsFromInit(*tiled, plan) && !reductionSplit, bits);
    }
    if (work.empty())
      return;
    // Fold the slices of slices tiling leaves, so that each accumulator is
    // a transfer pair on the loop's iter_arg, which subset hoisting needs.
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    tensor::ExtractSliceOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::InsertSliceOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    scf::ForOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
