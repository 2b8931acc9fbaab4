//===- LayoutTransform.cpp - reading a re-laid-out copy of an input -------===//
//
// An access A[s0, ..., sn] to an input is replaced by a read of a copy of A
// in another layout; the copy is a new nested scope (the layout eOperator):
//
//   permute:  A[s0, s1, s2]  ->  {L<d2, d0, d1> { A[d0, d1, d2] }}[s2, s0, s1]
//   merge:    A[s0, s1]      ->  {L<d0_1:0:D0*D1> { A[(d0_1)/D1, (d0_1)%D1] }}
//                                  [s0*D1 + s1]
//   split:    A[s0]          ->  {L<d0o:0:D0/k, d0i:0:k> { A[k*d0o+d0i] }}
//                                  [q, r]     with s0 = k*q + r, 0 <= r < k
//
// Padding: a read of the copy is out of range exactly when the read of A is,
//  - for a permutation trivially;
//  - for a split because k divides D0, so s0/k is in [0, D0/k) iff s0 is in
//    [0, D0) (q, r are s0/k, s0%k when r provably stays in [0, k), else the
//    subscripts are written with / and %);
//  - for a merge only when s1 stays in [0, D1) for every point of the scope
//    (else s0*D1 + s1 could land in range while A[s0, s1] is padding), which
//    is checked with the subscript bounds; otherwise no merge is proposed.
//
// Proposals per access: every permutation for rank <= 3, moving one dim to
// the front or the back for higher ranks; every adjacent merge that is safe;
// splits of a dim by the divisors of its extent that a subscript coefficient
// suggests (2*h + r splits by 2), else by its smallest prime factor.
//
//===----------------------------------------------------------------------===//
#include "Relayout.h"
#include "ZeroSupport.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

#include <numeric>
#include <set>

namespace tdc::derive {

namespace {

using namespace rules;

std::string dimName(size_t d) { return "d" + std::to_string(d); }

std::string listOf(const std::vector<int64_t> &v, const char *sep) {
  std::string s;
  for (size_t k = 0; k < v.size(); ++k)
    s += (k ? sep : "") + std::to_string(v[k]);
  return s;
}

/// The permutations to propose for rank `r` (new dim j reads old dim p[j]),
/// identity excluded, in a fixed order.
std::vector<std::vector<size_t>> permutations(size_t r) {
  std::vector<std::vector<size_t>> out;
  std::vector<size_t> id(r);
  std::iota(id.begin(), id.end(), 0);
  if (r <= 3) {
    std::vector<size_t> p = id;
    while (std::next_permutation(p.begin(), p.end()))
      out.push_back(p);
    return out;
  }
  std::set<std::vector<size_t>> seen = {id};
  auto add = [&](std::vector<size_t> p) {
    if (seen.insert(p).second)
      out.push_back(p);
  };
  for (size_t d = 1; d < r; ++d) { // dim d to the front
    std::vector<size_t> p = {d};
    for (size_t k = 0; k < r; ++k)
      if (k != d)
        p.push_back(k);
    add(p);
  }
  for (size_t d = 0; d + 1 < r; ++d) { // dim d to the back
    std::vector<size_t> p;
    for (size_t k = 0; k < r; ++k)
      if (k != d)
        p.push_back(k);
    p.push_back(d);
    add(p);
  }
  return out;
}

class LayoutTransformRule : public Rule {
public:
  const char *name() const override { return "layout-transform"; }

  std::vector<Rewrite> apply(ExprContext &ctx, Expr scope) const override {
    std::vector<Rewrite> out;
    if (scope->kind != ExprKind::Scope)
      return out;
    RangeMap box;
    bool haveBox = boxOf(scope, box);
    std::vector<Expr> accesses;
    accessesOf(scope->body, accesses);
    for (Expr acc : accesses) {
      Expr A = acc->source;
      if (A->kind != ExprKind::Input || A->shape.empty())
        continue;
      auto propose = [&](Expr layout, std::vector<Index> subs,
                         std::string detail) {
        Expr read = ctx.access(layout, std::move(subs));
        out.push_back({ctx.scope(scope->loops, scope->sums,
                                 replaceAll(ctx, scope->body, acc, read)),
                       std::move(detail)});
      };
      const std::vector<int64_t> &D = A->shape;
      size_t rank = D.size();

      for (const std::vector<size_t> &p : permutations(rank)) {
        std::vector<Iter> v(rank);
        for (size_t d = 0; d < rank; ++d)
          v[d] = ctx.iter(dimName(d));
        std::vector<IterRange> loops;
        std::vector<Index> body, subs;
        std::vector<int64_t> order;
        for (size_t j = 0; j < rank; ++j) {
          loops.push_back({v[p[j]], {0, D[p[j]]}});
          subs.push_back(acc->subscripts[p[j]]);
          order.push_back((int64_t)p[j]);
        }
        for (size_t d = 0; d < rank; ++d)
          body.push_back(ctx.idx(v[d]));
        propose(ctx.scope(loops, {}, ctx.access(A, body)), subs,
                "permute the dims of " + A->name + " to (" +
                    listOf(order, ", ") + ")");
      }

      for (size_t d = 0; haveBox && d + 1 < rank; ++d) {
        Index hi = acc->subscripts[d], lo = acc->subscripts[d + 1];
        int64_t inner = D[d + 1];
        // The inner subscript must not wrap into a neighbouring row.
        if (!inDomain(lo, {0, inner}, box))
          continue;
        std::vector<Iter> v(rank);
        std::vector<IterRange> loops;
        std::vector<Index> body, subs;
        for (size_t k = 0; k < rank; ++k) {
          if (k == d + 1)
            continue;
          v[k] = ctx.iter(k == d ? dimName(d) + "_" + std::to_string(d + 1)
                                 : dimName(k));
          loops.push_back({v[k], {0, k == d ? D[d] * inner : D[k]}});
        }
        for (size_t k = 0; k < rank; ++k) {
          if (k == d) {
            body.push_back(ctx.floorDiv(ctx.idx(v[d]), inner));
            body.push_back(ctx.mod(ctx.idx(v[d]), inner));
            // A subscript pair (a)/inner, (a)%inner merges back into a.
            bool undo = hi->kind == IndexKind::FloorDiv &&
                        lo->kind == IndexKind::Mod && hi->lhs == lo->lhs &&
                        hi->value == inner && lo->value == inner;
            subs.push_back(undo ? hi->lhs : ctx.add(ctx.mul(hi, inner), lo));
            ++k;
            continue;
          }
          body.push_back(ctx.idx(v[k]));
          subs.push_back(acc->subscripts[k]);
        }
        propose(ctx.scope(loops, {}, ctx.access(A, body)), subs,
                "merge dims " + std::to_string(d) + " and " +
                    std::to_string(d + 1) + " of " + A->name + " (" +
                    std::to_string(D[d]) + "x" + std::to_string(inner) +
                    " -> " + std::to_string(D[d] * inner) + ")");
      }

      for (size_t d = 0; d < rank; ++d)
        for (int64_t k : splitFactors(acc->subscripts[d], D[d])) {
          SplitLayout sl =
              splitLayout(ctx, acc, d, k, haveBox ? &box : nullptr);
          propose(sl.copy, sl.subscripts, sl.detail);
        }
    }
    return out;
  }
};

} // namespace

std::unique_ptr<Rule> createLayoutTransformRule() {
  return std::make_unique<LayoutTransformRule>();
}

} // namespace tdc::derive
