//===- Partition.cpp - regions of a compute op and its neighbours ---------===//
//
// A region grows from a compute op along single-use edges: the next op must
// be the only user of the region's result (so no intermediate tensor is
// needed elsewhere) and a memory-bound op with an expression. EinNet
// searches each compute operator with the memory-bound operators around it;
// here they are the ones after it (bias, BatchNormalization, activation,
// residual add, pooling), which is where derived eOperators can fuse.
//
//===----------------------------------------------------------------------===//
#include "RegionValue.h"

#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace tdc::derive;

namespace tdc {

static bool isComputeOp(Operation *op) {
  return isa<tg::ConvOp, tg::ConvTransposeOp, tg::MatMulOp, tg::GemmOp>(op);
}

static bool allStaticF32(Operation *op) {
  if (op->getNumResults() != 1 || !isStaticF32(op->getResult(0)))
    return false;
  for (Value v : op->getOperands())
    if (!isStaticF32(v))
      return false;
  return true;
}

/// The op that takes the region's result next, and which of its operands
/// that is; null when the region ends here.
static Operation *nextMember(Operation *last, unsigned &operand,
                             const llvm::DenseSet<Operation *> &taken) {
  Value result = last->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  OpOperand &use = *result.getUses().begin();
  Operation *user = use.getOwner();
  if (user->getBlock() != last->getBlock() || taken.count(user) ||
      !isMemoryBound(user) || !allStaticF32(user))
    return nullptr;
  operand = use.getOperandNumber();
  return user;
}

/// Extend `region` (whose value is `value`) with the ops that follow it.
static void growRegion(ExprContext &ctx, ProgramRegion &region,
                       RegionValue &value, RegionInputs &inputs,
                       llvm::DenseSet<Operation *> &taken) {
  unsigned operand = 0;
  while (Operation *next = nextMember(region.ops.back(), operand, taken)) {
    std::string why;
    RegionValue extended = value;
    if (!applyMemoryBound(ctx, next, operand, extended, inputs, why))
      break;
    value = extended;
    region.ops.push_back(next);
    taken.insert(next);
  }
}

/// The region's value after its first op: the compute op's product with
/// its epilogue, or the first memory-bound op applied to its operand 0.
static bool startRegion(ExprContext &ctx, ProgramRegion &region,
                        RegionValue &value, RegionInputs &inputs) {
  Operation *op = region.ops.front();
  std::string why;
  if (!region.anchored) {
    value = RegionValue::of(ctx, inputs.get(op->getOperand(0), "X"));
    return applyMemoryBound(ctx, op, 0, value, inputs, why);
  }
  Expr product = exprFromGraphOp(ctx, op, why);
  if (!product)
    return false;
  bool conv = isa<tg::ConvOp, tg::ConvTransposeOp>(op);
  inputs.get(op->getOperand(0), conv ? "X" : "A");
  inputs.get(op->getOperand(1), conv ? "K" : "B");
  value = RegionValue::of(ctx, product);
  return applyEpilogue(ctx, op, value, inputs, why);
}

bool rebuildRegion(ExprContext &ctx, ProgramRegion &region) {
  region.inputs.clear();
  region.constants.clear();
  RegionInputs inputs(ctx, region);
  RegionValue value;
  if (!startRegion(ctx, region, value, inputs))
    return false;
  for (size_t i = 1; i < region.ops.size(); ++i) {
    Value prev = region.ops[i - 1]->getResult(0);
    Operation *op = region.ops[i];
    unsigned operand = op->getOperand(0) == prev ? 0 : 1;
    std::string why;
    if (!applyMemoryBound(ctx, op, operand, value, inputs, why))
      return false;
  }
  region.expr = value.expr(ctx);
  return true;
}

std::vector<ProgramRegion> partitionRegions(ExprContext &ctx, Operation *root,
                                            const PartitionOptions &options) {
  std::vector<ProgramRegion> regions;
  llvm::DenseSet<Operation *> taken;
  // Compute ops first, so that they claim their neighbours.
  SmallVector<Operation *> anchors, others;
  llvm::DenseMap<Operation *, size_t> order;
  root->walk([&](Operation *op) {
    order[op] = order.size();
    if (op->getDialect() && op->getDialect()->getNamespace() == "tg" &&
        allStaticF32(op))
      (isComputeOp(op) ? anchors : others).push_back(op);
  });
  auto tryStart = [&](Operation *op, bool anchored) {
    ProgramRegion region;
    region.anchored = anchored;
    region.ops.push_back(op);
    RegionInputs inputs(ctx, region);
    RegionValue value;
    if (!startRegion(ctx, region, value, inputs))
      return;
    taken.insert(op);
    growRegion(ctx, region, value, inputs, taken);
    region.expr = value.expr(ctx);
    regions.push_back(std::move(region));
  };
  for (Operation *op : anchors)
    tryStart(op, /*anchored=*/true);
  if (options.anchorless)
    for (Operation *op : others)
      if (!taken.count(op) && isMemoryBound(op))
        tryStart(op, /*anchored=*/false);
  // Program order, so that programs are built before their readers.
  std::stable_sort(regions.begin(), regions.end(),
                   [&](const ProgramRegion &a, const ProgramRegion &b) {
                     return order[a.ops.front()] < order[b.ops.front()];
                   });
  return regions;
}

} // namespace tdc
