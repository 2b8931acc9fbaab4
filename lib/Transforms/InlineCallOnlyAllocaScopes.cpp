//===- InlineCallOnlyAllocaScopes.cpp - scopes with no stack allocation ---===//
//
// convert-scf-to-openmp wraps each parallel loop's body in a
// memref.alloca_scope, which must be inlined before its loops become
// blocks. Upstream's canonicalization inlines only scopes whose ops are all
// known not to allocate on the stack, and takes any call for one that might;
// but a callee's stack allocations live in its own frame and end with the
// call. So a scope holding no stack allocation of its own, only calls (a
// task asking the runtime for its scratch buffer, tdc-task-scratch), is
// inlined here.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace tdc {
#define GEN_PASS_DEF_INLINECALLONLYALLOCASCOPES
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// Whether `op` itself may allocate in the enclosing automatic allocation
/// scope; calls do not (their allocations are the callee's).
bool mayAllocateOnStack(Operation *op) {
  if (isa<func::CallOp>(op))
    return false;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>();
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  return llvm::any_of(list, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Allocate>(e.getEffect()) &&
           isa<SideEffects::AutomaticAllocationScopeResource>(e.getResource());
  });
}

struct InlineCallOnlyAllocaScopes
    : tdc::impl::InlineCallOnlyAllocaScopesBase<InlineCallOnlyAllocaScopes> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk([&](memref::AllocaScopeOp scope) {
      bool allocates =
          scope.getBodyRegion()
              .walk<WalkOrder::PreOrder>([&](Operation *op) {
                if (op->hasTrait<OpTrait::AutomaticAllocationScope>())
                  return WalkResult::skip();
                return mayAllocateOnStack(op) ? WalkResult::interrupt()
                                              : WalkResult::advance();
              })
              .wasInterrupted();
      if (!allocates && scope.getBodyRegion().hasOneBlock())
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block *body = &scope.getBodyRegion().front();
      Operation *terminator = body->getTerminator();
      SmallVector<Value> results(terminator->getOperands());
      rewriter.eraseOp(terminator);
      rewriter.inlineBlockBefore(body, scope);
      rewriter.replaceOp(scope, results);
    }
  }
};

} // namespace
