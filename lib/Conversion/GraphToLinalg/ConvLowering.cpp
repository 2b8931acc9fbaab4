//===- ConvLowering.cpp - tg Conv ops -> linalg ------------------------===//
//
// Convolutions and pooling over NC[D]HW tensors. Padding is materialized
// with tensor.pad (0 for sums, the lowest value for max) so that the window
// ops never read out of bounds. 1/2/3-D ungrouped convolutions and 2-D
// grouped ones use linalg named ops, 2-D pooling uses linalg.pooling_nchw_*;
// everything else is a linalg.generic with the same indexing maps, which
// works for any rank, group count and dilation.
//
// ConvTranspose is rewritten as a stride-1 convolution: the input is
// spread out by the stride (zeros in between), padded by (k-1)*d - pad,
// and convolved with the spatially flipped, channel-transposed kernel.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/ConstantData.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

RankedTensorType tensorType(ArrayRef<int64_t> shape, Type elem) {
  return RankedTensorType::get(shape, elem);
}
ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}
Type elemOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}
Value add(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  if (x.getType().isInteger(1))
    return arith::OrIOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

/// Pad the spatial dims (2..) of an NC... tensor with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> lo,
                 ArrayRef<int64_t> hi, Value value) {
  if (llvm::all_of(lo, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(hi, [](int64_t v) { return v == 0; }))
    return x;
  SmallVector<int64_t> shape(shapeOf(x));
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  for (size_t i = 0; i < lo.size(); ++i) {
    low.push_back(b.getIndexAttr(lo[i]));
    high.push_back(b.getIndexAttr(hi[i]));
    shape[2 + i] += lo[i] + hi[i];
  }
  return tensor::PadOp::create(b, loc, tensorType(shape, elemOf(x)), x, low,
                               high, value);
}

/// Split dim `dim` of `v` into (groups, size / groups).
Value splitDim(OpBuilder &b, Location loc, Value v, int64_t dim,
               int64_t groups) {
  ArrayRef<int64_t> shape = shapeOf(v);
  SmallVector<int64_t> out;
  SmallVector<ReassociationIndices> re;
  for (int64_t i = 0; i < (int64_t)shape.size(); ++i) {
    if (i == dim) {
      re.push_back({(int64_t)out.size(), (int64_t)out.size() + 1});
      out.push_back(groups);
      out.push_back(shape[i] / groups);
    } else {
      re.push_back({(int64_t)out.size()});
      out.push_back(shape[i]);
    }
  }
  return tensor::ExpandShapeOp::create(b, loc, tensorType(out, elemOf(v)), v,
                                       re);
}

/// Merge dims `dim` and `dim + 1` of `v`.
Value mergeDims(OpBuilder &b, Location loc, Value v, int64_t dim) {
  SmallVector<ReassociationIndices> re;
  int64_t rank = shapeOf(v).size();
  for (int64_t i = 0; i < rank; ++i) {
    if (i == dim) {
      re.push_back({i, i + 1});
      ++i;
    } else {
      re.push_back({i});
    }
  }
  return tensor::CollapseShapeOp::create(b, loc, v, re);
}

/// Sums of 16-bit floats accumulate in f32 so that long windows keep the
/// precision the ONNX tests expect.
Type accumulatorType(Type elem) {
  if (isa<FloatType>(elem) && elem.getIntOrFloatBitWidth() < 32)
    return Float32Type::get(elem.getContext());
  return elem;
}
RankedTensorType withElement(RankedTensorType t, Type elem) {
  return RankedTensorType::get(t.getShape(), elem);
}

/// Convert a tensor to `resultType`'s element type (no-op when equal).
Value convertTensor(OpBuilder &b, Location loc, Value v,
                    RankedTensorType resultType) {
  if (elemOf(v) == resultType.getElementType())
    return v;
  return elementwise(
      b, loc, resultType, v, [&](OpBuilder &nb, Location nl, ValueRange a) {
        return convertScalar(nb, nl, a[0], resultType.getElementType());
      });
}

/// The conv accumulator [N, F, O...]: zeros, or the bias broadcast.
Value convInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias) {
  if (!bias)
    return filledTensor(b, loc, type, scalar(b, loc, type.getElementType(), 0));
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (i != 1)
      dims.push_back(i);
  bias = convertTensor(b, loc, bias,
                       withElement(cast<RankedTensorType>(bias.getType()),
                                   type.getElementType()));
  return linalg::BroadcastOp::create(b, loc, bias, emptyTensor(b, loc, type),
                                     dims)
      .getResult()[0];
}

