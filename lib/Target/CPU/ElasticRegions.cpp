//===- ElasticRegions.cpp - parallel regions late threads may skip --------===//
//
// A parallel region normally needs every thread of the team: each runs its
// static share and waits at barriers for the others. tdc's loops are
// scheduled dynamically (tdc-balance-parallel-loops, with nowait where the
// region ends right after the loop), so in most regions a thread only
// claims chunks; whichever threads run them, the region is done when no
// chunk is left. Waiting for a worker that has not even started (its core
// taken by another process) then costs a scheduler time slice for nothing.
// The check is on the outlined LLVM IR itself, so it holds whatever the
// OpenMP translation emitted.
//
//===----------------------------------------------------------------------===//
#include "ElasticRegions.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace tdc {

namespace {

/// Runtime calls a thread may make in a region it may also skip.
bool claimsOnly(StringRef callee) {
  return callee.starts_with("__kmpc_dispatch_") ||
         callee == "__kmpc_global_thread_num";
}

bool isElastic(Function &f, SmallPtrSetImpl<Function *> &visited) {
  if (!visited.insert(&f).second)
    return true;
  for (Instruction &inst : instructions(f)) {
    auto *call = dyn_cast<CallBase>(&inst);
    if (!call)
      continue;
    Function *callee = call->getCalledFunction();
    if (!callee)
      return false; // unknown code might synchronize
    StringRef name = callee->getName();
    if (name.starts_with("__kmpc_") || name.starts_with("omp_")) {
      if (!claimsOnly(name))
        return false;
      continue;
    }
    if (!callee->isDeclaration() && !isElastic(*callee, visited))
      return false;
  }
  return true;
}

} // namespace

unsigned redirectElasticRegions(Module &m) {
  Function *fork = m.getFunction("__kmpc_fork_call");
  if (!fork)
    return 0;
  FunctionCallee elastic = m.getOrInsertFunction("tdc_rt_fork_call_elastic",
                                                 fork->getFunctionType());
  unsigned count = 0;
  for (User *u : make_early_inc_range(fork->users())) {
    auto *call = dyn_cast<CallInst>(u);
    if (!call || call->getCalledOperand() != fork || call->arg_size() < 3)
      continue;
    auto *outlined =
        dyn_cast<Function>(call->getArgOperand(2)->stripPointerCasts());
    SmallPtrSet<Function *, 8> visited;
    if (!outlined || outlined->isDeclaration() ||
        !isElastic(*outlined, visited))
      continue;
    call->setCalledFunction(elastic);
    ++count;
  }
  return count;
}

} // namespace tdc
