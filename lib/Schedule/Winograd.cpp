//===- Winograd.cpp - when 3x3 convolutions run as Winograd, shared -------===//
#include "tdc/Schedule/Winograd.h"
#include "tdc/Schedule/RegisterBlocks.h"

namespace tdc::schedule {

namespace {
constexpr int64_t kLanes = kWinogradLanes;
constexpr int64_t kPoints = kWinogradIn * kWinogradIn;
constexpr int64_t kFusedFilterBytes = 1 << 20;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
} // namespace

int64_t winogradTilesH(const WinogradShape &s) {
  return ceilDiv(s.oh, kWinogradOut);
}
int64_t winogradTilesW(const WinogradShape &s) {
  return ceilDiv(s.ow, kWinogradOut);
}

bool winogradApplies(const WinogradShape &s) {
  if (s.c % kLanes || s.f % kLanes || s.c < 32 || s.f < 32 ||
      s.oh < kWinogradOut || s.ow < kWinogradOut || s.d < 1)
    return false;
  // Dilated: whole tiles in every residue class.
  if (s.d > 1)
    return s.oh % (kWinogradOut * s.d) == 0 && s.ow % (kWinogradOut * s.d) == 0;
  int64_t tiles = winogradTilesH(s) * winogradTilesW(s);
  return tiles * kWinogradOut * kWinogradOut * 3 <= s.oh * s.ow * 4 &&
         s.n * tiles >= 16;
}

bool winogradFused(const WinogradShape &s) {
  return kPoints * s.c * s.f * 4 <= kFusedFilterBytes;
}

WinogradEstimate estimateWinograd(const WinogradShape &s, int64_t vectorBits) {
  WinogradEstimate e;
  int64_t tiles = s.n * winogradTilesH(s) * winogradTilesW(s);
  bool fused = winogradFused(s);
  e.matmulFlops = 2.0 * kPoints * tiles * s.c * s.f;
  // Fused, each task's matmuls have a row of tiles as their rows.
  int64_t rows = fused ? winogradTilesW(s) : tiles;
  e.matmulEfficiency = estimateMatmul(rows, s.f, s.c, vectorBits).efficiency;
  // Per tile and vector of channels: the input transform reads 36 vectors,
  // combines them (B^T d, then (B^T d) B: about 4 terms per output, 2 x 36
  // outputs) and writes 36; the output transform reads 36, combines them
  // (A^T m, then (A^T m) A: 24 + 16 outputs of about 5 terms) and writes 16.
  e.transformOps =
      (double)tiles * ((double)s.c / kLanes * (36 + 2 * 36 * 4 + 36) +
                       (double)s.f / kLanes * (36 + 40 * 5 + 16));
  // Unfused, V and M (36 points per tile) are written and read back.
  if (!fused)
    e.spillBytes = 2.0 * 4 * kPoints * tiles * (s.c + s.f);
  return e;
}

} // namespace tdc::schedule
