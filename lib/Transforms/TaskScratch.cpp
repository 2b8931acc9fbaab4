//===- TaskScratch.cpp - a task's temporaries in its thread's scratch -----===//
//
// A temporary that each task of a parallel loop allocates for itself (a
// fused Winograd convolution's V and M) would be a malloc and free per task
// and per run, unchecked, in a worker thread. The runtime keeps one scratch
// buffer per thread instead (tdc_rt_task_scratch in runtime/tdc_runtime.c):
// a task's temporaries are views of it, and since a thread runs one task at
// a time, the next task of that thread reuses the same memory, still in its
// cache. (Slices of one workspace buffer, one per task, were cold: the
// dilated-conv network ran 13% slower than with malloc.)
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/BufferBytes.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace tdc {
#define GEN_PASS_DEF_TASKSCRATCH
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;
constexpr llvm::StringLiteral kScratch = "tdc_rt_task_scratch";

/// The allocation's frees, when there are some and all are in its block
/// (the task frees what it allocated); nullopt when it may outlive the
/// task.
std::optional<SmallVector<memref::DeallocOp>>
freesInBlock(memref::AllocOp alloc) {
  SmallVector<memref::DeallocOp> frees;
  for (Operation *user : alloc->getUsers())
    if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
      if (dealloc->getBlock() != alloc->getBlock())
        return std::nullopt;
      frees.push_back(dealloc);
    }
  if (frees.empty())
    return std::nullopt;
  return frees;
}

struct Task {
  scf::ForallOp forall;
  SmallVector<std::pair<memref::AllocOp, int64_t>> allocs; // and offsets
  int64_t bytes = 0;
};

struct TaskScratch : tdc::impl::TaskScratchBase<TaskScratch> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<Task> tasks;
    int64_t most = 0;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      for (auto forall : func.getBody().front().getOps<scf::ForallOp>()) {
        // A nested parallel loop runs its tasks inline in this one's
        // thread, where they would reuse the same scratch.
        if (forall.getBody()
                ->walk([](scf::ForallOp) { return WalkResult::interrupt(); })
                .wasInterrupted())
          continue;
        Task task{forall};
        for (Operation &inner : forall.getBody()->without_terminator())
          if (auto alloc = dyn_cast<memref::AllocOp>(inner);
              alloc && alloc.getDynamicSizes().empty() &&
              alloc.getSymbolOperands().empty() &&
              tdc::staticBufferBytes(alloc.getType()) && freesInBlock(alloc)) {
            task.allocs.push_back({alloc, task.bytes});
            task.bytes += llvm::alignTo(
                *tdc::staticBufferBytes(alloc.getType()), kAlignment);
          }
        if (task.allocs.empty())
          continue;
        most = std::max(most, task.bytes);
        tasks.push_back(std::move(task));
      }
    }
    if (tasks.empty())
      return;
    // One declaration, typed with the largest request: the bare-pointer
    // calling convention (static shapes only) makes the memref the
    // runtime's void *.
    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    auto bufType = MemRefType::get({most}, b.getIntegerType(8));
    auto scratchFn = func::FuncOp::create(
        b, module.getLoc(), kScratch,
        FunctionType::get(ctx, {b.getI64Type()}, {bufType}));
    scratchFn.setPrivate();
    for (Task &task : tasks) {
      Location loc = task.forall.getLoc();
      b.setInsertionPointToStart(task.forall.getBody());
      Value bytes = arith::ConstantIntOp::create(b, loc, task.bytes, 64);
      Value buf = func::CallOp::create(b, loc, scratchFn, ValueRange{bytes})
                      .getResult(0);
      for (auto [alloc, offset] : task.allocs) {
        b.setInsertionPoint(alloc);
        Value shift = arith::ConstantIndexOp::create(b, loc, offset);
        Value view = memref::ViewOp::create(b, loc, alloc.getType(), buf, shift,
                                            ValueRange{});
        for (memref::DeallocOp dealloc : *freesInBlock(alloc))
          dealloc.erase();
        alloc.replaceAllUsesWith(view);
        alloc.erase();
      }
    }
  }
};

} // namespace
