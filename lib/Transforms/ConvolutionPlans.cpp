//===- ConvolutionPlans.cpp - register-blocked convolution plans ----------===//
//
// How tdc-tile-and-vectorize-contractions tiles a convolution: the register
// block (an outer product of filter and image vectors), its loop order and
// its parallel tasks, for NCHW and channels-last layouts.
//
//===----------------------------------------------------------------------===//
#include "tdc/Schedule/RegisterBlocks.h"
#include "tdc/Transforms/ContractionTiles.h"
#include "tdc/Transforms/ScheduleKnobs.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <algorithm>

using namespace mlir;
using tdc::schedule::largestDivisor;

namespace tdc {

static std::optional<Plan> planChannelsLastConvolution(linalg::LinalgOp op,
                                                       int64_t vectorBits);

/// Convolutions as outer products: out[.., m, .., n] += w[.., m, ..] *
/// in[.., s * n + r] where n is the output's innermost dim, which moves only
/// the input's innermost index, by a stride s <= kMaxStride (ow of an NCHW
/// conv), and m a dim of the filter only (the output channel). The register
/// block is Mr x Nr of (m, n); every other loop, reductions last, iterates
/// around it.
bool splitsReduction(linalg::LinalgOp op, const Plan &plan) {
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto splits = [&](ArrayRef<int64_t> sizes, unsigned d) {
    return d < sizes.size() && sizes[d] != 0 && sizes[d] < ranges[d];
  };
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction &&
        (splits(plan.par, d) || splits(plan.outer, d)))
      return true;
  return false;
}

std::optional<unsigned> peeledReduction(linalg::LinalgOp op, const Plan &plan) {
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  std::optional<unsigned> k;
  for (unsigned d = 0; d < iters.size(); ++d) {
    if (iters[d] != utils::IteratorType::reduction)
      continue;
    bool byTask =
        d < plan.par.size() && plan.par[d] != 0 && plan.par[d] < ranges[d];
    bool byBlock = d < plan.outer.size() && plan.outer[d] != 0 &&
                   plan.outer[d] < ranges[d];
    if (byTask || (byBlock && (k || ranges[d] % plan.outer[d] != 0)))
      return std::nullopt;
    if (byBlock)
      k = d;
  }
  return k;
}

std::optional<Plan> planConvolution(linalg::LinalgOp op, int64_t vectorBits) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() != 2 || !linalg::isaConvolutionOpInterface(op) ||
      op.hasDynamicShape())
    return std::nullopt;
  Type elem = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  if (!elem.isF32() && !elem.isF64())
    return std::nullopt;
  unsigned numLoops = op.getNumLoops();
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineMap in = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap filter = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  if (out.getNumResults() < 2 || !out.isProjectedPermutation() ||
      !filter.isProjectedPermutation() || in.getNumResults() == 0)
    return std::nullopt;
  unsigned n = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  if (filter.isFunctionOfDim(n))
    return planChannelsLastConvolution(op, vectorBits);
  if (!strideAlong(in.getResults().back(), numLoops, n))
    return std::nullopt;
  for (AffineExpr e : in.getResults().drop_back())
    if (e.isFunctionOfDim(n))
      return std::nullopt;
  std::optional<unsigned> m;
  for (AffineExpr e : out.getResults().drop_back()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (filter.isFunctionOfDim(d) && !in.isFunctionOfDim(d))
      m = d;
  }
  if (!m)
    return std::nullopt;

  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t vl = 512 / elem.getIntOrFloatBitWidth();
  int64_t nr = largestDivisor(ranges[n], 2 * vl, vl);
  if (nr == 0)
    nr = largestDivisor(ranges[n], 2 * vl);
  if (nr < 4)
    return std::nullopt;
  int64_t regsPerRow = vectorChunks(nr, vl).size();

  Plan plan;
  plan.outer.assign(numLoops, 0);
  plan.inner.assign(numLoops, 1);
  plan.inner[n] = nr;
  // A tuned row count (tdc tune) replaces the analytic one, within the
  // vector registers.
  int64_t tunedRows = tdc::scheduleKnobs(op).rows;
  plan.inner[*m] = largestDivisor(
      ranges[*m], tunedRows ? std::min<int64_t>(tunedRows, 28 / regsPerRow)
                            : std::min<int64_t>(16, 24 / regsPerRow));
  plan.m = *m;
  plan.n = n;
  plan.fuseInit = true;
  // m outermost: a block of filters is reused over the whole image.
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  plan.innerOrder.push_back(*m);
  for (unsigned d = 0; d < numLoops; ++d)
    if (iters[d] == utils::IteratorType::parallel && d != n && d != *m)
      plan.innerOrder.push_back(d);
  plan.innerOrder.push_back(n);
  for (unsigned d = 0; d < numLoops; ++d)
    if (iters[d] == utils::IteratorType::reduction)
      plan.innerOrder.push_back(d);
  plan.outerOrder = plan.innerOrder;
  // Tasks: register rows of filters by every parallel dim but n (batch,
  // output rows), in the register loop order, so that a thread's
  // contiguous share of tasks reuses its block of filters.
  plan.par.assign(numLoops, 0);
  for (int64_t d : plan.innerOrder)
    if (iters[d] == utils::IteratorType::parallel && d != n) {
      plan.par[d] = plan.inner[d];
      plan.parOrder.push_back(d);
    }
  return plan;
}

