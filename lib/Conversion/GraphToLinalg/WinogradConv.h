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

#include "tdc/Schedule/Winograd.h"

#include "mlir/IR/Builders.h"

#include <vector>

namespace tdc::lowering {

using schedule::WinogradShape;

/// The convolution (of a shape schedule::winogradApplies accepts) of x
/// [N, C, H, W] (pads [top, left, bottom, right]) by
/// the constant filters w [F, C, 3, 3] (row-major), plus `bias` [F] when
/// non-null, as an NHWC tensor [N, OH, OW, F].
mlir::Value winogradConvChannelsLast(mlir::OpBuilder &b, mlir::Location loc,
                                     mlir::Value x, const WinogradShape &s,
                                     llvm::ArrayRef<int64_t> pads,
                                     const std::vector<float> &w,
                                     mlir::Value bias);

} // namespace tdc::lowering

#endif
