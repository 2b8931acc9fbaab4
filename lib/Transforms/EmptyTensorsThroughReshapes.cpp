//===- EmptyTensorsThroughReshapes.cpp - compute into the destination -----===//
//
// eliminate-empty-tensors computes a value that is inserted into a larger
// tensor (the interior of a padded buffer) in place, but not through a
// reshape: a channels-last convolution computes [N, H, W, F/Fb, Fb] blocks
// (with its Clip / Relu applied in its register tiles) that a
// collapse_shape turns into the [N, H, W, F] inserted into the next padded
// buffer, and bufferization copies it in. Here the destination of the op
// that computes it (an scf.forall or a destination-style op whose init is a
// tensor.empty) becomes the slice of the buffer, expanded
// back to the op's shape.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace tdc {
#define GEN_PASS_DEF_EMPTYTENSORSTHROUGHRESHAPES
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// The init operand that result `v` of its defining op is computed into.
OpOperand *initOf(Value v) {
  auto result = dyn_cast<OpResult>(v);
  if (!result)
    return nullptr;
  Operation *op = result.getOwner();
  if (auto forall = dyn_cast<scf::ForallOp>(op))
    return forall.getTiedOpOperand(result);
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    return dps.getTiedOpOperand(result);
  return nullptr;
}

void computeInPlace(RewriterBase &rewriter, DominanceInfo &dom,
                    tensor::InsertSliceOp insert) {
  auto collapse = insert.getSource().getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || !collapse->hasOneUse() || !collapse.getSrc().hasOneUse())
    return;
  OpOperand *init = initOf(collapse.getSrc());
  if (!init)
    return;
  auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
  Operation *producer = init->getOwner();
  if (!empty || !dom.properlyDominates(insert.getDest(), producer))
    return;
  rewriter.setInsertionPoint(producer);
  Value slice = tensor::ExtractSliceOp::create(
      rewriter, insert.getLoc(), insert.getSourceType(), insert.getDest(),
      insert.getMixedOffsets(), insert.getMixedSizes(),
      insert.getMixedStrides());
  Value expanded = tensor::ExpandShapeOp::create(
      rewriter, insert.getLoc(), collapse.getSrcType(), slice,
      collapse.getReassociationIndices());
  rewriter.modifyOpInPlace(producer, [&] { init->set(expanded); });
  if (empty->use_empty())
    rewriter.eraseOp(empty);
}

struct EmptyTensorsThroughReshapes
    : tdc::impl::EmptyTensorsThroughReshapesBase<EmptyTensorsThroughReshapes> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    DominanceInfo dom(getOperation());
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation()->walk(
        [&](tensor::InsertSliceOp op) { inserts.push_back(op); });
    for (tensor::InsertSliceOp insert : inserts)
      computeInPlace(rewriter, dom, insert);
  }
};

} // namespace
