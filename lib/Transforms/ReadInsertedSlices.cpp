//===- ReadInsertedSlices.cpp - read inserted values from the buffer ------===//
//
// Canonicalization folds extract_slice(insert_slice %x) to %x, so ops after
// an insert (a depthwise convolution's center tap reading the padded
// buffer) read %x itself. %x must then outlive the insert, and its producer
// cannot compute into the destination in place: bufferization computes it
// into a temporary, copies that into the buffer, and (the interior being
// %x's destination) the other way first. Here the uses of %x that the
// insert dominates read the inserted slice instead; run just before
// eliminate-empty-tensors, with no canonicalization in between. The same
// for a value inserted through a collapse_shape (a convolution's channel
// blocks merged), whose later readers in the blocked shape read the slice
// expanded back; tdc-empty-tensors-through-reshapes then computes the
// value into the buffer.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"

namespace tdc {
#define GEN_PASS_DEF_READINSERTEDSLICES
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// The uses of `value` that `insert` dominates.
SmallVector<OpOperand *> usesAfter(DominanceInfo &dom, Value value,
                                   tensor::InsertSliceOp insert) {
  SmallVector<OpOperand *> later;
  for (OpOperand &use : value.getUses())
    if (use.getOwner() != insert &&
        dom.properlyDominates(insert.getOperation(), use.getOwner()))
      later.push_back(&use);
  return later;
}

/// Uses of an inserted value after the insert read the slice of the
/// buffer instead, so that the value's producer can write into the buffer.
/// So do those of a value inserted through a collapse_shape (channel
/// blocks merged; a later residual Add reads the blocked value), through
/// the slice expanded back.
void readFromTheBuffer(RewriterBase &rewriter, DominanceInfo &dom,
                       tensor::InsertSliceOp insert) {
  Value source = insert.getSource();
  Operation *producer = source.getDefiningOp();
  if (!producer || producer->hasTrait<OpTrait::ConstantLike>())
    return;
  SmallVector<OpOperand *> later = usesAfter(dom, source, insert);
  auto collapse = dyn_cast<tensor::CollapseShapeOp>(producer);
  SmallVector<OpOperand *> laterBlocked;
  if (collapse && collapse.getSrc().getDefiningOp())
    laterBlocked = usesAfter(dom, collapse.getSrc(), insert);
  if (later.empty() && laterBlocked.empty())
    return;
  rewriter.setInsertionPointAfter(insert);
  Value slice = tensor::ExtractSliceOp::create(
      rewriter, insert.getLoc(), insert.getSourceType(), insert.getResult(),
      insert.getMixedOffsets(), insert.getMixedSizes(),
      insert.getMixedStrides());
  for (OpOperand *use : later)
    rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(slice); });
  if (laterBlocked.empty())
    return;
  Value blocked = tensor::ExpandShapeOp::create(
      rewriter, insert.getLoc(), collapse.getSrcType(), slice,
      collapse.getReassociationIndices());
  for (OpOperand *use : laterBlocked)
    rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(blocked); });
}

struct ReadInsertedSlices
    : tdc::impl::ReadInsertedSlicesBase<ReadInsertedSlices> {
  void runOnOperation() override {
    // Walked by hand: the greedy driver would fold the new
    // extract_slice(insert_slice) straight back.
    IRRewriter rewriter(&getContext());
    DominanceInfo dom(getOperation());
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation()->walk(
        [&](tensor::InsertSliceOp op) { inserts.push_back(op); });
    for (tensor::InsertSliceOp insert : inserts)
      readFromTheBuffer(rewriter, dom, insert);
  }
};

} // namespace
