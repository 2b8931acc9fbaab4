//===- Fingerprint.cpp - name-independent hashes of expressions
//------------===//
#include "tdc/Derive/Fingerprint.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>

namespace tdc::derive {

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

struct Hasher {
  // Iterator -> its name-free token within the scope that binds it.
  std::unordered_map<Iter, uint64_t> tokens;
  std::unordered_map<Expr, uint64_t> &memo;
  explicit Hasher(std::unordered_map<Expr, uint64_t> &memo) : memo(memo) {}

  uint64_t index(Index i) {
    LinearForm lf;
    if (toLinear(i, lf)) {
      std::vector<std::pair<uint64_t, int64_t>> terms;
      for (auto &[it, coef] : lf.terms)
        terms.push_back({tokens.count(it) ? tokens[it] : 0xdeadULL, coef});
      std::sort(terms.begin(), terms.end());
      uint64_t h = mix(0x11, (uint64_t)lf.constant);
      for (auto &[t, c] : terms)
        h = mix(mix(h, t), (uint64_t)c);
      return h;
    }
    uint64_t h = mix(0x22, (uint64_t)i->kind);
    h = mix(h, (uint64_t)i->value);
    if (i->lhs)
      h = mix(h, index(i->lhs));
    if (i->rhs)
      h = mix(h, index(i->rhs));
    return h;
  }

  uint64_t scope(Expr e) {
    auto m = memo.find(e);
    if (m != memo.end())
      return m->second;
    auto saved = tokens;
    uint64_t h = 0x33;
    for (size_t k = 0; k < e->loops.size(); ++k) {
      const IterRange &r = e->loops[k];
      uint64_t t =
          mix(mix(mix(0x44, k), (uint64_t)r.range.lo), (uint64_t)r.range.hi);
      tokens[r.iter] = t;
      h = mix(h, t);
    }
    std::vector<uint64_t> sums;
    for (const IterRange &r : e->sums) {
      uint64_t t = mix(mix(0x55, (uint64_t)r.range.lo), (uint64_t)r.range.hi);
      tokens[r.iter] = t;
      sums.push_back(t);
    }
    std::sort(sums.begin(), sums.end());
    for (uint64_t t : sums)
      h = mix(h, t);
    h = mix(h, expr(e->body));
    tokens = saved;
    return memo[e] = h;
  }

  uint64_t expr(Expr e) {
    switch (e->kind) {
    case ExprKind::Const:
      return mix(0x66, std::hash<double>()(e->constant));
    case ExprKind::Input: {
      uint64_t h = mix(0x77, std::hash<std::string>()(e->name));
      for (int64_t d : e->shape)
        h = mix(h, (uint64_t)d);
      return h;
    }
    case ExprKind::Access: {
      uint64_t h =
          mix(0x88, e->source->kind == ExprKind::Scope ? scope(e->source)
                                                       : expr(e->source));
      for (Index i : e->subscripts)
        h = mix(h, index(i));
      return h;
    }
    case ExprKind::Unary:
      return mix(mix(0x99, (uint64_t)e->unaryFn), expr(e->lhs));
    case ExprKind::Binary: {
      uint64_t a = expr(e->lhs), b = expr(e->rhs);
      bool commutative =
          e->binaryOp == BinaryOp::Add || e->binaryOp == BinaryOp::Mul ||
          e->binaryOp == BinaryOp::Max || e->binaryOp == BinaryOp::Min;
      if (commutative && b < a)
        std::swap(a, b);
      return mix(mix(mix(0xaa, (uint64_t)e->binaryOp), a), b);
    }
    case ExprKind::Scope:
      return scope(e);
    }
    return 0;
  }
};

} // namespace

uint64_t fingerprint(Expr e) {
  std::unordered_map<Expr, uint64_t> memo;
  return Hasher(memo).expr(e);
}

uint64_t FingerprintCache::operator()(Expr e) { return Hasher(scopes).expr(e); }

} // namespace tdc::derive
