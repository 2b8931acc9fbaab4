//===- Expr.cpp - hash-consed tensor-algebra expressions
//-------------------===//
#include "tdc/Derive/Expr.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <set>
#include <sstream>

namespace tdc::derive {

namespace {

// A full-avalanche combine: pointers and small integers hash to themselves
// under std::hash, and the intern tables are keyed by this value alone, so a
// weak combine would put many nodes in one bucket chain.
size_t mix(size_t h, size_t v) {
  uint64_t x = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}
size_t hashPtr(const void *p) { return std::hash<const void *>()(p); }

bool sameIndex(const IndexNode &a, const IndexNode &b) {
  return a.kind == b.kind && a.iter == b.iter && a.value == b.value &&
         a.lhs == b.lhs && a.rhs == b.rhs;
}

bool sameExpr(const ExprNode &a, const ExprNode &b) {
  return a.kind == b.kind &&
         (a.constant == b.constant ||
          (a.constant != a.constant && b.constant != b.constant)) &&
         a.name == b.name && a.shape == b.shape &&
         a.isConstant == b.isConstant && a.source == b.source &&
         a.subscripts == b.subscripts && a.unaryFn == b.unaryFn &&
         a.binaryOp == b.binaryOp && a.lhs == b.lhs && a.rhs == b.rhs &&
         a.loops == b.loops && a.sums == b.sums && a.body == b.body;
}

int64_t floorDivInt(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

} // namespace

struct ExprContext::Impl {
  std::deque<IterVar> iters;
  std::deque<IndexNode> indexNodes;
  std::deque<ExprNode> exprNodes;
  std::unordered_multimap<size_t, const IndexNode *> indexTable;
  std::unordered_multimap<size_t, const ExprNode *> exprTable;

  Index intern(IndexNode n) {
    size_t h = mix(mix(mix(mix((size_t)n.kind, hashPtr(n.iter)),
                           std::hash<int64_t>()(n.value)),
                       hashPtr(n.lhs)),
                   hashPtr(n.rhs));
    n.hash = h;
    auto range = indexTable.equal_range(h);
    for (auto it = range.first; it != range.second; ++it)
      if (sameIndex(*it->second, n))
        return it->second;
    indexNodes.push_back(n);
    indexTable.emplace(h, &indexNodes.back());
    return &indexNodes.back();
  }

