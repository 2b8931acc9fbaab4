//===- BalanceParallelLoops.cpp - dynamic schedules for parallel loops ----===//
//
// Every omp.wsloop gets schedule(dynamic): threads claim chunks of the loop
// at run time (runtime/tdc_runtime.c hands out guided chunks) instead of
// one precomputed equal share each. On a machine whose cores also run other
// work, a static share waits for its slowest thread; claimed chunks let the
// threads that have a core take the work of one that lost it. Results do
// not change: a task never splits a reduction, so what an iteration
// computes does not depend on the thread that runs it.
//
// A loop that ends its parallel region also gets nowait: the region's end
// joins the threads anyway, and without the loop's own barrier the region
// only claims chunks, so the runtime may let a worker that has not started
// it skip it (lib/Target/CPU/ElasticRegions.cpp).
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

namespace tdc {
#define GEN_PASS_DEF_BALANCEPARALLELLOOPS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

struct BalanceParallelLoops
    : tdc::impl::BalanceParallelLoopsBase<BalanceParallelLoops> {
  using Base::Base;

  void runOnOperation() override {
    getOperation()->walk([&](omp::WsloopOp loop) {
      // Loops that already name a schedule keep it.
      if (loop.getScheduleKind())
        return;
      loop.setScheduleKind(omp::ClauseScheduleKind::Dynamic);
      Operation *next = loop->getNextNode();
      if (isa_and_nonnull<omp::ParallelOp>(loop->getParentOp()) && next &&
          isa<omp::TerminatorOp>(next))
        loop.setNowait(true);
    });
  }
};

} // namespace
