//===- Cost.cpp - a roofline cost model of the target
//----------------------===//
#include "tdc/Derive/Cost.h"
#include "tdc/Derive/Rule.h"
#include "tdc/Schedule/RegisterBlocks.h"
#include "tdc/Schedule/Winograd.h"

#include <algorithm>

namespace tdc::derive {

double CostModel::seconds(const Kernel &k) const {
  double traffic = (k.bytesRead + k.bytesWritten) / bandwidth;
  if (k.kind == KernelKind::EOperator)
    return std::max(traffic, k.flops / scalarFlops);
  // The scheduler's register block for this shape, as an implicit GEMM
  // for convolutions (rows: output points, columns: filters). Its
  // convolutions reach less than its GEMMs: 80-87% of peak for 3x3
  // channels-last ones against 89% (benchmarks/), far less for the
  // generic loop nests of other layouts.
  double eff = std::max(
      1e-3, schedule::estimateMatmul(k.m, k.n, k.k, vectorBits).efficiency);
  if (k.kind == KernelKind::Conv)
    eff *= 0.8;
  // Band matmuls reuse each B row only across the window: half the
  // efficiency of a dense micro-kernel.
  if (k.kind == KernelKind::G2BMM || k.kind == KernelKind::GBMM)
    eff *= 0.5;
  // A re-layout copies the operand: read and write it once more.
  double relayout = 2 * k.relayoutBytes / bandwidth;
  double compute =
      k.vectorized ? k.flops / (peakFlops * eff) : k.flops / scalarFlops;
  return std::max(traffic, compute) + relayout;
}

double CostModel::programSeconds(Expr root) const {
  double total = 0;
  for (Expr s : scopesOf(root)) {
    auto it = scopeCache.find(s);
    if (it == scopeCache.end())
      it = scopeCache.emplace(s, seconds(bestKernel(s, *this))).first;
    total += it->second;
  }
  return total;
}

double CostModel::winogradSeconds(const Kernel &k) const {
  schedule::WinogradEstimate e =
      schedule::estimateWinograd(*k.winograd, vectorBits);
  double matmul =
      e.matmulFlops / (peakFlops * std::max(1e-3, e.matmulEfficiency));
  // The transforms issue about one vector instruction per cycle and core
  // (loads, stores, adds and FMAs by small constants): a quarter of the
  // rate of peak FLOP/s's 2 FMAs of 2 flops per lane.
  double lanes = std::max<double>(1, vectorBits / 32);
  double transforms = e.transformOps / (peakFlops / (4 * lanes));
  double traffic = (k.bytesRead + k.bytesWritten) / bandwidth;
  return std::max(traffic, matmul + transforms) + e.spillBytes / bandwidth;
}

double CostModel::originalSeconds(Expr root) const {
  double total = 0;
  for (Expr s : scopesOf(root)) {
    Kernel k = bestKernel(s, *this);
    total += k.winograd ? winogradSeconds(k) : seconds(k);
  }
  return total;
}

} // namespace tdc::derive
