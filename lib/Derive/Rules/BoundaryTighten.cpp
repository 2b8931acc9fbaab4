//===- BoundaryTighten.cpp - shrinking ranges to where values are non-zero ===//
//
// Traversal ranges of a nested scope T read by the scope the rule looks at:
//
//   T = L<t:-1:8> Sum<Z> { X[.., t, ..] * K[..] }   (X's dim of size 7)
//     ->  T' = L<t:0:7> Sum<Z> { X[.., t, ..] * K[..] }
//
// T is zero at every dropped point (a factor reads X out of range there), and
// a read of T' out of its range is zero too, so T' equals T everywhere and
// the reads are unchanged. Every traversal iterator of T is tightened at
// once. (Rewriting T itself would change its shape if T were the program's
// result, hence the rule rewrites T's readers.)
//
// Summation ranges of the scope itself: Sum<r:0:9> -> Sum<r:lo:hi> where the
// body is zero for r outside [lo, hi); dropped points contributed zero.
//
// Where the body is zero comes from supportOf (ZeroSupport.h): a factor read
// whose subscript is a*v + rest leaves its source's domain. Bodies with
// /, log, sqrt or exp are left alone (0 * inf is not 0). A range that would
// become empty is not proposed.
//
//===----------------------------------------------------------------------===//
#include "ZeroSupport.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

namespace tdc::derive {

namespace {

using namespace rules;

/// `r` intersected with the support of `body` in `v`; false if unchanged or
/// empty.
bool tighten(Expr body, const IterRange &r, const RangeMap &box, Range &out) {
  Support s = supportOf(body, r.iter, box);
  out = {std::max(r.range.lo, s.lo), std::min(r.range.hi, s.hi)};
  return out.size() > 0 && !(out == r.range);
}

std::string rangeText(const IterRange &r, Range to) {
  return r.iter->name + ":" + std::to_string(r.range.lo) + ":" +
         std::to_string(r.range.hi) + " -> " + std::to_string(to.lo) + ":" +
         std::to_string(to.hi);
}

std::string subsText(Expr access) {
  std::string s;
  for (size_t d = 0; d < access->subscripts.size(); ++d)
    s += (d ? ", " : "") + print(access->subscripts[d]);
  return s;
}

class BoundaryTightenRule : public Rule {
public:
  const char *name() const override { return "boundary-tighten"; }

  std::vector<Rewrite> apply(ExprContext &ctx, Expr scope) const override {
    std::vector<Rewrite> out;
    if (scope->kind != ExprKind::Scope)
      return out;
    std::vector<Expr> reads;
    scopeReads(scope->body, reads);
    std::vector<Expr> done;
    for (Expr access : reads) {
      Expr T = access->source;
      if (std::find(done.begin(), done.end(), T) != done.end())
        continue;
      done.push_back(T);
      RangeMap box;
      if (!boxOf(T, box) || !zeroSafe(T->body))
        continue;
      std::vector<IterRange> loops = T->loops;
      std::string detail;
      for (IterRange &r : loops) {
        Range to;
        if (!tighten(T->body, r, box, to))
          continue;
        detail += (detail.empty() ? "" : ", ") + rangeText(r, to);
        r.range = to;
      }
      if (detail.empty())
        continue;
      // A fresh copy binding its own iterators.
      std::unordered_map<Iter, Index> fresh;
      std::vector<IterRange> fl, fs;
      Expr body = freshCopy(ctx, T, fresh, fl, fs);
      for (size_t d = 0; d < fl.size(); ++d)
        fl[d].range = loops[d].range;
      Expr tNew = ctx.scope(fl, fs, body);
      out.push_back({replaceTensor(ctx, scope, T, tNew),
                     "tighten the nested scope read at [" + subsText(access) +
                         "]: " + detail});
    }
    // Summation iterators of the scope itself, all at once.
    RangeMap box;
    if (!boxOf(scope, box) || !zeroSafe(scope->body))
      return out;
    std::vector<IterRange> sums = scope->sums;
    std::string detail;
    for (IterRange &r : sums) {
      Range to;
      if (!tighten(scope->body, r, box, to))
        continue;
      detail += (detail.empty() ? "" : ", ") + rangeText(r, to);
      r.range = to;
    }
    if (!detail.empty())
      out.push_back({ctx.scope(scope->loops, sums, scope->body),
                     "tighten Sum<" + detail + ">"});
    return out;
  }
};

} // namespace

std::unique_ptr<Rule> createBoundaryTightenRule() {
  return std::make_unique<BoundaryTightenRule>();
}

} // namespace tdc::derive
