//===- ConvLowering.cpp - tg Conv and ConvTranspose -> linalg -------------===//
//
// Convolutions over NC[D]HW tensors. Padding is materialized with tensor.pad
// (zeros) so that the window ops never read out of bounds. 1/2/3-D ungrouped
// convolutions and 2-D grouped ones use linalg named ops; everything else is
// a linalg.generic with the same indexing maps, which works for any rank,
// group count and dilation. 2-D f32 convolutions with constant filters are
// computed channels-last instead (convChannelsLast, ChannelsLastConv.cpp).
//
// ConvTranspose is rewritten as a stride-1 convolution: the input is
// spread out by the stride (zeros in between), padded by (k-1)*d - pad,
// and convolved with the spatially flipped, channel-transposed kernel.
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

/// Split dim `dim` of `v` into (groups, size / groups).
Value splitDim(OpBuilder &b, Location loc, Value v, int64_t dim,
               int64_t groups) {
  ArrayRef<int64_t> shape = shapeOf(v);
  SmallVector<int64_t> out;
  SmallVector<ReassociationIndices> re;
  for (int64_t i = 0; i < (int64_t)shape.size(); ++i) {
    if (i == dim) {
      re.push_back({(int64_t)out.size(), (int64_t)out.size() + 1});
      out.push_back(groups);
      out.push_back(shape[i] / groups);
    } else {
      re.push_back({(int64_t)out.size()});
      out.push_back(shape[i]);
    }
  }
  return tensor::ExpandShapeOp::create(b, loc, tensorType(out, elemOf(v)), v,
                                       re);
}

/// Merge dims `dim` and `dim + 1` of `v`.
Value mergeDims(OpBuilder &b, Location loc, Value v, int64_t dim) {
  SmallVector<ReassociationIndices> re;
  int64_t rank = shapeOf(v).size();
  for (int64_t i = 0; i < rank; ++i) {
    if (i == dim) {
      re.push_back({i, i + 1});
      ++i;
    } else {
      re.push_back({i});
    }
  }
  return tensor::CollapseShapeOp::create(b, loc, v, re);
}

/// The conv accumulator [N, F, O...]: zeros, or the bias broadcast.
Value convInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias) {
  if (!bias)
    return filledTensor(b, loc, type, scalar(b, loc, type.getElementType(), 0));
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (i != 1)
      dims.push_back(i);
  bias = convertTensor(b, loc, bias,
                       withElement(cast<RankedTensorType>(bias.getType()),
                                   type.getElementType()));
  return linalg::BroadcastOp::create(b, loc, bias, emptyTensor(b, loc, type),
                                     dims)
      .getResult()[0];
}

/// Convolution of an already padded input xp [N, C, L...] with weight
/// w [F, C/G, K...] accumulated into init [N, F, O...].
Value convCore(OpBuilder &b, Location loc, Value xp, Value w, Value init,
               int64_t groups, ArrayRef<int64_t> strides,
               ArrayRef<int64_t> dilations) {
  auto resultType = cast<RankedTensorType>(init.getType());
  size_t sp = strides.size();
  Attribute s = b.getI64TensorAttr(strides), d = b.getI64TensorAttr(dilations);
  if (groups == 1) {
    if (sp == 1)
      return linalg::Conv1DNcwFcwOp::create(b, loc, TypeRange{resultType},
                                            ValueRange{xp, w}, init, s, d)
          .getResult(0);
    if (sp == 2)
      return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{resultType},
                                              ValueRange{xp, w}, init, s, d)
          .getResult(0);
    if (sp == 3)
      return linalg::Conv3DNcdhwFcdhwOp::create(b, loc, TypeRange{resultType},
                                                ValueRange{xp, w}, init, s, d)
          .getResult(0);
  }
  // Grouped layouts: x [N, G, Cg, L...], w [G, Fg, Cg, K...],
  // out [N, G, Fg, O...].
  Value xg = splitDim(b, loc, xp, 1, groups);
  Value wg = splitDim(b, loc, w, 0, groups);
  Value og = splitDim(b, loc, init, 1, groups);
  auto ogType = cast<RankedTensorType>(og.getType());
  Value r;
  if (sp == 2) {
    r = linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{ogType},
                                           ValueRange{xg, wg}, og, s, d)
            .getResult(0);
  } else {
    // Loops: n, g, f, o_0.., c, k_0..
    MLIRContext *ctx = b.getContext();
    unsigned nDims = 4 + 2 * sp;
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xe{dim(0), dim(1), dim(3 + sp)},
        we{dim(1), dim(2), dim(3 + sp)}, oe{dim(0), dim(1), dim(2)};
    for (size_t i = 0; i < sp; ++i) {
      xe.push_back(dim(3 + i) * strides[i] + dim(4 + sp + i) * dilations[i]);
      we.push_back(dim(4 + sp + i));
      oe.push_back(dim(3 + i));
    }
    SmallVector<AffineMap> maps{AffineMap::get(nDims, 0, xe, ctx),
                                AffineMap::get(nDims, 0, we, ctx),
                                AffineMap::get(nDims, 0, oe, ctx)};
    SmallVector<utils::IteratorType> iters(3 + sp,
                                           utils::IteratorType::parallel);
    iters.append(1 + sp, utils::IteratorType::reduction);
    r = linalg::GenericOp::create(b, loc, TypeRange{ogType}, ValueRange{xg, wg},
                                  ValueRange{og}, maps, iters,
                                  [](OpBuilder &nb, Location nl, ValueRange a) {
                                    Type acc = a[2].getType();
                                    Value x = convertScalar(nb, nl, a[0], acc),
                                          w = convertScalar(nb, nl, a[1], acc);
                                    linalg::YieldOp::create(
                                        nb, nl,
                                        add(nb, nl, a[2], mul(nb, nl, x, w)));
                                  })
            .getResult(0);
  }
  return mergeDims(b, loc, r, 1);
}