/// Convolution of an already padded input xp [N, C, L...] with weight
/// w [F, C/G, K...] accumulated into init [N, F, O...].
Value convCore(OpBuilder &b, Location loc, Value xp, Value w, Value init,
               int64_t groups, ArrayRef<int64_t> strides,
               ArrayRef<int64_t> dilations) {
  auto resultType = cast<RankedTensorType>(init.getType());
  size_t sp = strides.size();
  Attribute s = b.getI64TensorAttr(strides), d = b.getI64TensorAttr(dilations);
  if (groups == 1) {
    if (sp == 1)
      return linalg::Conv1DNcwFcwOp::create(b, loc, TypeRange{resultType},
                                            ValueRange{xp, w}, init, s, d)
          .getResult(0);
    if (sp == 2)
      return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{resultType},
                                              ValueRange{xp, w}, init, s, d)
          .getResult(0);
    if (sp == 3)
      return linalg::Conv3DNcdhwFcdhwOp::create(b, loc, TypeRange{resultType},
                                                ValueRange{xp, w}, init, s, d)
          .getResult(0);
  }
  // Grouped layouts: x [N, G, Cg, L...], w [G, Fg, Cg, K...],
  // out [N, G, Fg, O...].
  Value xg = splitDim(b, loc, xp, 1, groups);
  Value wg = splitDim(b, loc, w, 0, groups);
  Value og = splitDim(b, loc, init, 1, groups);
  auto ogType = cast<RankedTensorType>(og.getType());
  Value r;
  if (sp == 2) {
    r = linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{ogType},
                                           ValueRange{xg, wg}, og, s, d)
            .getResult(0);
  } else {
    // Loops: n, g, f, o_0.., c, k_0..
    MLIRContext *ctx = b.getContext();
    unsigned nDims = 4 + 2 * sp;
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xe{dim(0), dim(1), dim(3 + sp)},
        we{dim(1), dim(2), dim(3 + sp)}, oe{dim(0), dim(1), dim(2)};
    for (size_t i = 0; i < sp; ++i) {
      xe.push_back(dim(3 + i) * strides[i] + dim(4 + sp + i) * dilations[i]);
      we.push_back(dim(4 + sp + i));
      oe.push_back(dim(3 + i));
    }
    SmallVector<AffineMap> maps{AffineMap::get(nDims, 0, xe, ctx),
                                AffineMap::get(nDims, 0, we, ctx),
                                AffineMap::get(nDims, 0, oe, ctx)};
    SmallVector<utils::IteratorType> iters(3 + sp,
                                           utils::IteratorType::parallel);
    iters.append(1 + sp, utils::IteratorType::reduction);
    r = linalg::GenericOp::create(b, loc, TypeRange{ogType}, ValueRange{xg, wg},
                                  ValueRange{og}, maps, iters,
                                  [](OpBuilder &nb, Location nl, ValueRange a) {
                                    Type acc = a[2].getType();
                                    Value x = convertScalar(nb, nl, a[0], acc),
                                          w = convertScalar(nb, nl, a[1], acc);
                                    linalg::YieldOp::create(
                                        nb, nl,
                                        add(nb, nl, a[2], mul(nb, nl, x, w)));
                                  })
            .getResult(0);
  }
  return mergeDims(b, loc, r, 1);
}

/// A copy of `src` into `dst` (same elements, permuted dims) as a generic
/// whose loop order is chosen for the cache: loop i indexes `src` dim
/// srcDims[i] and `dst` dim dstDims[i]. The leading loops become the
/// parallel tasks (tdc-parallelize-outer-loops).
Value copyPermuted(OpBuilder &b, Location loc, Value src, Value dst,
                   ArrayRef<unsigned> srcDims, ArrayRef<unsigned> dstDims) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = srcDims.size();
  SmallVector<AffineExpr> se(rank), de(rank);
  for (unsigned i = 0; i < rank; ++i) {
    se[srcDims[i]] = getAffineDimExpr(i, ctx);
    de[dstDims[i]] = getAffineDimExpr(i, ctx);
  }
  return linalg::GenericOp::create(
             b, loc, TypeRange{dst.getType()}, ValueRange{src}, ValueRange{dst},
             SmallVector<AffineMap>{AffineMap::get(rank, 0, se, ctx),
                                    AffineMap::get(rank, 0, de, ctx)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, a[0]);
             })
      .getResult(0);
}

/// Output channels per filter block of a channels-last convolution: a
/// multiple of the vector width where possible (the register block's
/// vector dim), else all channels when few, else 8.
int64_t channelBlock(int64_t f) {
  for (int64_t b : {32, 16})
    if (f % b == 0)
      return b;
  return f <= 48 ? f : 8;
}

/// x [N, C, H, W] as a padded NHWC tensor [N, H + pads, W + pads, C]: the
/// buffer filled with `padValue` (zero by default; no fill without padding)
/// with the transposed image written into its interior.
Value paddedChannelsLast(OpBuilder &b, Location loc, Value x,
                         ArrayRef<int64_t> pads, Value padValue = {}) {
  ArrayRef<int64_t> xs = shapeOf(x);
  Type elem = elemOf(x);
  SmallVector<int64_t> padded{xs[0], xs[2] + pads[0] + pads[2],
                              xs[3] + pads[1] + pads[3], xs[1]};
  bool unpadded = llvm::all_of(pads, [](int64_t p) { return p == 0; });
  if (!padValue)
    padValue = scalar(b, loc, elem, 0);
  Value xp = unpadded
                 ? emptyTensor(b, loc, tensorType(padded, elem))
                 : filledTensor(b, loc, tensorType(padded, elem), padValue);
  SmallVector<OpFoldResult> off{b.getIndexAttr(0), b.getIndexAttr(pads[0]),
                                b.getIndexAttr(pads[1]), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(xs[0]), b.getIndexAttr(xs[2]),
                                  b.getIndexAttr(xs[3]), b.getIndexAttr(xs[1])};
  SmallVector<OpFoldResult> ones(4, b.getIndexAttr(1));
  // The transposed image is computed into a tensor of its own, which
  // eliminate-empty-tensors places in the buffer's interior (a slice of
  // the filled buffer would make the buffer a value the copy depends on).
  Value window =
      emptyTensor(b, loc, tensorType({xs[0], xs[2], xs[3], xs[1]}, elem));
  // Loops n, h, c, w: a task (row h) reads C contiguous rows of the image
  // and writes one row of pixels, both cache-resident.
  Value xt = copyPermuted(b, loc, x, window, {0, 2, 1, 3}, {0, 1, 3, 2});
  return tensor::InsertSliceOp::create(b, loc, xt, xp, off, sizes, ones);
}

