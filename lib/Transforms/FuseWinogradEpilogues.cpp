//===- FuseWinogradEpilogues.cpp - elementwise ops on Winograd outputs ----===//
//
// A Winograd convolution's output transform (WinogradConv.cpp in
// GraphToLinalg) computes each output vector in registers and writes it
// once. The ReLU (or residual Add + ReLU, Clip) after the convolution would
// otherwise read and write the whole activation again; applied to each
// vector before it is written, it costs a few vector ops.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/ElementwiseBodies.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace tdc {
#define GEN_PASS_DEF_FUSEWINOGRADEPILOGUES
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// How the epilogue reads one of its other operands at an output point.
enum class Read { Point, Channel };

/// The epilogue of `forall` (its result's only user), with how it reads
/// each input; null when it does not qualify.
linalg::GenericOp epilogueOf(scf::ForallOp forall,
                             SmallVectorImpl<std::optional<Read>> &reads) {
  if (forall->getNumResults() != 1 || !forall->getResult(0).hasOneUse())
    return {};
  auto op = dyn_cast<linalg::GenericOp>(*forall->getResult(0).user_begin());
  auto type = cast<RankedTensorType>(forall->getResult(0).getType());
  if (!op || !tdc::isElementwise(op) || op->getResult(0).getType() != type)
    return {};
  unsigned rank = type.getRank();
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    if (in->get() == forall->getResult(0)) {
      if (!map.isIdentity())
        return {};
      reads.push_back(std::nullopt);
      continue;
    }
    auto inType = dyn_cast<RankedTensorType>(in->get().getType());
    if (!inType || inType.getElementType() != type.getElementType())
      return {};
    if (map.isIdentity() && inType == type)
      reads.push_back(Read::Point);
    else if (map.getNumResults() == 1 && map.isProjectedPermutation() &&
             map.getDimPosition(0) == rank - 1 &&
             inType.getShape() == ArrayRef<int64_t>{type.getShape().back()})
      reads.push_back(Read::Channel);
    else
      return {};
  }
  // Ops on values of the body or constants.
  for (Operation &inner : op.getBody()->without_terminator()) {
    if (inner.getNumResults() != 1)
      return {};
    for (Value v : inner.getOperands())
      if (v.getParentRegion() != &op.getRegion() &&
          !v.getDefiningOp<arith::ConstantOp>())
        return {};
  }
  return op;
}

/// `op`'s body applied to `value`, written at `indices` of the task's
/// slab (`slab` = extract_slice of the shared output).
Value applyBody(OpBuilder &b, Location loc, linalg::GenericOp op,
                ArrayRef<std::optional<Read>> reads, Value value,
                ValueRange indices, tensor::ExtractSliceOp slab) {
  auto vecType = cast<VectorType>(value.getType());
  int64_t lanes = vecType.getNumElements();
  // The written point's indices in the whole output.
  SmallVector<Value> global;
  for (auto [i, local] : llvm::enumerate(indices)) {
    Value off =
        getValueOrCreateConstantIndexOp(b, loc, slab.getMixedOffsets()[i]);
    Value stride =
        getValueOrCreateConstantIndexOp(b, loc, slab.getMixedStrides()[i]);
    Value scaled = arith::MulIOp::create(b, loc, local, stride);
    global.push_back(arith::AddIOp::create(b, loc, off, scaled));
  }
  IRMapping map;
  Block *body = op.getBody();
  Value pad = arith::ConstantOp::create(
      b, loc, b.getZeroAttr(vecType.getElementType()));
  for (auto [k, in] : llvm::enumerate(op.getDpsInputOperands())) {
    Value arg = body->getArgument(k);
    if (!reads[k]) {
      map.map(arg, value);
      continue;
    }
    ValueRange at = *reads[k] == Read::Point ? ValueRange(global)
                                             : ValueRange(global).take_back();
    map.map(arg, vector::TransferReadOp::create(b, loc, vecType, in->get(), at,
                                                pad, ArrayRef<bool>{true}));
  }
  return tdc::vectorizeBody(b, loc, *body, map, lanes);
}

/// Whether `w` writes (a value threaded through loops from) `slab`: the
/// output transform's writes, not those of a fused input transform into
/// the task's own buffers.
bool writesInto(vector::TransferWriteOp w, Value slab) {
  Value dest = w.getBase();
  while (dest != slab) {
    if (auto prior = dest.getDefiningOp<vector::TransferWriteOp>()) {
      dest = prior.getBase();
      continue;
    }
    auto arg = dyn_cast<BlockArgument>(dest);
    auto loop = arg ? dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp())
                    : scf::ForOp();
    if (!loop || arg.getArgNumber() == 0)
      return false;
    dest = loop.getInitArgs()[arg.getArgNumber() - 1];
  }
  return true;
}

struct FuseWinogradEpilogues
    : tdc::impl::FuseWinogradEpiloguesBase<FuseWinogradEpilogues> {
  void runOnOperation() override {
    SmallVector<scf::ForallOp> foralls;
    getOperation()->walk([&](scf::ForallOp f) {
      if (f->hasAttr("tdc.winograd_output"))
        foralls.push_back(f);
    });
    for (scf::ForallOp forall : foralls) {
      SmallVector<std::optional<Read>> reads;
      linalg::GenericOp op = epilogueOf(forall, reads);
      if (!op)
        continue;
      // The task's slab of the shared output, whose writes get the epilogue.
      Value shared = forall.getRegionIterArgs()[0];
      tensor::ExtractSliceOp slab;
      for (Operation *user : shared.getUsers())
        if (auto s = dyn_cast<tensor::ExtractSliceOp>(user))
          slab = s;
      if (!slab ||
          slab.getSourceType().getRank() != slab.getResultType().getRank())
        continue;
      // The epilogue's operands (a residual) may be computed after the
      // transform: it moves down to its user.
      forall->moveBefore(op);
      SmallVector<vector::TransferWriteOp> writes;
      forall.getBody()->walk([&](vector::TransferWriteOp w) {
        if (writesInto(w, slab))
          writes.push_back(w);
      });
      for (vector::TransferWriteOp w : writes) {
        OpBuilder b(w);
        Value v = applyBody(b, w.getLoc(), op, reads, w.getVector(),
                            w.getIndices(), slab);
        w.getValueToStoreMutable().assign(v);
      }
      op->getResult(0).replaceAllUsesWith(forall->getResult(0));
      op->erase();
      forall->removeAttr("tdc.winograd_output");
    }
  }
};

} // namespace
