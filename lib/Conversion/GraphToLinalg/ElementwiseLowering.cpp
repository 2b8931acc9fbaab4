//===- ElementwiseLowering.cpp - tg elementwise ops -> linalg.generic
//------===//
//
// Every elementwise op (unary, binary with numpy broadcasting, where, cast)
// becomes one linalg.generic whose body is built from the op's scalar
// semantics; broadcasting lives in the indexing maps.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

bool isF(Value v) { return isa<FloatType>(v.getType()); }
// Unsigned integers keep their ui<N> type through this conversion (see
// ConvertGraphToLinalg.cpp); the scalar ops chosen here carry the signedness.
bool isU(Value v) { return v.getType().isUnsignedInteger(); }
Value cst(OpBuilder &b, Location l, Value like, double v) {
  return scalar(b, l, like.getType(), v);
}
Value fcmp(OpBuilder &b, Location l, arith::CmpFPredicate p, Value x, Value y) {
  return arith::CmpFOp::create(b, l, p, x, y);
}
Value sel(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}
Value mulf(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}
Value addf(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
Value subf(OpBuilder &b, Location l, Value x, Value y) {
  return arith::SubFOp::create(b, l, x, y);
}
Value divf(OpBuilder &b, Location l, Value x, Value y) {
  return arith::DivFOp::create(b, l, x, y);
}
Value expf(OpBuilder &b, Location l, Value x) {
  return math::ExpOp::create(b, l, x);
}
double attrF(Attribute a) { return cast<FloatAttr>(a).getValueAsDouble(); }

/// Scalar semantics of an op: (builder, loc, op, scalar args) -> result, or
/// null when the element type is not supported.
template <typename OpTy>
using ScalarFn = Value (*)(OpBuilder &, Location, OpTy, ValueRange);

template <typename OpTy> struct ElementwisePattern : OpConversionPattern<OpTy> {
  ElementwisePattern(MLIRContext *ctx, ScalarFn<OpTy> fn)
      : OpConversionPattern<OpTy>(ctx), fn(fn) {}
  ScalarFn<OpTy> fn;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    bool ok = true;
    Value result =
        elementwise(rewriter, op.getLoc(), resultType, adaptor.getOperands(),
                    [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
                      Value v = fn(b, loc, op, args);
                      if (!v) {
                        ok = false;
                        return args[0];
                      }
                      return v;
                    });
    if (!ok) {
      // Drop the half-built generic and name the type we cannot handle.
      rewriter.eraseOp(result.getDefiningOp());
      return unsupported(op, "element type is not supported by this op");
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename OpTy> void add(RewritePatternSet &p, ScalarFn<OpTy> fn) {
  p.add<ElementwisePattern<OpTy>>(p.getContext(), fn);
}

// Float-only unary math op.
template <typename OpTy, typename MathOp> void addMath(RewritePatternSet &p) {
  add<OpTy>(p, [](OpBuilder &b, Location l, OpTy, ValueRange a) -> Value {
    if (!isF(a[0]))
      return {};
    return MathOp::create(b, l, a[0]);
  });
}

// Binary op with a float and an integer form.
template <typename OpTy, typename FOp, typename IOp>
void addArith(RewritePatternSet &p) {
  add<OpTy>(p, [](OpBuilder &b, Location l, OpTy, ValueRange a) -> Value {
    if (isF(a[0]))
      return FOp::create(b, l, a[0], a[1]);
    return IOp::create(b, l, a[0], a[1]);
  });
}

#define TDC_CMP(OP, FP, IP, UP)                                                \
  add<tg::OP>(p, [](OpBuilder &b, Location l, tg::OP, ValueRange a) -> Value { \
    if (isF(a[0]))                                                             \
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::FP, a[0],       \
                                   a[1]);                                      \
    return arith::CmpIOp::create(                                              \
        b, l, isU(a[0]) ? arith::CmpIPredicate::UP : arith::CmpIPredicate::IP, \
        a[0], a[1]);                                                           \
  })

/// Identity: forward the operand.
struct IdentityPattern : OpConversionPattern<tg::IdentityOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::IdentityOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// Constants become arith.constant (dense resources stay resources).
struct ConstantPattern : OpConversionPattern<tg::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

} // namespace

void tdc::populateElementwiseLoweringPatterns(RewritePatternSet &p) {
  MLIRContext *ctx = p.getContext();
  p.add<IdentityPattern, ConstantPattern>(ctx);

  addMath<tg::SqrtOp, math::SqrtOp>(p);
  addMath<tg::ExpOp, math::ExpOp>(p);
  addMath<tg::LogOp, math::LogOp>(p);
  addMath<tg::ErfOp, math::ErfOp>(p);
  addMath<tg::TanhOp, math::TanhOp>(p);
  addMath<tg::FloorOp, math::FloorOp>(p);
  addMath<tg::CeilOp, math::CeilOp>(p);
  addMath<tg::RoundOp, math::RoundEvenOp>(p);
  addMath<tg::SinOp, math::SinOp>(p);
  addMath<tg::CosOp, math::CosOp>(p);
  addMath<tg::TanOp, math::TanOp>(p);
  addMath<tg::AsinOp, math::AsinOp>(p);
  addMath<tg::AcosOp, math::AcosOp>(p);
  addMath<tg::AtanOp, math::AtanOp>(p);
  addMath<tg::SinhOp, math::SinhOp>(p);
  addMath<tg::CoshOp, math::CoshOp>(p);
  addMath<tg::AsinhOp, math::AsinhOp>(p);
  addMath<tg::AcoshOp, math::AcoshOp>(p);
  addMath<tg::AtanhOp, math::AtanhOp>(p);

  add<tg::NegOp>(p, [](OpBuilder &b, Location l, tg::NegOp, ValueRange a) {
    if (isF(a[0]))
      return (Value)arith::NegFOp::create(b, l, a[0]);
    return (Value)arith::SubIOp::create(b, l, cst(b, l, a[0], 0), a[0]);
  });
  add<tg::AbsOp>(p, [](OpBuilder &b, Location l, tg::AbsOp, ValueRange a) {
    if (isF(a[0]))
      return (Value)math::AbsFOp::create(b, l, a[0]);
    if (isU(a[0]))
      return a[0];
    return (Value)math::AbsIOp::create(b, l, a[0]);
  });
  add<tg::SignOp>(p, [](OpBuilder &b, Location l, tg::SignOp, ValueRange a) {
    Value x = a[0], zero = cst(b, l, x, 0), one = cst(b, l, x, 1);
    if (isU(x))
      return sel(b, l,
                 arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, x, zero),
                 one, zero);
    Value mone = cst(b, l, x, -1);
    Value pos, neg;
    if (isF(x)) {
      pos = fcmp(b, l, arith::CmpFPredicate::OGT, x, zero);
      neg = fcmp(b, l, arith::CmpFPredicate::OLT, x, zero);
    } else {
      pos = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, x, zero);
      neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, x, zero);
    }
    return sel(b, l, pos, one, sel(b, l, neg, mone, zero));
  });
  add<tg::ReciprocalOp>(
      p, [](OpBuilder &b, Location l, tg::ReciprocalOp, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        return divf(b, l, cst(b, l, a[0], 1), a[0]);
      });
  add<tg::ReluOp>(p, [](OpBuilder &b, Location l, tg::ReluOp, ValueRange a) {
    return maxScalar(b, l, a[0], cst(b, l, a[0], 0));
  });
  add<tg::SigmoidOp>(
      p, [](OpBuilder &b, Location l, tg::SigmoidOp, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value one = cst(b, l, a[0], 1);
        Value e = expf(b, l, arith::NegFOp::create(b, l, a[0]));
        return divf(b, l, one, addf(b, l, one, e));
      });
  add<tg::SoftplusOp>(
      p, [](OpBuilder &b, Location l, tg::SoftplusOp, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        return math::Log1pOp::create(b, l, expf(b, l, a[0]));
      });
  add<tg::SoftsignOp>(
      p, [](OpBuilder &b, Location l, tg::SoftsignOp, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value den =
            addf(b, l, cst(b, l, a[0], 1), math::AbsFOp::create(b, l, a[0]));
        return divf(b, l, a[0], den);
      });
  add<tg::NotOp>(p, [](OpBuilder &b, Location l, tg::NotOp, ValueRange a) {
    return (Value)arith::XOrIOp::create(b, l, a[0], cst(b, l, a[0], 1));
  });
  add<tg::HardSwishOp>(
      p, [](OpBuilder &b, Location l, tg::HardSwishOp, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value x = a[0];
        Value hs =
            addf(b, l, mulf(b, l, x, cst(b, l, x, 1.0 / 6)), cst(b, l, x, 0.5));
        hs = minScalar(b, l, maxScalar(b, l, hs, cst(b, l, x, 0)),
                       cst(b, l, x, 1));
        return mulf(b, l, x, hs);
      });
  add<tg::LeakyReluOp>(
      p,
      [](OpBuilder &b, Location l, tg::LeakyReluOp op, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value x = a[0];
        Value neg = fcmp(b, l, arith::CmpFPredicate::OLT, x, cst(b, l, x, 0));
        return sel(b, l, neg,
                   mulf(b, l, x, cst(b, l, x, attrF(op.getAlphaAttr()))), x);
      });
  add<tg::EluOp>(
      p, [](OpBuilder &b, Location l, tg::EluOp op, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value x = a[0];
        Value neg = fcmp(b, l, arith::CmpFPredicate::OLT, x, cst(b, l, x, 0));
        Value em1 = subf(b, l, expf(b, l, x), cst(b, l, x, 1));
        return sel(b, l, neg,
                   mulf(b, l, em1, cst(b, l, x, attrF(op.getAlphaAttr()))), x);
      });
  add<tg::CeluOp>(
      p, [](OpBuilder &b, Location l, tg::CeluOp op, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value x = a[0], alpha = cst(b, l, x, attrF(op.getAlphaAttr()));
        Value zero = cst(b, l, x, 0);
        Value e = subf(b, l, expf(b, l, divf(b, l, x, alpha)), cst(b, l, x, 1));
        return addf(b, l, maxScalar(b, l, x, zero),
                    minScalar(b, l, zero, mulf(b, l, alpha, e)));
      });
  add<tg::SeluOp>(
      p, [](OpBuilder &b, Location l, tg::SeluOp op, ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value x = a[0], alpha = cst(b, l, x, attrF(op.getAlphaAttr())),
              gamma = cst(b, l, x, attrF(op.getGammaAttr()));
        Value pos = fcmp(b, l, arith::CmpFPredicate::OGT, x, cst(b, l, x, 0));
        Value negv = subf(b, l, mulf(b, l, alpha, expf(b, l, x)), alpha);
        return mulf(b, l, gamma, sel(b, l, pos, x, negv));
      });
  add<tg::ThresholdedReluOp>(
      p,
      [](OpBuilder &b, Location l, tg::ThresholdedReluOp op,
         ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value x = a[0];
        Value gt = fcmp(b, l, arith::CmpFPredicate::OGT, x,
                        cst(b, l, x, attrF(op.getAlphaAttr())));
        return sel(b, l, gt, x, cst(b, l, x, 0));
      });
  add<tg::HardSigmoidOp>(
      p,
      [](OpBuilder &b, Location l, tg::HardSigmoidOp op,
         ValueRange a) -> Value {
        if (!isF(a[0]))
          return {};
        Value x = a[0];
        Value v =
            addf(b, l, mulf(b, l, x, cst(b, l, x, attrF(op.getAlphaAttr()))),
                 cst(b, l, x, attrF(op.getBetaAttr())));
        return minScalar(b, l, maxScalar(b, l, v, cst(b, l, x, 0)),
                         cst(b, l, x, 1));
      });
  add<tg::ShrinkOp>(
      p, [](OpBuilder &b, Location l, tg::ShrinkOp op, ValueRange a) -> Value {
        Value x = a[0];
        bool f = isF(x);
        double lambd = attrF(op.getLambdAttr()), bias = attrF(op.getBiasAttr());
        Value lo = isU(x) ? Value() : cst(b, l, x, -lambd),
              hi = cst(b, l, x, lambd), bs = cst(b, l, x, bias),
              zero = cst(b, l, x, 0);
        Value below, above, plus, minus;
        if (f) {
          below = fcmp(b, l, arith::CmpFPredicate::OLT, x, lo);
          above = fcmp(b, l, arith::CmpFPredicate::OGT, x, hi);
          plus = addf(b, l, x, bs);
          minus = subf(b, l, x, bs);
        } else if (isU(x)) {
          if (lambd < 0)
            return {};
          below = scalar(b, l, b.getI1Type(), 0); // x < -lambd <= 0 never holds
          above = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ugt, x, hi);
          plus = arith::AddIOp::create(b, l, x, bs);
          minus = arith::SubIOp::create(b, l, x, bs);
        } else {
          below = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, x, lo);
          above = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, x, hi);
          plus = arith::AddIOp::create(b, l, x, bs);
          minus = arith::SubIOp::create(b, l, x, bs);
        }
        return sel(b, l, below, plus, sel(b, l, above, minus, zero));
      });
  add<tg::ClipOp>(
      p, [](OpBuilder &b, Location l, tg::ClipOp op, ValueRange a) -> Value {
        Value x = a[0];
        if (auto mn = op.getMinAttr())
          x = maxScalar(b, l, x, cst(b, l, x, mn.getValueAsDouble()));
        if (auto mx = op.getMaxAttr())
          x = minScalar(b, l, x, cst(b, l, x, mx.getValueAsDouble()));
        return x;
      });

  addArith<tg::AddOp, arith::AddFOp, arith::AddIOp>(p);
  addArith<tg::SubOp, arith::SubFOp, arith::SubIOp>(p);
  addArith<tg::MulOp, arith::MulFOp, arith::MulIOp>(p);
  add<tg::DivOp>(p, [](OpBuilder &b, Location l, tg::DivOp, ValueRange a) {
    if (isF(a[0]))
      return (Value)arith::DivFOp::create(b, l, a[0], a[1]);
    if (isU(a[0]))
      return (Value)arith::DivUIOp::create(b, l, a[0], a[1]);
    return (Value)arith::DivSIOp::create(b, l, a[0], a[1]);
  });
  addArith<tg::AndOp, arith::AndIOp, arith::AndIOp>(p);
  addArith<tg::OrOp, arith::OrIOp, arith::OrIOp>(p);
  addArith<tg::XorOp, arith::XOrIOp, arith::XOrIOp>(p);
  add<tg::MaxOp>(p, [](OpBuilder &b, Location l, tg::MaxOp, ValueRange a) {
    return maxScalar(b, l, a[0], a[1]);
  });
  add<tg::MinOp>(p, [](OpBuilder &b, Location l, tg::MinOp, ValueRange a) {
    return minScalar(b, l, a[0], a[1]);
  });
  add<tg::PowOp>(
      p, [](OpBuilder &b, Location l, tg::PowOp, ValueRange a) -> Value {
        Value x = a[0], y = a[1];
        if (isF(x)) {
          if (!isF(y))
            y = convertScalar(b, l, y, x.getType());
          return math::PowFOp::create(b, l, x, y);
        }
        if (isF(y)) // integer base, float exponent: compute in float.
          return convertScalar(
              b, l,
              math::PowFOp::create(b, l, convertScalar(b, l, x, y.getType()),
                                   y),
              x.getType());
        return math::IPowIOp::create(b, l, x,
                                     convertScalar(b, l, y, x.getType()));
      });
  add<tg::PreluOp>(
      p, [](OpBuilder &b, Location l, tg::PreluOp, ValueRange a) -> Value {
        Value x = a[0];
        if (!isF(x))
          return {};
        Value neg = fcmp(b, l, arith::CmpFPredicate::OLT, x, cst(b, l, x, 0));
        return sel(b, l, neg, mulf(b, l, x, a[1]), x);
      });
  add<tg::ModOp>(
      p, [](OpBuilder &b, Location l, tg::ModOp op, ValueRange a) -> Value {
        Value x = a[0], y = a[1];
        if (isF(x))
          return arith::RemFOp::create(b, l, x, y); // fmod
        if (isU(x)) // both definitions agree without signs
          return arith::RemUIOp::create(b, l, x, y);
        Value r = arith::RemSIOp::create(b, l, x, y);
        if (op.getFmod())
          return r;
        // Python-style: the result takes the divisor's sign.
        Value zero = cst(b, l, x, 0);
        Value rNonZero =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r, zero);
        Value rNeg =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, zero);
        Value yNeg =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, y, zero);
        Value differ = arith::XOrIOp::create(b, l, rNeg, yNeg);
        Value fix = arith::AndIOp::create(b, l, rNonZero, differ);
        return sel(b, l, fix, arith::AddIOp::create(b, l, r, y), r);
      });

  TDC_CMP(EqualOp, OEQ, eq, eq);
  TDC_CMP(LessOp, OLT, slt, ult);
  TDC_CMP(GreaterOp, OGT, sgt, ugt);
  TDC_CMP(LessOrEqualOp, OLE, sle, ule);
  TDC_CMP(GreaterOrEqualOp, OGE, sge, uge);

  // ONNX BitShift is defined for unsigned types only; shifting by the bit
  // width or more gives 0 (numpy), where LLVM shifts would be poison.
  add<tg::BitshiftLeftOp>(
      p,
      [](OpBuilder &b, Location l, tg::BitshiftLeftOp, ValueRange a) -> Value {
        if (!isU(a[0]) || a[0].getType() != a[1].getType())
          return {};
        Value big = arith::CmpIOp::create(
            b, l, arith::CmpIPredicate::uge, a[1],
            cst(b, l, a[1], a[1].getType().getIntOrFloatBitWidth()));
        return sel(b, l, big, cst(b, l, a[0], 0),
                   arith::ShLIOp::create(b, l, a[0], a[1]));
      });
  add<tg::BitshiftRightOp>(
      p,
      [](OpBuilder &b, Location l, tg::BitshiftRightOp, ValueRange a) -> Value {
        if (!isU(a[0]) || a[0].getType() != a[1].getType())
          return {};
        Value big = arith::CmpIOp::create(
            b, l, arith::CmpIPredicate::uge, a[1],
            cst(b, l, a[1], a[1].getType().getIntOrFloatBitWidth()));
        return sel(b, l, big, cst(b, l, a[0], 0),
                   arith::ShRUIOp::create(b, l, a[0], a[1]));
      });

  add<tg::WhereOp>(p, [](OpBuilder &b, Location l, tg::WhereOp, ValueRange a) {
    return sel(b, l, a[0], a[1], a[2]);
  });
  add<tg::CastOp>(p, [](OpBuilder &b, Location l, tg::CastOp op, ValueRange a) {
    return convertScalar(b, l, a[0], op.getTo());
  });
}