/// An NHWC accumulator [N, OH, OW, C...] (channels possibly split into
/// blocks): the bias broadcast over pixels, or zeros. Broadcast straight
/// into the accumulator's shape (no reshape between), so that the
/// convolution's tiles can compute their share of it in cache
/// (tdc-tile-and-vectorize-contractions fuses it into each task).
Value channelsLastInit(OpBuilder &b, Location loc, RankedTensorType type,
                       Value bias) {
  Type elem = type.getElementType();
  if (!bias)
    return filledTensor(b, loc, type, scalar(b, loc, elem, 0));
  bias = convertTensor(
      b, loc, bias, withElement(cast<RankedTensorType>(bias.getType()), elem));
  if (type.getRank() > 4) {
    ReassociationIndices all;
    for (int64_t i = 3; i < type.getRank(); ++i)
      all.push_back(i - 3);
    bias = tensor::ExpandShapeOp::create(
        b, loc, tensorType(type.getShape().drop_front(3), elem), bias,
        SmallVector<ReassociationIndices>{all});
  }
  return linalg::BroadcastOp::create(b, loc, bias, emptyTensor(b, loc, type),
                                     ArrayRef<int64_t>{0, 1, 2})
      .getResult()[0];
}

/// Depthwise convolutions with at most this many taps (5x5) are written as
/// one term per tap (convChannelsLast).
constexpr int64_t kMaxDepthwiseTaps = 25;

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
/// all to a few cache sets).
///
/// Depthwise (one filter per channel): filters as [KH, KW, C]; every
/// operand is contiguous along the channels, which LLVM vectorizes. Up to
/// kMaxDepthwiseTaps taps the sum is one all-parallel op with a term per
/// tap; else a reduction whose loop interchange puts the channels
/// innermost.
///
/// Null when it does not apply (other groupings, non-2-D convolutions,
/// filters computed at run time, channel counts that are not a multiple
/// of 8).
Value convChannelsLast(OpBuilder &b, Location loc, tg::ConvOp op, Value x,
                       Value bias) {
  auto resultType = cast<RankedTensorType>(op.getType());
  if (op.getStrides().size() != 2 || !resultType.getElementType().isF32() ||
      !resultType.hasStaticShape())
    return {};
  ElementsAttr wAttr = tdc::constantElements(op.getWeight());
  if (!wAttr)
    return {};
  ArrayRef<int64_t> ws = shapeOf(op.getWeight()), xs = shapeOf(x);
  int64_t f = ws[0], c = ws[1], kh = ws[2], kw = ws[3];
  bool depthwise = op.getGroup() == f && c == 1 && xs[1] == f;
  if ((op.getGroup() != 1 && !depthwise) || f % 8 != 0 || xs.size() != 4)
    return {};
  std::optional<std::vector<float>> w = tdc::f32Elements(wAttr);
  if (!w)
    return {};
  Type elem = resultType.getElementType();
  int64_t n = resultType.getDimSize(0), oh = resultType.getDimSize(2),
          ow = resultType.getDimSize(3);
  auto outType = tensorType({n, oh, ow, f}, elem);
  Value xp = paddedChannelsLast(b, loc, x, op.getPads());
  bool depthwiseTaps = depthwise && kh * kw <= kMaxDepthwiseTaps;
  Value init = depthwise && !depthwiseTaps
                   ? channelsLastInit(b, loc, outType, bias)
                   : Value();
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  ArrayRef<int64_t> st = op.getStrides(), dil = op.getDilations();
  auto mulAdd = [](OpBuilder &nb, Location nl, ValueRange a) {
    linalg::YieldOp::create(nb, nl, add(nb, nl, a[2], mul(nb, nl, a[0], a[1])));
  };
  Value y;
  if (depthwise) {
    std::vector<float> packed(w->size());
    for (int64_t i = 0; i < f; ++i)
      for (int64_t yy = 0; yy < kh; ++yy)
        for (int64_t z = 0; z < kw; ++z)
          packed[(yy * kw + z) * f + i] = (*w)[(i * kh + yy) * kw + z];
    Value filter = arith::ConstantOp::create(
        b, loc,
        cast<TypedAttr>(tdc::f32Constant(tensorType({kh, kw, f}, elem), packed,
                                         "tdc_packed_filter")));
    // Up to kMaxDepthwiseTaps taps, the sum is written out per tap: one
    // all-parallel op (loops n, oh, ow, c) whose operands are the image and
    // the filter at each tap's offset, the bias its first term. Every output
    // is then computed once in registers and written once (the reduction
    // form re-reads and re-writes it per tap), and the ops after it (Clip,
    // the copy into the next padded buffer) fuse into it as elementwise ops.
    if (depthwiseTaps) {
      // Each tap's window of the image (strided by the stride) and row of
      // filters, as slices: identity maps keep the loop ranges those of the
      // output.
      SmallVector<Value> ins;
      SmallVector<AffineMap> maps;
      AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
      SmallVector<OpFoldResult> sizes{b.getIndexAttr(n), b.getIndexAttr(oh),
                                      b.getIndexAttr(ow), b.getIndexAttr(f)};
      SmallVector<OpFoldResult> strides{
          b.getIndexAttr(1), b.getIndexAttr(st[0]), b.getIndexAttr(st[1]),
          b.getIndexAttr(1)};
      for (int64_t r = 0; r < kh; ++r)
        for (int64_t s = 0; s < kw; ++s) {
          SmallVector<OpFoldResult> off{
              b.getIndexAttr(0), b.getIndexAttr(r * dil[0]),
              b.getIndexAttr(s * dil[1]), b.getIndexAttr(0)};
          ins.push_back(tensor::ExtractSliceOp::create(b, loc, outType, xp, off,
                                                       sizes, strides));
          maps.push_back(identity);
        }
      auto rowType = tensorType({f}, elem);
      for (int64_t r = 0; r < kh; ++r)
        for (int64_t s = 0; s < kw; ++s) {
          SmallVector<OpFoldResult> off{b.getIndexAttr(r), b.getIndexAttr(s),
                                        b.getIndexAttr(0)};
          SmallVector<OpFoldResult> one(3, b.getIndexAttr(1));
          SmallVector<OpFoldResult> rowSizes{
              b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(f)};
          ins.push_back(tensor::ExtractSliceOp::create(b, loc, rowType, filter,
                                                       off, rowSizes, one));
          maps.push_back(AffineMap::get(4, 0, {d(3)}, ctx));
        }
      if (bias) {
        ins.push_back(convertTensor(
            b, loc, bias,
            withElement(cast<RankedTensorType>(bias.getType()), elem)));
        maps.push_back(AffineMap::get(4, 0, {d(3)}, ctx));
      }
      maps.push_back(identity);
      int64_t taps = kh * kw;
      auto body = [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value acc = bias ? a[2 * taps] : scalar(nb, nl, elem, 0);
        for (int64_t t = 0; t < taps; ++t)
          acc = math::FmaOp::create(nb, nl, a[t], a[taps + t], acc);
        linalg::YieldOp::create(nb, nl, acc);
      };
      y = linalg::GenericOp::create(b, loc, TypeRange{outType}, ins,
                                    ValueRange{emptyTensor(b, loc, outType)},
                                    maps,
                                    SmallVector<utils::IteratorType>(
                                        4, utils::IteratorType::parallel),
                                    body)
              .getResult(0);
    } else {
      // Loops n, oh, ow, kh, kw, c: the channels innermost.
      SmallVector<AffineMap> maps{
          AffineMap::get(6, 0,
                         {d(0), d(1) * st[0] + d(3) * dil[0],
                          d(2) * st[1] + d(4) * dil[1], d(5)},
                         ctx),
          AffineMap::get(6, 0, {d(3), d(4), d(5)}, ctx),
          AffineMap::get(6, 0, {d(0), d(1), d(2), d(5)}, ctx)};
      using utils::IteratorType;
      SmallVector<IteratorType> iters{
          IteratorType::parallel,  IteratorType::parallel,
          IteratorType::parallel,  IteratorType::reduction,
          IteratorType::reduction, IteratorType::parallel};
      y = linalg::GenericOp::create(b, loc, TypeRange{outType},
                                    ValueRange{xp, filter}, ValueRange{init},
                                    maps, iters, mulAdd)
              .getResult(0);
    }
  } else {
    int64_t fb = channelBlock(f);
    std::vector<float> packed(w->size());
    for (int64_t i = 0; i < f; ++i)
      for (int64_t j = 0; j < c; ++j)
        for (int64_t yy = 0; yy < kh; ++yy)
          for (int64_t z = 0; z < kw; ++z)
            packed[((((i / fb) * kh + yy) * kw + z) * c + j) * fb + i % fb] =
                (*w)[((i * c + j) * kh + yy) * kw + z];
    Value filter =
        arith::ConstantOp::create(b, loc,
                                  cast<TypedAttr>(tdc::f32Constant(
                                      tensorType({f / fb, kh, kw, c, fb}, elem),
                                      packed, "tdc_packed_filter")));
    // Loops n, oh, ow, fo, fi, kh, kw, c over out [N, OH, OW, F/Fb, Fb]
    // (the NHWC result viewed with F split).
    auto blockedType = tensorType({n, oh, ow, f / fb, fb}, elem);
    SmallVector<ReassociationIndices> split{{0}, {1}, {2}, {3, 4}};
    init = channelsLastInit(b, loc, blockedType, bias);
    SmallVector<AffineMap> maps{
        AffineMap::get(8, 0,
                       {d(0), d(1) * st[0] + d(5) * dil[0],
                        d(2) * st[1] + d(6) * dil[1], d(7)},
                       ctx),
        AffineMap::get(8, 0, {d(3), d(5), d(6), d(7), d(4)}, ctx),
        AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
    SmallVector<utils::IteratorType> iters(5, utils::IteratorType::parallel);
    iters.append(3, utils::IteratorType::reduction);
    y = linalg::GenericOp::create(b, loc, TypeRange{blockedType},
                                  ValueRange{xp, filter}, ValueRange{init},
                                  maps, iters, mulAdd)
            .getResult(0);
    y = tensor::CollapseShapeOp::create(b, loc, outType, y, split);
  }
  // Loops n, oh, f, ow: a task (row oh) reads one row of NHWC pixels and
  // writes F contiguous rows.
  return copyPermuted(b, loc, y, emptyTensor(b, loc, resultType), {0, 1, 3, 2},
                      {0, 2, 1, 3});
}

struct ConvLowering : OpConversionPattern<tg::ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return unsupported(op, "conv needs a floating-point element type");
    if (Value r = convChannelsLast(rewriter, loc, op, adaptor.getInput(),
                                   adaptor.getBias())) {
      rewriter.replaceOp(op, r);
      return success();
    }
    ArrayRef<int64_t> pads = op.getPads();
    size_t sp = op.getStrides().size();
    Value xp =
        padSpatial(rewriter, loc, adaptor.getInput(), pads.take_front(sp),
                   pads.drop_front(sp), scalar(rewriter, loc, elem, 0));
    Value init =
        convInit(rewriter, loc, withElement(resultType, accumulatorType(elem)),
                 adaptor.getBias());
    Value r = convCore(rewriter, loc, xp, adaptor.getWeight(), init,
                       op.getGroup(), op.getStrides(), op.getDilations());
    rewriter.replaceOp(op, convertTensor(rewriter, loc, r, resultType));
    return success();
  }
};

