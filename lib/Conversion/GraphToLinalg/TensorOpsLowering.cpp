//===- TensorOpsLowering.cpp - tg cumsum / resize -> linalg, scf ----------===//
//
// CumSum is a scf.for over the axis that adds one slice to the previous one
// (a scan has no linalg form). Resize is separable: it runs one
// linalg.generic per resized dim, last dim first as the ONNX reference
// nests its 1-D interpolations. Since shapes are static, the source indices
// and weights of each output position are computed on the host, in double
// precision and with the reference's neighbour and edge rules, and passed to
// the generic as constant 1-D tables; the body reads the source elements
// with tensor.extract.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {


//===----------------------------------------------------------------------===//
// CumSum
//===----------------------------------------------------------------------===//

struct CumSumPattern : OpConversionPattern<tg::CumSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t axis = op.getAxis();
    int64_t n = type.getDimSize(axis);
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, x);
      return success();
    }
    SmallVector<int64_t> sliceShape(type.getShape());
    sliceShape[axis] = 1;
    auto sliceType = RankedTensorType::get(sliceShape, type.getElementType());
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(rewriter.getContext(), sliceShape);
    SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
    auto offsets = [&](Value pos) {
      SmallVector<OpFoldResult> o(type.getRank(), rewriter.getIndexAttr(0));
      o[axis] = pos;
      return o;
    };
    bool reverse = op.getReverse(), exclusive = op.getExclusive();
    // Position along the axis of the k-th step.
    auto posOf = [&](OpBuilder &b, Value k) -> Value {
      if (!reverse)
        return k;
      return arith::SubIOp::create(
          b, loc, arith::ConstantIndexOp::create(b, loc, n - 1), k);
    };
    auto extract = [&](OpBuilder &b, Value src, Value pos) -> Value {
      return tensor::ExtractSliceOp::create(b, loc, sliceType, src,
                                            offsets(pos), sizes, strides);
    };
    auto insert = [&](OpBuilder &b, Value slice, Value dest,
                      Value pos) -> Value {
      return tensor::InsertSliceOp::create(b, loc, slice, dest, offsets(pos),
                                           sizes, strides);
    };

    // Inclusive: out[p0] = x[p0]; exclusive: out[p0] = 0.
    Value zeroIdx = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value init = x;
    if (exclusive) {
      Value zero =
          filledTensor(rewriter, loc, sliceType,
                       scalar(rewriter, loc, type.getElementType(), 0));
      init = insert(rewriter, zero, emptyTensor(rewriter, loc, type),
                    posOf(rewriter, zeroIdx));
    }
    // out[p(k)] = out[p(k-1)] + x[exclusive ? p(k-1) : p(k)].
    Value lb = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value ub = arith::ConstantIndexOp::create(rewriter, loc, n);
    Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, lb, ub, step, ValueRange{init},
        [&](OpBuilder &b, Location l, Value k, ValueRange iter) {
          Value km1 = arith::SubIOp::create(b, l, k, step);
          Value cur = posOf(b, k), prevPos = posOf(b, km1);
          Value prev = extract(b, iter[0], prevPos);
          Value xs = extract(b, x, exclusive ? prevPos : cur);
          Value sum = elementwise(b, l, sliceType, {prev, xs},
                                  [](OpBuilder &nb, Location nl, ValueRange a) {
                                    return add(nb, nl, a[0], a[1]);
                                  });
          scf::YieldOp::create(b, l, insert(b, sum, iter[0], cur));
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// Source taps of every output position along one dim.
struct DimTable {
  int64_t taps = 1;
  std::vector<int64_t> index; // [out][taps], clamped into the input
  std::vector<double> weight; // [out][taps]
  std::vector<bool> valid;    // [out]; false: extrapolation_value
  bool anyInvalid = false;
};

/// ONNX reference: the n points nearest to x in the edge-padded input,
/// preferring smaller indices on ties; returns input indices (may be out of
/// range, which the padding maps to the edges).
SmallVector<int64_t> neighbours(double x, int64_t n, int64_t inW) {
  int64_t pad = (n + 1) / 2;
  int64_t len = inW + 2 * pad;
  double xp = x + pad;
  int64_t c = std::clamp<int64_t>((int64_t)std::floor(xp), 0, len - 1);
  SmallVector<int64_t> cand;
  for (int64_t j = std::max<int64_t>(0, c - n);
       j <= std::min<int64_t>(len - 1, c + n); ++j)
    cand.push_back(j);
  std::stable_sort(cand.begin(), cand.end(), [&](int64_t a, int64_t b) {
    double da = std::abs(xp - a), db = std::abs(xp - b);
    return da != db ? da < db : a < b;
  });
  cand.resize(std::min<size_t>(n, cand.size()));
  llvm::sort(cand);
  for (int64_t &j : cand)
    j -= pad;
  return cand;
}

DimTable computeTable(tg::ResizeOp op, int64_t inW, int64_t outW, double scale,
                      double roiStart, double roiEnd) {
  StringRef mode = op.getMode(), ctm = op.getCoordinateTransformationMode(),
            nearest = op.getNearestMode();
  double a = op.getCubicCoeffA().convertToDouble();
  DimTable t;
  t.taps = mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
  t.valid.assign(outW, true);
  double outWf = scale * inW;
  auto clampIdx = [&](int64_t i) { return std::clamp<int64_t>(i, 0, inW - 1); };
  for (int64_t x = 0; x < outW; ++x) {
    double xo = 0;
    if (ctm == "align_corners") {
      xo = outWf == 1 ? 0.0 : x * (double)(inW - 1) / (outWf - 1);
    } else if (ctm == "asymmetric") {
      xo = x / scale;
    } else if (ctm == "tf_crop_and_resize") {
      xo = outW == 1 ? (roiEnd - roiStart) * (inW - 1) / 2
                     : x * (roiEnd - roiStart) * (inW - 1) / (outW - 1);
      xo += roiStart * (inW - 1);
      if (xo < 0 || xo > inW - 1) {
        t.valid[x] = false;
        t.anyInvalid = true;
        for (int64_t k = 0; k < t.taps; ++k) {
          t.index.push_back(0);
          t.weight.push_back(0);
        }
        continue;
      }
    } else if (ctm == "pytorch_half_pixel") {
      xo = outWf == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    } else if (ctm == "half_pixel_symmetric") {
      double adjustment = outW / outWf;
      double center = inW / 2.0;
      xo = center * (1 - adjustment) + (x + 0.5) / scale - 0.5;
    } else if (ctm == "tf_half_pixel_for_nn") {
      xo = (x + 0.5) / scale;
    } else { // half_pixel
      xo = (x + 0.5) / scale - 0.5;
    }

    if (mode == "nearest" && nearest == "simple") {
      // Upsample / Resize-10: floor, ceil when downsampling.
      int64_t i = (int64_t)(scale < 1 ? std::ceil(xo) : std::floor(xo));
      t.index.push_back(clampIdx(i));
      t.weight.push_back(1);
      continue;
    }
    double xi = std::floor(xo);
    double r = xo == xi ? 1.0 : xo - xi;
    SmallVector<double> c;
    if (mode == "nearest") {
      if (r == 1.0)
        c = {0, 1};
      else if (nearest == "round_prefer_floor")
        c = {double(r <= 0.5), double(r > 0.5)};
      else if (nearest == "round_prefer_ceil")
        c = {double(r < 0.5), double(r >= 0.5)};
      else if (nearest == "floor")
        c = {1, 0};
      else
        c = {0, 1};
    } else if (mode == "linear") {
      c = {1 - r, r};
    } else {
      double s = 1 - r;
      c = {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
           ((a + 2) * r - (a + 3)) * r * r + 1,
           ((a + 2) * s - (a + 3)) * s * s + 1,
           ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
    }
    SmallVector<int64_t> idx = neighbours(xo, c.size(), inW);
    if (mode == "nearest") {
      for (size_t k = 0; k < c.size(); ++k)
        if (c[k] != 0)
          t.index.push_back(clampIdx(idx[k]));
      t.weight.push_back(1);
      continue;
    }
    if (op.getExcludeOutside()) {
      double sum = 0;
      for (size_t k = 0; k < c.size(); ++k) {
        if (idx[k] < 0 || idx[k] >= inW)
          c[k] = 0;
        sum += c[k];
      }
      for (double &v : c)
        v /= sum;
    }
    for (size_t k = 0; k < c.size(); ++k) {
      t.index.push_back(clampIdx(idx[k]));
      t.weight.push_back(c[k]);
    }
  }
  return t;
}

/// True when the table reads input position x for output position x.
bool isIdentity(const DimTable &t, int64_t inW, int64_t outW) {
  if (inW != outW || t.anyInvalid)
    return false;
  for (int64_t x = 0; x < outW; ++x)
    for (int64_t k = 0; k < t.taps; ++k) {
      int64_t i = x * t.taps + k;
      if (t.index[i] == x ? t.weight[i] != 1 : t.weight[i] != 0)
        return false;
    }
  return true;
}

/// Constant 1-D table of tap k.
Value tableConst(OpBuilder &b, Location loc, const DimTable &t, int64_t k,
                 bool weights, Type computeType) {
  int64_t outW = t.valid.size();
  if (!weights) {
    SmallVector<int64_t> v;
    for (int64_t x = 0; x < outW; ++x)
      v.push_back(t.index[x * t.taps + k]);
    auto type = RankedTensorType::get({outW}, b.getI64Type());
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(type, ArrayRef(v)));
  }
  auto type = RankedTensorType::get({outW}, computeType);
  SmallVector<APFloat> v;
  auto &sem = cast<FloatType>(computeType).getFloatSemantics();
  for (int64_t x = 0; x < outW; ++x) {
    APFloat f(t.weight[x * t.taps + k]);
    bool lost;
    f.convert(sem, APFloat::rmNearestTiesToEven, &lost);
    v.push_back(f);
  }
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, v));
}

