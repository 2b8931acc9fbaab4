//===- ReductionLowering.cpp - tg reduction ops -> linalg -----------------===//
//
// Reductions become linalg.generic ops whose iteration space is the input
// shape, with the reduced dims as reduction iterators and the output indexed
// by the kept dims; a per-element prologue (abs, square, exp) and an
// elementwise epilogue (mean, sqrt, log) are fused around the combine.
// ArgMax/ArgMin carry (value, index) pairs with an order-independent
// combine, so ties resolve exactly as select_last_index says. Softmax-like
// ops subtract the max along the axis before exponentiating.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

bool isF(Type t) { return isa<FloatType>(t); }

/// Axes of a reduction with "empty = all dims" resolved.
SmallVector<int64_t> allAxesIfEmpty(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> r(axes);
  if (r.empty())
    for (int64_t i = 0; i < rank; ++i)
      r.push_back(i);
  return r;
}

/// Shape without the reduced dims.
SmallVector<int64_t> keptShape(ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    if (!llvm::is_contained(axes, i))
      kept.push_back(shape[i]);
  return kept;
}

/// Map from the input iteration space to the kept dims.
AffineMap keptMap(MLIRContext *ctx, int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i))
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Body of a multi-accumulator reduction: (input element, elements of the
/// kept-shaped side inputs, accumulators) -> new accumulators.
using ReduceBody = std::function<SmallVector<Value>(
    OpBuilder &, Location, Value, ValueRange, ValueRange)>;

/// linalg.generic reducing `x` over `axes` into tensors of the kept shape,
/// initialized with `inits`. `sides` are kept-shaped tensors read at the
/// output position (e.g. a per-row max).
SmallVector<Value> reduceGeneric(OpBuilder &b, Location loc, Value x,
                                 ArrayRef<int64_t> axes, ValueRange sides,
                                 ArrayRef<Value> inits,
                                 const ReduceBody &body) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> kept = keptShape(xType.getShape(), axes);
  AffineMap outMap = keptMap(ctx, rank, axes);

  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  for (Value s : sides) {
    inputs.push_back(s);
    maps.push_back(outMap);
  }
  SmallVector<Value> outs;
  SmallVector<Type> outTypes;
  for (Value init : inits) {
    auto t = RankedTensorType::get(kept, init.getType());
    outs.push_back(filledTensor(b, loc, t, init));
    outTypes.push_back(t);
    maps.push_back(outMap);
  }
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  for (int64_t a : axes)
    iters[a] = utils::IteratorType::reduction;
  size_t numSides = sides.size();
  auto generic = linalg::GenericOp::create(
      b, loc, outTypes, inputs, outs, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> r = body(nb, nloc, args[0], args.slice(1, numSides),
                                    args.drop_front(1 + numSides));
        linalg::YieldOp::create(nb, nloc, r);
      });
  return SmallVector<Value>(generic.getResults());
}

Value sub(OpBuilder &b, Location l, Value x, Value y) {
  if (isF(x.getType()))
    return arith::SubFOp::create(b, l, x, y);
  return arith::SubIOp::create(b, l, x, y);
}
Value absVal(OpBuilder &b, Location l, Value x) {
  if (isF(x.getType()))
    return math::AbsFOp::create(b, l, x);
  if (x.getType().isInteger(1))
    return x;
  return math::AbsIOp::create(b, l, x);
}

/// x with +-inf replaced by 0: the shift used before exp, so that rows that
/// are all -inf (or contain +inf) do not turn into NaN.
Value finiteShift(OpBuilder &b, Location l, Value m) {
  Value inf = highestValue(b, l, m.getType());
  Value isInf = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                      math::AbsFOp::create(b, l, m), inf);
  return arith::SelectOp::create(b, l, isInf, scalar(b, l, m.getType(), 0), m);
}

enum class Kind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  LogSum,
  LogSumExp,
  SumSquare
};

