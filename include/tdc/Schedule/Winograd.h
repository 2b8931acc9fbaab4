//===- Winograd.h - when 3x3 convolutions run as Winograd, shared -*- C++
//-*-===//
//
// Which convolutions the lowering computes with Winograd F(4x4, 3x3)
// (lib/Conversion/GraphToLinalg/WinogradConv.cpp), in which of its two forms,
// and what that costs. Plain C++ (no MLIR), so that the derivation engine's
// cost model prices such a convolution as the lowering will run it.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_SCHEDULE_WINOGRAD_H
#define TDC_SCHEDULE_WINOGRAD_H

#include <cstdint>

namespace tdc::schedule {

/// Outputs and inputs per side of a Winograd F(4x4, 3x3) tile, and the
/// channels per vector of its transforms.
constexpr int64_t kWinogradOut = 4, kWinogradIn = 6, kWinogradLanes = 16;

/// The shape of a 3x3, stride-1, ungrouped convolution with constant
/// filters.
struct WinogradShape {
  int64_t n, c, h, w; // input [N, C, H, W]
  int64_t f;          // output channels
  int64_t oh, ow;     // output size
  int64_t d = 1;      // dilation (of both dims)
};

/// Whether a convolution of this shape is computed with Winograd
/// F(4x4, 3x3): channel counts that fill whole vectors (16 lanes) and are
/// large enough for the transforms to pay for themselves (32), and an
/// output whose 4x4 tiles waste at most a quarter of their work on the
/// edges (a 14x14 map computes 16x16) and number at least 16 (the rows of
/// each point's matmul: a 7x7 map's 4 tiles ran ResNet-18 11% slower). With
/// dilation d, a tile's outputs and inputs are d apart (the tiles of one
/// residue class of rows mod d), and the output must be whole tiles: a
/// multiple of 4d.
bool winogradApplies(const WinogradShape &s);

/// Whether each task (a row of tiles) runs all three steps on its own
/// tiles: when the transformed filters, which every task then reads, stay
/// in L2 (up to 1 MiB: 64x64 channels).
bool winogradFused(const WinogradShape &s);

/// Tiles per row and per column.
int64_t winogradTilesH(const WinogradShape &s);
int64_t winogradTilesW(const WinogradShape &s);

/// What a Winograd convolution does: the 36 matmuls (their multiply-adds x
/// 2, and the fraction of peak the scheduler's register blocks reach on
/// them), the transforms' vector instructions, and the bytes V and M move
/// through memory between the steps (none when fused).
struct WinogradEstimate {
  double matmulFlops = 0, matmulEfficiency = 0;
  double transformOps = 0;
  double spillBytes = 0;
};
WinogradEstimate estimateWinograd(const WinogradShape &s, int64_t vectorBits);

} // namespace tdc::schedule

#endif
