//===- SumSplit.cpp - summation splitting ---------------------------------===//
//
//   L<X> Sum<S1 u S2> { f }  ->  L<X> Sum<S1> { T[X, S1] },
//   T = L<X', S1'> Sum<S2'> { f' }
//
// where X', S1', S2' are fresh copies of X, S1, S2 (T is closed) and f' is f
// renamed to them. Sum_{S1} Sum_{S2} f == Sum_{S1} (Sum_{S2} f) for any body,
// and T is read exactly on its traversal domain (no padding involved), so the
// rewrite is valid whatever f is. S1 may be empty: the whole summation is
// materialized as an intermediate tensor the outer scope copies.
//
//===----------------------------------------------------------------------===//
#include "tdc/Derive/Rule.h"

namespace tdc::derive {

namespace {

std::string iterList(const std::vector<IterRange> &rs) {
  std::string s;
  for (size_t k = 0; k < rs.size(); ++k)
    s += (k ? ", " : "") + rs[k].iter->name;
  return s;
}

/// The rewrite splitting the summation iterators whose bit is set in `mask`
/// (S2) into a nested scope.
Rewrite split(ExprContext &ctx, Expr scope, uint64_t mask) {
  std::vector<IterRange> s1, s2;
  for (size_t k = 0; k < scope->sums.size(); ++k)
    (mask >> k & 1 ? s2 : s1).push_back(scope->sums[k]);

  std::unordered_map<Iter, Index> rename;
  auto fresh = [&](const std::vector<IterRange> &rs) {
    std::vector<IterRange> out;
    for (const IterRange &r : rs) {
      Iter i = ctx.iter(r.iter->name);
      rename[r.iter] = ctx.idx(i);
      out.push_back({i, r.range});
    }
    return out;
  };
  std::vector<IterRange> innerLoops = fresh(scope->loops);
  std::vector<IterRange> s1Fresh = fresh(s1);
  innerLoops.insert(innerLoops.end(), s1Fresh.begin(), s1Fresh.end());
  std::vector<IterRange> innerSums = fresh(s2);
  Expr inner =
      ctx.scope(innerLoops, innerSums, substitute(ctx, scope->body, rename));

  // Read T at (X, S1): always inside its domain.
  std::vector<Index> subs;
  for (const IterRange &r : scope->loops)
    subs.push_back(ctx.idx(r.iter));
  for (const IterRange &r : s1)
    subs.push_back(ctx.idx(r.iter));
  Expr outer = ctx.scope(scope->loops, s1, ctx.access(inner, subs));
  return {outer, "split Sum<" + iterList(s2) + "> out of Sum<" +
                     iterList(scope->sums) + ">"};
}

class SumSplitRule : public Rule {
public:
  const char *name() const override { return "sum-split"; }

  std::vector<Rewrite> apply(ExprContext &ctx, Expr scope) const override {
    std::vector<Rewrite> out;
    if (scope->kind != ExprKind::Scope || scope->sums.empty())
      return out;
    size_t n = scope->sums.size();
    uint64_t all = (uint64_t(1) << n) - 1;
    if (n <= 5) {
      // Every non-empty proper subset, then the whole summation.
      for (uint64_t mask = 1; mask < all; ++mask)
        out.push_back(split(ctx, scope, mask));
    } else {
      // Too many subsets: single iterators and their complements.
      for (size_t k = 0; k < n; ++k) {
        out.push_back(split(ctx, scope, uint64_t(1) << k));
        out.push_back(split(ctx, scope, all & ~(uint64_t(1) << k)));
      }
    }
    out.push_back(split(ctx, scope, all));
    return out;
  }
};

} // namespace

std::unique_ptr<Rule> createSumSplitRule() {
  return std::make_unique<SumSplitRule>();
}

} // namespace tdc::derive
