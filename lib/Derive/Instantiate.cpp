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
  case KernelKind::G2BMM:
    return "g2bmm";
  case KernelKind::GBMM:
    return "gbmm";
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

int matmulRole(Expr scope, Iter i) {
  bool sum = false;
  findRange(scope, i, &sum);
  if (sum)
    return 3;
  auto reads = [&](Expr a) {
    for (Index s : a->subscripts)
      if (plainIter(s) == i)
        return true;
    return false;
  };
  bool a = reads(scope->body->lhs), b = reads(scope->body->rhs);
  return a && b ? 0 : a ? 1 : 2;
}

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
  auto role = [&](Iter i) { return matmulRole(scope, i); };
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
  // DeriveToLinalg lays the output out as [batch, m, n]: the vector dim is
  // the merged n dims.
  k.vectorized = k.n % 8 == 0;
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
    size_t rank = x->subscripts.size();
    if (!plainAccess(scope, w, wi) || rank < 3)
      continue;
    auto inW = [&](Iter i) {
      return std::find(wi.begin(), wi.end(), i) != wi.end();
    };
    // X[n, c, spatial...]: n a traversal iterator the weight does not read,
    // c a summation iterator it does; both inside X.
    Iter n = plainIter(x->subscripts[0]), c = plainIter(x->subscripts[1]);
    bool sumC = false, sumN = true;
    const IterRange *rn = n ? findRange(scope, n, &sumN) : nullptr;
    const IterRange *rc = c ? findRange(scope, c, &sumC) : nullptr;
    if (!rn || !rc || sumN || !sumC || inW(n) || !inW(c) || rn->range.lo < 0 ||
        rn->range.hi > x->source->domain(0).hi ||
        x->source->domain(0).lo != 0 || rc->range.lo < 0 ||
        rc->range.hi > x->source->domain(1).hi || x->source->domain(1).lo != 0)
      continue;
    // Spatial dims: out*st + tap*dl + p, the tap a summation iterator of the
    // weight, the output position a traversal iterator it does not read.
    std::vector<Iter> taps, outs;
    std::vector<int64_t> strides, dilations;
    bool ok = true;
    for (size_t d = 2; d < rank && ok; ++d) {
      LinearForm lf;
      ok = toLinear(x->subscripts[d], lf) && lf.terms.size() == 2;
      Iter tap = nullptr, out = nullptr;
      int64_t st = 0, dl = 0;
      for (size_t t = 0; ok && t < 2; ++t) {
        auto [it, coef] = lf.terms[t];
        bool sum = false;
        if (!findRange(scope, it, &sum) || coef <= 0)
          ok = false;
        else if (sum && inW(it) && !tap)
          tap = it, dl = coef;
        else if (!sum && !inW(it) && !out)
          out = it, st = coef;
        else
          ok = false;
      }
      ok = ok && tap && out &&
           std::find(taps.begin(), taps.end(), tap) == taps.end() &&
           std::find(outs.begin(), outs.end(), out) == outs.end() && out != n;
      if (ok) {
        taps.push_back(tap), outs.push_back(out);
        strides.push_back(st), dilations.push_back(dl);
      }
    }
    if (!ok || scope->sums.size() != 1 + taps.size())
      continue;
    // The other traversal iterators are output channels: read by the weight.
    std::vector<Iter> chans;
    for (const IterRange &r : scope->loops)
      if (r.iter != n &&
          std::find(outs.begin(), outs.end(), r.iter) == outs.end()) {
        if (!inW(r.iter))
          ok = false;
        chans.push_back(r.iter);
      }
    if (!ok || chans.empty())
      continue;
    // Direct layouts: weight [chans.., c, taps..], output [n, chans.., outs..].
    std::vector<Iter> wantW = chans, wantOut = {n};
    wantW.push_back(c);
    wantW.insert(wantW.end(), taps.begin(), taps.end());
    wantOut.insert(wantOut.end(), chans.begin(), chans.end());
    wantOut.insert(wantOut.end(), outs.begin(), outs.end());
    std::vector<Iter> haveOut;
    for (const IterRange &r : scope->loops)
      haveOut.push_back(r.iter);
    bool wOk = wi == wantW, outOk = haveOut == wantOut;

    Kernel k;
    k.kind = KernelKind::Conv;
    double outPoints = 1, reduce = 1, filters = 1;
    for (const IterRange &r : scope->loops)
      outPoints *= r.range.size();
    for (const IterRange &r : scope->sums)
      reduce *= r.range.size();
    for (Iter ch : chans)
      filters *= findRange(scope, ch)->range.size();
    k.flops = 2.0 * outPoints * reduce;
    // As implicit GEMM: rows = output points per filter, cols = filters.
    k.m = (int64_t)(outPoints / filters);
    k.n = (int64_t)filters;
    k.k = (int64_t)reduce;
    double wBytes = 4.0 * volume(w->source->tensorShape());
    k.bytesRead = 4.0 * volume(x->source->tensorShape()) + wBytes;
    k.bytesWritten = 4.0 * outPoints;
    k.relayouts = !wOk + !outOk;
    k.relayoutBytes = (wOk || w->source->isConstant ? 0 : wBytes) +
                      (outOk ? 0 : 4.0 * outPoints);
    if (taps.size() == 2 && chans.size() == 1 && wOk && outOk &&
        w->source->isConstant) {
      auto tapSize = [&](Iter t) { return findRange(scope, t)->range.size(); };
      auto outSize = [&](Iter o) { return findRange(scope, o)->range.size(); };
      std::vector<int64_t> xShape = x->source->tensorShape();
      schedule::WinogradShape ws{
          rn->range.size(), rc->range.size(), xShape[2],   xShape[3], k.n,
          outSize(outs[0]), outSize(outs[1]), dilations[0]};
      if (tapSize(taps[0]) == 3 && tapSize(taps[1]) == 3 && strides[0] == 1 &&
          strides[1] == 1 && dilations[0] == dilations[1] &&
          rc->range.size() == xShape[1] && schedule::winogradApplies(ws))
        k.winograd = ws;
    }
    std::string window, extra;
    for (size_t t = 0; t < taps.size(); ++t) {
      window += (t ? "x" : "") +
                std::to_string(findRange(scope, taps[t])->range.size());
      if (strides[t] != 1)
        extra += " s" + std::to_string(strides[t]);
      if (dilations[t] != 1)
        extra += " d" + std::to_string(dilations[t]);
    }
    k.detail = "conv " + window + extra + " f=" + std::to_string(k.n) +
               " c=" + std::to_string(rc->range.size()) +
               " m=" + std::to_string(k.m) + " k=" + std::to_string(k.k);
    return k;
  }
  return std::nullopt;
}

