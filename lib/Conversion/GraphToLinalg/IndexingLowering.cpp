//===- IndexingLowering.cpp - top-k, einsum, gather_nd, scatters ----------===//
//
// top_k and einsum are linalg.generic ops; gather_nd is a generic that
// extracts from the data; the scatters are scf.for nests over the updates
// that insert into the data tensor (applied in row-major order, so that with
// duplicate indices the last update wins or all are combined).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

bool isEmpty(RankedTensorType t) { return t.getNumElements() == 0; }

Value indexConst(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

/// An index tensor element (i32 or i64, possibly negative: counts from the
/// end) as an index into a dim of size `dim`.
Value wrapIndex(OpBuilder &b, Location l, Value v, int64_t dim) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), v);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i,
                                    indexConst(b, l, 0));
  return arith::SelectOp::create(
      b, l, neg, arith::AddIOp::create(b, l, i, indexConst(b, l, dim)), i);
}

//===----------------------------------------------------------------------===//
// top_k
//===----------------------------------------------------------------------===//

/// Whether `a` (at index ia) comes before `c` (at index ic) in top-k order:
/// larger (or smaller) first, NaN after every number (as numpy's argsort
/// places it), equal values by lower index. This is a strict total order,
/// so the ranks of a slice are a permutation.
Value before(OpBuilder &b, Location l, Value a, Value ia, Value c, Value ic,
             bool largest) {
  Value lowerIndex =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, ia, ic);
  Type t = a.getType();
  if (isa<FloatType>(t)) {
    Value better = arith::CmpFOp::create(
        b, l, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
        a, c);
    Value aNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, a, a);
    Value cNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, c, c);
    Value eq = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a, c);
    Value same =
        arith::OrIOp::create(b, l, eq, arith::AndIOp::create(b, l, aNan, cNan));
    Value numBeforeNan = arith::AndIOp::create(
        b, l, cNan,
        arith::XOrIOp::create(b, l, aNan, scalar(b, l, b.getI1Type(), 1)));
    return arith::OrIOp::create(
        b, l, arith::OrIOp::create(b, l, better, numBeforeNan),
        arith::AndIOp::create(b, l, same, lowerIndex));
  }
  bool uns = t.isInteger(1) || t.isUnsignedInteger();
  auto pred =
      largest ? (uns ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
              : (uns ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
  Value better = arith::CmpIOp::create(b, l, pred, a, c);
  Value eq = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a, c);
  return arith::OrIOp::create(b, l, better,
                              arith::AndIOp::create(b, l, eq, lowerIndex));
}

/// Maps over `rank + 1` loops: the identity on the first `rank`, or with the
/// `axis` dim replaced by the extra loop.
AffineMap withAxisLoop(MLIRContext *ctx, unsigned rank, int64_t axis,
                       bool replace) {
  SmallVector<AffineExpr> e;
  for (unsigned d = 0; d < rank; ++d)
    e.push_back(
        getAffineDimExpr(replace && (int64_t)d == axis ? rank : d, ctx));
  return AffineMap::get(rank + 1, 0, e, ctx);
}

