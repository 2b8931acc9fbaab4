//===- ElementwiseBodies.cpp - elementwise generics on vectors -----------===//
#include "tdc/Transforms/ElementwiseBodies.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace tdc {

bool isElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.hasIndexSemantics() || op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      op.getMatchingBlockArgument(op.getDpsInitOperand(0)).use_empty() == false)
    return false;
  for (Operation &inner : op.getRegion().front().without_terminator())
    if (!OpTrait::hasElementwiseMappableTraits(&inner) ||
        inner.getNumRegions() != 0)
      return false;
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation();
  });
}

Value vectorizeBody(OpBuilder &b, Location loc, Block &body, IRMapping &map,
                    int64_t width) {
  auto vecOf = [&](Type t) { return VectorType::get({width}, t); };
  for (Operation &op : body.without_terminator()) {
    if (auto c = dyn_cast<arith::ConstantOp>(op);
        c && !isa<VectorType>(c.getType())) {
      map.map(c.getResult(),
              arith::ConstantOp::create(
                  b, loc,
                  DenseElementsAttr::get(vecOf(c.getType()), c.getValue())));
      continue;
    }
    // Scalars from outside the body (constants) are broadcast.
    for (Value operand : op.getOperands())
      if (!map.contains(operand) && !isa<VectorType>(operand.getType()))
        map.map(operand, vector::BroadcastOp::create(
                             b, loc, vecOf(operand.getType()), operand));
    Operation *vec = b.clone(op, map);
    for (OpResult r : vec->getResults())
      r.setType(vecOf(r.getType()));
  }
  Value yielded = map.lookupOrDefault(body.getTerminator()->getOperand(0));
  if (!isa<VectorType>(yielded.getType()))
    yielded =
        vector::BroadcastOp::create(b, loc, vecOf(yielded.getType()), yielded);
  return yielded;
}

} // namespace tdc