struct ConvTransposeLowering : OpConversionPattern<tg::ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return unsupported(op, "conv_transpose needs a floating-point element "
                             "type");
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(w);
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations(),
                      pads = op.getPads();
    int64_t groups = op.getGroup();
    size_t sp = strides.size();

    // y[o] = sum_k xdp[o + k*d] * w[K-1-k] where xdp[i*s + P0] = x[i] and
    // P0 = (K-1)*d - pad_begin. xdp covers O + (K-1)*d positions; inputs
    // that land outside it (negative P0 or end pads) cannot reach any output.
    SmallVector<int64_t> dpShape{xs[0], xs[1]};
    SmallVector<OpFoldResult> srcOff(2, rewriter.getIndexAttr(0)),
        srcSize{rewriter.getIndexAttr(xs[0]), rewriter.getIndexAttr(xs[1])},
        ones(2 + sp, rewriter.getIndexAttr(1)),
        dstOff(2, rewriter.getIndexAttr(0)),
        dstStride(2, rewriter.getIndexAttr(1));
    bool anyInput = true, wholeInput = true;
    for (size_t i = 0; i < sp; ++i) {
      int64_t in = xs[2 + i], k = ws[2 + i], s = strides[i];
      int64_t len = resultType.getDimSize(2 + i) + (k - 1) * dil[i];
      int64_t p0 = (k - 1) * dil[i] - pads[i];
      int64_t first = p0 >= 0 ? 0 : (-p0 + s - 1) / s;
      int64_t last =
          std::min(in - 1, len - 1 - p0 < 0 ? -1 : (len - 1 - p0) / s);
      int64_t count = last - first + 1;
      if (count <= 0) {
        anyInput = false;
        count = 0;
      }
      wholeInput &= first == 0 && count == in;
      dpShape.push_back(len);
      srcOff.push_back(rewriter.getIndexAttr(first));
      srcSize.push_back(rewriter.getIndexAttr(count));
      dstOff.push_back(rewriter.getIndexAttr(first * s + p0));
      dstStride.push_back(rewriter.getIndexAttr(s));
    }
    Value zero = scalar(rewriter, loc, elem, 0);
    Value xdp = filledTensor(rewriter, loc, tensorType(dpShape, elem), zero);
    if (anyInput) {
      Value src = x;
      if (!wholeInput)
        src = tensor::ExtractSliceOp::create(rewriter, loc, x, srcOff, srcSize,
                                             ones);
      xdp = tensor::InsertSliceOp::create(rewriter, loc, src, xdp, dstOff,
                                          srcSize, dstStride);
    }

    // Flipped, transposed kernel: wf[g, f, c, k] = w[g, c, f, K-1-k],
    // collapsed to the conv layout [G*Fg, Cg, K...].
    MLIRContext *ctx = rewriter.getContext();
    int64_t cg = ws[0] / groups, fg = ws[1];
    Value wg = splitDim(rewriter, loc, w, 0, groups); // [G, Cg, Fg, K...]
    SmallVector<int64_t> wfShape{groups, fg, cg};
    SmallVector<AffineExpr> in{getAffineDimExpr(0, ctx),
                               getAffineDimExpr(2, ctx),
                               getAffineDimExpr(1, ctx)};
    for (size_t i = 0; i < sp; ++i) {
      wfShape.push_back(ws[2 + i]);
      in.push_back(ws[2 + i] - 1 - getAffineDimExpr(3 + i, ctx));
    }
    unsigned nDims = 3 + sp;
    auto wfType = tensorType(wfShape, elem);
    Value wf =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{wfType}, ValueRange{wg},
            ValueRange{emptyTensor(rewriter, loc, wfType)},
            SmallVector<AffineMap>{AffineMap::get(nDims, 0, in, ctx),
                                   rewriter.getMultiDimIdentityMap(nDims)},
            SmallVector<utils::IteratorType>(nDims,
                                             utils::IteratorType::parallel),
            [](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(nb, nl, a[0]);
            })
            .getResult(0);
    wf = mergeDims(rewriter, loc, wf, 0);

    Value init =
        convInit(rewriter, loc, withElement(resultType, accumulatorType(elem)),
                 adaptor.getBias());
    SmallVector<int64_t> unit(sp, 1);
    Value r = convCore(rewriter, loc, xdp, wf, init, groups, unit, dil);
    rewriter.replaceOp(op, convertTensor(rewriter, loc, r, resultType));
    return success();
  }
};

