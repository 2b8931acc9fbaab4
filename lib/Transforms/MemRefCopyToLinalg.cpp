//===- MemRefCopyToLinalg.cpp - memref.copy -> linalg.copy ----------------===//
//
// memref.copy between strided buffers would call MLIR's C runner library,
// which the artifact must not need: each becomes a linalg.copy (loops). A
// large copy that bufferization left (a derived program's matmul result
// copied into the interior of its padded buffer) is also split over its
// outermost dim of extent > 1 into the tasks of an scf.forall, which the
// rest of the pipeline runs on the thread team like every parallel loop.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace tdc {
#define GEN_PASS_DEF_MEMREFCOPYTOLINALG
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// Copies smaller than this stay serial: a fork and join costs a few
/// microseconds, about what 256 KiB take to copy on one core.
constexpr int64_t kMinParallelCopyBytes = 256 * 1024;

/// The dim to split a copy of `type` over, or nothing when it stays serial.
std::optional<unsigned> parallelDim(MemRefType type) {
  if (!type.hasStaticShape() || type.getRank() == 0 ||
      !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t bytes =
      type.getNumElements() * type.getElementType().getIntOrFloatBitWidth() / 8;
  if (bytes < kMinParallelCopyBytes)
    return std::nullopt;
  for (unsigned d = 0; d < type.getRank(); ++d)
    if (type.getDimSize(d) > 1)
      return d;
  return std::nullopt;
}

/// One task per index of `dim`: the copy of that slice.
void copyInParallel(OpBuilder &b, memref::CopyOp op, unsigned dim) {
  Location loc = op.getLoc();
  auto type = cast<MemRefType>(op.getSource().getType());
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(type.getDimSize(dim))},
      ValueRange{}, std::nullopt);
  b.setInsertionPointToStart(forall.getBody());
  Value iv = forall.getInductionVar(0);
  auto slice = [&](Value buffer) -> Value {
    unsigned rank = type.getRank();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
    for (unsigned d = 0; d < rank; ++d)
      sizes.push_back(b.getIndexAttr(d == dim ? 1 : type.getDimSize(d)));
    offsets[dim] = iv;
    return memref::SubViewOp::create(b, loc, buffer, offsets, sizes, strides);
  };
  Value source = slice(op.getSource());
  Value target = slice(op.getTarget());
  linalg::CopyOp::create(b, loc, source, target);
}

struct MemRefCopyToLinalg
    : tdc::impl::MemRefCopyToLinalgBase<MemRefCopyToLinalg> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp op) { copies.push_back(op); });
    for (memref::CopyOp op : copies) {
      OpBuilder b(op);
      auto type = dyn_cast<MemRefType>(op.getSource().getType());
      // Only copies outside parallel loops: a task does not fork again.
      std::optional<unsigned> dim =
          type && !op->getParentOfType<scf::ForallOp>() &&
                  !op->getParentOfType<scf::ParallelOp>()
              ? parallelDim(type)
              : std::nullopt;
      if (dim)
        copyInParallel(b, op, *dim);
      else
        linalg::CopyOp::create(b, op.getLoc(), op.getSource(), op.getTarget());
      op.erase();
    }
  }
};

} // namespace
