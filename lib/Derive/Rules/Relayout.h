//===- Relayout.h - copies of a tensor in another layout --------*- C++ -*-===//
//
// Building blocks shared by layout-transform and guided-relayout: the copy
// of an input with one dim split in two, read so that the copy's subscripts
// are plain iterators where the original subscript was k*q + r.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_LIB_DERIVE_RULES_RELAYOUT_H
#define TDC_LIB_DERIVE_RULES_RELAYOUT_H

#include "ZeroSupport.h"

#include <numeric>
#include <set>
#include <string>

namespace tdc::derive::rules {

/// Factors k (1 < k < extent, k divides extent) that a subscript's
/// coefficients suggest splitting a dim by (2*h + r splits by 2); with
/// `fallback`, the extent's smallest prime factor when none does.
inline std::vector<int64_t> splitFactors(Index sub, int64_t extent,
                                         bool fallback = true) {
  std::set<int64_t> ks;
  LinearForm lf;
  if (toLinear(sub, lf))
    for (auto &[it, coef] : lf.terms) {
      int64_t g = std::gcd(coef < 0 ? -coef : coef, extent);
      if (g > 1 && g < extent)
        ks.insert(g);
    }
  if (ks.empty() && fallback)
    for (int64_t p = 2; p * p <= extent; ++p)
      if (extent % p == 0) {
        ks.insert(p);
        break;
      }
  return {ks.begin(), ks.end()};
}

/// (q, r) with sub = k*q + r and r in [0, k) over `box`, as plain affine
/// subscripts when the terms allow it, else sub/k and sub%k.
inline std::pair<Index, Index> splitSubscript(ExprContext &ctx, Index sub,
                                              int64_t k, const RangeMap *box) {
  LinearForm lf;
  if (box && toLinear(sub, lf)) {
    LinearForm q, r;
    for (auto &[it, coef] : lf.terms)
      (coef % k == 0 ? q : r)
          .terms.push_back({it, coef % k == 0 ? coef / k : coef});
    r.constant = lf.constant;
    if (auto b = boundsOf(ctx.linear(r), *box)) {
      // Move whole multiples of k from r to q so that r starts in [0, k).
      int64_t shift = floorDivInt(b->lo, k);
      if (b->hi - k * shift < k) {
        q.constant = shift;
        r.constant -= k * shift;
        return {ctx.linear(q), ctx.linear(r)};
      }
    }
  }
  return {ctx.floorDiv(sub, k), ctx.mod(sub, k)};
}

/// The copy of `acc`'s input with dim d (divisible by k) split into
/// [D/k, k], and the subscripts reading it where `acc` read the input.
/// A read of the copy is out of range exactly when the original was, because
/// k divides the extent.
struct SplitLayout {
  Expr copy;
  std::vector<Index> subscripts;
  std::string detail;
};

inline SplitLayout splitLayout(ExprContext &ctx, Expr acc, size_t d, int64_t k,
                               const RangeMap *box) {
  Expr A = acc->source;
  const std::vector<int64_t> &D = A->shape;
  std::vector<IterRange> loops;
  std::vector<Index> body, subs;
  for (size_t j = 0; j < D.size(); ++j) {
    std::string dim = "d" + std::to_string(j);
    if (j != d) {
      Iter it = ctx.iter(dim);
      loops.push_back({it, {0, D[j]}});
      body.push_back(ctx.idx(it));
      subs.push_back(acc->subscripts[j]);
      continue;
    }
    Iter o = ctx.iter(dim + "o"), i = ctx.iter(dim + "i");
    loops.push_back({o, {0, D[d] / k}});
    loops.push_back({i, {0, k}});
    body.push_back(ctx.add(ctx.mul(ctx.idx(o), k), ctx.idx(i)));
    auto [q, r] = splitSubscript(ctx, acc->subscripts[d], k, box);
    subs.push_back(q);
    subs.push_back(r);
  }
  return {ctx.scope(loops, {}, ctx.access(A, body)), subs,
          "split dim " + std::to_string(d) + " of " + A->name + " (" +
              std::to_string(D[d]) + " -> " + std::to_string(D[d] / k) + "x" +
              std::to_string(k) + ")"};
}

} // namespace tdc::derive::rules

#endif