struct TopKPattern : OpConversionPattern<tg::TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto valType = cast<RankedTensorType>(op.getValues().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    if (isEmpty(valType)) {
      rewriter.replaceOp(op, {emptyTensor(rewriter, loc, valType),
                              emptyTensor(rewriter, loc, idxType)});
      return success();
    }
    Value x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    unsigned rank = xType.getRank();
    int64_t axis = op.getAxis();
    bool largest = op.getLargest();
    MLIRContext *ctx = rewriter.getContext();
    Type i64 = rewriter.getI64Type();
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    AffineMap id = withAxisLoop(ctx, rank, axis, false),
              other = withAxisLoop(ctx, rank, axis, true);

    // rank[i] = number of elements of i's slice that come before it.
    auto rankType = RankedTensorType::get(xType.getShape(), i64);
    Value rankInit =
        filledTensor(rewriter, loc, rankType, scalar(rewriter, loc, i64, 0));
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{rankType}, ValueRange{x, x},
            ValueRange{rankInit}, ArrayRef<AffineMap>{id, other, id}, iters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value i = linalg::IndexOp::create(b, l, axis);
              Value m = linalg::IndexOp::create(b, l, rank);
              Value first = before(b, l, a[1], m, a[0], i, largest);
              Value one = arith::ExtUIOp::create(b, l, i64, first);
              linalg::YieldOp::create(
                  b, l, arith::AddIOp::create(b, l, a[2], one).getResult());
            })
            .getResult(0);

    // out[j] = the element of rank j (exactly one per j < k).
    Value valInit =
        filledTensor(rewriter, loc, valType,
                     scalar(rewriter, loc, valType.getElementType(), 0));
    Value idxInit =
        filledTensor(rewriter, loc, idxType, scalar(rewriter, loc, i64, 0));
    auto gather = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valType, idxType}, ValueRange{x, ranks},
        ValueRange{valInit, idxInit}, ArrayRef<AffineMap>{other, other, id, id},
        iters, [&](OpBuilder &b, Location l, ValueRange a) {
          Value j = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value i = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[1], j);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, a[0], a[2]),
                         arith::SelectOp::create(b, l, hit, i, a[3])});
        });
    rewriter.replaceOp(op, gather.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// einsum
//===----------------------------------------------------------------------===//

/// One loop per distinct letter: the output's first (parallel), then the
/// summed ones in order of appearance (reduction). The body multiplies the
/// inputs and accumulates; repeated letters in a term read a diagonal.
struct EinsumPattern : OpConversionPattern<tg::EinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    if (isEmpty(outType)) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, outType));
      return success();
    }
    StringRef eq = op.getEquation();
    size_t arrow = eq.find("->");
    SmallVector<StringRef> terms;
    eq.take_front(arrow).split(terms, ',');
    StringRef outTerm = eq.drop_front(arrow + 2);

    std::string loops = outTerm.str();
    for (StringRef t : terms)
      for (char c : t)
        if (loops.find(c) == std::string::npos)
          loops.push_back(c);
    MLIRContext *ctx = rewriter.getContext();
    auto mapOf = [&](StringRef term) {
      SmallVector<AffineExpr> e;
      for (char c : term)
        e.push_back(getAffineDimExpr(loops.find(c), ctx));
      return AffineMap::get(loops.size(), 0, e, ctx);
    };
    SmallVector<AffineMap> maps;
    for (StringRef t : terms)
      maps.push_back(mapOf(t));
    maps.push_back(mapOf(outTerm));
    SmallVector<utils::IteratorType> iters(outTerm.size(),
                                           utils::IteratorType::parallel);
    iters.append(loops.size() - outTerm.size(), utils::IteratorType::reduction);
    Value init =
        filledTensor(rewriter, loc, outType,
                     scalar(rewriter, loc, outType.getElementType(), 0));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, adaptor.getInputs(),
        ValueRange{init}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value prod = a[0];
          for (size_t i = 1; i + 1 < a.size(); ++i)
            prod = mul(b, l, prod, a[i]);
          linalg::YieldOp::create(b, l, add(b, l, a.back(), prod));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// gather_nd
//===----------------------------------------------------------------------===//

struct GatherNDPattern : OpConversionPattern<tg::GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    if (isEmpty(outType)) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, outType));
      return success();
    }
    Value data = adaptor.getInput(), indices = adaptor.getIndices();
    auto dataShape = cast<RankedTensorType>(data.getType()).getShape();
    auto idxShape = cast<RankedTensorType>(indices.getType()).getShape();
    int64_t q = idxShape.size(), m = idxShape.back(), bd = op.getBatchDims();
    int64_t rank = outType.getRank();
    // out[o] = data[o[:bd], indices[o[:q-1]]..., o[q-1:]]
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{},
        ValueRange{emptyTensor(rewriter, loc, outType)},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, iters,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> o;
          for (int64_t d = 0; d < rank; ++d)
            o.push_back(linalg::IndexOp::create(b, l, d));
          SmallVector<Value> at(o.begin(), o.begin() + bd);
          SmallVector<Value> ip(o.begin(), o.begin() + (q - 1));
          ip.push_back(Value());
          for (int64_t t = 0; t < m; ++t) {
            ip.back() = indexConst(b, l, t);
            Value v = tensor::ExtractOp::create(b, l, indices, ip);
            at.push_back(wrapIndex(b, l, v, dataShape[bd + t]));
          }
          at.append(o.begin() + (q - 1), o.end());
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, data, at).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// scatters
//===----------------------------------------------------------------------===//

