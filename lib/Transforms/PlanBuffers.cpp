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
// A buffer part of which only zero fills write (the border of a padded
// convolution input: tdc-fill-borders-only) gets bytes of its own instead,
// in a zeroed tail of the workspace, and those fills go: the zeros written
// once stay there, and each run skips a pass of small strided fills (3-4%
// of MobileNetV2 and of the dilated-conv network at 2 threads).
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/BufferBytes.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/STLExtras.h"

namespace tdc {
#define GEN_PASS_DEF_PLANBUFFERS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

constexpr int64_t kMinAlignment = 64;
constexpr llvm::StringLiteral kOpaquePointer = "tdc_rt_opaque_pointer";
/// The zeroed tail stays within the code generator's static workspace
/// (kStaticWorkspaceLimit in CodeGen.cpp); a workspace allocated per call
/// zeroes its tail on every call.
constexpr int64_t kMaxZeroedBytes = int64_t(256) << 20;
constexpr int64_t kMaxWorkspaceBytes = int64_t(1) << 30;

struct Buffer {
  memref::AllocOp alloc;
  SmallVector<memref::DeallocOp> deallocs;
  int64_t bytes = 0, alignment = kMinAlignment, offset = 0;
  /// Live range: positions of the first and last op of the function body
  /// that touch the buffer.
  unsigned start = 0, end = 0;
  /// Zero fills of parts of the buffer that nothing else writes: with the
  /// buffer in the zeroed tail they need not run.
  SmallVector<linalg::FillOp> persistentFills;
};

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

/// Per dim, the half-open range of indices a static subview covers.
using Box = SmallVector<std::pair<int64_t, int64_t>>;

std::optional<Box> staticBox(memref::SubViewOp view) {
  ArrayRef<int64_t> offsets = view.getStaticOffsets(),
                    sizes = view.getStaticSizes(),
                    strides = view.getStaticStrides();
  if (ShapedType::isDynamicShape(offsets) ||
      ShapedType::isDynamicShape(sizes) || ShapedType::isDynamicShape(strides))
    return std::nullopt;
  Box box;
  for (auto [o, n, s] : llvm::zip(offsets, sizes, strides))
    box.push_back({o, n == 0 ? o : o + (n - 1) * s + 1});
  return box;
}

bool disjoint(const Box &a, const Box &b) {
  for (auto [x, y] : llvm::zip(a, b))
    if (x.second <= y.first || y.second <= x.first)
      return true;
  return false;
}

/// A linalg.fill of +0 (all bits zero) into `out`.
linalg::FillOp zeroFillOf(Operation *op, Value out) {
  auto fill = dyn_cast<linalg::FillOp>(op);
  if (!fill || fill.getOutputs()[0] != out)
    return {};
  Attribute value;
  if (!matchPattern(fill.getInputs()[0], m_Constant(&value)))
    return {};
  if (auto f = dyn_cast<FloatAttr>(value))
    return f.getValue().isPosZero() ? fill : linalg::FillOp();
  if (auto i = dyn_cast<IntegerAttr>(value))
    return i.getValue().isZero() ? fill : linalg::FillOp();
  return {};
}

bool mayWrite(Value root);

/// Whether `use` may write the memref it reads, itself or through a view.
/// Ops that do not declare their memory effects (calls, loops carrying the
/// memref) count as writers.
bool mayWrite(OpOperand &use) {
  Operation *user = use.getOwner();
  Value v = use.get();
  if (isa<memref::DeallocOp>(user))
    return false;
  auto view = dyn_cast<ViewLikeOpInterface>(user);
  if (view && view.getViewSource() == v)
    return llvm::any_of(user->getResults(), [](Value r) {
      return isa<BaseMemRefType>(r.getType()) && mayWrite(r);
    });
  auto effects = dyn_cast<MemoryEffectOpInterface>(user);
  if (!effects)
    return true;
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  return llvm::any_of(list, [&](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Write>(e.getEffect()) &&
           (!e.getValue() || e.getValue() == v);
  });
}

bool mayWrite(Value v) {
  return llvm::any_of(v.getUses(),
                      [](OpOperand &use) { return mayWrite(use); });
}

/// The zero fills of `alloc` that may run once: each fills a static
/// subview of it, and every other write to the buffer goes through a
/// static subview disjoint from all of them. Empty when there are none.
SmallVector<linalg::FillOp> persistentZeroFills(memref::AllocOp alloc) {
  SmallVector<linalg::FillOp> fills;
  SmallVector<Box> zeroBoxes, writtenBoxes;
  for (OpOperand &use : alloc->getUses()) {
    auto view = dyn_cast<memref::SubViewOp>(use.getOwner());
    std::optional<Box> box = view ? staticBox(view) : std::nullopt;
    if (!box) {
      // Reads anywhere are fine; writes need a static box.
      if (mayWrite(use))
        return {};
      continue;
    }
    if (!view->use_empty() && llvm::all_of(view->getUsers(), [&](auto *u) {
          return zeroFillOf(u, view);
        })) {
      for (Operation *u : view->getUsers())
        fills.push_back(cast<linalg::FillOp>(u));
      zeroBoxes.push_back(*box);
    } else if (mayWrite(view)) {
      writtenBoxes.push_back(*box);
    }
  }
  for (const Box &w : writtenBoxes)
    for (const Box &z : zeroBoxes)
      if (!disjoint(w, z))
        return {};
  return fills;
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
      std::optional<int64_t> bytes = tdc::staticBufferBytes(alloc.getType());
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
    // Buffers with persistent zeros last, each with bytes of its own after
    // the shared ones.
    int64_t zeroed = 0;
    for (Buffer &buf : buffers) {
      SmallVector<linalg::FillOp> fills = persistentZeroFills(buf.alloc);
      if (!fills.empty() && zeroed + buf.bytes <= kMaxZeroedBytes) {
        buf.persistentFills = std::move(fills);
        zeroed += llvm::alignTo(buf.bytes, buf.alignment);
      }
    }
    auto shared = std::stable_partition(
        buffers.begin(), buffers.end(),
        [](const Buffer &b) { return b.persistentFills.empty(); });
    int64_t zeroFrom =
        assignOffsets(MutableArrayRef<Buffer>(buffers).take_front(
            std::distance(buffers.begin(), shared)));
    int64_t total = zeroFrom;
    for (Buffer &buf : llvm::make_range(shared, buffers.end())) {
      buf.offset = (int64_t)llvm::alignTo(total, buf.alignment);
      total = buf.offset + buf.bytes;
    }
    total = (int64_t)llvm::alignTo(total, kMinAlignment);
    if (total > kMaxWorkspaceBytes && zeroFrom < total) {
      for (Buffer &buf : buffers)
        buf.persistentFills.clear();
      total = zeroFrom = assignOffsets(buffers);
    }

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
      for (linalg::FillOp fill : buf.persistentFills) {
        Operation *slab = fill.getOutputs()[0].getDefiningOp();
        fill.erase();
        if (slab->use_empty())
          slab->erase();
      }
      buf.alloc.erase();
    }
    auto i64 = IntegerType::get(ctx, 64);
    module->setAttr("tdc.workspace_bytes", IntegerAttr::get(i64, total));
    // The code generator zeroes this tail in workspaces it allocates per
    // call (its static one starts zeroed).
    if (zeroFrom < total)
      module->setAttr("tdc.workspace_zeroed_from",
                      IntegerAttr::get(i64, zeroFrom));
  }
};

} // namespace
