//===- LoweringUtils.cpp - helpers of the tg -> linalg patterns -----------===//
//
// Helpers shared by the tg -> linalg pattern files: tensor construction,
// elementwise and reduction generics, scalar arithmetic and conversions,
// reshapes and the spatial padding and permuted copies of the convolution
// and pooling lowerings.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace tdc::lowering {

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value) {
  Value empty = emptyTensor(b, loc, type);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                       ArrayRef<int64_t> outShape) {
  size_t rank = outShape.size();
  size_t lead = rank - shape.size();
  SmallVector<AffineExpr> exprs;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1 && outShape[lead + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(lead + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, const BodyBuilder &body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(ctx,
                                cast<RankedTensorType>(in.getType()).getShape(),
                                resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iters(resultType.getRank(),
                                         utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, resultType);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value r = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
}

Value scalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  if (type.isInteger(1))
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(value != 0));
  if (type.isUnsignedInteger() && value >= 0)
    return arith::ConstantOp::create(
        b, loc,
        b.getIntegerAttr(type, APInt(type.getIntOrFloatBitWidth(),
                                     (uint64_t)value, /*isSigned=*/false,
                                     /*implicitTrunc=*/true)));
  return arith::ConstantOp::create(b, loc,
                                   b.getIntegerAttr(type, (int64_t)value));
}

Value convertScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth()
               ? arith::ExtFOp::create(b, loc, to, v).getResult()
               : arith::TruncFOp::create(b, loc, to, v).getResult();
  if (to.isInteger(1)) {
    Value zero = scalar(b, loc, from, 0);
    if (fromF)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, zero);
  }
  // Signedness follows numpy: the source decides sign vs zero extension
  // (and int -> float), the destination decides float -> int.
  bool fromU = from.isInteger(1) || from.isUnsignedInteger();
  if (fromF)
    return to.isUnsignedInteger()
               ? arith::FPToUIOp::create(b, loc, to, v).getResult()
               : arith::FPToSIOp::create(b, loc, to, v).getResult();
  if (toF)
    return fromU ? arith::UIToFPOp::create(b, loc, to, v).getResult()
                 : arith::SIToFPOp::create(b, loc, to, v).getResult();
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return fromU ? arith::ExtUIOp::create(b, loc, to, v).getResult()
                 : arith::ExtSIOp::create(b, loc, to, v).getResult();
  if (fw == tw) // same width, other signedness: the bits are kept.
    return arith::BitcastOp::create(b, loc, to, v);
  return arith::TruncIOp::create(b, loc, to, v);
}

Value lowestValue(OpBuilder &b, Location loc, Type t) {
  if (auto ft = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), true)));
  unsigned w = t.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(t, w == 1 || t.isUnsignedInteger()
                              ? APInt::getZero(w)
                              : APInt::getSignedMinValue(w)));
}

Value highestValue(OpBuilder &b, Location loc, Type t) {
  if (auto ft = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), false)));
  unsigned w = t.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(t, w == 1 || t.isUnsignedInteger()
                              ? APInt::getMaxValue(w)
                              : APInt::getSignedMaxValue(w)));
}

Value maxScalar(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y); // propagates NaN
  if (x.getType().isInteger(1))
    return arith::OrIOp::create(b, loc, x, y);
  if (x.getType().isUnsignedInteger())
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value minScalar(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  if (x.getType().isInteger(1))
    return arith::AndIOp::create(b, loc, x, y);
  if (x.getType().isUnsignedInteger())
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

Value reduce(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
    RankedTensorType resultType, Value init,
    const std::function<Value(OpBuilder &, Location, Value, Value)> &combine) {
  auto inType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> kept;
  for (int64_t i = 0; i < inType.getRank(); ++i)
    if (!llvm::is_contained(axes, i))
      kept.push_back(inType.getDimSize(i));
  auto accType = RankedTensorType::get(kept, inType.getElementType());
  Value acc = filledTensor(b, loc, accType, init);
  auto red = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{acc}, axes,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args[0], args[1]));
      });
  return reshapeTo(b, loc, red.getResult(0), resultType.getShape());
}

Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  auto outType = RankedTensorType::get(shape, type.getElementType());
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  if (n == 0)
    return emptyTensor(b, loc, outType);
  // Collapse to 1-D (or expand a scalar), then expand to the target.
  Value flat = v;
  auto flatType = RankedTensorType::get({n}, type.getElementType());
  if (type.getRank() == 0) {
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, v,
                                         ArrayRef<ReassociationIndices>{});
  } else if (type.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < type.getRank(); ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(b, loc, v,
                                           ArrayRef<ReassociationIndices>{all});
  }
  if (shape.size() == 1)
    return flat;
  if (shape.empty())
    return tensor::CollapseShapeOp::create(b, loc, outType, flat,
                                           ArrayRef<ReassociationIndices>{});
  ReassociationIndices all;
  for (size_t i = 0; i < shape.size(); ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, outType, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

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
  if (x.getType().isInteger(1))
    return arith::AndIOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}
Value add(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  if (x.getType().isInteger(1))
    return arith::OrIOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

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

Type accumulatorType(Type elem) {
  if (isa<FloatType>(elem) && elem.getIntOrFloatBitWidth() < 32)
    return Float32Type::get(elem.getContext());
  return elem;
}
RankedTensorType withElement(RankedTensorType t, Type elem) {
  return RankedTensorType::get(t.getShape(), elem);
}

Value convertTensor(OpBuilder &b, Location loc, Value v,
                    RankedTensorType resultType) {
  if (elemOf(v) == resultType.getElementType())
    return v;
  return elementwise(
      b, loc, resultType, v, [&](OpBuilder &nb, Location nl, ValueRange a) {
        return convertScalar(nb, nl, a[0], resultType.getElementType());
      });
}

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

LogicalResult unsupported(Operation *op, const Twine &why) {
  return op->emitError() << why;
}

} // namespace tdc::lowering
