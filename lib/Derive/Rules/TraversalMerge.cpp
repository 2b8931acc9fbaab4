//===- TraversalMerge.cpp - inlining a nested scope into its reader -------===//
//
//   L<X> Sum<S> { ... {L<Y> Sum<Z> { g }}[phi(X, S)] ... }
//     ->  L<X> Sum<S, Z'> { ... g[Y := phi, Z := Z'] ... }
//
// Valid when
//  - phi stays inside the traversal domain of the nested scope for every
//    point of the reader's iteration space (an out-of-range read is zero,
//    which the inlined g need not be), and
//  - the read is a factor the reader's summation distributes over when Z is
//    not empty: it is reached from the body root only through `*`, unary
//    `-` and the left side of `/`, so a * Sum_Z g = Sum_Z a * g. With Z empty
//    the read is a plain value and every occurrence is replaced, under any
//    operator.
//
//===----------------------------------------------------------------------===//
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

#include "ZeroSupport.h"

#include <algorithm>
#include <map>
#include <optional>

namespace tdc::derive {

namespace {

using rules::RangeMap;
using rules::scopeReads;

/// Whether every read of `access` from `reader` lands in its source's domain
/// (no vacuous readers: an empty range gives no proposal).
bool covered(Expr reader, Expr access) {
  RangeMap box;
  if (!rules::boxOf(reader, box))
    return false;
  for (size_t d = 0; d < access->subscripts.size(); ++d)
    if (!rules::inDomain(access->subscripts[d], access->source->domain(d), box))
      return false;
  return true;
}

/// Paths (0 = lhs, 1 = rhs) from the body root to occurrences of `access`
/// reached only through *, unary - and the left side of /.
void factorPaths(Expr e, Expr access, std::vector<int> &path,
                 std::vector<std::vector<int>> &out) {
  if (e == access) {
    out.push_back(path);
    return;
  }
  bool lhsOk = false, rhsOk = false;
  if (e->kind == ExprKind::Unary) {
    lhsOk = e->unaryFn == UnaryFn::Neg;
  } else if (e->kind == ExprKind::Binary) {
    lhsOk = e->binaryOp == BinaryOp::Mul || e->binaryOp == BinaryOp::Div;
    rhsOk = e->binaryOp == BinaryOp::Mul;
  }
  for (int side : {0, 1}) {
    if (!(side ? rhsOk : lhsOk))
      continue;
    path.push_back(side);
    factorPaths(side ? e->rhs : e->lhs, access, path, out);
    path.pop_back();
  }
}

Expr replaceAt(ExprContext &ctx, Expr e, const std::vector<int> &path, size_t k,
               Expr to) {
  if (k == path.size())
    return to;
  if (e->kind == ExprKind::Unary)
    return ctx.unary(e->unaryFn, replaceAt(ctx, e->lhs, path, k + 1, to));
  Expr l = e->lhs, r = e->rhs;
  (path[k] ? r : l) = replaceAt(ctx, path[k] ? r : l, path, k + 1, to);
  return ctx.binary(e->binaryOp, l, r);
}

/// Every occurrence of the scalar node `from` in `e` (not inside nested
/// scopes) replaced by `to`.
Expr replaceAll(ExprContext &ctx, Expr e, Expr from, Expr to) {
  if (e == from)
    return to;
  switch (e->kind) {
  case ExprKind::Unary:
    return ctx.unary(e->unaryFn, replaceAll(ctx, e->lhs, from, to));
  case ExprKind::Binary:
    return ctx.binary(e->binaryOp, replaceAll(ctx, e->lhs, from, to),
                      replaceAll(ctx, e->rhs, from, to));
  default:
    return e;
  }
}

std::string describe(Expr access, const std::vector<IterRange> &hoisted) {
  std::string s = "inline the nested scope read at [";
  for (size_t d = 0; d < access->subscripts.size(); ++d)
    s += (d ? ", " : "") + print(access->subscripts[d]);
  s += "]";
  if (!hoisted.empty()) {
    s += ", hoisting Sum<";
    for (size_t k = 0; k < hoisted.size(); ++k)
      s += (k ? ", " : "") + hoisted[k].iter->name;
    s += ">";
  }
  return s;
}

class TraversalMergeRule : public Rule {
public:
  const char *name() const override { return "traversal-merge"; }

  std::vector<Rewrite> apply(ExprContext &ctx, Expr scope) const override {
    std::vector<Rewrite> out;
    if (scope->kind != ExprKind::Scope)
      return out;
    std::vector<Expr> reads;
    scopeReads(scope->body, reads);
    for (Expr access : reads) {
      Expr inner = access->source;
      if (!covered(scope, access))
        continue;
      if (inner->sums.empty()) {
        std::unordered_map<Iter, Index> map;
        for (size_t d = 0; d < inner->loops.size(); ++d)
          map[inner->loops[d].iter] = access->subscripts[d];
        Expr g = substitute(ctx, inner->body, map);
        out.push_back({ctx.scope(scope->loops, scope->sums,
                                 replaceAll(ctx, scope->body, access, g)),
                       describe(access, {})});
        continue;
      }
      std::vector<std::vector<int>> paths;
      std::vector<int> path;
      factorPaths(scope->body, access, path, paths);
      for (const std::vector<int> &p : paths) {
        // Fresh copies of Z, hoisted into the reader's summation.
        std::unordered_map<Iter, Index> map;
        for (size_t d = 0; d < inner->loops.size(); ++d)
          map[inner->loops[d].iter] = access->subscripts[d];
        std::vector<IterRange> sums = scope->sums, hoisted;
        for (const IterRange &z : inner->sums) {
          Iter i = ctx.iter(z.iter->name);
          map[z.iter] = ctx.idx(i);
          hoisted.push_back({i, z.range});
        }
        sums.insert(sums.end(), hoisted.begin(), hoisted.end());
        Expr g = substitute(ctx, inner->body, map);
        out.push_back({ctx.scope(scope->loops, sums,
                                 replaceAt(ctx, scope->body, p, 0, g)),
                       describe(access, hoisted)});
      }
    }
    return out;
  }
};

} // namespace

std::unique_ptr<Rule> createTraversalMergeRule() {
  return std::make_unique<TraversalMergeRule>();
}

} // namespace tdc::derive
