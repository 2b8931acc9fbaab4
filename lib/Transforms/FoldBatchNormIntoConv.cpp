//===- FoldBatchNormIntoConv.cpp - BatchNormalization into conv weights ---===//
//
// Inference-mode BatchNormalization after a convolution is a per-output-
// channel affine map, y = (conv(x, W) + B - mean) * s + beta with
// s = scale / sqrt(var + eps), which is itself a convolution with weights
// W * s (per filter) and bias (B - mean) * s + beta. Folding it at compile
// time saves a full pass over the activation per BatchNormalization.
//
//===----------------------------------------------------------------------===//
#include "tdc/Dialect/Graph/IR/ConstantData.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace tdc {
#define GEN_PASS_DEF_FOLDBATCHNORMINTOCONV
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;
namespace tg = tdc::tg;

namespace {

struct FoldBatchNorm : OpRewritePattern<tg::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tg::BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<tg::ConvOp>();
    if (!conv || !conv->hasOneUse())
      return failure();
    auto type = cast<RankedTensorType>(conv.getType());
    if (type != bn.getType() || !type.getElementType().isF32())
      return failure();
    auto read = [](Value v) -> std::optional<std::vector<float>> {
      if (!v)
        return std::nullopt;
      ElementsAttr attr = tdc::constantElements(v);
      if (!attr)
        return std::nullopt;
      return tdc::f32Elements(attr);
    };
    auto w = read(conv.getWeight());
    auto scale = read(bn.getScale()), beta = read(bn.getBias()),
         mean = read(bn.getMean()), var = read(bn.getVar());
    if (!w || !scale || !beta || !mean || !var)
      return failure();
    int64_t f = type.getDimSize(1);
    std::optional<std::vector<float>> b;
    if (conv.getBias()) {
      b = read(conv.getBias());
      if (!b)
        return failure();
    } else {
      b = std::vector<float>(f, 0.0f);
    }
    for (auto *v : {&*scale, &*beta, &*mean, &*var, &*b})
      if ((int64_t)v->size() != f)
        return failure();
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    if (wType.getDimSize(0) != f)
      return failure();
    int64_t perFilter = (int64_t)w->size() / f;
    double eps = bn.getEpsilon().convertToDouble();
    std::vector<float> bias(f);
    for (int64_t i = 0; i < f; ++i) {
      // In double, as the reference computes the normalization in one go.
      double s = (*scale)[i] / std::sqrt((double)(*var)[i] + eps);
      for (int64_t j = 0; j < perFilter; ++j)
        (*w)[i * perFilter + j] = (float)((*w)[i * perFilter + j] * s);
      bias[i] = (float)(((double)(*b)[i] - (*mean)[i]) * s + (*beta)[i]);
    }
    Location loc = conv.getLoc();
    rewriter.setInsertionPoint(conv);
    Value newW = tg::ConstantOp::create(
        rewriter, loc, tdc::f32Constant(wType, *w, "tdc_folded_weight"));
    Value newB = tg::ConstantOp::create(
        rewriter, loc,
        tdc::f32Constant(RankedTensorType::get({f}, rewriter.getF32Type()),
                         bias, "tdc_folded_bias"));
    auto folded = tg::ConvOp::create(
        rewriter, loc, type, conv.getInput(), newW, newB, conv.getStridesAttr(),
        conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldBatchNormIntoConv
    : tdc::impl::FoldBatchNormIntoConvBase<FoldBatchNormIntoConv> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNorm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
