//===- GuidedRelayout.cpp - re-layout toward an instantiable kernel -------===//
//
// Every compute-bound kernel tdc instantiates (matmul, conv, g2bmm, gbmm)
// is a product of two reads whose subscripts are (almost all) plain
// iterators. For a scope of that shape, this rule proposes only the
// layout changes that make one operand's subscripts plainer -- the guided
// counterpart of layout-transform, whose undirected permutations and merges
// would swamp the search:
//
//  - split: a dim read at k*q + r, r a plain iterator in [0, k) and k | D,
//    becomes two dims read at q and r (layout-transform's split);
//      A[b, 4*i + j, k]  ->  {L<d0, d1o, d1i, d2> { A[d0, 4*d1o + d1i, d2] }}
//                             [b, i, j, k]
//  - materialize: the operand is copied, once per point of the iterators
//    its subscripts use, into a tensor indexed by those iterators:
//      K[f, c, 3*p + r, 3*q + s]  ->  {L<f, c, p, r, q, s> { K[f, c, 3*p+r,
//                                      3*q+s] }}[f, c, p, r, q, s]
//    which is im2col when applied to a convolution's input.
//
// Both are exact: the split because k divides the extent (out-of-range
// reads stay out of range), the copy because it is read only at the points
// it was computed for (each iterator inside its own range).
//
//===----------------------------------------------------------------------===//
#include "Relayout.h"
#include "ZeroSupport.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

namespace tdc::derive {

namespace {

using namespace rules;

/// Every subscript a distinct plain iterator.
bool isPlain(Expr acc) {
  std::vector<Iter> seen;
  for (Index s : acc->subscripts) {
    if (s->kind != IndexKind::Iter ||
        std::find(seen.begin(), seen.end(), s->iter) != seen.end())
      return false;
    seen.push_back(s->iter);
  }
  return true;
}

/// The operand copied over the iterators its subscripts use.
Rewrite materialize(ExprContext &ctx, Expr scope, Expr acc,
                    const RangeMap &box) {
  std::vector<Iter> iters;
  for (Index s : acc->subscripts) {
    std::vector<Iter> used;
    collectIters(s, used);
    for (Iter i : used)
      if (std::find(iters.begin(), iters.end(), i) == iters.end())
        iters.push_back(i);
  }
  std::unordered_map<Iter, Index> rename;
  std::vector<IterRange> loops;
  std::vector<Index> reads;
  for (Iter i : iters) {
    Iter fresh = ctx.iter(i->name);
    rename[i] = ctx.idx(fresh);
    loops.push_back({fresh, box.at(i)});
    reads.push_back(ctx.idx(i));
  }
  Expr copy = ctx.scope(loops, {}, substitute(ctx, acc, rename));
  Expr read = ctx.access(copy, reads);
  std::string name = acc->source->kind == ExprKind::Input
                         ? acc->source->name
                         : std::string("a nested scope");
  return {ctx.scope(scope->loops, scope->sums,
                    replaceAll(ctx, scope->body, acc, read)),
          "materialize " + name + "[" +
              [&] {
                std::string t;
                for (size_t d = 0; d < acc->subscripts.size(); ++d)
                  t += (d ? ", " : "") + print(acc->subscripts[d]);
                return t;
              }() +
              "] over its iterators"};
}

class GuidedRelayoutRule : public Rule {
public:
  const char *name() const override { return "guided-relayout"; }

  std::vector<Rewrite> apply(ExprContext &ctx, Expr scope) const override {
    std::vector<Rewrite> out;
    if (scope->kind != ExprKind::Scope)
      return out;
    Expr body = scope->body;
    RangeMap box;
    if (body->kind != ExprKind::Binary || body->binaryOp != BinaryOp::Mul ||
        body->lhs->kind != ExprKind::Access ||
        body->rhs->kind != ExprKind::Access || !boxOf(scope, box))
      return out;
    for (Expr acc : {body->lhs, body->rhs}) {
      if (isPlain(acc) || (acc == body->rhs && body->lhs == body->rhs))
        continue;
      Expr A = acc->source;
      if (A->kind == ExprKind::Input)
        for (size_t d = 0; d < acc->subscripts.size(); ++d) {
          Index s = acc->subscripts[d];
          if (s->kind == IndexKind::Iter)
            continue;
          for (int64_t k : splitFactors(s, A->shape[d], /*fallback=*/false)) {
            SplitLayout sl = splitLayout(ctx, acc, d, k, &box);
            // Only toward the target: the remainder must become an iterator.
            if (sl.subscripts[d + 1]->kind != IndexKind::Iter)
              continue;
            Expr read = ctx.access(sl.copy, sl.subscripts);
            out.push_back({ctx.scope(scope->loops, scope->sums,
                                     replaceAll(ctx, body, acc, read)),
                           sl.detail});
          }
        }
      out.push_back(materialize(ctx, scope, acc, box));
    }
    return out;
  }
};

} // namespace

std::unique_ptr<Rule> createGuidedRelayoutRule() {
  return std::make_unique<GuidedRelayoutRule>();
}

} // namespace tdc::derive