  Expr intern(ExprNode n) {
    size_t h = mix((size_t)n.kind, std::hash<double>()(n.constant));
    h = mix(h, std::hash<std::string>()(n.name));
    for (int64_t d : n.shape)
      h = mix(h, std::hash<int64_t>()(d));
    h = mix(h, hashPtr(n.source));
    for (Index i : n.subscripts)
      h = mix(h, hashPtr(i));
    h = mix(mix(h, (size_t)n.unaryFn), (size_t)n.binaryOp);
    h = mix(mix(h, hashPtr(n.lhs)), hashPtr(n.rhs));
    for (const auto *list : {&n.loops, &n.sums})
      for (const IterRange &r : *list)
        h = mix(mix(mix(h, hashPtr(r.iter)), r.range.lo), r.range.hi);
    h = mix(h, hashPtr(n.body));
    n.hash = h;
    auto range = exprTable.equal_range(h);
    for (auto it = range.first; it != range.second; ++it)
      if (sameExpr(*it->second, n))
        return it->second;
    exprNodes.push_back(std::move(n));
    exprTable.emplace(h, &exprNodes.back());
    return &exprNodes.back();
  }
};

ExprContext::ExprContext() : impl(new Impl) {}
ExprContext::~ExprContext() = default;

size_t ExprContext::numNodes() const {
  return impl->indexNodes.size() + impl->exprNodes.size();
}

Iter ExprContext::iter(const std::string &name) {
  impl->iters.push_back({name, (uint64_t)impl->iters.size()});
  return &impl->iters.back();
}

//===----------------------------------------------------------------------===//
// Subscripts
//===----------------------------------------------------------------------===//

Index ExprContext::idx(Iter i) {
  IndexNode n{IndexKind::Iter};
  n.iter = i;
  return impl->intern(n);
}

Index ExprContext::cst(int64_t c) {
  IndexNode n{IndexKind::Const};
  n.value = c;
  return impl->intern(n);
}

/// Merge equal iterators, drop zero coefficients, order by creation.
static void normalize(LinearForm &f) {
  std::sort(f.terms.begin(), f.terms.end(),
            [](auto &a, auto &b) { return a.first->id < b.first->id; });
  std::vector<std::pair<Iter, int64_t>> merged;
  for (auto &t : f.terms) {
    if (!merged.empty() && merged.back().first == t.first)
      merged.back().second += t.second;
    else
      merged.push_back(t);
  }
  f.terms.clear();
  for (auto &t : merged)
    if (t.second != 0)
      f.terms.push_back(t);
}

bool toLinear(Index i, LinearForm &out) {
  std::function<bool(Index, int64_t)> walk = [&](Index x, int64_t scale) {
    switch (x->kind) {
    case IndexKind::Iter:
      out.terms.push_back({x->iter, scale});
      return true;
    case IndexKind::Const:
      out.constant += scale * x->value;
      return true;
    case IndexKind::Add:
      return walk(x->lhs, scale) && walk(x->rhs, scale);
    case IndexKind::Mul:
      return walk(x->lhs, scale * x->value);
    default:
      return false;
    }
  };
  out = LinearForm();
  if (!walk(i, 1))
    return false;
  normalize(out);
  return true;
}

Index ExprContext::linear(const LinearForm &f) {
  Index acc = nullptr;
  for (auto &[it, coef] : f.terms) {
    if (coef == 0)
      continue;
    Index term = idx(it);
    if (coef != 1) {
      IndexNode n{IndexKind::Mul};
      n.lhs = term;
      n.value = coef;
      term = impl->intern(n);
    }
    if (!acc) {
      acc = term;
    } else {
      IndexNode n{IndexKind::Add};
      n.lhs = acc;
      n.rhs = term;
      acc = impl->intern(n);
    }
  }
  if (!acc)
    return cst(f.constant);
  if (f.constant != 0) {
    IndexNode n{IndexKind::Add};
    n.lhs = acc;
    n.rhs = cst(f.constant);
    acc = impl->intern(n);
  }
  return acc;
}

Index ExprContext::add(Index a, Index b) {
  LinearForm la, lb;
  if (toLinear(a, la) && toLinear(b, lb)) {
    la.terms.insert(la.terms.end(), lb.terms.begin(), lb.terms.end());
    la.constant += lb.constant;
    normalize(la);
    return linear(la);
  }
  if (b->kind == IndexKind::Const && b->value == 0)
    return a;
  if (a->kind == IndexKind::Const && a->value == 0)
    return b;
  IndexNode n{IndexKind::Add};
  n.lhs = a;
  n.rhs = b;
  return impl->intern(n);
}

Index ExprContext::mul(Index a, int64_t c) {
  LinearForm la;
  if (toLinear(a, la)) {
    for (auto &t : la.terms)
      t.second *= c;
    la.constant *= c;
    if (c == 0)
      la.terms.clear();
    return linear(la);
  }
  if (c == 1)
    return a;
  if (c == 0)
    return cst(0);
  IndexNode n{IndexKind::Mul};
  n.lhs = a;
  n.value = c;
  return impl->intern(n);
}

Index ExprContext::floorDiv(Index a, int64_t c) {
  if (c == 1)
    return a;
  if (a->kind == IndexKind::Const)
    return cst(floorDivInt(a->value, c));
  IndexNode n{IndexKind::FloorDiv};
  n.lhs = a;
  n.value = c;
  return impl->intern(n);
}

Index ExprContext::mod(Index a, int64_t c) {
  if (c == 1)
    return cst(0);
  if (a->kind == IndexKind::Const)
    return cst(a->value - c * floorDivInt(a->value, c));
  IndexNode n{IndexKind::Mod};
  n.lhs = a;
  n.value = c;
  return impl->intern(n);
}

void collectIters(Index i, std::vector<Iter> &out) {
  if (i->kind == IndexKind::Iter) {
    if (std::find(out.begin(), out.end(), i->iter) == out.end())
      out.push_back(i->iter);
    return;
  }
  if (i->lhs)
    collectIters(i->lhs, out);
  if (i->rhs)
    collectIters(i->rhs, out);
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

std::vector<int64_t> ExprNode::tensorShape() const {
  if (kind == ExprKind::Input)
    return shape;
  std::vector<int64_t> s;
  for (const IterRange &r : loops)
    s.push_back(r.range.size());
  return s;
}

Range ExprNode::domain(size_t d) const {
  if (kind == ExprKind::Input)
    return {0, shape[d]};
  return loops[d].range;
}

Expr ExprContext::constant(double v) {
  ExprNode n{ExprKind::Const};
  n.constant = v;
  return impl->intern(std::move(n));
}

Expr ExprContext::input(const std::string &name, std::vector<int64_t> shape,
                        bool isConstant) {
  ExprNode n{ExprKind::Input};
  n.name = name;
  n.shape = std::move(shape);
  n.isConstant = isConstant;
  return impl->intern(std::move(n));
}

Expr ExprContext::access(Expr source, std::vector<Index> subscripts) {
  ExprNode n{ExprKind::Access};
  n.source = source;
  n.subscripts = std::move(subscripts);
  return impl->intern(std::move(n));
}

Expr ExprContext::unary(UnaryFn fn, Expr a) {
  ExprNode n{ExprKind::Unary};
  n.unaryFn = fn;
  n.lhs = a;
  return impl->intern(std::move(n));
}

Expr ExprContext::binary(BinaryOp op, Expr a, Expr b) {
  ExprNode n{ExprKind::Binary};
  n.binaryOp = op;
  n.lhs = a;
  n.rhs = b;
  return impl->intern(std::move(n));
}

Expr ExprContext::scope(std::vector<IterRange> loops,
                        std::vector<IterRange> sums, Expr body) {
  ExprNode n{ExprKind::Scope};
  n.loops = std::move(loops);
  n.sums = std::move(sums);
  n.body = body;
  return impl->intern(std::move(n));
}

static void freeItersImpl(Expr e, std::vector<Iter> &out) {
  switch (e->kind) {
  case ExprKind::Const:
  case ExprKind::Input:
    return;
  case ExprKind::Access:
    if (e->source->kind == ExprKind::Scope)
      freeItersImpl(e->source, out);
    for (Index i : e->subscripts)
      collectIters(i, out);
    return;
  case ExprKind::Unary:
    freeItersImpl(e->lhs, out);
    return;
  case ExprKind::Binary:
    freeItersImpl(e->lhs, out);
    freeItersImpl(e->rhs, out);
    return;
  case ExprKind::Scope: {
    std::vector<Iter> inner;
    freeItersImpl(e->body, inner);
    for (Iter i : inner) {
      bool bound = false;
      for (const auto *list : {&e->loops, &e->sums})
        for (const IterRange &r : *list)
          bound |= r.iter == i;
      if (!bound && std::find(out.begin(), out.end(), i) == out.end())
        out.push_back(i);
    }
    return;
  }
  }
}

std::vector<Iter> freeIters(Expr e) {
  std::vector<Iter> out;
  freeItersImpl(e, out);
  return out;
}

Index substitute(ExprContext &ctx, Index i,
                 const std::unordered_map<Iter, Index> &map) {
  switch (i->kind) {
  case IndexKind::Iter: {
    auto it = map.find(i->iter);
    return it == map.end() ? i : it->second;
  }
  case IndexKind::Const:
    return i;
  case IndexKind::Add:
    return ctx.add(substitute(ctx, i->lhs, map), substitute(ctx, i->rhs, map));
  case IndexKind::Mul:
    return ctx.mul(substitute(ctx, i->lhs, map), i->value);
  case IndexKind::FloorDiv:
    return ctx.floorDiv(substitute(ctx, i->lhs, map), i->value);
  case IndexKind::Mod:
    return ctx.mod(substitute(ctx, i->lhs, map), i->value);
  }
  return i;
}

Expr substitute(ExprContext &ctx, Expr e,
                const std::unordered_map<Iter, Index> &map) {
  switch (e->kind) {
  case ExprKind::Const:
  case ExprKind::Input:
  case ExprKind::Scope: // closed
    return e;
  case ExprKind::Access: {
    std::vector<Index> subs;
    for (Index i : e->subscripts)
      subs.push_back(substitute(ctx, i, map));
    return ctx.access(e->source, subs);
  }
  case ExprKind::Unary:
    return ctx.unary(e->unaryFn, substitute(ctx, e->lhs, map));
  case ExprKind::Binary:
    return ctx.binary(e->binaryOp, substitute(ctx, e->lhs, map),
                      substitute(ctx, e->rhs, map));
  }
  return e;
}

static std::string verifyImpl(Expr e, std::set<Iter> &boundEver) {
  switch (e->kind) {
  case ExprKind::Const:
  case ExprKind::Input:
    return "";
  case ExprKind::Access: {
    if (!e->source->isTensor())
      return "access source is not a tensor";
    if (e->subscripts.size() != e->source->tensorShape().size())
      return "access has " + std::to_string(e->subscripts.size()) +
             " subscripts for a rank-" +
             std::to_string(e->source->tensorShape().size()) + " tensor";
    if (e->source->kind == ExprKind::Scope)
      return verifyImpl(e->source, boundEver);
    return "";
  }
  case ExprKind::Unary:
    return verifyImpl(e->lhs, boundEver);
  case ExprKind::Binary: {
    std::string s = verifyImpl(e->lhs, boundEver);
    return s.empty() ? verifyImpl(e->rhs, boundEver) : s;
  }
  case ExprKind::Scope: {
    std::set<Iter> own;
    for (const auto *list : {&e->loops, &e->sums})
      for (const IterRange &r : *list) {
        if (r.range.hi < r.range.lo)
          return "iterator " + r.iter->name + " has an empty-negative range";
        if (!own.insert(r.iter).second)
          return "iterator " + r.iter->name + " bound twice in a scope";
      }
    for (Iter i : freeIters(e))
      return "scope is not closed: uses " + i->name;
    return verifyImpl(e->body, boundEver);
  }
  }
  return "";
}

std::string verify(Expr e) {
  std::set<Iter> bound;
  return verifyImpl(e, bound);
}

} // namespace tdc::derive
