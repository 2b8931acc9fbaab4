//===- ShapeLowering.cpp - tg data-movement ops -> linalg/tensor ----------===//
//
// Reshapes become collapse/expand_shape, slices extract_slice (or a
// linalg.generic with a strided affine map for negative steps), concat is a
// chain of insert_slice, and the ops that need data-dependent or modular
// addressing (gather, reflect/edge pad) are linalg.generic ops that read the
// input with tensor.extract at computed indices. Everything is static.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

RankedTensorType resultTypeOf(Operation *op, unsigned i = 0) {
  return cast<RankedTensorType>(op->getResult(i).getType());
}

bool isEmpty(RankedTensorType t) { return t.getNumElements() == 0; }

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> v) {
  return getAsIndexOpFoldResult(b.getContext(), v);
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// linalg.generic producing `type` with no inputs; `body` gets the output
/// iteration indices and returns the element.
Value indexedGeneric(
    OpBuilder &b, Location loc, RankedTensorType type,
    const std::function<Value(OpBuilder &, Location, ValueRange)> &body,
    ValueRange inputs = {}, ArrayRef<AffineMap> inputMaps = {}) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iters(type.getRank(),
                                         utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, type);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> idx;
        for (int64_t d = 0; d < type.getRank(); ++d)
          idx.push_back(linalg::IndexOp::create(nb, nloc, d));
        SmallVector<Value> all(idx);
        ValueRange ins = args.drop_back();
        all.append(ins.begin(), ins.end());
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, all));
      });
  return generic.getResult(0);
}

/// Index value of an integer index element, wrapped when negative
/// (i + dim) and clamped into [0, dim) so that a bad index never reads
/// out of bounds.
Value wrapIndex(OpBuilder &b, Location loc, Value i, int64_t dim) {
  Value idx = arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  Value zero = indexConst(b, loc, 0);
  Value neg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, idx, zero);
  Value wrapped = arith::AddIOp::create(b, loc, idx, indexConst(b, loc, dim));
  idx = arith::SelectOp::create(b, loc, neg, wrapped, idx);
  idx = arith::MaxSIOp::create(b, loc, idx, zero);
  return arith::MinSIOp::create(b, loc, idx, indexConst(b, loc, dim - 1));
}

struct ReshapePattern : OpConversionPattern<tg::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     resultTypeOf(op).getShape()));
    return success();
  }
};

struct TransposePattern : OpConversionPattern<tg::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = resultTypeOf(op);
    Location loc = op.getLoc();
    Value init = emptyTensor(rewriter, loc, type);
    if (isEmpty(type)) {
      rewriter.replaceOp(op, init);
      return success();
    }
    auto t = linalg::TransposeOp::create(rewriter, loc, adaptor.getInput(),
                                         init, op.getPerm());
    rewriter.replaceOp(op, t->getResult(0));
    return success();
  }
};

struct ConcatPattern : OpConversionPattern<tg::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = resultTypeOf(op);
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    Value acc = emptyTensor(rewriter, loc, type);
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (Value in : adaptor.getInputs()) {
      auto inType = cast<RankedTensorType>(in.getType());
      if (!isEmpty(inType))
        acc = tensor::InsertSliceOp::create(
            rewriter, loc, in, acc, indexAttrs(rewriter, offsets),
            indexAttrs(rewriter, inType.getShape()),
            indexAttrs(rewriter, strides));
      offsets[axis] += inType.getDimSize(axis);
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
};

/// Strided slice; negative steps read through an affine map
/// (start + i * step) in a linalg.generic.
Value sliceValue(OpBuilder &b, Location loc, Value input, RankedTensorType type,
                 ArrayRef<int64_t> starts, ArrayRef<int64_t> sizes,
                 ArrayRef<int64_t> steps) {
  if (isEmpty(type))
    return emptyTensor(b, loc, type);
  auto inType = cast<RankedTensorType>(input.getType());
  bool unitSteps = llvm::all_of(steps, [](int64_t s) { return s == 1; });
  if (inType == type && unitSteps)
    return input;
  if (llvm::all_of(steps, [](int64_t s) { return s > 0; }))
    return tensor::ExtractSliceOp::create(
        b, loc, type, input, indexAttrs(b, starts), indexAttrs(b, sizes),
        indexAttrs(b, steps));
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> exprs;
  for (size_t d = 0; d < starts.size(); ++d)
    exprs.push_back(getAffineDimExpr(d, ctx) * steps[d] + starts[d]);
  AffineMap map = AffineMap::get(starts.size(), 0, exprs, ctx);
  return indexedGeneric(
      b, loc, type,
      [](OpBuilder &, Location, ValueRange args) { return args.back(); }, input,
      map);
}

