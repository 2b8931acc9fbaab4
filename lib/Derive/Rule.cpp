//===- Rule.cpp - scope traversal and replacement for rules
//----------------===//
#include "tdc/Derive/Rule.h"

#include <set>
#include <unordered_map>

namespace tdc::derive {

static void scopesImpl(Expr e, std::vector<Expr> &out, std::set<Expr> &seen) {
  if (!e)
    return;
  if (e->kind == ExprKind::Scope) {
    if (!seen.insert(e).second)
      return;
    out.push_back(e);
    scopesImpl(e->body, out, seen);
    return;
  }
  if (e->kind == ExprKind::Access)
    scopesImpl(e->source, out, seen);
  scopesImpl(e->lhs, out, seen);
  scopesImpl(e->rhs, out, seen);
}

std::vector<Expr> scopesOf(Expr root) {
  std::vector<Expr> out;
  std::set<Expr> seen;
  scopesImpl(root, out, seen);
  return out;
}

static Expr replaceImpl(ExprContext &ctx, Expr e, Expr from, Expr to,
                        std::unordered_map<Expr, Expr> &memo) {
  if (!e)
    return e;
  if (e == from)
    return to;
  auto it = memo.find(e);
  if (it != memo.end())
    return it->second;
  Expr r = e;
  switch (e->kind) {
  case ExprKind::Const:
  case ExprKind::Input:
    break;
  case ExprKind::Access: {
    Expr src = replaceImpl(ctx, e->source, from, to, memo);
    if (src != e->source)
      r = ctx.access(src, e->subscripts);
    break;
  }
  case ExprKind::Unary: {
    Expr a = replaceImpl(ctx, e->lhs, from, to, memo);
    if (a != e->lhs)
      r = ctx.unary(e->unaryFn, a);
    break;
  }
  case ExprKind::Binary: {
    Expr a = replaceImpl(ctx, e->lhs, from, to, memo);
    Expr b = replaceImpl(ctx, e->rhs, from, to, memo);
    if (a != e->lhs || b != e->rhs)
      r = ctx.binary(e->binaryOp, a, b);
    break;
  }
  case ExprKind::Scope: {
    Expr body = replaceImpl(ctx, e->body, from, to, memo);
    if (body != e->body)
      r = ctx.scope(e->loops, e->sums, body);
    break;
  }
  }
  return memo[e] = r;
}

Expr replaceTensor(ExprContext &ctx, Expr root, Expr from, Expr to) {
  std::unordered_map<Expr, Expr> memo;
  return replaceImpl(ctx, root, from, to, memo);
}

} // namespace tdc::derive
