//===- RandomExpr.cpp - random expressions for rule tests
//------------------===//
#include "RandomExpr.h"

#include <string>

namespace tdc::derive::testing {

namespace {

int64_t uniform(std::mt19937_64 &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

struct Gen {
  ExprContext &ctx;
  std::mt19937_64 &rng;
  const RandomExprOptions &opt;
  int inputs = 0;

  Index subscript(const std::vector<IterRange> &iters) {
    Index acc = ctx.cst(uniform(rng, -1, 1));
    int terms = (int)uniform(rng, 1, 2);
    for (int t = 0; t < terms && !iters.empty(); ++t) {
      const IterRange &r = iters[uniform(rng, 0, iters.size() - 1)];
      int64_t coef = uniform(rng, 0, 9) < 7 ? 1 : uniform(rng, -1, 2);
      acc = ctx.add(acc, ctx.mul(ctx.idx(r.iter), coef));
    }
    return acc;
  }

  Expr tensorSource(int depth, int rank) {
    if (depth < opt.maxDepth &&
        std::uniform_real_distribution<double>(0, 1)(rng) < opt.nestedProb)
      return scope(depth + 1, rank);
    std::vector<int64_t> shape;
    for (int d = 0; d < rank; ++d)
      shape.push_back(uniform(rng, 1, opt.maxExtent + 1));
    return ctx.input("T" + std::to_string(inputs++), shape);
  }

  Expr term(int depth, const std::vector<IterRange> &iters) {
    int rank = (int)uniform(rng, 1, 3);
    Expr src = tensorSource(depth, rank);
    std::vector<Index> subs;
    for (int d = 0; d < rank; ++d)
      subs.push_back(subscript(iters));
    Expr e = ctx.access(src, subs);
    int64_t k = uniform(rng, 0, 9);
    if (k == 0)
      e = ctx.unary(UnaryFn::Relu, e);
    else if (k == 1)
      e = ctx.unary(UnaryFn::Neg, e);
    return e;
  }

  Expr scope(int depth, int rank) {
    std::vector<IterRange> loops, sums, all;
    for (int d = 0; d < rank; ++d) {
      int64_t lo = uniform(rng, -1, 1);
      loops.push_back({ctx.iter("i" + std::to_string(d)),
                       {lo, lo + uniform(rng, 1, opt.maxExtent)}});
    }
    int nsum = (int)uniform(rng, 0, opt.maxSums);
    for (int d = 0; d < nsum; ++d) {
      int64_t lo = uniform(rng, -1, 1);
      sums.push_back({ctx.iter("s" + std::to_string(d)),
                      {lo, lo + uniform(rng, 1, opt.maxExtent)}});
    }
    all = loops;
    all.insert(all.end(), sums.begin(), sums.end());
    Expr body = term(depth, all);
    int terms = (int)uniform(rng, 1, opt.maxTerms);
    for (int t = 1; t < terms; ++t) {
      BinaryOp op = uniform(rng, 0, 3) == 0 ? BinaryOp::Add : BinaryOp::Mul;
      body = ctx.binary(op, body, term(depth, all));
    }
    if (uniform(rng, 0, 5) == 0)
      body = ctx.binary(BinaryOp::Add, body, ctx.constant(0.5));
    return ctx.scope(loops, sums, body);
  }
};

} // namespace

Expr randomScope(ExprContext &ctx, std::mt19937_64 &rng,
                 const RandomExprOptions &options) {
  Gen g{ctx, rng, options};
  return g.scope(0, (int)uniform(rng, 1, options.maxLoops));
}

Expr randomConv(ExprContext &ctx, std::mt19937_64 &rng) {
  int64_t N = uniform(rng, 1, 2), C = uniform(rng, 1, 3),
          F = uniform(rng, 1, 3), H = uniform(rng, 2, 6),
          W = uniform(rng, 2, 6), R = uniform(rng, 1, 4),
          S = uniform(rng, 1, 4), st = uniform(rng, 1, 2),
          dl = uniform(rng, 1, 2), p = uniform(rng, 0, 2);
  Iter n = ctx.iter("n"), f = ctx.iter("f"), h = ctx.iter("h"),
       w = ctx.iter("w"), c = ctx.iter("c"), r = ctx.iter("r"),
       s = ctx.iter("s");
  Expr X = ctx.input("X", {N, C, H, W}), K = ctx.input("K", {F, C, R, S});
  auto pos = [&](Iter o, Iter k) {
    return ctx.add(ctx.add(ctx.mul(ctx.idx(o), st), ctx.mul(ctx.idx(k), dl)),
                   -p);
  };
  int64_t OH = (H + 2 * p - (R - 1) * dl - 1) / st + 1;
  int64_t OW = (W + 2 * p - (S - 1) * dl - 1) / st + 1;
  if (OH < 1)
    OH = 1;
  if (OW < 1)
    OW = 1;
  Expr body = ctx.binary(
      BinaryOp::Mul,
      ctx.access(X, {ctx.idx(n), ctx.idx(c), pos(h, r), pos(w, s)}),
      ctx.access(K, {ctx.idx(f), ctx.idx(c), ctx.idx(r), ctx.idx(s)}));
  return ctx.scope({{n, {0, N}}, {f, {0, F}}, {h, {0, OH}}, {w, {0, OW}}},
                   {{c, {0, C}}, {r, {0, R}}, {s, {0, S}}}, body);
}

Expr randomMatmul(ExprContext &ctx, std::mt19937_64 &rng) {
  int64_t B = uniform(rng, 1, 3), M = uniform(rng, 1, 5),
          N = uniform(rng, 1, 5), K = uniform(rng, 1, 5);
  bool batched = uniform(rng, 0, 1), ta = uniform(rng, 0, 1),
       tb = uniform(rng, 0, 1);
  Iter b = ctx.iter("b"), i = ctx.iter("i"), j = ctx.iter("j"),
       k = ctx.iter("k");
  std::vector<int64_t> as =
      ta ? std::vector<int64_t>{K, M} : std::vector<int64_t>{M, K};
  std::vector<int64_t> bs =
      tb ? std::vector<int64_t>{N, K} : std::vector<int64_t>{K, N};
  std::vector<Index> ai = ta ? std::vector<Index>{ctx.idx(k), ctx.idx(i)}
                             : std::vector<Index>{ctx.idx(i), ctx.idx(k)};
  std::vector<Index> bi = tb ? std::vector<Index>{ctx.idx(j), ctx.idx(k)}
                             : std::vector<Index>{ctx.idx(k), ctx.idx(j)};
  std::vector<IterRange> loops = {{i, {0, M}}, {j, {0, N}}};
  if (batched) {
    as.insert(as.begin(), B);
    bs.insert(bs.begin(), B);
    ai.insert(ai.begin(), ctx.idx(b));
    bi.insert(bi.begin(), ctx.idx(b));
    loops.insert(loops.begin(), {b, {0, B}});
  }
  Expr body = ctx.binary(BinaryOp::Mul, ctx.access(ctx.input("A", as), ai),
                         ctx.access(ctx.input("B", bs), bi));
  return ctx.scope(loops, {{k, {0, K}}}, body);
}

Expr randomProgram(ExprContext &ctx, std::mt19937_64 &rng, int k) {
  RandomExprOptions nested;
  nested.nestedProb = 0.6;
  switch (k % 4) {
  case 0:
    return randomScope(ctx, rng);
  case 1:
    return randomScope(ctx, rng, nested);
  case 2:
    return randomConv(ctx, rng);
  default:
    return randomMatmul(ctx, rng);
  }
}

} // namespace tdc::derive::testing
