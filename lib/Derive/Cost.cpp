//===- Cost.cpp - a roofline cost model of the target
//----------------------===//
#include "tdc/Derive/Cost.h"
#include "tdc/Derive/Rule.h"

#include <algorithm>

namespace tdc::derive {

double CostModel::seconds(const Kernel &k) const {
  double traffic = (k.bytesRead + k.bytesWritten) / bandwidth;
  if (k.kind == KernelKind::EOperator)
    return std::max(traffic, k.flops / scalarFlops);
  // Register tiles want m and n of a few vectors and a long k; small dims
  // waste the micro-kernel. Convolutions pay for the implicit im2col.
  auto fill = [](double x, double half) { return x / (x + half); };
  double eff = 0.85 * fill((double)k.m, 8) * fill((double)k.n, 16) *
               fill((double)k.k, 32);
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

} // namespace tdc::derive