enum class PoolKind { Max, Sum, Lp };

/// Pool the padded input xp [N, C, L...] into init [N, C, O...] with
/// `combine(acc, x)`.
Value poolCore(
    OpBuilder &b, Location loc, PoolKind kind, Value xp, Value init,
    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dilations,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto resultType = cast<RankedTensorType>(init.getType());
  size_t sp = kernel.size();
  Value window = emptyTensor(b, loc, tensorType(kernel, elemOf(xp)));
  // The named 2-D ops compare signed (maxsi); unsigned take the generic.
  if (sp == 2 && kind != PoolKind::Lp && !elemOf(xp).isUnsignedInteger()) {
    Attribute s = b.getI64TensorAttr(strides),
              d = b.getI64TensorAttr(dilations);
    if (kind == PoolKind::Max)
      return linalg::PoolingNchwMaxOp::create(b, loc, TypeRange{resultType},
                                              ValueRange{xp, window}, init, s,
                                              d)
          .getResult(0);
    return linalg::PoolingNchwSumOp::create(b, loc, TypeRange{resultType},
                                            ValueRange{xp, window}, init, s, d)
        .getResult(0);
  }
  // Loops: n, c, o_0.., k_0..
  MLIRContext *ctx = b.getContext();
  unsigned nDims = 2 + 2 * sp;
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe{dim(0), dim(1)}, ke, oe{dim(0), dim(1)};
  for (size_t i = 0; i < sp; ++i) {
    xe.push_back(dim(2 + i) * strides[i] + dim(2 + sp + i) * dilations[i]);
    ke.push_back(dim(2 + sp + i));
    oe.push_back(dim(2 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(nDims, 0, xe, ctx),
                              AffineMap::get(nDims, 0, ke, ctx),
                              AffineMap::get(nDims, 0, oe, ctx)};
  SmallVector<utils::IteratorType> iters(2 + sp, utils::IteratorType::parallel);
  iters.append(sp, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{xp, window},
             ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, a[2], a[0]));
             })
      .getResult(0);
}

