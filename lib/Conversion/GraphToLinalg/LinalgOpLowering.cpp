//===- LinalgOpLowering.cpp - tg matmul/gemm -> linalg --------------------===//
//
// Plain 2-D products become linalg.matmul; everything else (numpy batch
// broadcasting, 1-D promotion, Gemm transposes) is one linalg.generic
// contraction whose indexing maps encode the broadcast and the transposes,
// so no operand is materialized in a reshaped or transposed form.
// Accumulation is in the element type, starting from a zero-filled init.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "tdc/Conversion/GraphToLinalg/GraphToLinalg.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::lowering;
namespace tg = tdc::tg;

namespace {

/// Float or non-bool integer: the types a product can accumulate in.
bool isArithmetic(Type t) {
  return isa<FloatType>(t) || (t.isInteger() && !t.isInteger(1));
}

/// out[outMap] += lhs[lhsMap] * rhs[rhsMap] over `numLoops` loops whose last
/// one is the reduction, starting from zero.
Value contract(OpBuilder &b, Location loc, Value lhs, Value rhs,
               RankedTensorType outType, unsigned numLoops,
               ArrayRef<AffineExpr> lhsExprs, ArrayRef<AffineExpr> rhsExprs) {
  MLIRContext *ctx = b.getContext();
  Type elem = outType.getElementType();
  Value init = filledTensor(b, loc, outType, scalar(b, loc, elem, 0));
  // The output map drops the last (reduction) loop.
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i + 1 < numLoops; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> maps{AffineMap::get(numLoops, 0, lhsExprs, ctx),
                              AffineMap::get(numLoops, 0, rhsExprs, ctx),
                              AffineMap::get(numLoops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iters(numLoops - 1,
                                         utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{lhs, rhs}, ValueRange{init}, maps,
      iters, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value prod = mul(nb, nloc, args[0], args[1]);
        linalg::YieldOp::create(nb, nloc, add(nb, nloc, args[2], prod));
      });
  return generic.getResult(0);
}

/// Map of one matmul operand's batch dims (right-aligned to the `batch`
/// output batch dims), broadcasting size-1 dims.
void batchExprs(MLIRContext *ctx, ArrayRef<int64_t> shape,
                ArrayRef<int64_t> outBatch, SmallVectorImpl<AffineExpr> &out) {
  size_t lead = outBatch.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1 && outBatch[lead + i] != 1)
      out.push_back(getAffineConstantExpr(0, ctx));
    else
      out.push_back(getAffineDimExpr(lead + i, ctx));
  }
}

struct MatMulPattern : OpConversionPattern<tg::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto outType = cast<RankedTensorType>(op.getType());
    Type elem = outType.getElementType();
    if (!isArithmetic(elem) ||
        cast<RankedTensorType>(rhs.getType()).getElementType() != elem)
      return unsupported(op, "matmul element type is not supported");
    auto a = cast<RankedTensorType>(lhs.getType()).getShape();
    auto bs = cast<RankedTensorType>(rhs.getType()).getShape();

    if (a.size() == 2 && bs.size() == 2) {
      Value init =
          filledTensor(rewriter, loc, outType, scalar(rewriter, loc, elem, 0));
      rewriter.replaceOp(op, linalg::MatmulOp::create(rewriter, loc,
                                                      ValueRange{lhs, rhs},
                                                      ValueRange{init})
                                 .getResult(0));
      return success();
    }

    // Loops: output batch dims, m (unless lhs is 1-D), n (unless rhs is
    // 1-D), then k.
    bool aVec = a.size() == 1, bVec = bs.size() == 1;
    auto outShape = outType.getShape();
    size_t nb = outShape.size() - (aVec ? 0 : 1) - (bVec ? 0 : 1);
    ArrayRef<int64_t> outBatch = outShape.take_front(nb);
    unsigned numLoops = outShape.size() + 1;
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr k = getAffineDimExpr(numLoops - 1, ctx);
    AffineExpr m = getAffineDimExpr(nb, ctx);
    AffineExpr n = getAffineDimExpr(nb + (aVec ? 0 : 1), ctx);
    SmallVector<AffineExpr> lhsExprs, rhsExprs;
    if (!aVec) {
      batchExprs(ctx, a.drop_back(2), outBatch, lhsExprs);
      lhsExprs.push_back(m);
    }
    lhsExprs.push_back(k);
    if (!bVec)
      batchExprs(ctx, bs.drop_back(2), outBatch, rhsExprs);
    rhsExprs.push_back(k);
    if (!bVec)
      rhsExprs.push_back(n);
    rewriter.replaceOp(op, contract(rewriter, loc, lhs, rhs, outType, numLoops,
                                    lhsExprs, rhsExprs));
    return success();
  }
};

/// Y = alpha * op(A) op(B) + beta * C.
struct GemmPattern : OpConversionPattern<tg::GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    Type elem = outType.getElementType();
    Value a = adaptor.getA(), b = adaptor.getB(), c = adaptor.getC();
    auto elemOf = [](Value v) {
      return cast<RankedTensorType>(v.getType()).getElementType();
    };
    if (!isArithmetic(elem) || elemOf(b) != elem || (c && elemOf(c) != elem))
      return unsupported(op, "gemm element type is not supported");
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    // Integer gemm scales by integers (ONNX casts alpha/beta to T).
    if (!isa<FloatType>(elem) &&
        (alpha != (double)(int64_t)alpha || beta != (double)(int64_t)beta))
      return unsupported(op, "integer gemm with non-integral alpha/beta");

    Value acc;
    if (!op.getTransA() && !op.getTransB()) {
      Value init =
          filledTensor(rewriter, loc, outType, scalar(rewriter, loc, elem, 0));
      acc = linalg::MatmulOp::create(rewriter, loc, ValueRange{a, b},
                                     ValueRange{init})
                .getResult(0);
    } else {
      MLIRContext *ctx = rewriter.getContext();
      AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
                 k = getAffineDimExpr(2, ctx);
      SmallVector<AffineExpr> lhs{m, k}, rhs{k, n};
      if (op.getTransA())
        lhs = {k, m};
      if (op.getTransB())
        rhs = {n, k};
      acc = contract(rewriter, loc, a, b, outType, 3, lhs, rhs);
    }

    // C is added even when beta == 0 so that non-finite values propagate
    // as in the ONNX reference.
    bool useC = (bool)c;
    if (alpha == 1.0 && !useC) {
      rewriter.replaceOp(op, acc);
      return success();
    }
    SmallVector<Value> inputs{acc};
    if (useC)
      inputs.push_back(c);
    Value result =
        elementwise(rewriter, loc, outType, inputs,
                    [&](OpBuilder &nb, Location nloc, ValueRange args) {
                      Value y = args[0];
                      if (alpha != 1.0)
                        y = mul(nb, nloc, scalar(nb, nloc, elem, alpha), y);
                      if (args.size() > 1) {
                        Value bc = args[1];
                        if (beta != 1.0)
                          bc = mul(nb, nloc, scalar(nb, nloc, elem, beta), bc);
                        y = add(nb, nloc, y, bc);
                      }
                      return y;
                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void tdc::populateLinalgOpLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulPattern, GemmPattern>(patterns.getContext());
}