struct ConvLowering : OpConversionPattern<tg::ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return unsupported(op, "conv needs a floating-point element type");
    if (Value r = convChannelsLast(rewriter, loc, op, adaptor.getInput(),
                                   adaptor.getBias())) {
      rewriter.replaceOp(op, r);
      return success();
    }
    ArrayRef<int64_t> pads = op.getPads();
    size_t sp = op.getStrides().size();
    Value xp =
        padSpatial(rewriter, loc, adaptor.getInput(), pads.take_front(sp),
                   pads.drop_front(sp), scalar(rewriter, loc, elem, 0));
    Value init =
        convInit(rewriter, loc, withElement(resultType, accumulatorType(elem)),
                 adaptor.getBias());
    Value r = convCore(rewriter, loc, xp, adaptor.getWeight(), init,
                       op.getGroup(), op.getStrides(), op.getDilations());
    rewriter.replaceOp(op, convertTensor(rewriter, loc, r, resultType));
    return success();
  }
};

struct ConvTransposeLowering : OpConversionPattern<tg::ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tg::ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return unsupported(op, "conv_transpose needs a floating-point element "
                             "type");
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(w);
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations(),
                      pads = op.getPads();
    int64_t groups = op.getGroup();
    size_t sp = strides.size();

    // y[o] = sum_k xdp[o + k*d] * w[K-1-k] where xdp[i*s + P0] = x[i] and
    // P0 = (K-1)*d - pad_begin. xdp covers O + (K-1)*d positions; inputs
    // that land outside it (negative P0 or end pads) cannot reach any output.
    SmallVector<int64_t> dpShape{xs[0], xs[1]};
    SmallVector<OpFoldResult> srcOff(2, rewriter.getIndexAttr(0)),
        srcSize{rewriter.getIndexAttr(xs[0]), rewriter.getIndexAttr(xs[1])},
        ones(2 + sp, rewriter.getIndexAttr(1)),
        dstOff(2, rewriter.getIndexAttr(0)),
        dstStride(2, rewriter.getIndexAttr(1));
    bool anyInput = true, wholeInput = true;
    for (size_t i = 0; i < sp; ++i) {
      int64_t in = xs[2 + i], k = ws[2 + i], s = strides[i];
      int64_t len = resultType.getDimSize(2 + i) + (k - 1) * dil[i];
      int64_t p0 = (k - 1) * dil[i] - pads[i];
      int64_t first = p0 >= 0 ? 0 : (-p0 + s - 1) / s;
      int64_t last =
          std::min(in - 1, len - 1 - p0 < 0 ? -1 : (len - 1 - p0) / s);
      int64_t count = last - first + 1;
      if (count <= 0) {
        anyInput = false;
        count = 0;
      }
      wholeInput &= first == 0 && count == in;
      dpShape.push_back(len);
      srcOff.push_back(rewriter.getIndexAttr(first));
      srcSize.push_back(rewriter.getIndexAttr(count));
      dstOff.push_back(rewriter.getIndexAttr(first * s + p0));
      dstStride.push_back(rewriter.getIndexAttr(s));
    }
    Value zero = scalar(rewriter, loc, elem, 0);
    Value xdp = filledTensor(rewriter, loc, tensorType(dpShape, elem), zero);
    if (anyInput) {
      Value src = x;
      if (!wholeInput)
        src = tensor::ExtractSliceOp::create(rewriter, loc, x, srcOff, srcSize,
                                             ones);
      xdp = tensor::InsertSliceOp::create(rewriter, loc, src, xdp, dstOff,
                                          srcSize, dstStride);
    }

    // Flipped, transposed kernel: wf[g, f, c, k] = w[g, c, f, K-1-k],
    // collapsed to the conv layout [G*Fg, Cg, K...].
    MLIRContext *ctx = rewriter.getContext();
    int64_t cg = ws[0] / groups, fg = ws[1];
    Value wg = splitDim(rewriter, loc, w, 0, groups); // [G, Cg, Fg, K...]
    SmallVector<int64_t> wfShape{groups, fg, cg};
    SmallVector<AffineExpr> in{getAffineDimExpr(0, ctx),
                               getAffineDimExpr(2, ctx),
                               getAffineDimExpr(1, ctx)};
    for (size_t i = 0; i < sp; ++i) {
      wfShape.push_back(ws[2 + i]);
      in.push_back(ws[2 + i] - 1 - getAffineDimExpr(3 + i, ctx));
    }
    unsigned nDims = 3 + sp;
    auto wfType = tensorType(wfShape, elem);
    Value wf =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{wfType}, ValueRange{wg},
            ValueRange{emptyTensor(rewriter, loc, wfType)},
            SmallVector<AffineMap>{AffineMap::get(nDims, 0, in, ctx),
                                   rewriter.getMultiDimIdentityMap(nDims)},
            SmallVector<utils::IteratorType>(nDims,
                                             utils::IteratorType::parallel),
            [](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(nb, nl, a[0]);
            })
            .getResult(0);
    wf = mergeDims(rewriter, loc, wf, 0);

    Value init =
        convInit(rewriter, loc, withElement(resultType, accumulatorType(elem)),
                 adaptor.getBias());
    SmallVector<int64_t> unit(sp, 1);
    Value r = convCore(rewriter, loc, xdp, wf, init, groups, unit, dil);
    rewriter.replaceOp(op, convertTensor(rewriter, loc, r, resultType));
    return success();
  }
};

} // namespace

void tdc::populateConvLoweringPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConvLowering, ConvTransposeLowering>(ctx);
}
