//===- RegisterBlocks.h - the scheduler's register blocks, shared -*- C++
//-*-===//
//
// How tdc-pack-contractions and tdc-tile-and-vectorize-contractions size the
// register block of a matmul, and what that block makes of a given shape.
// Plain C++ (no MLIR), so that the derivation engine's cost model
// (lib/Derive/Cost.cpp) estimates an instantiated matmul or convolution
// with the blocks the scheduler will actually give it, lane and row waste
// included, instead of a model of its own.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_SCHEDULE_REGISTERBLOCKS_H
#define TDC_SCHEDULE_REGISTERBLOCKS_H

#include <cstdint>

namespace tdc::schedule {

/// Most accumulator rows of a register block.
constexpr int64_t kMaxRows = 8;

/// Largest divisor of `n` that is at most `bound` and a multiple of `step`
/// (0 if none).
int64_t largestDivisor(int64_t n, int64_t bound, int64_t step = 1);

/// Lanes of a packed panel of B for `n` columns and `vl`-lane vectors: two
/// vector registers when n fills them, else one or half of one.
int64_t panelWidth(int64_t n, int64_t vl);

/// Accumulator rows of a packed register block with `nr` lanes: as many as
/// the vector registers hold next to the panel's vectors and a broadcast,
/// at most kMaxRows (8 x 2 zmm on AVX-512; 6 x 2 ymm on AVX2).
int64_t packedRows(int64_t nr, int64_t vl, int64_t vectorBits);

/// The register block of C[m, n] += A[m, k] * B[k, n] and the fraction of
/// the FMA peak it can reach: lanes computed for padding (n below a panel
/// multiple), rows of a block that divides m, the FMA latency a small block
/// cannot hide, the loads per FMA, and the accumulators loaded and stored
/// once per block against k steps of work.
struct BlockEstimate {
  int64_t mr = 1, nr = 1;
  double efficiency = 0;
};
BlockEstimate estimateMatmul(int64_t m, int64_t n, int64_t k,
                             int64_t vectorBits);

} // namespace tdc::schedule

#endif
