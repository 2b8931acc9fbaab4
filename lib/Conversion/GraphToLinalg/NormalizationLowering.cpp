//===- NormalizationLowering.cpp - tg normalization ops -> linalg ---------===//
//
// Statistics follow the ONNX reference: mean first, then the variance as the
// mean of squared deviations (no E[x^2] - E[x]^2 cancellation). They are
// computed in the input float type, widened to f32 for narrower floats.
// Per-channel parameters ([C]) are reshaped to [C, 1, ...] so that numpy
// broadcasting in `elementwise` aligns them with dim 1.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The type statistics are computed in; null if `elem` is not a float.
Type computeType(Type elem) {
  auto ft = dyn_cast<FloatType>(elem);
  if (!ft)
    return {};
  if (ft.getWidth() < 32)
    return Float32Type::get(elem.getContext());
  return elem;
}

/// `v` with its elements converted to `to` (no-op when already of it).
Value convertTensor(OpBuilder &b, Location loc, Value v, Type to) {
  auto type = tensorType(v);
  if (type.getElementType() == to)
    return v;
  return elementwise(b, loc, type.clone(to), {v},
                     [&](OpBuilder &nb, Location nloc, ValueRange args) {
                       return convertScalar(nb, nloc, args[0], to);
                     });
}

/// A [C] per-channel tensor as [C, 1, ...] of rank `rank` - 1 (numpy
/// broadcasting then aligns it with dim 1 of a rank-`rank` tensor).
Value perChannel(OpBuilder &b, Location loc, Value v, int64_t rank) {
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = tensorType(v).getDimSize(0);
  return reshapeTo(b, loc, v, shape);
}

/// Sum over `axes` (of `x`, or of x*x when `squared`), with kept dims.
Value sumOver(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
              RankedTensorType statType, bool squared) {
  auto square = [](OpBuilder &nb, Location nloc, Value v) -> Value {
    return arith::MulFOp::create(nb, nloc, v, v);
  };
  if (axes.empty()) {
    if (!squared)
      return x;
    return elementwise(b, loc, statType, {x},
                       [&](OpBuilder &nb, Location nloc, ValueRange args) {
                         return square(nb, nloc, args[0]);
                       });
  }
  Value zero = scalar(b, loc, statType.getElementType(), 0);
  // Reassociable: LLVM may then sum in vector lanes (a fixed order for a
  // given target, whatever the thread count) instead of one serial chain.
  auto reassoc = arith::FastMathFlagsAttr::get(b.getContext(),
                                               arith::FastMathFlags::reassoc);
  return reduce(b, loc, x, axes, statType, zero,
                [&](OpBuilder &nb, Location nloc, Value in, Value acc) {
                  Value v = squared ? square(nb, nloc, in) : in;
                  return (Value)arith::AddFOp::create(nb, nloc, acc, v,
                                                      reassoc);
                });
}

struct Stats {
  Value centered; // x - mean, full shape
  Value mean;     // kept-dims shape
  Value invStd;   // 1 / sqrt(var + eps), kept-dims shape
};

/// Mean and inverse standard deviation of `x` (already in the compute type)
/// over `axes`.
Stats normalize(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
                double epsilon) {
  auto xType = tensorType(x);
  Type ct = xType.getElementType();
  SmallVector<int64_t> statShape(xType.getShape());
  int64_t count = 1;
  for (int64_t a : axes) {
    count *= statShape[a];
    statShape[a] = 1;
  }
  auto statType = RankedTensorType::get(statShape, ct);
  // Divide (as numpy's mean does) rather than multiply by 1/count.
  Value countV = scalar(b, loc, ct, (double)count);

  Value sum = sumOver(b, loc, x, axes, statType, false);
  Value mean = elementwise(b, loc, statType, {sum},
                           [&](OpBuilder &nb, Location nloc, ValueRange args) {
                             return (Value)arith::DivFOp::create(
                                 nb, nloc, args[0], countV);
                           });
  Value centered = elementwise(
      b, loc, xType, {x, mean},
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        return (Value)arith::SubFOp::create(nb, nloc, args[0], args[1]);
      });
  Value sq = sumOver(b, loc, centered, axes, statType, true);
  Value invStd = elementwise(
      b, loc, statType, {sq},
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value var = arith::DivFOp::create(nb, nloc, args[0], countV);
        Value v =
            arith::AddFOp::create(nb, nloc, var, scalar(nb, nloc, ct, epsilon));
        return (Value)arith::DivFOp::create(nb, nloc, scalar(nb, nloc, ct, 1.0),
                                            math::SqrtOp::create(nb, nloc, v));
      });
  return {centered, mean, invStd};
}

