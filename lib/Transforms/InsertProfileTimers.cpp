//===- InsertProfileTimers.cpp - time each top-level loop nest ------------===//
//
// The whole model is one function, so a sampling profiler only sees
// addresses. With `tdc compile --profile` / `tdc bench --profile` this pass
// brackets every top-level loop nest of each function (after
// bufferization: linalg ops, tiled loops, parallel tasks, copies) with two
// reads of a monotonic clock (`tdc_profile_now`, in the runtime) and adds
// the difference to its slot of the global `tdc_profile_ns`. The slot's
// label (ONNX node, op type, what the nest is) goes into the module
// attribute `tdc.profile_labels`, from which code generation emits the C
// API that reads the slots back (`<prefix>_profile_*`).
//
//===----------------------------------------------------------------------===//
#include "tdc/Dialect/Graph/IR/NodeLocation.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace tdc {
#define GEN_PASS_DEF_INSERTPROFILETIMERS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// What a top-level op computes, as the profile names it: the linalg op
/// (or the first one inside a loop nest), marked as vector code, tiled or
/// parallel when it is.
std::string describeNest(Operation *op) {
  if (isa<linalg::LinalgOp>(op))
    return op->getName().stripDialect().str();
  if (isa<memref::CopyOp>(op))
    return "copy";
  std::string inner;
  bool vector = false, parallel = false;
  op->walk([&](Operation *nested) {
    if (inner.empty() && isa<linalg::LinalgOp>(nested))
      inner = nested->getName().stripDialect().str();
    if (isa<vector::VectorDialect>(nested->getDialect()))
      vector = true;
    if (isa<scf::ForallOp, scf::ParallelOp>(nested))
      parallel = true;
  });
  std::string s = inner.empty() ? "loops" : inner;
  if (vector)
    s += ", vector";
  if (parallel)
    s += ", parallel";
  return s;
}

bool isTimed(Operation *op) {
  return isa<linalg::LinalgOp, memref::CopyOp>(op) || op->getNumRegions() > 0;
}

struct InsertProfileTimers
    : tdc::impl::InsertProfileTimersBase<InsertProfileTimers> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<std::pair<Operation *, std::string>> timed;
    for (auto f : module.getOps<func::FuncOp>()) {
      if (f.isDeclaration())
        continue;
      for (Operation &op : f.getBody().getOps())
        if (isTimed(&op))
          timed.push_back({&op, tdc::tg::describeLocation(op.getLoc()) + "\t" +
                                    describeNest(&op)});
    }
    if (timed.empty())
      return;
    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    Location loc = module.getLoc();
    Type i64 = b.getI64Type();
    auto slotsType = MemRefType::get({(int64_t)timed.size()}, i64);
    memref::GlobalOp::create(
        b, loc, "tdc_profile_ns", b.getStringAttr("private"), slotsType,
        DenseElementsAttr::get(RankedTensorType::get(slotsType.getShape(), i64),
                               b.getI64IntegerAttr(0).getValue()),
        /*constant=*/false, /*alignment=*/nullptr);
    auto now = func::FuncOp::create(b, loc, "tdc_profile_now",
                                    b.getFunctionType({}, {i64}));
    now.setPrivate();
    SmallVector<Attribute> labels;
    for (auto [i, entry] : llvm::enumerate(timed)) {
      auto [op, label] = entry;
      labels.push_back(b.getStringAttr(label));
      Location l = op->getLoc();
      b.setInsertionPoint(op);
      Value t0 = func::CallOp::create(b, l, now).getResult(0);
      b.setInsertionPointAfter(op);
      Value t1 = func::CallOp::create(b, l, now).getResult(0);
      Value slots =
          memref::GetGlobalOp::create(b, l, slotsType, "tdc_profile_ns");
      Value idx = arith::ConstantIndexOp::create(b, l, i);
      Value old = memref::LoadOp::create(b, l, slots, idx);
      Value sum =
          arith::AddIOp::create(b, l, old, arith::SubIOp::create(b, l, t1, t0));
      memref::StoreOp::create(b, l, sum, slots, idx);
    }
    module->setAttr("tdc.profile_labels", b.getArrayAttr(labels));
  }
};

} // namespace
