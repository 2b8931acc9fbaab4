//===- Cost.h - a roofline cost model of the target ----------------*- C++
//-*-===//
//
// Candidates are ranked by estimated time: instantiated kernels run at the
// fraction of peak FLOP/s that the scheduler's register blocks reach on
// their shape (tdc/Schedule/RegisterBlocks.h: the same block choices as
// the scheduling passes, lane and row waste included); eOperators are costed
// for real, as max(traffic / bandwidth, scalar work / scalar throughput),
// never as free. Intermediate tensors are written once and read by their
// consumers.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_COST_H
#define TDC_DERIVE_COST_H

#include "tdc/Derive/Expr.h"
#include "tdc/Derive/Instantiate.h"

#include <cstdint>
#include <unordered_map>

namespace tdc::derive {

struct CostModel {
  double peakFlops = 475e9; // fp32 FMA peak (2 cores, AVX-512)
  double bandwidth = 30e9;  // bytes/s
  double scalarFlops = 8e9; // eOperator arithmetic (not vectorized)
  int64_t vectorBits = 512; // the target's vector registers
  double bytesPerElement = 4;

  /// Seconds to run one kernel.
  double seconds(const Kernel &k) const;
  /// Seconds to compute a whole program: every scope once, with the
  /// cheapest kernel each.
  double programSeconds(Expr root) const;
  /// The same for a node's own program, which stays with the graph
  /// lowering when nothing better is derived: its 3x3 convolutions may run
  /// as Winograd ones (a derived program's convolutions do not).
  double originalSeconds(Expr root) const;
  /// Seconds of a convolution computed with Winograd F(4x4, 3x3).
  double winogradSeconds(const Kernel &k) const;

  /// Forget cached scope costs. Scopes are keyed by address, which a new
  /// ExprContext may reuse: every search starts by calling this.
  void clearCache() const { scopeCache.clear(); }

private:
  // Scopes are interned, so a scope's cost is computed once per search.
  mutable std::unordered_map<Expr, double> scopeCache;
};

} // namespace tdc::derive

#endif
