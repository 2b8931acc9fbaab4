//===- ElasticRegions.h - parallel regions late threads may skip -*- C++
//-*-===//
#ifndef TDC_LIB_TARGET_CPU_ELASTICREGIONS_H
#define TDC_LIB_TARGET_CPU_ELASTICREGIONS_H

namespace llvm {
class Module;
} // namespace llvm

namespace tdc {

/// Calls of `__kmpc_fork_call` whose outlined region only claims chunks of
/// dynamically scheduled loops (no barrier, no static share, no nested
/// fork) are redirected to the runtime's `tdc_rt_fork_call_elastic`: such a
/// region is complete once every chunk is done, so a worker that has not
/// started it when the others finish may skip it (runtime/tdc_runtime.c).
/// Returns how many calls were redirected.
unsigned redirectElasticRegions(llvm::Module &m);

} // namespace tdc

#endif
