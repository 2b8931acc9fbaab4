//===- PoolLowering.cpp - tg pooling ops -> linalg ------------------------===//
//
// Pooling over NC[D]HW tensors: MaxPool (also with indices), AveragePool and
// LpPool. Padding is materialized with tensor.pad (0 for sums, the lowest
// value for max) so that the window ops never read out of bounds. 2-D
// pooling uses linalg.pooling_nchw_*; everything else is a linalg.generic
// with the same indexing maps, which works for any rank and dilation. Small
// 2-D float max pooling is computed channels-last like the convolutions
// around it (maxPoolChannelsLast).
//
//===----------------------------------------------------------------------===//

#include "ChannelsLastConv.h"
#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

enum class PoolKind { Max, Sum, Lp };

/// The loops of a pooling window over an NC... input, n, c, o_0.., k_0..,
/// and how the padded input, the window and the output are indexed.
struct PoolWindow {
  AffineMap input, window, output;
  SmallVector<utils::IteratorType> iterators;
};
PoolWindow poolWindow(MLIRContext *ctx, ArrayRef<int64_t> strides,
                      ArrayRef<int64_t> dilations) {
  size_t sp = strides.size();
  unsigned nDims = 2 + 2 * sp;
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe{dim(0), dim(1)}, ke, oe{dim(0), dim(1)};
  for (size_t i = 0; i < sp; ++i) {
    xe.push_back(dim(2 + i) * strides[i] + dim(2 + sp + i) * dilations[i]);
    ke.push_back(dim(2 + sp + i));
    oe.push_back(dim(2 + i));
  }
  PoolWindow w;
  w.input = AffineMap::get(nDims, 0, xe, ctx);
  w.window = AffineMap::get(nDims, 0, ke, ctx);
  w.output = AffineMap::get(nDims, 0, oe, ctx);
  w.iterators.assign(2 + sp, utils::IteratorType::parallel);
  w.iterators.append(sp, utils::IteratorType::reduction);
  return w;
}

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
  PoolWindow w = poolWindow(b.getContext(), strides, dilations);
  SmallVector<AffineMap> maps{w.input, w.window, w.output};
  SmallVector<utils::IteratorType> iters = w.iterators;
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

    PoolWindow w = poolWindow(rewriter.getContext(), strides, dil);
    SmallVector<AffineMap> maps{w.input, w.window, w.output, w.output};
    SmallVector<utils::IteratorType> iters = w.iterators;
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
          auto compare = [&](arith::CmpFPredicate f,
                             arith::CmpIPredicate i) -> Value {
            if (isFloat)
              return arith::CmpFOp::create(b, l, f, v, cur);
            return arith::CmpIOp::create(b, l, i, v, cur);
          };
          Value gt =
              compare(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
          Value eq =
              compare(arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
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

} // namespace

void tdc::populatePoolLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<PoolLowering<tg::MaxPoolOp>, PoolLowering<tg::AveragePoolOp>,
               PoolLowering<tg::LpPoolOp>, MaxPoolWithIndicesLowering>(ctx);
}
