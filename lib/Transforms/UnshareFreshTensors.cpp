//===- UnshareFreshTensors.cpp - one initial value per destination --------===//
//
// CSE merges identical ops, among them the tensor.empty and the zero fill
// (an scf.forall of fills after tiling) that every matmul of a shape starts
// from: BERT's four FFN matmuls then accumulate into one shared zero
// tensor, and the bias add writes into the empty the matmul's result lives
// in. One-shot bufferization resolves each such conflict with a serial
// memref.copy of the whole tensor (1.5 MB per FFN matmul). A tensor
// computed from an empty one and scalars only is as cheap to recompute as
// to copy, so each destination use gets its own clone; the buffer planner
// still shares memory by live range.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace tdc {
#define GEN_PASS_DEF_UNSHAREFRESHTENSORS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// Whether `v` is computed from a tensor.empty and scalars (or constants)
/// only: an empty, a reshape or fill of such a value, or an effect-free
/// scf.forall over such shared outputs that reads no other tensor.
bool isFresh(Value v) {
  Operation *op = v.getDefiningOp();
  if (!op)
    return false;
  if (isa<tensor::EmptyOp>(op))
    return true;
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op))
    return isFresh(op->getOperand(0));
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return isFresh(fill.getOutputs()[0]);
  auto forall = dyn_cast<scf::ForallOp>(op);
  if (!forall || !llvm::all_of(forall.getOutputs(), isFresh) ||
      !isMemoryEffectFree(forall))
    return false;
  bool readsTensor = false;
  visitUsedValuesDefinedAbove(forall.getRegion(), [&](OpOperand *use) {
    if (isa<TensorType>(use->get().getType()) &&
        !use->get().getDefiningOp<arith::ConstantOp>())
      readsTensor = true;
  });
  return !readsTensor;
}

/// Whether the owner of `use` may compute into (overwrite) its operand.
bool isDestination(OpOperand &use) {
  Operation *owner = use.getOwner();
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(owner))
    return dps.isDpsInit(&use);
  if (auto forall = dyn_cast<scf::ForallOp>(owner))
    return llvm::is_contained(forall.getOutputsMutable(), use);
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(owner))
    return use.get() == insert.getDest();
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(owner))
    return llvm::any_of(owner->getResult(0).getUses(), isDestination);
  return false;
}

/// Clones the fresh value `v` and the fresh values it is computed from at
/// the builder's insertion point.
Value cloneFresh(OpBuilder &builder, Value v) {
  Operation *op = v.getDefiningOp();
  IRMapping map;
  for (Value operand : op->getOperands())
    if (isa<TensorType>(operand.getType()))
      map.map(operand, cloneFresh(builder, operand));
  Operation *clone = builder.clone(*op, map);
  return clone->getResult(cast<OpResult>(v).getResultNumber());
}

struct UnshareFreshTensors
    : tdc::impl::UnshareFreshTensorsBase<UnshareFreshTensors> {
  void runOnOperation() override {
    SmallVector<Value> shared;
    getOperation()->walk([&](Operation *op) {
      for (Value r : op->getResults())
        if (isa<TensorType>(r.getType()) && !r.hasOneUse() && !r.use_empty() &&
            isFresh(r))
          shared.push_back(r);
    });
    OpBuilder builder(&getContext());
    // Users before producers: a forall's clones bring their own empties,
    // then the empty's remaining users are split.
    for (Value v : llvm::reverse(shared)) {
      SmallVector<OpOperand *> uses =
          llvm::map_to_vector(v.getUses(), [](OpOperand &use) { return &use; });
      if (uses.size() < 2)
        continue;
      // Readers keep the original; so does the first destination when all
      // uses are destinations. An empty is free to clone for any use.
      bool empty = isa<tensor::EmptyOp>(v.getDefiningOp());
      SmallVector<OpOperand *> split;
      for (OpOperand *use : uses)
        if (empty || isDestination(*use))
          split.push_back(use);
      if (split.size() == uses.size())
        split.erase(split.begin());
      // Each clone just before its user (its ancestor in the original's
      // block), so that its buffer is live no longer than needed; what
      // the original reads dominates the original, hence the user.
      Block *block = v.getDefiningOp()->getBlock();
      for (OpOperand *use : split) {
        builder.setInsertionPoint(
            block->findAncestorOpInBlock(*use->getOwner()));
        use->set(cloneFresh(builder, v));
      }
    }
  }
};

} // namespace