/// Number of taps j in [0, k) of the window of output `o` whose padded-input
/// position o*s + j*d - padBegin lies in [lo, hi).
int64_t tapsInRange(int64_t o, int64_t k, int64_t s, int64_t d,
                    int64_t padBegin, int64_t lo, int64_t hi) {
  int64_t n = 0;
  for (int64_t j = 0; j < k; ++j) {
    int64_t p = o * s + j * d - padBegin;
    n += p >= lo && p < hi;
  }
  return n;
}

/// Explicit pads of a pooling input, with the end padded further when
/// ceil_mode windows run past the padded input.
void poolPadding(ArrayRef<int64_t> xs, ArrayRef<int64_t> ys,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dil, ArrayRef<int64_t> pads,
                 SmallVectorImpl<int64_t> &lo, SmallVectorImpl<int64_t> &hi) {
  size_t sp = kernel.size();
  lo.assign(pads.begin(), pads.begin() + sp);
  hi.assign(pads.begin() + sp, pads.end());
  for (size_t i = 0; i < sp; ++i) {
    int64_t need = (ys[2 + i] - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1;
    hi[i] += std::max<int64_t>(0, need - (xs[2 + i] + lo[i] + hi[i]));
  }
}

/// 2-D float max pooling with at most kMaxDepthwiseTaps taps, channels-last
/// like the convolutions around it: the input transposed into an NHWC
/// buffer padded with -inf, the max over one term per tap (each tap's
/// strided window as a slice, an all-parallel op vectorized along the
/// channels), the result transposed back. Between channels-last
/// convolutions (ResNet's stem) tdc-sink-layout-transposes then cancels
/// both transposes. Null when it does not apply.
Value maxPoolChannelsLast(OpBuilder &b, Location loc, Value x,
                          RankedTensorType resultType, ArrayRef<int64_t> kernel,
                          ArrayRef<int64_t> strides, ArrayRef<int64_t> dil,
                          ArrayRef<int64_t> lo, ArrayRef<int64_t> hi) {
  Type elem = resultType.getElementType();
  if (kernel.size() != 2 || !isa<FloatType>(elem) ||
      !resultType.hasStaticShape() ||
      !cast<RankedTensorType>(x.getType()).hasStaticShape() ||
      kernel[0] * kernel[1] > kMaxDepthwiseTaps)
    return {};
  int64_t n = resultType.getDimSize(0), c = resultType.getDimSize(1),
          oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  Value xp = paddedChannelsLast(b, loc, x, {lo[0], lo[1], hi[0], hi[1]},
                                lowestValue(b, loc, elem));
  auto outType = tensorType({n, oh, ow, c}, elem);
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(n), b.getIndexAttr(oh),
                                  b.getIndexAttr(ow), b.getIndexAttr(c)};
  SmallVector<OpFoldResult> steps{b.getIndexAttr(1), b.getIndexAttr(strides[0]),
                                  b.getIndexAttr(strides[1]),
                                  b.getIndexAttr(1)};
  SmallVector<Value> taps;
  for (int64_t r = 0; r < kernel[0]; ++r)
    for (int64_t s = 0; s < kernel[1]; ++s) {
      SmallVector<OpFoldResult> off{
          b.getIndexAttr(0), b.getIndexAttr(r * dil[0]),
          b.getIndexAttr(s * dil[1]), b.getIndexAttr(0)};
      taps.push_back(tensor::ExtractSliceOp::create(b, loc, outType, xp, off,
                                                    sizes, steps));
    }
  SmallVector<AffineMap> maps(
      taps.size() + 1, AffineMap::getMultiDimIdentityMap(4, b.getContext()));
  Value y =
      linalg::GenericOp::create(
          b, loc, TypeRange{outType}, taps,
          ValueRange{emptyTensor(b, loc, outType)}, maps,
          SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value m = a[0];
            for (Value v : a.drop_front().drop_back())
              m = maxScalar(nb, nl, m, v);
            linalg::YieldOp::create(nb, nl, m);
          })
          .getResult(0);
  return copyPermuted(b, loc, y, emptyTensor(b, loc, resultType), {0, 1, 3, 2},
                      {0, 2, 1, 3});
}