/// Resize `src` along `dim` with table `t`.
Value resizeDim(OpBuilder &b, Location loc, tg::ResizeOp op, Value src,
                int64_t dim, const DimTable &t) {
  auto srcType = cast<RankedTensorType>(src.getType());
  Type elem = srcType.getElementType();
  bool nearest = op.getMode() == "nearest";
  // Weights and sums in at least f32.
  Type computeType = elem;
  if (!nearest && cast<FloatType>(elem).getWidth() < 32)
    computeType = b.getF32Type();
  int64_t outW = t.valid.size();
  SmallVector<int64_t> outShape(srcType.getShape());
  outShape[dim] = outW;
  auto outType = RankedTensorType::get(outShape, elem);
  int64_t rank = outType.getRank();
  if (outType.getNumElements() == 0)
    return emptyTensor(b, loc, outType);

  SmallVector<Value> tables;
  for (int64_t k = 0; k < t.taps; ++k) {
    tables.push_back(tableConst(b, loc, t, k, false, computeType));
    if (!nearest)
      tables.push_back(tableConst(b, loc, t, k, true, computeType));
  }
  if (t.anyInvalid) {
    auto type = RankedTensorType::get({outW}, b.getI1Type());
    SmallVector<bool> v(t.valid.begin(), t.valid.end());
    tables.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, ArrayRef<bool>(v))));
  }
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(
      tables.size(), AffineMap::get(rank, 0, getAffineDimExpr(dim, ctx)));
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, outType);
  double extrapolation = op.getExtrapolationValue().convertToDouble();
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, tables, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> idx;
        for (int64_t d = 0; d < rank; ++d)
          idx.push_back(linalg::IndexOp::create(nb, l, d));
        Value acc;
        size_t a = 0;
        for (int64_t k = 0; k < t.taps; ++k) {
          idx[dim] =
              arith::IndexCastOp::create(nb, l, nb.getIndexType(), args[a++]);
          Value v = tensor::ExtractOp::create(nb, l, src, idx);
          if (nearest) {
            acc = v;
            continue;
          }
          v = convertScalar(nb, l, v, computeType);
          v = arith::MulFOp::create(nb, l, v, args[a++]);
          acc = acc ? arith::AddFOp::create(nb, l, acc, v).getResult() : v;
        }
        acc = convertScalar(nb, l, acc, elem);
        if (t.anyInvalid)
          acc = arith::SelectOp::create(nb, l, args[a], acc,
                                        scalar(nb, l, elem, extrapolation));
        linalg::YieldOp::create(nb, l, acc);
      });
  return generic.getResult(0);
}

