//===- WinogradConv.h - 3x3 convolutions as Winograd F(4x4, 3x3) -*- C++
//-*-===//
//
// A 3x3, stride-1, undilated convolution computes each 4x4 block of outputs
// from a 6x6 block of inputs. Winograd's minimal filtering algorithm
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks")
// writes that block as
//
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
//
// with constant 6x6 / 6x3 / 4x6 matrices: 36 multiplies per input channel
// and output channel instead of 144. Over channels the 36 elementwise
// products are 36 independent matrix products [tiles, C] x [C, F], which
// run on the packed matmul kernels; the transforms B^T d B and A^T m A are
// additions with small constants, vectorized along the channels.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_LIB_CONVERSION_GRAPHTOLINALG_WINOGRADCONV_H
#define TDC_LIB_CONVERSION_GRAPHTOLINALG_WINOGRADCONV_H

#include "mlir/IR/Builders.h"

#include <vector>

namespace tdc::lowering {

/// The shape of a convolution the Winograd lowering may take.
struct WinogradShape {
  int64_t n, c, h, w; // input [N, C, H, W]
  int64_t f;          // output channels
  int64_t oh, ow;     // output size
  int64_t d = 1;      // dilation (of both dims)
};

/// Whether a 3x3 stride-1 ungrouped f32 convolution of this shape is
/// computed with Winograd F(4x4, 3x3): channel counts that fill whole
/// vectors (16 lanes) and are large enough for the transforms to pay for
/// themselves (32), and an output whose 4x4 tiles waste at most a quarter
/// of their work on the edges (a 14x14 map computes 16x16) and number at
/// least 16 (the rows of each point's matmul: a 7x7 map's 4 tiles ran
/// ResNet-18 11% slower). With dilation d,
/// a tile's outputs and inputs are d apart (the tiles of one residue class
/// of rows mod d), and the output must be whole tiles: a multiple of 4d.
bool winogradApplies(const WinogradShape &s);

/// The convolution of x [N, C, H, W] (pads [top, left, bottom, right]) by
/// the constant filters w [F, C, 3, 3] (row-major), plus `bias` [F] when
/// non-null, as an NHWC tensor [N, OH, OW, F].
mlir::Value winogradConvChannelsLast(mlir::OpBuilder &b, mlir::Location loc,
                                     mlir::Value x, const WinogradShape &s,
                                     llvm::ArrayRef<int64_t> pads,
                                     const std::vector<float> &w,
                                     mlir::Value bias);

} // namespace tdc::lowering

#endif