template <typename OpTy> struct PoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, tg::MaxPoolOp>;
    constexpr bool isAvg = std::is_same_v<OpTy, tg::AveragePoolOp>;
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elem = resultType.getElementType();
    if (!isMax && !isa<FloatType>(elem))
      return unsupported(op, "pooling needs a floating-point element type");
    if (isMax && elem.isInteger(1))
      return unsupported(op, "max_pool does not support bool");
    Value x = adaptor.getInput();
    ArrayRef<int64_t> xs = shapeOf(x), kernel = op.getKernelShape(),
                      strides = op.getStrides(), dil = op.getDilations(),
                      pads = op.getPads();
    size_t sp = kernel.size();

    SmallVector<int64_t> lo, hi;
    poolPadding(xs, resultType.getShape(), kernel, strides, dil, pads, lo, hi);
    if constexpr (isMax) {
      if (Value y = maxPoolChannelsLast(rewriter, loc, x, resultType, kernel,
                                        strides, dil, lo, hi)) {
        rewriter.replaceOp(op, y);
        return success();
      }
    }
    Value padValue = isMax ? lowestValue(rewriter, loc, elem)
                           : scalar(rewriter, loc, elem, 0);
    Value xp = padSpatial(rewriter, loc, x, lo, hi, padValue);
    if constexpr (isMax) {
      Value init = filledTensor(rewriter, loc, resultType, padValue);
      rewriter.replaceOp(op, poolCore(rewriter, loc, PoolKind::Max, xp, init,
                                      kernel, strides, dil, maxScalar));
      return success();
    }
    // Sums accumulate in `acc`; the result is converted back at the end.
    Type acc = accumulatorType(elem);
    Value init = filledTensor(rewriter, loc, withElement(resultType, acc),
                              scalar(rewriter, loc, acc, 0));
    auto finish =
        [&](Value sum,
            function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
          rewriter.replaceOp(
              op, elementwise(rewriter, loc, resultType, sum,
                              [&](OpBuilder &b, Location l, ValueRange a) {
                                return convertScalar(b, l, body(b, l, a), elem);
                              }));
        };
    if constexpr (!isAvg && !isMax) {
      // Lp: (sum |x|^p)^(1/p), with the common p = 1, 2 kept exact.
      int64_t p = op.getP();
      Value sum = poolCore(
          rewriter, loc, PoolKind::Lp, xp, init, kernel, strides, dil,
          [&](OpBuilder &b, Location l, Value s, Value v) {
            Value a = math::AbsFOp::create(b, l, convertScalar(b, l, v, acc));
            Value t = p == 1   ? a
                      : p == 2 ? arith::MulFOp::create(b, l, a, a).getResult()
                               : math::PowFOp::create(
                                     b, l, a, scalar(b, l, acc, (double)p))
                                     .getResult();
            return arith::AddFOp::create(b, l, s, t).getResult();
          });
      finish(sum, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (p == 1)
          return a[0];
        if (p == 2)
          return math::SqrtOp::create(b, l, a[0]);
        return math::PowFOp::create(b, l, a[0], scalar(b, l, acc, 1.0 / p));
      });
      return success();
    } else if constexpr (isAvg) {
      Value sum = poolCore(
          rewriter, loc, PoolKind::Sum, xp, init, kernel, strides, dil,
          [&](OpBuilder &b, Location l, Value s, Value v) {
            return arith::AddFOp::create(b, l, s, convertScalar(b, l, v, acc))
                .getResult();
          });
      // The divisor is a product of per-dim tap counts: taps inside the
      // input (count_include_pad = 0) or inside the explicit padding
      // (count_include_pad = 1); ceil_mode overhang never counts.
      bool countPad = op.getCountIncludePad();
      SmallVector<SmallVector<Attribute>> counts(sp);
      bool uniform = true;
      int64_t full = 1;
      for (size_t i = 0; i < sp; ++i) {
        int64_t in = xs[2 + i], out = resultType.getDimSize(2 + i);
        int64_t begin = countPad ? -pads[i] : 0;
        int64_t end = countPad ? in + pads[sp + i] : in;
        for (int64_t o = 0; o < out; ++o) {
          int64_t n = tapsInRange(o, kernel[i], strides[i], dil[i], pads[i],
                                  begin, end);
          uniform &= n == kernel[i];
          counts[i].push_back(rewriter.getFloatAttr(acc, (double)n));
        }
        full *= kernel[i];
      }
      if (uniform) {
        Value div = scalar(rewriter, loc, acc, (double)full);
        finish(sum, [&](OpBuilder &b, Location l, ValueRange a) {
          return arith::DivFOp::create(b, l, a[0], div).getResult();
        });
        return success();
      }
      MLIRContext *ctx = rewriter.getContext();
      unsigned rank = resultType.getRank();
      SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
      SmallVector<Value> ins{sum};
      for (size_t i = 0; i < sp; ++i) {
        maps.push_back(
            AffineMap::get(rank, 0, getAffineDimExpr(2 + i, ctx), ctx));
        auto ct = tensorType({(int64_t)counts[i].size()}, acc);
        ins.push_back(arith::ConstantOp::create(
            rewriter, loc, DenseElementsAttr::get(ct, counts[i])));
      }
      maps.push_back(rewriter.getMultiDimIdentityMap(rank));
      Value result =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{resultType}, ins,
              ValueRange{emptyTensor(rewriter, loc, resultType)}, maps,
              SmallVector<utils::IteratorType>(rank,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange a) {
                Value d = a[1];
                for (size_t i = 1; i < sp; ++i)
                  d = arith::MulFOp::create(b, l, d, a[1 + i]);
                Value q = arith::DivFOp::create(b, l, a[0], d);
                linalg::YieldOp::create(b, l, convertScalar(b, l, q, elem));
              })
              .getResult(0);
      rewriter.replaceOp(op, result);
      return success();
    }
    return failure();
  }
};

} // namespace

