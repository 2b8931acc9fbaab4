//===- ChannelsLastConv.cpp - channels-last 2-D convolutions --------------===//
//
// 2-D f32 convolutions with constant filters, ungrouped or depthwise, are
// computed in NHWC: the input transposed into a padded NHWC buffer, the
// filters packed at compile time (blocks of output channels, or [KH, KW, C]
// for depthwise), the result transposed back. See convChannelsLast in
// ChannelsLastConv.h for why.
//
//===----------------------------------------------------------------------===//

#include "ChannelsLastConv.h"
#include "LoweringUtils.h"
#include "WinogradConv.h"
#include "tdc/Dialect/Graph/IR/ConstantData.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

/// Output channels per filter block of a channels-last convolution: a
/// multiple of the vector width where possible (the register block's
/// vector dim), else all channels when few, else 8.
int64_t channelBlock(int64_t f) {
  for (int64_t b : {32, 16})
    if (f % b == 0)
      return b;
  return f <= 48 ? f : 8;
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

/// The NHWC result y as `type` (NCHW). Loops n, oh, f, ow: a task (row oh)
/// reads one row of NHWC pixels and writes F contiguous rows.
Value backToNCHW(OpBuilder &b, Location loc, Value y, RankedTensorType type) {
  return copyPermuted(b, loc, y, emptyTensor(b, loc, type), {0, 1, 3, 2},
                      {0, 2, 1, 3});
}

} // namespace

Value tdc::lowering::paddedChannelsLast(OpBuilder &b, Location loc, Value x,
                                        ArrayRef<int64_t> pads,
                                        Value padValue) {
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

Value tdc::lowering::convChannelsLast(OpBuilder &b, Location loc, tg::ConvOp op,
                                      Value x, Value bias) {
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
  if ((op.getGroup() != 1 && !depthwise) || (depthwise && f % 8 != 0) ||
      xs.size() != 4)
    return {};
  std::optional<std::vector<float>> w = tdc::f32Elements(wAttr);
  if (!w)
    return {};
  Type elem = resultType.getElementType();
  int64_t n = resultType.getDimSize(0), oh = resultType.getDimSize(2),
          ow = resultType.getDimSize(3);
  auto outType = tensorType({n, oh, ow, f}, elem);
  ArrayRef<int64_t> st = op.getStrides(), dil = op.getDilations();
  WinogradShape wino{n, c, xs[2], xs[3], f, oh, ow, dil[0]};
  if (!depthwise && kh == 3 && kw == 3 && llvm::all_equal({st[0], st[1], 1L}) &&
      dil[0] == dil[1] && tdc::schedule::winogradApplies(wino)) {
    return backToNCHW(
        b, loc,
        winogradConvChannelsLast(b, loc, x, wino, op.getPads(), *w, bias),
        resultType);
  }
  Value xp = paddedChannelsLast(b, loc, x, op.getPads());
  bool depthwiseTaps = depthwise && kh * kw <= kMaxDepthwiseTaps;
  Value init = depthwise && !depthwiseTaps
                   ? channelsLastInit(b, loc, outType, bias)
                   : Value();
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
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
    // Filters padded with zero filters to a multiple of 8 (a head of 21
    // classes computes 24), so that the register block's vectors run along
    // them and the chain stays channels-last; the result is cut back.
    int64_t fp = llvm::alignTo(f, 8);
    int64_t fb = channelBlock(fp);
    std::vector<float> packed(fp * c * kh * kw, 0.0f);
    for (int64_t i = 0; i < f; ++i)
      for (int64_t j = 0; j < c; ++j)
        for (int64_t yy = 0; yy < kh; ++yy)
          for (int64_t z = 0; z < kw; ++z)
            packed[((((i / fb) * kh + yy) * kw + z) * c + j) * fb + i % fb] =
                (*w)[((i * c + j) * kh + yy) * kw + z];
    Value filter = arith::ConstantOp::create(
        b, loc,
        cast<TypedAttr>(
            tdc::f32Constant(tensorType({fp / fb, kh, kw, c, fb}, elem), packed,
                             "tdc_packed_filter")));
    // Loops n, oh, ow, fo, fi, kh, kw, c over out [N, OH, OW, F/Fb, Fb]
    // (the NHWC result viewed with F split).
    auto blockedType = tensorType({n, oh, ow, fp / fb, fb}, elem);
    SmallVector<ReassociationIndices> split{{0}, {1}, {2}, {3, 4}};
    if (bias && fp != f) {
      Value padded = filledTensor(b, loc, tensorType({fp}, elemOf(bias)),
                                  scalar(b, loc, elemOf(bias), 0));
      bias = tensor::InsertSliceOp::create(
          b, loc, bias, padded, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(f)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    }
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
    y = tensor::CollapseShapeOp::create(
        b, loc, tensorType({n, oh, ow, fp}, elem), y, split);
    if (fp != f)
      y = tensor::ExtractSliceOp::create(
          b, loc, outType, y, SmallVector<OpFoldResult>(4, b.getIndexAttr(0)),
          SmallVector<OpFoldResult>{b.getIndexAttr(n), b.getIndexAttr(oh),
                                    b.getIndexAttr(ow), b.getIndexAttr(f)},
          SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
  }
  return backToNCHW(b, loc, y, resultType);
}