struct SlicePattern : OpConversionPattern<tg::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, sliceValue(rewriter, op.getLoc(), adaptor.getInput(),
                                      resultTypeOf(op), op.getStarts(),
                                      op.getSizes(), op.getSteps()));
    return success();
  }
};

struct SplitPattern : OpConversionPattern<tg::SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t axis = op.getAxis();
    SmallVector<int64_t> starts(inType.getRank(), 0);
    SmallVector<int64_t> steps(inType.getRank(), 1);
    SmallVector<Value> results;
    for (unsigned i = 0; i < op->getNumResults(); ++i) {
      auto type = resultTypeOf(op, i);
      results.push_back(sliceValue(rewriter, op.getLoc(), adaptor.getInput(),
                                   type, starts, type.getShape(), steps));
      starts[axis] += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct GatherPattern : OpConversionPattern<tg::GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = resultTypeOf(op);
    Location loc = op.getLoc();
    if (isEmpty(type)) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type));
      return success();
    }
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t axis = op.getAxis();
    int64_t ir = cast<RankedTensorType>(indices.getType()).getRank();
    int64_t dim = inType.getDimSize(axis);
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t d = 0; d < ir; ++d)
      idxExprs.push_back(getAffineDimExpr(axis + d, ctx));
    AffineMap idxMap = AffineMap::get(type.getRank(), 0, idxExprs, ctx);
    Value result = indexedGeneric(
        rewriter, loc, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          ValueRange outIdx = args.take_front(type.getRank());
          SmallVector<Value> at(outIdx.take_front(axis));
          at.push_back(wrapIndex(b, l, args.back(), dim));
          for (int64_t d = axis + ir; d < type.getRank(); ++d)
            at.push_back(outIdx[d]);
          return tensor::ExtractOp::create(b, l, input, at);
        },
        indices, idxMap);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherElementsPattern : OpConversionPattern<tg::GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = resultTypeOf(op);
    Location loc = op.getLoc();
    if (isEmpty(type)) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type));
      return success();
    }
    Value input = adaptor.getInput();
    int64_t axis = op.getAxis();
    int64_t dim = cast<RankedTensorType>(input.getType()).getDimSize(axis);
    Value result = indexedGeneric(
        rewriter, loc, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> at(args.take_front(type.getRank()));
          at[axis] = wrapIndex(b, l, args.back(), dim);
          return tensor::ExtractOp::create(b, l, input, at);
        },
        adaptor.getIndices(), rewriter.getMultiDimIdentityMap(type.getRank()));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Source index for reflect/edge padding: `j` is the output index minus the
/// begin pad (any integer); maps it into [0, dim).
Value padSourceIndex(OpBuilder &b, Location loc, Value j, int64_t dim,
                     bool reflect) {
  Value zero = indexConst(b, loc, 0);
  Value last = indexConst(b, loc, dim - 1);
  if (!reflect || dim == 1) {
    j = arith::MaxSIOp::create(b, loc, j, zero);
    return arith::MinSIOp::create(b, loc, j, last);
  }
  // numpy "reflect": period 2 * (dim - 1), mirrored in its second half.
  int64_t period = 2 * (dim - 1);
  Value p = indexConst(b, loc, period);
  Value r = arith::RemSIOp::create(b, loc, j, p);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
  r = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, r, p),
                              r);
  Value hi = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, r, last);
  return arith::SelectOp::create(b, loc, hi,
                                 arith::SubIOp::create(b, loc, p, r), r);
}

