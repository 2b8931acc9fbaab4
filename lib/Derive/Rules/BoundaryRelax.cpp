//===- BoundaryRelax.cpp - growing summation ranges over zero terms -------===//
//
//   L<X> Sum<r:0:5> { .. * K[.., r, ..] }   (K's dim of size 5)
//     ->  L<X> Sum<r:0:6> { .. * K[.., r, ..] }
//
// The added points contribute zero because a factor reads out of range there
// (supportOf in ZeroSupport.h), so the sum is unchanged. The new extent is
// the next multiple of 2 and of 3 (so that var-substitution can split the
// iterator into blocks, e.g. a 5x5 kernel into 2x2 blocks of 3x3); the range
// grows upwards, or downwards when the top is not zero. Extents of 1 are
// left alone. Bodies with /, log,
// sqrt or exp are left alone (0 * inf is not 0).
//
//===----------------------------------------------------------------------===//
#include "ZeroSupport.h"
#include "tdc/Derive/Rule.h"

namespace tdc::derive {

namespace {

using namespace rules;

class BoundaryRelaxRule : public Rule {
public:
  const char *name() const override { return "boundary-relax"; }

  std::vector<Rewrite> apply(ExprContext &ctx, Expr scope) const override {
    std::vector<Rewrite> out;
    if (scope->kind != ExprKind::Scope)
      return out;
    RangeMap box;
    if (!boxOf(scope, box) || !zeroSafe(scope->body))
      return out;
    for (size_t d = 0; d < scope->sums.size(); ++d) {
      const IterRange &r = scope->sums[d];
      Support s = supportOf(scope->body, r.iter, box);
      int64_t e = r.range.size();
      if (e < 2)
        continue; // growing 1 to 2 or 3 enables no useful split
      std::vector<int64_t> grown;
      for (int64_t m : {2, 3}) {
        int64_t g = (e + m - 1) / m * m;
        if (g != e && std::find(grown.begin(), grown.end(), g) == grown.end())
          grown.push_back(g);
      }
      std::sort(grown.begin(), grown.end());
      for (int64_t g : grown) {
        int64_t extra = g - e;
        Range to;
        if (r.range.hi >= s.hi || r.range.hi + extra <= s.lo)
          to = {r.range.lo, r.range.hi + extra}; // [hi, hi+extra) is zero
        else if (r.range.lo <= s.lo || r.range.lo - extra >= s.hi)
          to = {r.range.lo - extra, r.range.hi};
        else
          continue;
        std::vector<IterRange> sums = scope->sums;
        sums[d].range = to;
        out.push_back(
            {ctx.scope(scope->loops, sums, scope->body),
             "relax Sum<" + r.iter->name + ":" + std::to_string(r.range.lo) +
                 ":" + std::to_string(r.range.hi) + "> to " +
                 std::to_string(to.lo) + ":" + std::to_string(to.hi)});
      }
    }
    return out;
  }
};

} // namespace

std::unique_ptr<Rule> createBoundaryRelaxRule() {
  return std::make_unique<BoundaryRelaxRule>();
}

} // namespace tdc::derive
