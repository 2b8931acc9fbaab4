//===- ChannelsLastConv.h - channels-last 2-D convolutions ------*- C++ -*-===//
//
// 2-D f32 convolutions with constant filters computed in NHWC
// (convChannelsLast), and the pieces of it that the channels-last max
// pooling between such convolutions shares (PoolLowering.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef TDC_LIB_CONVERSION_GRAPHTOLINALG_CHANNELSLASTCONV_H
#define TDC_LIB_CONVERSION_GRAPHTOLINALG_CHANNELSLASTCONV_H

#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"

namespace tdc::lowering {

/// Depthwise convolutions with at most this many taps (5x5) are written as
/// one term per tap (convChannelsLast); max pooling windows too
/// (maxPoolChannelsLast in PoolLowering.cpp).
constexpr int64_t kMaxDepthwiseTaps = 25;

/// x [N, C, H, W] as a padded NHWC tensor [N, H + pads, W + pads, C]: the
/// buffer filled with `padValue` (zero by default; no fill without padding)
/// with the transposed image written into its interior.
mlir::Value paddedChannelsLast(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value x, llvm::ArrayRef<int64_t> pads,
                               mlir::Value padValue = {});

/// A 2-D f32 convolution with constant filters, ungrouped or depthwise,
/// computed in NHWC: the input is transposed into a zero-filled padded NHWC
/// buffer (one pass, which NCHW needs anyway for the padding), the filters
/// are packed at compile time, and the result is transposed back
/// (tdc-sink-layout-transposes then cancels the transposes between
/// consecutive convolutions).
///
/// Ungrouped: filters packed as [F/Fb, KH, KW, C, Fb] blocks of Fb output
/// channels. Vectors then run along the output channels, which fill them
/// whatever the image width (a 7x7 map wastes over half of each vector
/// along its width), the register block is output pixels x channels
/// (tdc-tile-and-vectorize-contractions), and a block of filters is
/// contiguous, so that it stays in cache while the image streams past
/// (rows of HWCF filters lie F*4 bytes apart, a power of two that maps them
/// all to a few cache sets). Filters are padded with zero filters to a
/// multiple of 8 (a 21-class head computes 24) and the result cut back.
///
/// Depthwise (one filter per channel): filters as [KH, KW, C]; every
/// operand is contiguous along the channels, which LLVM vectorizes. Up to
/// kMaxDepthwiseTaps taps the sum is one all-parallel op with a term per
/// tap; else a reduction whose loop interchange puts the channels
/// innermost.
///
/// 3x3 stride-1 convolutions with enough channels use Winograd F(4x4, 3x3)
/// instead (WinogradConv.h).
///
/// Null when it does not apply (other groupings, non-2-D convolutions,
/// filters computed at run time, depthwise channel counts that are not a
/// multiple of 8).
mlir::Value convChannelsLast(mlir::OpBuilder &b, mlir::Location loc,
                             tg::ConvOp op, mlir::Value x, mlir::Value bias);

} // namespace tdc::lowering

#endif