struct PadPattern : OpConversionPattern<tg::PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = resultTypeOf(op);
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t rank = inType.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    StringRef mode = op.getMode();
    if (isEmpty(type)) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type));
      return success();
    }
    if (mode == "constant") {
      // Crop the negative pads, then insert into a filled tensor.
      SmallVector<int64_t> starts(rank), sizes(rank), steps(rank, 1),
          offsets(rank);
      for (int64_t d = 0; d < rank; ++d) {
        int64_t lo = pads[d], hi = pads[rank + d];
        starts[d] = std::max<int64_t>(-lo, 0);
        sizes[d] = inType.getDimSize(d) - starts[d] - std::max<int64_t>(-hi, 0);
        offsets[d] = std::max<int64_t>(lo, 0);
      }
      auto cropType = RankedTensorType::get(sizes, inType.getElementType());
      Value cropped =
          sliceValue(rewriter, loc, input, cropType, starts, sizes, steps);
      Value fill = scalar(rewriter, loc, type.getElementType(),
                          op.getValue().convertToDouble());
      Value acc = filledTensor(rewriter, loc, type, fill);
      if (!isEmpty(cropType))
        acc = tensor::InsertSliceOp::create(
            rewriter, loc, cropped, acc, indexAttrs(rewriter, offsets),
            indexAttrs(rewriter, sizes), indexAttrs(rewriter, steps));
      rewriter.replaceOp(op, acc);
      return success();
    }
    if (mode != "reflect" && mode != "edge")
      return unsupported(op, "pad mode '" + mode + "' is not supported");
    for (int64_t d = 0; d < rank; ++d)
      if (inType.getDimSize(d) == 0)
        return unsupported(op, "cannot " + mode + "-pad an empty dim");
    bool reflect = mode == "reflect";
    Value result = indexedGeneric(
        rewriter, loc, type,
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            Value j = idx[d];
            if (pads[d] != 0)
              j = arith::SubIOp::create(b, l, j, indexConst(b, l, pads[d]));
            int64_t dim = inType.getDimSize(d);
            // Dims that are only cropped or untouched need no clamping.
            if (pads[d] > 0 || pads[rank + d] > 0)
              j = padSourceIndex(b, l, j, dim, reflect);
            at.push_back(j);
          }
          return tensor::ExtractOp::create(b, l, input, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandPattern : OpConversionPattern<tg::ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = resultTypeOf(op);
    Location loc = op.getLoc();
    if (isEmpty(type)) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type));
      return success();
    }
    if (adaptor.getInput().getType() == type) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    rewriter.replaceOp(op,
                       elementwise(rewriter, loc, type, adaptor.getInput(),
                                   [](OpBuilder &, Location, ValueRange args) {
                                     return args[0];
                                   }));
    return success();
  }
};

/// Tile: broadcast the input to [r0, d0, r1, d1, ...] and collapse pairs.
struct TilePattern : OpConversionPattern<tg::TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = resultTypeOf(op);
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    if (isEmpty(type)) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type));
      return success();
    }
    if (inType == type) {
      rewriter.replaceOp(op, input);
      return success();
    }
    int64_t rank = inType.getRank();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<int64_t> wide;
    SmallVector<AffineExpr> exprs;
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < rank; ++d) {
      wide.push_back(op.getRepeats()[d]);
      wide.push_back(inType.getDimSize(d));
      exprs.push_back(getAffineDimExpr(2 * d + 1, ctx));
      groups.push_back({2 * d, 2 * d + 1});
    }
    auto wideType = RankedTensorType::get(wide, inType.getElementType());
    AffineMap map = AffineMap::get(2 * rank, 0, exprs, ctx);
    Value w = indexedGeneric(
        rewriter, loc, wideType,
        [](OpBuilder &, Location, ValueRange args) { return args.back(); },
        input, map);
    rewriter.replaceOp(
        op, tensor::CollapseShapeOp::create(rewriter, loc, type, w, groups));
    return success();
  }
};

} // namespace

void tdc::populateShapeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapePattern, TransposePattern, ConcatPattern, SlicePattern,
               SplitPattern, GatherPattern, GatherElementsPattern, PadPattern,
               ExpandPattern, TilePattern>(patterns.getContext());
}