namespace {

/// A band-matmul operand pair: `b` reads the window subscript x + y + c at
/// dim `windowDim`; every other subscript of both is a distinct plain
/// iterator inside its source.
struct Band {
  Expr a, b;
  std::vector<Iter> ai, bi; // plain iterators (bi without the window dim)
  Iter x, y;                // window = x + y + c
};

std::vector<Band> bandOperands(Expr scope) {
  std::vector<Band> out;
  Expr body = scope->body;
  if (body->kind != ExprKind::Binary || body->binaryOp != BinaryOp::Mul)
    return out;
  for (int swap = 0; swap < 2; ++swap) {
    Band m;
    m.a = swap ? body->rhs : body->lhs;
    m.b = swap ? body->lhs : body->rhs;
    if (m.b->kind != ExprKind::Access || !plainAccess(scope, m.a, m.ai))
      continue;
    int window = -1;
    bool ok = true;
    for (size_t d = 0; d < m.b->subscripts.size() && ok; ++d) {
      Index s = m.b->subscripts[d];
      if (Iter it = plainIter(s)) {
        const IterRange *r = findRange(scope, it);
        Range dom = m.b->source->domain(d);
        ok = r && r->range.lo >= dom.lo && r->range.hi <= dom.hi &&
             std::find(m.bi.begin(), m.bi.end(), it) == m.bi.end();
        m.bi.push_back(it);
        continue;
      }
      LinearForm lf;
      ok = window < 0 && toLinear(s, lf) && lf.terms.size() == 2 &&
           lf.terms[0].second == 1 && lf.terms[1].second == 1;
      window = (int)d;
      if (ok)
        m.x = lf.terms[0].first, m.y = lf.terms[1].first;
    }
    if (!ok || window < 0)
      continue;
    out.push_back(m);
    std::swap(m.x, m.y);
    out.push_back(m);
  }
  return out;
}

bool contains(const std::vector<Iter> &v, Iter i) {
  return std::find(v.begin(), v.end(), i) != v.end();
}

/// Fill a band kernel's sizes and traffic; roles of output dims decide
/// whether it needs a re-layout (batch first, then rows, then columns).
Kernel bandKernel(Expr scope, const Band &m, KernelKind kind,
                  const std::vector<Iter> &batch, Iter row, Iter col,
                  int64_t reduce) {
  Kernel k;
  k.kind = kind;
  for (Iter b : batch)
    k.batch *= findRange(scope, b)->range.size();
  k.m = findRange(scope, row)->range.size();
  k.n = findRange(scope, col)->range.size();
  k.k = reduce;
  k.flops = 2.0 * k.batch * k.m * k.n * k.k;
  double aBytes = 4.0 * volume(m.a->source->tensorShape());
  double bBytes = 4.0 * volume(m.b->source->tensorShape());
  double outBytes = 4.0 * volume(scope->tensorShape());
  k.bytesRead = aBytes + bBytes;
  k.bytesWritten = outBytes;
  auto batchFirst = [&](const std::vector<Iter> &its) {
    for (size_t d = 0; d < its.size(); ++d)
      if (contains(batch, its[d]) != (d < batch.size()))
        return false;
    return true;
  };
  std::vector<Iter> outIters;
  for (const IterRange &r : scope->loops)
    outIters.push_back(r.iter);
  bool aOk = batchFirst(m.ai), bOk = batchFirst(m.bi),
       outOk = batchFirst(outIters);
  k.relayouts = !aOk + !bOk + !outOk;
  k.relayoutBytes = (aOk || m.a->source->isConstant ? 0 : aBytes) +
                    (bOk || m.b->source->isConstant ? 0 : bBytes) +
                    (outOk ? 0 : outBytes);
  k.detail = std::string(kernelName(kind)) + " b=" + std::to_string(k.batch) +
             " m=" + std::to_string(k.m) + " n=" + std::to_string(k.n) +
             " k=" + std::to_string(k.k);
  return k;
}

} // namespace

