//===- RegisterBlocks.cpp - the scheduler's register blocks, shared -------===//
#include "tdc/Schedule/RegisterBlocks.h"

#include <algorithm>

namespace tdc::schedule {

int64_t largestDivisor(int64_t n, int64_t bound, int64_t step) {
  for (int64_t d = std::min(n, bound) / step * step; d >= step; d -= step)
    if (n % d == 0)
      return d;
  return 0;
}

int64_t panelWidth(int64_t n, int64_t vl) {
  if (n >= 2 * vl)
    return 2 * vl;
  if (n > vl / 2)
    return vl;
  return vl / 2;
}

int64_t packedRows(int64_t nr, int64_t vl, int64_t vectorBits) {
  int64_t vecs = std::max<int64_t>(1, nr / vl);
  int64_t regs = vectorBits >= 512 ? 32 : 16;
  return std::clamp<int64_t>((regs - vecs - 2) / vecs, 1, kMaxRows);
}

BlockEstimate estimateMatmul(int64_t m, int64_t n, int64_t k,
                             int64_t vectorBits) {
  // f32 lanes; x86 cores with AVX2 or AVX-512 issue 2 FMAs and 2 vector
  // loads per cycle, an FMA's result is ready 4 cycles later.
  constexpr double kFmaPorts = 2, kLoadPorts = 2, kFmaLatency = 4;
  // Cache misses, loop control, packing A: the best measured packed GEMM
  // (1024^3, benchmarks/) runs at about 0.9 of the FMA peak.
  constexpr double kCeiling = 0.9;
  BlockEstimate e;
  if (m <= 0 || n <= 0 || k <= 0)
    return e;
  int64_t vl = std::max<int64_t>(1, vectorBits / 32);
  e.nr = panelWidth(n, vl);
  int64_t vecs = std::max<int64_t>(1, (e.nr + vl - 1) / vl);
  // The scheduler takes the largest row count that divides m (a remainder
  // of rows gets blocks of its own, costed here like the bulk).
  int64_t rows = packedRows(e.nr, vl, vectorBits);
  e.mr = std::max<int64_t>(1, largestDivisor(m, rows));
  if (e.mr * 2 <= rows && m > rows)
    e.mr = rows;
  // Useful lanes and rows of the blocks that cover the output.
  double lanes = (double)n / (double)(((n + e.nr - 1) / e.nr) * e.nr);
  lanes *= (double)e.nr / (double)(vecs * vl); // a half-vector panel
  double rowBlocks = (double)((m + e.mr - 1) / e.mr);
  double rowUse = (double)m / (rowBlocks * e.mr);
  // Cycles per reduction step of one block: its FMAs, its loads (panel
  // vectors and row broadcasts), or the FMA latency when it has too few
  // independent accumulators.
  double fmas = (double)(e.mr * vecs);
  double step = std::max(
      {fmas / kFmaPorts, (double)(e.mr + vecs) / kLoadPorts, kFmaLatency});
  double blockUse = fmas / kFmaPorts / step;
  // Accumulators loaded and stored once per block (one access per cycle
  // and port) next to k steps.
  double work = (double)k * step;
  double kUse = work / (work + 2 * fmas / kLoadPorts);
  e.efficiency = kCeiling * lanes * rowUse * blockUse * kUse;
  return e;
}

} // namespace tdc::schedule