struct ResizePattern : OpConversionPattern<tg::ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value v = adaptor.getInput();
    auto inType = cast<RankedTensorType>(v.getType());
    auto outType = cast<RankedTensorType>(op.getType());
    StringRef mode = op.getMode();
    if (mode != "nearest" && mode != "linear" && mode != "cubic")
      return unsupported(op, "resize mode '" + mode + "' is not supported");
    if (mode != "nearest" && !isa<FloatType>(inType.getElementType()))
      return unsupported(op, "resize mode '" + mode +
                                 "' needs a float element type");
    if (outType.getNumElements() == 0) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, outType));
      return success();
    }
    int64_t rank = inType.getRank();
    ArrayRef<double> roi = op.getRoi();
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t inW = inType.getDimSize(d), outW = outType.getDimSize(d);
      if (inW == 0)
        return unsupported(op, "resize of an empty dim to a non-empty one");
      DimTable t = computeTable(op, inW, outW, op.getScales()[d],
                                roi.empty() ? 0.0 : roi[d],
                                roi.empty() ? 1.0 : roi[rank + d]);
      if (isIdentity(t, inW, outW))
        continue;
      v = resizeDim(rewriter, loc, op, v, d, t);
    }
    rewriter.replaceOp(op, v);
    return success();
  }
};

} // namespace

void tdc::populateTensorOpsLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<CumSumPattern, ResizePattern>(patterns.getContext());
}
