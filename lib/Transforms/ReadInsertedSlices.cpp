//===- ReadInsertedSlices.cpp - read inserted values from the buffer ------===//
//
// Canonicalization folds extract_slice(insert_slice %x) to %x, so ops after
// an insert (a depthwise convolution's center tap reading the padded
// buffer) read %x itself. %x must then outlive the insert, and its producer
// cannot compute into the destination in place: bufferization computes it
// into a temporary, copies that into the buffer, and (the interior being
// %x's destination) the other way first. Here the uses of %x that the
// insert dominates read the inserted slice instead; run just before
// eliminate-empty-tensors, with no canonicalization in between.
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

/// Uses of an inserted value after the insert read the slice of the
/// buffer instead, so that the value's producer can write into the buffer.
void readFromTheBuffer(RewriterBase &rewriter, DominanceInfo &dom,
                       tensor::InsertSliceOp insert) {
  Value source = insert.getSource();
  Operation *producer = source.getDefiningOp();
  if (!producer || producer->hasTrait<OpTrait::ConstantLike>())
    return;
  SmallVector<OpOperand *> later;
  for (OpOperand &use : source.getUses())
    if (use.getOwner() != insert &&
        dom.properlyDominates(insert.getOperation(), use.getOwner()))
      later.push_back(&use);
  if (later.empty())
    return;
  rewriter.setInsertionPointAfter(insert);
  Value slice = tensor::ExtractSliceOp::create(
      rewriter, insert.getLoc(), insert.getSourceType(), insert.getResult(),
      insert.getMixedOffsets(), insert.getMixedSizes(),
      insert.getMixedStrides());
  for (OpOperand *use : later)
    rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(slice); });
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