/// Apply a float-only function to `v`, going through f64 for integers
/// (ONNX reference casts the float result back to the input type).
Value viaFloat(OpBuilder &b, Location l, Value v,
               const std::function<Value(OpBuilder &, Location, Value)> &f) {
  Type t = v.getType();
  if (isF(t))
    return f(b, l, v);
  Value fv = convertScalar(b, l, v, b.getF64Type());
  return convertScalar(b, l, f(b, l, fv), t);
}

template <typename OpTy, Kind K>
struct ReducePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elem = xType.getElementType();
    SmallVector<int64_t> axes = allAxesIfEmpty(op.getAxes(), xType.getRank());
    OpBuilder &b = rewriter;

    if (K == Kind::LogSumExp && !isF(elem))
      return unsupported(op, "reduce_log_sum_exp needs a float element type");

    int64_t count = 1;
    for (int64_t a : axes)
      count *= xType.getDimSize(a);

    Value init;
    switch (K) {
    case Kind::Max:
      init = lowestValue(b, loc, elem);
      break;
    case Kind::Min:
      init = highestValue(b, loc, elem);
      break;
    case Kind::Prod:
      init = scalar(b, loc, elem, 1);
      break;
    default:
      init = scalar(b, loc, elem, 0);
    }

    // LogSumExp: shift by the max so exp cannot overflow.
    SmallVector<Value> sides;
    if (K == Kind::LogSumExp)
      sides.push_back(
          reduceGeneric(b, loc, x, axes, {}, {lowestValue(b, loc, elem)},
                        [](OpBuilder &nb, Location l, Value v, ValueRange,
                           ValueRange acc) -> SmallVector<Value> {
                          return {maxScalar(nb, l, v, acc[0])};
                        })[0]);

    Value acc = reduceGeneric(
        b, loc, x, axes, sides, {init},
        [&](OpBuilder &nb, Location l, Value v, ValueRange side,
            ValueRange accs) -> SmallVector<Value> {
          Value a = accs[0];
          switch (K) {
          case Kind::Max:
            return {maxScalar(nb, l, v, a)};
          case Kind::Min:
            return {minScalar(nb, l, v, a)};
          case Kind::Prod:
            return {mul(nb, l, v, a)};
          case Kind::L1:
            return {add(nb, l, absVal(nb, l, v), a)};
          case Kind::L2:
          case Kind::SumSquare:
            return {add(nb, l, mul(nb, l, v, v), a)};
          case Kind::LogSumExp: {
            Value e = math::ExpOp::create(
                nb, l, sub(nb, l, v, finiteShift(nb, l, side[0])));
            return {add(nb, l, e, a)};
          }
          default:
            return {add(nb, l, v, a)};
          }
        })[0];

    // Epilogue on the kept shape.
    auto keptType = cast<RankedTensorType>(acc.getType());
    switch (K) {
    case Kind::Mean:
      acc = elementwise(b, loc, keptType, {acc},
                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          Value n = scalar(nb, l, elem, (double)count);
                          if (isF(elem))
                            return arith::DivFOp::create(nb, l, a[0], n);
                          if (elem.isInteger(1))
                            return a[0];
                          return arith::DivSIOp::create(nb, l, a[0], n);
                        });
      break;
    case Kind::L2:
      acc = elementwise(b, loc, keptType, {acc},
                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          return viaFloat(
                              nb, l, a[0],
                              [](OpBuilder &fb, Location fl, Value v) -> Value {
                                return math::SqrtOp::create(fb, fl, v);
                              });
                        });
      break;
    case Kind::LogSum:
      acc = elementwise(b, loc, keptType, {acc},
                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          return viaFloat(
                              nb, l, a[0],
                              [](OpBuilder &fb, Location fl, Value v) -> Value {
                                return math::LogOp::create(fb, fl, v);
                              });
                        });
      break;
    case Kind::LogSumExp:
      acc = elementwise(b, loc, keptType, {acc, sides[0]},
                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          Value lg = math::LogOp::create(nb, l, a[0]);
                          return add(nb, l, lg, finiteShift(nb, l, a[1]));
                        });
      break;
    default:
      break;
    }
    rewriter.replaceOp(op, reshapeTo(b, loc, acc, resultType.getShape()));
    return success();
  }
};

