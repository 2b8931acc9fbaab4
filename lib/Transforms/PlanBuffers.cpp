//===- PlanBuffers.cpp - temporaries placed in one workspace by liveness --===//
//
// Ownership-based deallocation frees every temporary at the end of the
// function, so a run holds all of them at once and mallocs each one again on
// every call; in an ordinary process glibc returns the large ones to the
// kernel in between, and each call page-faults them back. Packing the
// temporaries by live range into one workspace that the caller keeps makes a
// run allocate nothing, bounds its memory by the live set instead of the sum,
// and reuses buffers that are still in cache.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "llvm/ADT/STLExtras.h"

namespace tdc {
#define GEN_PASS_DEF_PLANBUFFERS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

constexpr int64_t kMinAlignment = 64;
constexpr llvm::StringLiteral kOpaquePointer = "tdc_rt_opaque_pointer";

struct Buffer {
  memref::AllocOp alloc;
  SmallVector<memref::DeallocOp> deallocs;
  int64_t bytes = 0, alignment = kMinAlignment, offset = 0;
  /// Live range: positions of the first and last op of the function body
  /// that touch the buffer.
  unsigned start = 0, end = 0;
};

/// Bytes of a statically shaped, identity-layout memref of whole-byte
/// elements in the default memory space; nullopt for anything else.
std::optional<int64_t> staticBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return std::nullopt;
  Type elem = type.getElementType();
  if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return type.getNumElements() * (elem.getIntOrFloatBitWidth() / 8);
}

/// Fills `buf`'s live range and deallocs by following every alias of the
/// allocation (results of the ops that use it, and of their ancestors in
/// `body`, which covers values yielded out of loops). False when the buffer
/// may outlive the function or is freed other than by a plain dealloc in
/// `body`.
bool analyzeLiveness(Buffer &buf, Block &body,
                     const DenseMap<Operation *, unsigned> &position) {
  Value root = buf.alloc.getResult();
  SmallVector<Value> worklist{root};
  DenseSet<Value> seen{root};
  buf.start = buf.end = position.lookup(buf.alloc);
  auto push = [&](Operation *op) {
    for (Value r : op->getResults())
      if (isa<BaseMemRefType>(r.getType()) && seen.insert(r).second)
        worklist.push_back(r);
  };
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        if (v != root || dealloc->getBlock() != &body)
          return false;
        buf.deallocs.push_back(dealloc);
        continue;
      }
      if (isa<func::ReturnOp, CallOpInterface>(user))
        return false;
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top)
        return false;
      buf.end = std::max(buf.end, position.lookup(top));
      push(user);
      if (top != user)
        push(top);
    }
  }
  return true;
}

/// Offsets by the greedy interval packing of TFLite's and IREE's planners:
/// largest buffers first, each at the lowest aligned offset that no buffer
/// live at the same time overlaps. Returns the workspace size.
int64_t assignOffsets(MutableArrayRef<Buffer> buffers) {
  SmallVector<unsigned> order(buffers.size());
  for (unsigned i = 0; i < order.size(); ++i)
    order[i] = i;
  llvm::stable_sort(order, [&](unsigned a, unsigned b) {
    return buffers[a].bytes > buffers[b].bytes;
  });
  SmallVector<unsigned> placed;
  int64_t total = 0;
  for (unsigned i : order) {
    Buffer &buf = buffers[i];
    SmallVector<std::pair<int64_t, int64_t>> busy; // [begin, end) in bytes
    for (unsigned j : placed) {
      const Buffer &other = buffers[j];
      if (other.start <= buf.end && buf.start <= other.end)
        busy.push_back({other.offset, other.offset + other.bytes});
    }
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [begin, end] : busy) {
      if (offset + buf.bytes <= begin)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(end, buf.alignment));
    }
    buf.offset = offset;
    total = std::max(total, offset + buf.bytes);
    placed.push_back(i);
  }
  return (int64_t)llvm::alignTo(total, kMinAlignment);
}

struct PlanBuffers : tdc::impl::PlanBuffersBase<PlanBuffers> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(functionName);
    // A function with callers inside the module cannot change its
    // signature here.
    if (!func || func.isExternal() || !func.getBody().hasOneBlock() ||
        !SymbolTable::symbolKnownUseEmpty(func, module) ||
        module.lookupSymbol(kOpaquePointer))
      return;
    Block &body = func.getBody().front();
    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;

    SmallVector<Buffer> buffers;
    for (auto alloc : body.getOps<memref::AllocOp>()) {
      std::optional<int64_t> bytes = staticBytes(alloc.getType());
      if (!bytes || !alloc.getDynamicSizes().empty() ||
          !alloc.getSymbolOperands().empty())
        continue;
      Buffer buf;
      buf.alloc = alloc;
      buf.bytes = *bytes;
      if (auto a = alloc.getAlignment())
        buf.alignment = std::max<int64_t>(kMinAlignment, *a);
      if (analyzeLiveness(buf, body, position))
        buffers.push_back(std::move(buf));
    }
    if (buffers.empty())
      return;
    int64_t total = assignOffsets(buffers);

    MLIRContext *ctx = &getContext();
    auto wsType = MemRefType::get({total}, IntegerType::get(ctx, 8));
    Location loc = func.getLoc();
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(
            index, wsType,
            DictionaryAttr::get(
                ctx, {NamedAttribute(StringAttr::get(ctx, "tdc.workspace"),
                                     UnitAttr::get(ctx))}),
            loc)))
      return signalPassFailure();
    Value workspace = func.getArgument(index);
    // Each buffer is addressed from its own copy of the workspace pointer,
    // passed through an opaque runtime function (runtime/tdc_runtime.c).
    // With one visible base for every buffer, the backend's store merging
    // compares every store of a large block with every other (ResNet-18
    // took minutes to compile instead of seconds); separate bases are what
    // the code had with one malloc per buffer.
    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    auto opaqueType = FunctionType::get(ctx, {wsType}, {wsType});
    auto opaque = func::FuncOp::create(b, loc, kOpaquePointer, opaqueType);
    opaque.setPrivate();
    for (Buffer &buf : buffers) {
      b.setInsertionPoint(buf.alloc);
      Location at = buf.alloc.getLoc();
      Value base = func::CallOp::create(b, at, opaque, ValueRange{workspace})
                       .getResult(0);
      Value shift = arith::ConstantIndexOp::create(b, at, buf.offset);
      Value view = memref::ViewOp::create(b, at, buf.alloc.getType(), base,
                                          shift, ValueRange{});
      buf.alloc.getResult().replaceAllUsesWith(view);
      for (memref::DeallocOp d : buf.deallocs)
        d.erase();
      buf.alloc.erase();
    }
    module->setAttr("tdc.workspace_bytes",
                    IntegerAttr::get(IntegerType::get(ctx, 64), total));
  }
};

} // namespace