std::optional<Kernel> matchG2bmm(Expr scope) {
  // C[b, i, w] = Sum<k> A[b, i, k] * B[b, i + w + c, k].
  for (const Band &m : bandOperands(scope)) {
    bool sx = true, sy = true;
    if (!findRange(scope, m.x, &sx) || !findRange(scope, m.y, &sy) || sx ||
        sy || !contains(m.ai, m.x) || contains(m.bi, m.x) ||
        contains(m.ai, m.y) || contains(m.bi, m.y))
      continue;
    bool ok = !scope->sums.empty();
    for (const IterRange &r : scope->sums)
      ok &= contains(m.ai, r.iter) && contains(m.bi, r.iter);
    std::vector<Iter> batch;
    for (const IterRange &r : scope->loops) {
      if (r.iter == m.x || r.iter == m.y)
        continue;
      ok &= contains(m.ai, r.iter) && contains(m.bi, r.iter);
      batch.push_back(r.iter);
    }
    // A reads exactly batch, i and the sums; B's plain dims batch and sums.
    ok &= m.ai.size() == batch.size() + 1 + scope->sums.size() &&
          m.bi.size() == batch.size() + scope->sums.size();
    if (!ok)
      continue;
    int64_t reduce = 1;
    for (const IterRange &r : scope->sums)
      reduce *= r.range.size();
    return bandKernel(scope, m, KernelKind::G2BMM, batch, m.x, m.y, reduce);
  }
  return std::nullopt;
}