/// `v` ranks strictly before `a` for arg-reduction: greater (max) or less
/// (min), with NaN before any number as numpy's argmax/argmin do.
Value argBefore(OpBuilder &b, Location l, Value v, Value a, bool isMax) {
  Type t = v.getType();
  if (isF(t)) {
    Value strict = arith::CmpFOp::create(
        b, l, isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, v,
        a);
    Value vNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
    Value aNum = arith::CmpFOp::create(b, l, arith::CmpFPredicate::ORD, a, a);
    return arith::OrIOp::create(b, l, strict,
                                arith::AndIOp::create(b, l, vNan, aNum));
  }
  bool uns = t.isInteger(1) || t.isUnsignedInteger();
  auto pred =
      isMax ? (uns ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
            : (uns ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
  return arith::CmpIOp::create(b, l, pred, v, a);
}

Value argEqual(OpBuilder &b, Location l, Value v, Value a) {
  if (isF(v.getType())) {
    Value eq = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v, a);
    Value vNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
    Value aNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, a, a);
    Value bothNan = arith::AndIOp::create(b, l, vNan, aNan);
    return arith::OrIOp::create(b, l, eq, bothNan);
  }
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, v, a);
}

/// Index (i64, kept shape) of the max/min of `x` along `axis`. The combine
/// takes a candidate when it is strictly better, or equal with a smaller
/// (first) / larger (last) index, so the result does not depend on the
/// iteration order.
Value argReduce(OpBuilder &b, Location loc, Value x, int64_t axis, bool isMax,
                bool last) {
  Type elem = cast<RankedTensorType>(x.getType()).getElementType();
  Type i64 = b.getI64Type();
  Value initV = isMax ? lowestValue(b, loc, elem) : highestValue(b, loc, elem);
  Value initI = scalar(b, loc, i64, 0);
  return reduceGeneric(
      b, loc, x, {axis}, {}, {initV, initI},
      [&](OpBuilder &nb, Location l, Value v, ValueRange,
          ValueRange acc) -> SmallVector<Value> {
        Value i = arith::IndexCastOp::create(
            nb, l, i64, linalg::IndexOp::create(nb, l, axis));
        Value better = argBefore(nb, l, v, acc[0], isMax);
        Value tieWins = arith::CmpIOp::create(
            nb, l, last ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
            i, acc[1]);
        Value take = arith::OrIOp::create(
            nb, l, better,
            arith::AndIOp::create(nb, l, argEqual(nb, l, v, acc[0]), tieWins));
        return {arith::SelectOp::create(nb, l, take, v, acc[0]),
                arith::SelectOp::create(nb, l, take, i, acc[1])};
      })[1];
}

template <typename OpTy, bool IsMax>
struct ArgReducePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Value idx = argReduce(rewriter, op.getLoc(), adaptor.getInput(),
                          op.getAxis(), IsMax, op.getSelectLastIndex());
    rewriter.replaceOp(
        op, reshapeTo(rewriter, op.getLoc(), idx, resultType.getShape()));
    return success();
  }
};

enum class SoftKind { Softmax, LogSoftmax, Hardmax };

