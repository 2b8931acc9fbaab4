//===- Instantiate.cpp - match scopes to compute-bound kernels ------------===//
#include "tdc/Derive/Instantiate.h"
#include "tdc/Derive/Cost.h"

#include <algorithm>
#include <set>

namespace tdc::derive {

const char *kernelName(KernelKind k) {
  switch (k) {
  case KernelKind::Matmul:
    return "matmul";
  case KernelKind::Conv:
    return "conv";
  case KernelKind::EOperator:
    return "eop";
  }
  return "?";
}

namespace {

int64_t volume(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The iterator a subscript is exactly (coefficient 1, no constant), or null.
Iter plainIter(Index i) {
  return i->kind == IndexKind::Iter ? i->iter : nullptr;
}

const IterRange *findRange(Expr scope, Iter i, bool *isSum = nullptr) {
  for (const IterRange &r : scope->loops)
    if (r.iter == i) {
      if (isSum)
        *isSum = false;
      return &r;
    }
  for (const IterRange &r : scope->sums)
    if (r.iter == i) {
      if (isSum)
        *isSum = true;
      return &r;
    }
  return nullptr;
}

/// Every subscript of `a` a distinct plain iterator whose range lies within
/// the source's domain (no padding reads).
bool plainAccess(Expr scope, Expr a, std::vector<Iter> &iters) {
  if (a->kind != ExprKind::Access)
    return false;
  for (size_t d = 0; d < a->subscripts.size(); ++d) {
    Iter it = plainIter(a->subscripts[d]);
    if (!it || std::find(iters.begin(), iters.end(), it) != iters.end())
      return false;
    const IterRange *r = findRange(scope, it);
    Range dom = a->source->domain(d);
    if (!r || r->range.lo < dom.lo || r->range.hi > dom.hi)
      return false;
    iters.push_back(it);
  }
  return true;
}

/// Whether the dims of an operand, labelled by role, come in contiguous
/// groups with the batch group first (so the kernel can view it as
/// [batch, rows, cols] without copying).
bool groupedLayout(const std::vector<int> &roles) {
  std::vector<int> order;
  for (int r : roles)
    if (order.empty() || order.back() != r)
      order.push_back(r);
  std::set<int> distinct(order.begin(), order.end());
  if (distinct.size() != order.size())
    return false;
  return order.empty() || order.front() == 0 || !distinct.count(0);
}

} // namespace

std::optional<Kernel> matchMatmul(Expr scope) {
  Expr body = scope->body;
  if (body->kind != ExprKind::Binary || body->binaryOp != BinaryOp::Mul)
    return std::nullopt;
  std::vector<Iter> ia, ib;
  if (!plainAccess(scope, body->lhs, ia) || !plainAccess(scope, body->rhs, ib))
    return std::nullopt;
  auto in = [](const std::vector<Iter> &v, Iter i) {
    return std::find(v.begin(), v.end(), i) != v.end();
  };
  Kernel k;
  k.kind = KernelKind::Matmul;
  // Roles: 0 batch, 1 m, 2 n, 3 k.
  auto role = [&](Iter i) {
    bool sum = false;
    findRange(scope, i, &sum);
    if (sum)
      return 3;
    return in(ia, i) && in(ib, i) ? 0 : in(ia, i) ? 1 : 2;
  };
  for (const IterRange &r : scope->sums)
    if (!in(ia, r.iter) || !in(ib, r.iter))
      return std::nullopt;
  for (const IterRange &r : scope->loops)
    if (!in(ia, r.iter) && !in(ib, r.iter))
      return std::nullopt;
  for (const auto *list : {&scope->loops, &scope->sums})
    for (const IterRange &r : *list) {
      int64_t s = r.range.size();
      switch (role(r.iter)) {
      case 0:
        k.batch *= s;
        break;
      case 1:
        k.m *= s;
        break;
      case 2:
        k.n *= s;
        break;
      default:
        k.k *= s;
        break;
      }
    }
  std::vector<int> ra, rb, ro;
  for (Iter i : ia)
    ra.push_back(role(i));
  for (Iter i : ib)
    rb.push_back(role(i));
  for (const IterRange &r : scope->loops)
    ro.push_back(role(r.iter));
  double aBytes = 4.0 * volume(body->lhs->source->tensorShape());
  double bBytes = 4.0 * volume(body->rhs->source->tensorShape());
  double outBytes = 4.0 * volume(scope->tensorShape());
  bool aOk = groupedLayout(ra), bOk = groupedLayout(rb),
       outOk = groupedLayout(ro);
  k.relayouts = !aOk + !bOk + !outOk;
  // Constant operands (weights) are re-laid out at compile time.
  bool aConst = body->lhs->source->isConstant,
       bConst = body->rhs->source->isConstant;
  k.relayoutBytes = (aOk || aConst ? 0 : aBytes) +
                    (bOk || bConst ? 0 : bBytes) + (outOk ? 0 : outBytes);
  k.flops = 2.0 * k.batch * k.m * k.n * k.k;
  k.bytesRead = aBytes + bBytes;
  k.bytesWritten = outBytes;
  k.detail = "matmul b=" + std::to_string(k.batch) +
             " m=" + std::to_string(k.m) + " n=" + std::to_string(k.n) +
             " k=" + std::to_string(k.k);
  return k;
}

std::optional<Kernel> matchConv(Expr scope) {
  Expr body = scope->body;
  if (body->kind != ExprKind::Binary || body->binaryOp != BinaryOp::Mul)
    return std::nullopt;
  // Either operand order: the weight is read with plain iterators only.
  for (int swap = 0; swap < 2; ++swap) {
    Expr x = swap ? body->rhs : body->lhs, w = swap ? body->lhs : body->rhs;
    if (x->kind != ExprKind::Access || w->kind != ExprKind::Access)
      continue;
    std::vector<Iter> wi;
    if (!plainAccess(scope, w, wi) || wi.size() < 3 ||
        x->subscripts.size() != wi.size())
      continue;
    size_t rank = wi.size();
    // X[n, c, spatial...] with c = w's dim 1, spatial = out*st + r*dl + p
    // where r = w's dim 2 + i.
    Iter n = plainIter(x->subscripts[0]), c = plainIter(x->subscripts[1]);
    bool sumC = false, sumN = true;
    if (!n || !c || c != wi[1] || !findRange(scope, c, &sumC) || !sumC ||
        !findRange(scope, n, &sumN) || sumN)
      continue;
    bool ok = true;
    double outPoints = 1;
    for (const IterRange &r : scope->loops)
      outPoints *= r.range.size();
    for (size_t d = 2; d < rank && ok; ++d) {
      LinearForm lf;
      if (!toLinear(x->subscripts[d], lf) || lf.terms.size() != 2) {
        ok = false;
        break;
      }
      bool hasKernelIter = false, hasOutIter = false;
      for (auto &[it, coef] : lf.terms) {
        bool sum = false;
        if (!findRange(scope, it, &sum) || coef <= 0)
          ok = false;
        else if (sum && it == wi[d])
          hasKernelIter = true;
        else if (!sum)
          hasOutIter = true;
      }
      ok = ok && hasKernelIter && hasOutIter;
    }
    if (!ok)
      continue;
    Kernel k;
    k.kind = KernelKind::Conv;
    double reduce = 1;
    for (const IterRange &r : scope->sums)
      reduce *= r.range.size();
    k.flops = 2.0 * outPoints * reduce;
    // As implicit GEMM: rows = output points per filter, cols = filters.
    k.m = (int64_t)(outPoints /
                    std::max<int64_t>(1, w->source->tensorShape()[0]));
    k.n = w->source->tensorShape()[0];
    k.k = (int64_t)reduce;
    k.bytesRead = 4.0 * (volume(x->source->tensorShape()) +
                         volume(w->source->tensorShape()));
    k.bytesWritten = 4.0 * outPoints;
    k.detail = "conv " + std::to_string(rank - 2) +
               "-d, m=" + std::to_string(k.m) + " n=" + std::to_string(k.n) +
               " k=" + std::to_string(k.k);
    return k;
  }
  return std::nullopt;
}

namespace {
void countAccesses(Expr e, double &ops, double &accesses,
                   std::set<Expr> &sources) {
  switch (e->kind) {
  case ExprKind::Access:
    accesses += 1;
    sources.insert(e->source);
    return;
  case ExprKind::Unary:
    ops += 1;
    countAccesses(e->lhs, ops, accesses, sources);
    return;
  case ExprKind::Binary:
    ops += 1;
    countAccesses(e->lhs, ops, accesses, sources);
    countAccesses(e->rhs, ops, accesses, sources);
    return;
  default:
    return;
  }
}
} // namespace

Kernel eOperator(Expr scope) {
  Kernel k;
  k.kind = KernelKind::EOperator;
  double points = 1, reduce = 1;
  for (const IterRange &r : scope->loops)
    points *= r.range.size();
  for (const IterRange &r : scope->sums)
    reduce *= r.range.size();
  double ops = 0, accesses = 0;
  std::set<Expr> sources;
  countAccesses(scope->body, ops, accesses, sources);
  k.flops = points * reduce * (ops + (scope->sums.empty() ? 0 : 1));
  // Each source is streamed once when it is no bigger than what the loop
  // nest touches; otherwise every read is a load.
  double sourceBytes = 0;
  for (Expr s : sources)
    sourceBytes += 4.0 * volume(s->tensorShape());
  k.bytesRead = std::min(sourceBytes, 4.0 * points * reduce * accesses);
  k.bytesWritten = 4.0 * points;
  k.detail = "eOperator over " + std::to_string((int64_t)points) +
             " points x " + std::to_string((int64_t)reduce) + " terms";
  return k;
}

Kernel bestKernel(Expr scope, const CostModel &cost) {
  Kernel best = eOperator(scope);
  double bestTime = cost.seconds(best);
  for (auto candidate : {matchMatmul(scope), matchConv(scope)})
    if (candidate && cost.seconds(*candidate) < bestTime) {
      bestTime = cost.seconds(*candidate);
      best = *candidate;
    }
  return best;
}

} // namespace tdc::derive