/// All filters of a channels-last convolution whose tasks may be output
/// rows (half of a 1 MiB L2), and the fewest rows that share well.
constexpr int64_t kRowTaskFilterBytes = 512 * 1024;
constexpr int64_t kMinRowTasks = 16;

/// Channels-last convolutions: out[.., m, n] += in[.., s * m + r, c] *
/// w[.., c, n] where n, the output's innermost dim, is the filter's
/// innermost dim (the output channel of NHWC / HWCF) and m, the output's
/// next dim, moves only the image (the output column). The register block
/// is Mr output columns x Nr channels: per reduction step, Nr/VL filter
/// vectors and Mr broadcast image values, whatever the image width.
/// Tasks: channel blocks x every other parallel dim but m (batch, output
/// rows), channel blocks outermost so that a thread keeps its filters; or
/// output rows when all filters fit in L2.
static std::optional<Plan> planChannelsLastConvolution(linalg::LinalgOp op,
                                                       int64_t vectorBits) {
  unsigned numLoops = op.getNumLoops();
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineMap in = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap filter = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  unsigned n = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  if (filter.getNumResults() == 0 || in.isFunctionOfDim(n) ||
      filter.getResults().back() != getAffineDimExpr(n, op.getContext()))
    return std::nullopt;
  // m: the innermost output dim before n that moves the image (in one
  // index, by a stride) but not the filter; output dims in between (blocks
  // of output channels) must be filter dims.
  std::optional<unsigned> m;
  for (AffineExpr e : llvm::reverse(out.getResults().drop_back())) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (filter.isFunctionOfDim(d))
      continue;
    if (!in.isFunctionOfDim(d))
      return std::nullopt;
    m = d;
    break;
  }
  if (!m)
    return std::nullopt;
  unsigned moving = 0;
  for (AffineExpr e : in.getResults())
    if (e.isFunctionOfDim(*m)) {
      ++moving;
      if (!strideAlong(e, numLoops, *m))
        return std::nullopt;
    }
  if (moving != 1)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  Type elem = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  // The register block with the most lanes among Nr = 2 or 1 vectors (or
  // a multiple of 8 lanes for odd channel counts) and as many rows as
  // divide the width and fit the registers next to Nr/VL filter vectors.
  int64_t vl = vectorBits / elem.getIntOrFloatBitWidth();
  int64_t regs = vectorBits >= 512 ? 32 : 16;
  int64_t nr = 0, mr = 0;
  SmallVector<int64_t> candidates{largestDivisor(ranges[n], 2 * vl, vl),
                                  largestDivisor(ranges[n], vl, vl)};
  if (!candidates[0])
    candidates.push_back(largestDivisor(ranges[n], 3 * vl, 8));
  for (int64_t cand : candidates) {
    if (!cand)
      continue;
    int64_t vecs = vectorChunks(cand, vl).size();
    int64_t rows = largestDivisor(
        ranges[*m], std::clamp<int64_t>((regs - vecs - 1) / vecs, 1, 12));
    if (rows * cand > mr * nr) {
      nr = cand;
      mr = rows;
    }
  }
  if (nr == 0)
    return std::nullopt;
  // A tuned row count (tdc tune) replaces the analytic one.
  if (int64_t rows = tdc::scheduleKnobs(op).rows)
    mr = std::max<int64_t>(1, largestDivisor(ranges[*m], rows));

  Plan plan;
  plan.outer.assign(numLoops, 0);
  plan.inner.assign(numLoops, 1);
  plan.inner[n] = nr;
  plan.inner[*m] = mr;
  plan.m = *m;
  plan.n = n;
  plan.fuseInit = true;
  // Filter dims (blocks of output channels) outermost, so that a block of
  // filters is reused over the whole image, then the other parallel dims
  // (batch, output rows), the register block, the reductions.
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  auto isPar = [&](unsigned d) {
    return iters[d] == utils::IteratorType::parallel;
  };
  for (unsigned d = 0; d < numLoops; ++d)
    if (isPar(d) && d != n && filter.isFunctionOfDim(d))
      plan.innerOrder.push_back(d);
  for (unsigned d = 0; d < numLoops; ++d)
    if (isPar(d) && d != n && d != *m && !filter.isFunctionOfDim(d))
      plan.innerOrder.push_back(d);
  plan.innerOrder.push_back(*m);
  plan.innerOrder.push_back(n);
  for (unsigned d = 0; d < numLoops; ++d)
    if (!isPar(d))
      plan.innerOrder.push_back(d);
  plan.outerOrder = plan.innerOrder;
  // Tasks: blocks of channels x batch x output rows. With many channel
  // blocks a task takes all rows, and when the task's filters (all
  // reduction steps x Nr) overflow L1, its reduction is cache-blocked
  // (the last reduction dim, input channels): each block of filters then
  // serves every output row of the task from L1 instead of streaming from
  // L2 once per row (7x7 maps: 7 loads per filter element).
  int64_t taskBlocks = 1, filterBytes = nr * elem.getIntOrFloatBitWidth() / 8;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (isPar(d) && d != n && filter.isFunctionOfDim(d))
      taskBlocks *= ranges[d];
    if (!isPar(d))
      filterBytes *= ranges[d];
  }
  bool wholeRows = taskBlocks >= 8;
  // Unless all filters fit in half of L2 (1 MiB on the smallest AVX-512
  // cores) and there are rows enough to share: then a task is one output
  // row (batch x rows) over all channel blocks, every block's filters read
  // from L2, the input row from L1, and the task's outputs contiguous.
  // Channel-block tasks each read the whole image and write (a residual
  // epilogue also reads) every pixel's Nr channels, pieces 4*C bytes
  // apart. ResNet-50's 64->256 1x1 convs at 56x56 (64 KiB of filters)
  // with their residual Add + ReLU went from 0.65-0.78 to 0.50-0.56 ms, the
  // 128->512 ones at 28x28 (256 KiB) from 0.43 to 0.38 (2 threads).
  // A pointwise (1x1) conv with fewer blocks, whose tasks would be (block,
  // row), also gains: each input row is read once, not once per block
  // (ResNet-50's 256->128 1x1 at 56x56: 0.92 -> 0.75 ms). 3x3 convs with
  // 2 blocks (64 channels) did not.
  int64_t rows = 1, taps = 1;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (isPar(d) && d != n && d != *m && !filter.isFunctionOfDim(d))
      rows *= ranges[d];
    if (!isPar(d) && d != plan.innerOrder.back())
      taps *= ranges[d];
  }
  bool rowTasks = (wholeRows || taps == 1) && rows >= kMinRowTasks &&
                  taskBlocks * filterBytes <= kRowTaskFilterBytes;
  if (rowTasks) {
    std::stable_partition(
        plan.innerOrder.begin(), plan.innerOrder.end(), [&](int64_t d) {
          return isPar(d) && d != n && d != *m && !filter.isFunctionOfDim(d);
        });
    plan.outerOrder = plan.innerOrder;
    wholeRows = false;
  }
  plan.par.assign(numLoops, 0);
  for (int64_t d : plan.innerOrder)
    if (isPar(d) && d != *m && d != n) {
      bool filterDim = filter.isFunctionOfDim(d);
      bool row = !filterDim && d != plan.innerOrder[0];
      plan.par[d] = rowTasks && filterDim ? ranges[d]
                    : wholeRows && row    ? ranges[d]
                                          : plan.inner[d];
      plan.parOrder.push_back(d);
    }
  constexpr int64_t kL1FilterBytes = 32 * 1024;
  unsigned k = plan.innerOrder.back();
  if (wholeRows && filterBytes > kL1FilterBytes) {
    int64_t perK = filterBytes / ranges[k];
    int64_t kc =
        largestDivisor(ranges[k], std::max<int64_t>(1, kL1FilterBytes / perK));
    if (kc >= 8 && kc < ranges[k])
      plan.outer[k] = kc;
  }
  return plan;
}

} // namespace tdc