template <typename OpTy, SoftKind K>
struct SoftmaxLikePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    Type elem = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    if (axis < 0 || axis >= rank)
      return unsupported(op, "axis out of range");
    if (K != SoftKind::Hardmax && !isF(elem))
      return unsupported(op, "softmax needs a float element type");

    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap kept = keptMap(ctx, rank, {axis});
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    // Final elementwise pass over x with per-row side values.
    auto finalPass =
        [&](ValueRange rowVals,
            function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
          SmallVector<Value> ins{x};
          SmallVector<AffineMap> maps{id};
          for (Value r : rowVals) {
            ins.push_back(r);
            maps.push_back(kept);
          }
          maps.push_back(id);
          return linalg::GenericOp::create(
                     b, loc, TypeRange{type}, ins,
                     ValueRange{emptyTensor(b, loc, type)}, maps, iters,
                     [&](OpBuilder &nb, Location l, ValueRange args) {
                       linalg::YieldOp::create(nb, l,
                                               fn(nb, l, args.drop_back()));
                     })
              .getResult(0);
        };

    if (K == SoftKind::Hardmax) {
      Value idx = argReduce(b, loc, x, axis, /*isMax=*/true, /*last=*/false);
      Value r = finalPass(
          {idx}, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
            Value i = arith::IndexCastOp::create(
                nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, axis));
            Value hit =
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, i, a[1]);
            return arith::SelectOp::create(nb, l, hit, scalar(nb, l, elem, 1),
                                           scalar(nb, l, elem, 0));
          });
      rewriter.replaceOp(op, r);
      return success();
    }

    Value maxV =
        reduceGeneric(b, loc, x, {axis}, {}, {lowestValue(b, loc, elem)},
                      [](OpBuilder &nb, Location l, Value v, ValueRange,
                         ValueRange acc) -> SmallVector<Value> {
                        return {maxScalar(nb, l, v, acc[0])};
                      })[0];
    Value sum = reduceGeneric(
        b, loc, x, {axis}, {maxV}, {scalar(b, loc, elem, 0)},
        [](OpBuilder &nb, Location l, Value v, ValueRange side,
           ValueRange acc) -> SmallVector<Value> {
          // Reassociable, so that LLVM sums the row in vector lanes rather
          // than one serial chain (a fixed order per target, whatever the
          // thread count).
          Value e = math::ExpOp::create(
              nb, l, arith::SubFOp::create(nb, l, v, side[0]));
          return {arith::AddFOp::create(
              nb, l, e, acc[0],
              arith::FastMathFlagsAttr::get(nb.getContext(),
                                            arith::FastMathFlags::reassoc))};
        })[0];
    Value r = finalPass(
        {maxV, sum}, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
          if (K == SoftKind::LogSoftmax)
            return arith::SubFOp::create(nb, l, d,
                                         math::LogOp::create(nb, l, a[2]));
          return arith::DivFOp::create(nb, l, math::ExpOp::create(nb, l, d),
                                       a[2]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void tdc::populateReductionLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReducePattern<tg::ReduceSumOp, Kind::Sum>,
               ReducePattern<tg::ReduceMeanOp, Kind::Mean>,
               ReducePattern<tg::ReduceMaxOp, Kind::Max>,
               ReducePattern<tg::ReduceMinOp, Kind::Min>,
               ReducePattern<tg::ReduceProdOp, Kind::Prod>,
               ReducePattern<tg::ReduceL1Op, Kind::L1>,
               ReducePattern<tg::ReduceL2Op, Kind::L2>,
               ReducePattern<tg::ReduceLogSumOp, Kind::LogSum>,
               ReducePattern<tg::ReduceLogSumExpOp, Kind::LogSumExp>,
               ReducePattern<tg::ReduceSumSquareOp, Kind::SumSquare>,
               ArgReducePattern<tg::ArgMaxOp, true>,
               ArgReducePattern<tg::ArgMinOp, false>,
               SoftmaxLikePattern<tg::SoftmaxOp, SoftKind::Softmax>,
               SoftmaxLikePattern<tg::LogSoftmaxOp, SoftKind::LogSoftmax>,
               SoftmaxLikePattern<tg::HardmaxOp, SoftKind::Hardmax>>(ctx);
}
