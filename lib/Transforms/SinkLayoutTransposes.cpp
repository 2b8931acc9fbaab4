//===- SinkLayoutTransposes.cpp - cancel layout changes between ops -------===//
//
// Convolutions computed channels-last transpose their NCHW input to NHWC
// and their result back. Between two of them the activation would cross
// memory twice for nothing: elementwise ops (bias, Clip, ReLU, residual
// Add) sit between the transpose back and the next transpose in. This pass
// moves each permutation copy below the elementwise ops that read it (they
// then run in the copy's source layout, which is as good for them), and
// composes consecutive permutation copies, dropping those that compose to
// the identity: chains of channels-last convolutions stay NHWC, with one
// transpose where the graph leaves them (a reshape, the output). A
// reduction (pooling) reads through a transpose that only it reads.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tdc {
#define GEN_PASS_DEF_SINKLAYOUTTRANSPOSES
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

bool allParallel(linalg::GenericOp op) {
  return llvm::all_of(op.getIteratorTypesArray(), [](utils::IteratorType t) {
    return t == utils::IteratorType::parallel;
  });
}

/// A permutation copy: dst[Md(l)] = src[Ms(l)], both maps permutations,
/// static shapes. Returns dst index -> src index (Ms o Md^-1).
std::optional<AffineMap> permutationCopy(Operation *op) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!g || g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      !allParallel(g) || !g.hasPureTensorSemantics() || g.hasDynamicShape())
    return std::nullopt;
  Block &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return std::nullopt;
  AffineMap ms = g.getMatchingIndexingMap(g.getDpsInputOperand(0));
  AffineMap md = g.getMatchingIndexingMap(g.getDpsInitOperand(0));
  if (!ms.isPermutation() || !md.isPermutation())
    return std::nullopt;
  return ms.compose(inversePermutation(md));
}

/// E(.., P(x), ..) with E elementwise (identity output map) and P a
/// permutation copy -> P'(E'(.., x, ..)): E' iterates in x's layout, every
/// operand's map composed with dst <- src.
struct SinkBelowElementwise : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || !allParallel(op) ||
        !op.hasPureTensorSemantics() || op.hasDynamicShape() ||
        permutationCopy(op) ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
      return failure();
    // The first operand read whole (identity map) from a permutation copy.
    OpOperand *from = nullptr;
    std::optional<AffineMap> dstToSrc;
    for (OpOperand *in : op.getDpsInputOperands()) {
      if (!op.getMatchingIndexingMap(in).isIdentity())
        continue;
      Operation *def = in->get().getDefiningOp();
      if ((dstToSrc = permutationCopy(def))) {
        from = in;
        break;
      }
    }
    if (!from)
      return failure();
    auto copy = cast<linalg::GenericOp>(from->get().getDefiningOp());
    Value src = copy.getDpsInputOperand(0)->get();
    // E's loops are dst indices; E' loops over src indices l', and
    // dst = (src -> dst)(l').
    AffineMap srcToDst = inversePermutation(*dstToSrc);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *in : op.getDpsInputOperands()) {
      if (in->get() == from->get() &&
          op.getMatchingIndexingMap(in).isIdentity()) {
        inputs.push_back(src);
        maps.push_back(AffineMap::getMultiDimIdentityMap(srcToDst.getNumDims(),
                                                         op.getContext()));
        continue;
      }
      AffineMap map = op.getMatchingIndexingMap(in).compose(srcToDst);
      // Another permutation copy that the new order undoes (the other
      // operand of a residual add): read its source directly.
      Operation *def = in->get().getDefiningOp();
      if (auto other = permutationCopy(def)) {
        AffineMap through = other->compose(map);
        if (through.isIdentity()) {
          inputs.push_back(
              cast<linalg::GenericOp>(def).getDpsInputOperand(0)->get());
          maps.push_back(through);
          continue;
        }
      }
      inputs.push_back(in->get());
      maps.push_back(map);
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(srcToDst.getNumDims(),
                                                     op.getContext()));
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    auto srcType = cast<RankedTensorType>(src.getType());
    auto computedType =
        RankedTensorType::get(srcType.getShape(), resultType.getElementType());
    Value init = tensor::EmptyOp::create(rewriter, loc, computedType.getShape(),
                                         computedType.getElementType());
    auto moved = linalg::GenericOp::create(
        rewriter, loc, TypeRange{computedType}, inputs, ValueRange{init}, maps,
        op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), moved.getRegion(),
                                moved.getRegion().begin());
    // The copy back, with the original copy's loop order.
    Value dst = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                        resultType.getElementType());
    auto back = linalg::GenericOp::create(
        rewriter, copy.getLoc(), TypeRange{resultType},
        ValueRange{moved.getResult(0)}, ValueRange{dst},
        copy.getIndexingMapsArray(), copy.getIteratorTypesArray(),
        [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(b, l, a[0]);
        });
    rewriter.replaceOp(op, back.getResult(0));
    return success();
  }
};

