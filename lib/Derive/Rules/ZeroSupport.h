//===- ZeroSupport.h - range reasoning shared by rules ----------*- C++ -*-===//
//
// Helpers shared by the rules: bounds of subscripts over an iteration box, and
// the "support" of a scalar body in one iterator -- an interval outside which
// the body is zero because a factor reads a tensor out of range (reads out of
// range are zero).
//
// The support reasoning treats 0 * y as 0. That fails only when y is inf or
// NaN, so bodies with operators that make those from finite values (/, log,
// sqrt) get no support (see zeroSafe).
//
//===----------------------------------------------------------------------===//
#ifndef TDC_LIB_DERIVE_RULES_ZEROSUPPORT_H
#define TDC_LIB_DERIVE_RULES_ZEROSUPPORT_H

#include "tdc/Derive/Expr.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace tdc::derive::rules {

inline int64_t floorDivInt(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}
inline int64_t ceilDivInt(int64_t a, int64_t b) { return -floorDivInt(-a, b); }

using RangeMap = std::map<Iter, Range>;

/// Inclusive bounds.
struct Bounds {
  int64_t lo, hi;
};

/// The box of a scope's iterators; false if some range is empty (a vacuous
/// scope, which the rules leave alone).
inline bool boxOf(Expr scope, RangeMap &out) {
  for (const auto *list : {&scope->loops, &scope->sums})
    for (const IterRange &r : *list) {
      if (r.range.size() <= 0)
        return false;
      out[r.iter] = r.range;
    }
  return true;
}

/// Bounds of `i` over the (non-empty) box `ranges`: exact for linear
/// subscripts, conservative through div/mod; nullopt when unknown.
inline std::optional<Bounds> boundsOf(Index i, const RangeMap &ranges) {
  LinearForm lf;
  if (toLinear(i, lf)) {
    Bounds b{lf.constant, lf.constant};
    for (auto &[it, coef] : lf.terms) {
      auto r = ranges.find(it);
      if (r == ranges.end())
        return std::nullopt;
      int64_t a = coef * r->second.lo, z = coef * (r->second.hi - 1);
      b.lo += std::min(a, z);
      b.hi += std::max(a, z);
    }
    return b;
  }
  switch (i->kind) {
  case IndexKind::Add: {
    auto a = boundsOf(i->lhs, ranges), b = boundsOf(i->rhs, ranges);
    if (!a || !b)
      return std::nullopt;
    return Bounds{a->lo + b->lo, a->hi + b->hi};
  }
  case IndexKind::Mul: {
    auto a = boundsOf(i->lhs, ranges);
    if (!a)
      return std::nullopt;
    int64_t x = a->lo * i->value, y = a->hi * i->value;
    return Bounds{std::min(x, y), std::max(x, y)};
  }
  case IndexKind::FloorDiv: {
    auto a = boundsOf(i->lhs, ranges);
    if (!a || i->value == 0)
      return std::nullopt;
    int64_t x = floorDivInt(a->lo, i->value), y = floorDivInt(a->hi, i->value);
    return Bounds{std::min(x, y), std::max(x, y)};
  }
  case IndexKind::Mod: {
    auto a = boundsOf(i->lhs, ranges);
    int64_t c = i->value;
    if (!a || c <= 0)
      return std::nullopt;
    if (floorDivInt(a->lo, c) == floorDivInt(a->hi, c))
      return Bounds{a->lo - c * floorDivInt(a->lo, c),
                    a->hi - c * floorDivInt(a->hi, c)};
    return Bounds{0, c - 1};
  }
  default:
    return std::nullopt;
  }
}

/// Whether subscript `sub` stays in `dom` for every point of the reader's box.
inline bool inDomain(Index sub, Range dom, const RangeMap &readerBox) {
  auto b = boundsOf(sub, readerBox);
  return b && b->lo >= dom.lo && b->hi < dom.hi;
}

/// Whether e has no operator that turns finite values into inf/NaN, so that
/// a zero factor makes the whole product zero.
inline bool zeroSafe(Expr e) {
  switch (e->kind) {
  case ExprKind::Unary:
    if (e->unaryFn == UnaryFn::Log || e->unaryFn == UnaryFn::Sqrt ||
        e->unaryFn == UnaryFn::Exp)
      return false;
    return zeroSafe(e->lhs);
  case ExprKind::Binary:
    if (e->binaryOp == BinaryOp::Div)
      return false;
    return zeroSafe(e->lhs) && zeroSafe(e->rhs);
  case ExprKind::Access:
    return e->source->kind != ExprKind::Scope || zeroSafe(e->source->body);
  default:
    return true;
  }
}

/// Half-open interval of an iterator's values; `all()` is unbounded.
struct Support {
  int64_t lo, hi;
  static Support all() {
    return {std::numeric_limits<int64_t>::min() / 4,
            std::numeric_limits<int64_t>::max() / 4};
  }
  bool empty() const { return hi <= lo; }
};

