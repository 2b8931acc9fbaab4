// The search rediscovers EinNet's derivations from the plain operators, with
// no preset rule lists: each found program is checked with the interpreter.
#include "tdc/Derive/Search.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Printer.h"

#include <gtest/gtest.h>

using namespace tdc::derive;

namespace {

Expr conv(ExprContext &ctx, int64_t N, int64_t C, int64_t H, int64_t W,
          int64_t F, int64_t R, int64_t pad) {
  Iter n = ctx.iter("n"), f = ctx.iter("f"), h = ctx.iter("h"),
       w = ctx.iter("w"), c = ctx.iter("c"), r = ctx.iter("r"),
       s = ctx.iter("s");
  Expr X = ctx.input("X", {N, C, H, W});
  Expr K = ctx.input("K", {F, C, R, R}, /*isConstant=*/true);
  Expr body = ctx.binary(
      BinaryOp::Mul,
      ctx.access(X, {ctx.idx(n), ctx.idx(c),
                     ctx.add(ctx.add(ctx.idx(h), ctx.idx(r)), -pad),
                     ctx.add(ctx.add(ctx.idx(w), ctx.idx(s)), -pad)}),
      ctx.access(K, {ctx.idx(f), ctx.idx(c), ctx.idx(r), ctx.idx(s)}));
  int64_t OH = H + 2 * pad - R + 1, OW = W + 2 * pad - R + 1;
  return ctx.scope({{n, {0, N}}, {f, {0, F}}, {h, {0, OH}}, {w, {0, OW}}},
                   {{c, {0, C}}, {r, {0, R}}, {s, {0, R}}}, body);
}

/// ConvTranspose as the importer writes it: the kernel tap joins input and
/// output positions, Y[o] = Sum_{c,i} X[c,i] * K[c,f,o+pad-stride*i].
Expr convTranspose(ExprContext &ctx, int64_t N, int64_t C, int64_t H, int64_t F,
                   int64_t R, int64_t stride, int64_t pad) {
  Iter n = ctx.iter("n"), f = ctx.iter("f"), h = ctx.iter("h"),
       w = ctx.iter("w"), c = ctx.iter("c"), p = ctx.iter("p"),
       q = ctx.iter("q");
  Expr X = ctx.input("X", {N, C, H, H});
  Expr K = ctx.input("K", {C, F, R, R}, /*isConstant=*/true);
  int64_t OH = stride * (H - 1) + R - 2 * pad;
  Expr body = ctx.binary(
      BinaryOp::Mul,
      ctx.access(X, {ctx.idx(n), ctx.idx(c), ctx.idx(p), ctx.idx(q)}),
      ctx.access(
          K,
          {ctx.idx(c), ctx.idx(f),
           ctx.add(ctx.add(ctx.idx(h), ctx.mul(ctx.idx(p), -stride)), pad),
           ctx.add(ctx.add(ctx.idx(w), ctx.mul(ctx.idx(q), -stride)), pad)}));
  return ctx.scope({{n, {0, N}}, {f, {0, F}}, {h, {0, OH}}, {w, {0, OH}}},
                   {{c, {0, C}}, {p, {0, H}}, {q, {0, H}}}, body);
}

const Candidate *withKernels(const SearchResult &r,
                             std::vector<std::string> kernels) {
  for (const Candidate &c : r.candidates)
    if (c.kernels == kernels)
      return &c;
  return nullptr;
}

SearchOptions options(int depth) {
  SearchOptions o;
  o.maxDepth = depth;
  // Generous: the tests check what is found, not how fast (benchmarks and
  // `tdc derive --json` report the time).
  o.timeBudgetSeconds = 300;
  return o;
}

} // namespace

TEST(Search, Conv3x3BecomesMatmulPlusEOperator) {
  ExprContext ctx;
  Expr y = conv(ctx, 1, 512, 7, 7, 512, 3, 1);
  auto rules = allRules();
  SearchResult r = derive(ctx, y, rules, CostModel(), options(4));
  const Candidate *mm = withKernels(r, {"matmul", "eop"});
  ASSERT_NE(mm, nullptr) << "states " << r.states;
  EXPECT_LE(mm->path.size(), 4u);
  EXPECT_EQ(compareExprs(y, mm->program, 3, 256, 1e-6, 1e-6), "");
  EXPECT_TRUE(r.verified) << r.verifyError;
}

TEST(Search, ConvTransposeBecomesMatmulPlusEOperator) {
  ExprContext ctx;
  Expr y = convTranspose(ctx, 16, 448, 2, 256, 4, 2, 1);
  auto rules = allRules();
  SearchResult r = derive(ctx, y, rules, CostModel(), options(4));
  const Candidate *mm = withKernels(r, {"matmul", "eop"});
  ASSERT_NE(mm, nullptr) << "states " << r.states;
  EXPECT_EQ(compareExprs(y, mm->program, 5, 256, 1e-6, 1e-6), "");
  // The matmul program is cheaper than computing the transposed conv as a
  // memory-bound loop nest, so it is chosen.
  EXPECT_EQ(r.best.kernels, (std::vector<std::string>{"matmul", "eop"}));
  EXPECT_TRUE(r.verified) << r.verifyError;
}

TEST(Search, IsDeterministic) {
  auto run = [] {
    ExprContext ctx;
    Expr y = conv(ctx, 1, 8, 5, 5, 8, 3, 1);
    auto rules = allRules();
    SearchResult r = derive(ctx, y, rules, CostModel(), options(3));
    return std::make_pair(r.states, print(r.best.program) + "|" +
                                        std::to_string(r.candidates.size()));
  };
  EXPECT_EQ(run(), run());
}