std::optional<Kernel> matchGbmm(Expr scope) {
  // C[b, i, j] = Sum<w> A[b, i, w] * B[b, i + w + c, j].
  for (const Band &m : bandOperands(scope)) {
    bool sx = true, sy = false;
    if (!findRange(scope, m.x, &sx) || !findRange(scope, m.y, &sy) || sx ||
        !sy || scope->sums.size() != 1 || !contains(m.ai, m.x) ||
        !contains(m.ai, m.y) || contains(m.bi, m.x) || contains(m.bi, m.y))
      continue;
    bool ok = true;
    std::vector<Iter> batch;
    Iter col = nullptr;
    for (const IterRange &r : scope->loops) {
      if (r.iter == m.x)
        continue;
      bool inA = contains(m.ai, r.iter), inB = contains(m.bi, r.iter);
      if (inA && inB)
        batch.push_back(r.iter);
      else if (inB && !col)
        col = r.iter;
      else
        ok = false;
    }
    ok &= col && m.ai.size() == batch.size() + 2 &&
          m.bi.size() == batch.size() + 1;
    if (!ok)
      continue;
    return bandKernel(scope, m, KernelKind::GBMM, batch, m.x, col,
                      findRange(scope, m.y)->range.size());
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

namespace {
/// The reads whose zero makes the whole body zero: factors of a product,
/// through negation and a quotient's numerator. None for bodies with
/// operators that turn finite values into inf/NaN (0 * inf is not 0).
bool zeroFactors(Expr e, std::vector<Expr> &out) {
  switch (e->kind) {
  case ExprKind::Access:
    out.push_back(e);
    return true;
  case ExprKind::Const:
    return true;
  case ExprKind::Unary:
    if (e->unaryFn == UnaryFn::Log || e->unaryFn == UnaryFn::Sqrt ||
        e->unaryFn == UnaryFn::Exp)
      return false;
    return e->unaryFn == UnaryFn::Neg ? zeroFactors(e->lhs, out) : true;
  case ExprKind::Binary:
    if (e->binaryOp == BinaryOp::Mul)
      return zeroFactors(e->lhs, out) && zeroFactors(e->rhs, out);
    return e->binaryOp != BinaryOp::Div;
  default:
    return false;
  }
}
} // namespace

std::vector<SumBound> sumBounds(Expr scope, size_t sum) {
  std::vector<SumBound> out;
  std::vector<Expr> factors;
  if (!zeroFactors(scope->body, factors))
    return out;
  Iter it = scope->sums[sum].iter;
  auto isLoop = [&](Iter i) {
    for (const IterRange &r : scope->loops)
      if (r.iter == i)
        return true;
    return false;
  };
  for (Expr a : factors)
    for (size_t d = 0; d < a->subscripts.size(); ++d) {
      LinearForm lf;
      if (!toLinear(a->subscripts[d], lf))
        continue;
      int64_t coef = 0;
      bool ok = true;
      for (auto &[i, c] : lf.terms)
        if (i == it)
          coef = c;
        else
          ok &= isLoop(i);
      if (ok && coef != 0)
        out.push_back({a, d, coef});
    }
  return out;
}

int64_t effectiveSumExtent(Expr scope, size_t sum) {
  int64_t extent = scope->sums[sum].range.size();
  for (const SumBound &b : sumBounds(scope, sum)) {
    int64_t dom = b.access->source->domain(b.dim).size();
    int64_t a = b.coef < 0 ? -b.coef : b.coef;
    extent = std::min(extent, (dom + a - 1) / a);
  }
  return extent;
}

Kernel eOperator(Expr scope) {
  Kernel k;
  k.kind = KernelKind::EOperator;
  double points = 1, reduce = 1;
  for (const IterRange &r : scope->loops)
    points *= r.range.size();
  for (size_t s = 0; s < scope->sums.size(); ++s)
    reduce *= effectiveSumExtent(scope, s);
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
  for (auto candidate : {matchMatmul(scope), matchConv(scope),
                         matchG2bmm(scope), matchGbmm(scope)})
    if (candidate && cost.seconds(*candidate) < bestTime) {
      bestTime = cost.seconds(*candidate);
      best = *candidate;
    }
  return best;
}

} // namespace tdc::derive