/// y = centered * invStd * scale (+ bias), in `outType`.
Value scaleAndShift(OpBuilder &b, Location loc, RankedTensorType outType,
                    Value centered, Value invStd, Value scale, Value bias) {
  Type ct = tensorType(centered).getElementType();
  SmallVector<Value> inputs{centered, invStd, scale};
  if (bias)
    inputs.push_back(bias);
  return elementwise(
      b, loc, outType, inputs,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value y = arith::MulFOp::create(nb, nloc, args[0], args[1]);
        y = arith::MulFOp::create(nb, nloc, y,
                                  convertScalar(nb, nloc, args[2], ct));
        if (args.size() > 3)
          y = arith::AddFOp::create(nb, nloc, y,
                                    convertScalar(nb, nloc, args[3], ct));
        return convertScalar(nb, nloc, y, outType.getElementType());
      });
}

/// y = (x - mean) * (scale / sqrt(var + eps)) + bias per channel (dim 1).
struct BatchNormPattern : OpConversionPattern<tg::BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    Type ct = computeType(outType.getElementType());
    if (!ct)
      return unsupported(op, "batch_norm needs a float element type");
    for (Value v : adaptor.getOperands())
      if (!isa<FloatType>(tensorType(v).getElementType()))
        return unsupported(op, "batch_norm parameters must be floats");
    int64_t rank = outType.getRank();
    double eps = op.getEpsilon().convertToDouble();

    // Per-channel factor scale / sqrt(var + eps), computed once per channel.
    int64_t c = outType.getDimSize(1);
    auto chanType = RankedTensorType::get({c}, ct);
    Value factor = elementwise(
        rewriter, loc, chanType, {adaptor.getScale(), adaptor.getVar()},
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value s = convertScalar(nb, nloc, args[0], ct);
          Value v = convertScalar(nb, nloc, args[1], ct);
          v = arith::AddFOp::create(nb, nloc, v, scalar(nb, nloc, ct, eps));
          return (Value)arith::DivFOp::create(
              nb, nloc, s, math::SqrtOp::create(nb, nloc, v));
        });
    Value result = elementwise(
        rewriter, loc, outType,
        {adaptor.getInput(), perChannel(rewriter, loc, adaptor.getMean(), rank),
         perChannel(rewriter, loc, factor, rank),
         perChannel(rewriter, loc, adaptor.getBias(), rank)},
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value x = convertScalar(nb, nloc, args[0], ct);
          Value m = convertScalar(nb, nloc, args[1], ct);
          Value bias = convertScalar(nb, nloc, args[3], ct);
          Value y = arith::SubFOp::create(nb, nloc, x, m);
          y = arith::MulFOp::create(nb, nloc, y, args[2]);
          y = arith::AddFOp::create(nb, nloc, y, bias);
          return convertScalar(nb, nloc, y, outType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Normalize each (n, c) instance over the spatial dims.
struct InstanceNormPattern : OpConversionPattern<tg::InstanceNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::InstanceNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    Type ct = computeType(outType.getElementType());
    if (!ct)
      return unsupported(op, "instance_norm needs a float element type");
    int64_t rank = outType.getRank();
    SmallVector<int64_t> axes;
    for (int64_t i = 2; i < rank; ++i)
      axes.push_back(i);
    Value x = convertTensor(rewriter, loc, adaptor.getInput(), ct);
    Stats s =
        normalize(rewriter, loc, x, axes, op.getEpsilon().convertToDouble());
    rewriter.replaceOp(
        op, scaleAndShift(rewriter, loc, outType, s.centered, s.invStd,
                          perChannel(rewriter, loc, adaptor.getScale(), rank),
                          perChannel(rewriter, loc, adaptor.getBias(), rank)));
    return success();
  }
};

/// Normalize over dims [axis, rank); scale/bias broadcast numpy-style.
struct LayerNormPattern : OpConversionPattern<tg::LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    Type elem = outType.getElementType();
    Type ct = computeType(elem);
    if (!ct ||
        !isa<FloatType>(tensorType(adaptor.getScale()).getElementType()) ||
        (adaptor.getBias() &&
         !isa<FloatType>(tensorType(adaptor.getBias()).getElementType())))
      return unsupported(op, "layer_norm needs float operands");
    SmallVector<int64_t> axes;
    for (int64_t i = op.getAxis(); i < outType.getRank(); ++i)
      axes.push_back(i);
    Value x = convertTensor(rewriter, loc, adaptor.getInput(), ct);
    Stats s =
        normalize(rewriter, loc, x, axes, op.getEpsilon().convertToDouble());
    Value y = scaleAndShift(rewriter, loc, outType, s.centered, s.invStd,
                            adaptor.getScale(), adaptor.getBias());
    rewriter.replaceOp(op, {y, convertTensor(rewriter, loc, s.mean, elem),
                            convertTensor(rewriter, loc, s.invStd, elem)});
    return success();
  }
};

} // namespace

void tdc::populateNormalizationLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormPattern, InstanceNormPattern, LayerNormPattern>(
      patterns.getContext());
}