Value combine(OpBuilder &b, Location l, StringRef reduction, Value cur,
              Value upd) {
  if (reduction == "add")
    return add(b, l, cur, upd);
  if (reduction == "mul")
    return mul(b, l, cur, upd);
  if (reduction == "max")
    return maxScalar(b, l, cur, upd);
  if (reduction == "min")
    return minScalar(b, l, cur, upd);
  return upd;
}

/// Loop over every element of `updates` (row-major), writing into a copy of
/// `data` at the position `target` computes from the loop indices.
Value scatterLoops(
    OpBuilder &b, Location loc, Value data, Value updates, StringRef reduction,
    const std::function<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        &target) {
  auto updType = cast<RankedTensorType>(updates.getType());
  if (isEmpty(updType))
    return data;
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d : updType.getShape()) {
    lbs.push_back(indexConst(b, loc, 0));
    ubs.push_back(indexConst(b, loc, d));
    steps.push_back(indexConst(b, loc, 1));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{data},
      [&](OpBuilder &nb, Location l, ValueRange ivs,
          ValueRange acc) -> scf::ValueVector {
        SmallVector<Value> pos = target(nb, l, ivs);
        Value upd = tensor::ExtractOp::create(nb, l, updates, ivs);
        Value cur = tensor::ExtractOp::create(nb, l, acc[0], pos);
        Value v = combine(nb, l, reduction, cur, upd);
        return {tensor::InsertOp::create(nb, l, v, acc[0], pos)};
      });
  return nest.results[0];
}

struct ScatterElementsPattern : OpConversionPattern<tg::ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    int64_t dim =
        cast<RankedTensorType>(adaptor.getInput().getType()).getDimSize(axis);
    Value r = scatterLoops(
        rewriter, op.getLoc(), adaptor.getInput(), adaptor.getUpdates(),
        op.getReduction(), [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> pos(ivs);
          pos[axis] = wrapIndex(
              b, l, tensor::ExtractOp::create(b, l, indices, ivs), dim);
          return pos;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ScatterNDPattern : OpConversionPattern<tg::ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value indices = adaptor.getIndices();
    auto dataShape =
        cast<RankedTensorType>(adaptor.getInput().getType()).getShape();
    auto idxShape = cast<RankedTensorType>(indices.getType()).getShape();
    int64_t q = idxShape.size(), k = idxShape.back();
    Value r = scatterLoops(
        rewriter, op.getLoc(), adaptor.getInput(), adaptor.getUpdates(),
        op.getReduction(), [&](OpBuilder &b, Location l, ValueRange ivs) {
          // updates[u] goes to data[indices[u[:q-1]]..., u[q-1:]].
          SmallVector<Value> ip(ivs.begin(), ivs.begin() + (q - 1));
          ip.push_back(Value());
          SmallVector<Value> pos;
          for (int64_t t = 0; t < k; ++t) {
            ip.back() = indexConst(b, l, t);
            pos.push_back(
                wrapIndex(b, l, tensor::ExtractOp::create(b, l, indices, ip),
                          dataShape[t]));
          }
          pos.append(ivs.begin() + (q - 1), ivs.end());
          return pos;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void tdc::populateIndexingLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<TopKPattern, EinsumPattern, GatherNDPattern,
               ScatterElementsPattern, ScatterNDPattern>(patterns.getContext());
}