/// Q(P(x)) for permutation copies P and Q -> one copy of x with Q's loop
/// order, or x itself when the two cancel and Q writes a whole fresh tensor.
struct ComposeCopies : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp q,
                                PatternRewriter &rewriter) const override {
    std::optional<AffineMap> qMap = permutationCopy(q);
    if (!qMap)
      return failure();
    Operation *def = q.getDpsInputOperand(0)->get().getDefiningOp();
    std::optional<AffineMap> pMap = permutationCopy(def);
    if (!pMap)
      return failure();
    Value x = cast<linalg::GenericOp>(def).getDpsInputOperand(0)->get();
    // Q's dst -> Q's src (= P's dst) -> P's src.
    AffineMap total = pMap->compose(*qMap);
    Value init = q.getDpsInitOperand(0)->get();
    if (total.isIdentity() && init.getDefiningOp<tensor::EmptyOp>() &&
        x.getType() == q.getResult(0).getType()) {
      rewriter.replaceOp(q, x);
      return success();
    }
    AffineMap qd = q.getMatchingIndexingMap(q.getDpsInitOperand(0));
    auto composed = linalg::GenericOp::create(
        rewriter, q.getLoc(), TypeRange{q.getResult(0).getType()},
        ValueRange{x}, ValueRange{init},
        SmallVector<AffineMap>{total.compose(qd), qd},
        q.getIteratorTypesArray(), [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(b, l, a[0]);
        });
    rewriter.replaceOp(q, composed.getResult(0));
    return success();
  }
};

/// R(P(x)) with R a reduction of one tensor (the pooling over the transposed
/// result of the last channels-last convolution) and P a permutation copy
/// that only R reads: R, as a generic, reads x directly through P's
/// permutation, and the copy (a pass over the activation) goes away.
struct ReadThroughCopy : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    // A reduction of one tensor (other inputs only shape a window): a
    // convolution or contraction keeps the layout its schedule wants.
    if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() == 0 ||
        op.getNumDpsInputs() == 0 ||
        llvm::count_if(op.getDpsInputOperands(), [](OpOperand *in) {
          return !in->get().getDefiningOp<tensor::EmptyOp>();
        }) != 1)
      return failure();
    OpOperand *from = nullptr;
    std::optional<AffineMap> dstToSrc;
    for (OpOperand *in : op.getDpsInputOperands()) {
      Operation *def = in->get().getDefiningOp();
      if ((dstToSrc = permutationCopy(def)) && def->hasOneUse()) {
        from = in;
        break;
      }
    }
    if (!from)
      return failure();
    auto copy = cast<linalg::GenericOp>(from->get().getDefiningOp());
    unsigned number = from->getOperandNumber();
    linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic) {
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
      if (failed(g))
        return failure();
      generic = *g;
    }
    OpOperand &use = generic->getOpOperand(number);
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    maps[number] = dstToSrc->compose(maps[number]);
    rewriter.modifyOpInPlace(generic, [&] {
      use.set(copy.getDpsInputOperand(0)->get());
      generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    rewriter.eraseOp(copy);
    return success();
  }
};

struct SinkLayoutTransposes
    : tdc::impl::SinkLayoutTransposesBase<SinkLayoutTransposes> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkBelowElementwise, ComposeCopies, ReadThroughCopy>(
        &getContext());
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    // The zero-filled padded buffers of channels-last convolutions are
    // created where the convolution is, after the value written into their
    // interior: created first, that value can be computed in place
    // (eliminate-empty-tensors before bufferization) instead of copied.
    getOperation()->walk([](linalg::FillOp fill) {
      Block *block = fill->getBlock();
      auto empty =
          fill.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>();
      auto value =
          fill.getDpsInputOperand(0)->get().getDefiningOp<arith::ConstantOp>();
      if (!empty || !value || !fill.hasPureTensorSemantics() ||
          !empty->hasOneUse() || empty->getBlock() != block ||
          value->getBlock() != block ||
          !isa<func::FuncOp>(block->getParentOp()) ||
          !llvm::any_of(fill->getUsers(), [](Operation *u) {
            return isa<tensor::InsertSliceOp, tensor::ExtractSliceOp>(u);
          }))
        return;
      value->moveBefore(block, block->begin());
      empty->moveAfter(value);
      fill->moveAfter(empty);
    });
  }
};

} // namespace