/// An interval outside which scalar `e` is zero as a function of `v`, for
/// every value of the other iterators in `box` (v's own range is ignored).
/// A read T[.., a*v + rest, ..] is zero unless a*v + rest lands in T's
/// domain; products intersect, sums take the hull, f(0) = 0 functions pass.
inline Support supportOf(Expr e, Iter v, const RangeMap &box) {
  switch (e->kind) {
  case ExprKind::Const:
    return e->constant == 0 ? Support{0, 0} : Support::all();
  case ExprKind::Access: {
    Support s = Support::all();
    for (size_t d = 0; d < e->subscripts.size(); ++d) {
      LinearForm lf;
      if (!toLinear(e->subscripts[d], lf))
        continue;
      int64_t a = 0;
      LinearForm rest;
      rest.constant = lf.constant;
      for (auto &t : lf.terms) {
        if (t.first == v)
          a = t.second;
        else
          rest.terms.push_back(t);
      }
      if (a == 0)
        continue;
      // rest's bounds over the box.
      Bounds rb{rest.constant, rest.constant};
      bool known = true;
      for (auto &[it, coef] : rest.terms) {
        auto r = box.find(it);
        if (r == box.end()) {
          known = false;
          break;
        }
        int64_t x = coef * r->second.lo, y = coef * (r->second.hi - 1);
        rb.lo += std::min(x, y);
        rb.hi += std::max(x, y);
      }
      if (!known)
        continue;
      // Non-zero needs a*v in [dom.lo - rb.hi, dom.hi - 1 - rb.lo].
      Range dom = e->source->domain(d);
      int64_t lo = dom.lo - rb.hi, hi = dom.hi - 1 - rb.lo;
      int64_t vlo, vhi; // inclusive
      if (a > 0) {
        vlo = ceilDivInt(lo, a);
        vhi = floorDivInt(hi, a);
      } else {
        vlo = ceilDivInt(hi, a);
        vhi = floorDivInt(lo, a);
      }
      s.lo = std::max(s.lo, vlo);
      s.hi = std::min(s.hi, vhi + 1);
    }
    return s;
  }
  case ExprKind::Unary: {
    switch (e->unaryFn) {
    case UnaryFn::Neg:
    case UnaryFn::Relu:
    case UnaryFn::Abs:
    case UnaryFn::Tanh:
      return supportOf(e->lhs, v, box);
    default:
      return Support::all();
    }
  }
  case ExprKind::Binary: {
    Support a = supportOf(e->lhs, v, box), b = supportOf(e->rhs, v, box);
    switch (e->binaryOp) {
    case BinaryOp::Mul:
      return {std::max(a.lo, b.lo), std::min(a.hi, b.hi)};
    case BinaryOp::Add:
    case BinaryOp::Sub:
      if (a.empty())
        return b;
      if (b.empty())
        return a;
      return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
    default:
      return Support::all();
    }
  }
  default:
    return Support::all();
  }
}

/// Reads of nested scopes in a scalar body (not inside those scopes), each
/// once, in first-occurrence order.
inline void scopeReads(Expr e, std::vector<Expr> &out) {
  if (e->kind == ExprKind::Access) {
    if (e->source->kind == ExprKind::Scope &&
        std::find(out.begin(), out.end(), e) == out.end())
      out.push_back(e);
    return;
  }
  if (e->lhs)
    scopeReads(e->lhs, out);
  if (e->rhs)
    scopeReads(e->rhs, out);
}

/// Every access in a scalar body (not inside nested scopes), each once.
inline void accessesOf(Expr e, std::vector<Expr> &out) {
  if (e->kind == ExprKind::Access) {
    if (std::find(out.begin(), out.end(), e) == out.end())
      out.push_back(e);
    return;
  }
  if (e->lhs)
    accessesOf(e->lhs, out);
  if (e->rhs)
    accessesOf(e->rhs, out);
}

/// Every occurrence of the scalar node `from` in `e` (not inside nested
/// scopes) replaced by `to`.
inline Expr replaceAll(ExprContext &ctx, Expr e, Expr from, Expr to) {
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

/// `scope` with every iterator renamed to a fresh one of the same name (a
/// new nested scope binds its own iterators); `map` receives old -> new.
inline Expr freshCopy(ExprContext &ctx, Expr scope,
                      std::unordered_map<Iter, Index> &map,
                      std::vector<IterRange> &loops,
                      std::vector<IterRange> &sums) {
  loops.clear();
  sums.clear();
  for (const IterRange &r : scope->loops) {
    Iter i = ctx.iter(r.iter->name);
    map[r.iter] = ctx.idx(i);
    loops.push_back({i, r.range});
  }
  for (const IterRange &r : scope->sums) {
    Iter i = ctx.iter(r.iter->name);
    map[r.iter] = ctx.idx(i);
    sums.push_back({i, r.range});
  }
  return substitute(ctx, scope->body, map);
}

} // namespace tdc::derive::rules

#endif