/// Max pooling that also yields the flat input index of each maximum. Ties
/// go to the smallest row-major index (the first tap in window order), so
/// the result does not depend on the reduction order; padding never wins.
struct MaxPoolWithIndicesLowering
    : OpConversionPattern<tg::MaxPoolWithIndicesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::MaxPoolWithIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto valType = cast<RankedTensorType>(op.getOutput().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    Type elem = valType.getElementType();
    if (elem.isInteger(1))
      return unsupported(op, "max_pool does not support bool");
    Value x = adaptor.getInput();
    ArrayRef<int64_t> xs = shapeOf(x), kernel = op.getKernelShape(),
                      strides = op.getStrides(), dil = op.getDilations();
    size_t sp = kernel.size();
    SmallVector<int64_t> lo, hi;
    poolPadding(xs, valType.getShape(), kernel, strides, dil, op.getPads(), lo,
                hi);
    Value lowest = lowestValue(rewriter, loc, elem);
    Value xp = padSpatial(rewriter, loc, x, lo, hi, lowest);
    Value valInit = filledTensor(rewriter, loc, valType, lowest);
    Type i64 = rewriter.getI64Type();
    Value idxInit =
        filledTensor(rewriter, loc, idxType,
                     arith::ConstantOp::create(
                         rewriter, loc, rewriter.getI64IntegerAttr(INT64_MAX)));
    Value window = emptyTensor(rewriter, loc, tensorType(kernel, elem));

    MLIRContext *ctx = rewriter.getContext();
    unsigned nDims = 2 + 2 * sp;
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xe{dim(0), dim(1)}, ke, oe{dim(0), dim(1)};
    for (size_t i = 0; i < sp; ++i) {
      xe.push_back(dim(2 + i) * strides[i] + dim(2 + sp + i) * dil[i]);
      ke.push_back(dim(2 + sp + i));
      oe.push_back(dim(2 + i));
    }
    AffineMap om = AffineMap::get(nDims, 0, oe, ctx);
    SmallVector<AffineMap> maps{AffineMap::get(nDims, 0, xe, ctx),
                                AffineMap::get(nDims, 0, ke, ctx), om, om};
    SmallVector<utils::IteratorType> iters(2 + sp,
                                           utils::IteratorType::parallel);
    iters.append(sp, utils::IteratorType::reduction);
    bool isFloat = isa<FloatType>(elem);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valType, idxType}, ValueRange{xp, window},
        ValueRange{valInit, idxInit}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          auto c64 = [&](int64_t v) {
            return arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v));
          };
          auto idx = [&](unsigned d) {
            return arith::IndexCastOp::create(b, l, i64,
                                              linalg::IndexOp::create(b, l, d));
          };
          // Row-major flat index over (n, c, spatial) and in-bounds test.
          Value flat = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, idx(0), c64(xs[1])), idx(1));
          Value inb = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
          for (size_t i = 0; i < sp; ++i) {
            Value pos = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, idx(2 + i), c64(strides[i])),
                arith::MulIOp::create(b, l, idx(2 + sp + i), c64(dil[i])));
            pos = arith::SubIOp::create(b, l, pos, c64(lo[i]));
            Value ge = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge,
                                             pos, c64(0));
            Value lt = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                             pos, c64(xs[2 + i]));
            inb = arith::AndIOp::create(b, l, inb,
                                        arith::AndIOp::create(b, l, ge, lt));
            flat = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, flat, c64(xs[2 + i])), pos);
          }
          Value v = a[0], cur = a[2], curIdx = a[3];
          Value gt = isFloat ? arith::CmpFOp::create(
                                   b, l, arith::CmpFPredicate::OGT, v, cur)
                                   .getResult()
                             : arith::CmpIOp::create(
                                   b, l, arith::CmpIPredicate::sgt, v, cur)
                                   .getResult();
          Value eq = isFloat ? arith::CmpFOp::create(
                                   b, l, arith::CmpFPredicate::OEQ, v, cur)
                                   .getResult()
                             : arith::CmpIOp::create(
                                   b, l, arith::CmpIPredicate::eq, v, cur)
                                   .getResult();
          Value earlier = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                flat, curIdx);
          Value upd = arith::AndIOp::create(
              b, l, inb,
              arith::OrIOp::create(b, l, gt,
                                   arith::AndIOp::create(b, l, eq, earlier)));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, upd, v, cur),
                         arith::SelectOp::create(b, l, upd, flat, curIdx)});
        });
    Value indices = generic.getResult(1);
    if (op.getStorageOrder() == 1) {
      // Re-express the spatial part column-major: nc*S + sum pos_i*cs_i.
      SmallVector<int64_t> spatial(xs.drop_front(2));
      indices = elementwise(
          rewriter, loc, idxType, indices,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            auto c64 = [&](int64_t v) {
              return arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v));
            };
            int64_t total = 1;
            for (int64_t d : spatial)
              total *= d;
            Value nc = arith::DivSIOp::create(b, l, a[0], c64(total));
            Value r = arith::RemSIOp::create(b, l, a[0], c64(total));
            Value out = arith::MulIOp::create(b, l, nc, c64(total));
            int64_t rowStride = total, colStride = 1;
            for (size_t i = 0; i < sp; ++i) {
              rowStride /= spatial[i];
              Value pos = arith::RemSIOp::create(
                  b, l, arith::DivSIOp::create(b, l, r, c64(rowStride)),
                  c64(spatial[i]));
              out = arith::AddIOp::create(
                  b, l, out, arith::MulIOp::create(b, l, pos, c64(colStride)));
              colStride *= spatial[i];
            }
            return out;
          });
    }
    rewriter.replaceOp(op, ValueRange{generic.getResult(0), indices});
    return success();
  }
};

void tdc::populateConvLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvLowering, ConvTransposeLowering, PoolLowering<tg::MaxPoolOp>,
               PoolLowering<tg::AveragePoolOp>, PoolLowering<tg::LpPoolOp>,
               MaxPoolWithIndicesLowering>(ctx);
}
