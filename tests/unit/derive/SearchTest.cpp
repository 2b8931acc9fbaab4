// The search rediscovers EinNet's derivations from the plain operators, with
// no preset rule lists: each found program is checked with the interpreter.
#include "tdc/Derive/Search.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Parser.h"
#include "tdc/Derive/Printer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

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

/// The first (cheapest) candidate with a kernel whose detail starts with
/// `prefix`.
const Candidate *withKernelDetail(const SearchResult &r,
                                  const std::string &prefix) {
  for (const Candidate &c : r.candidates)
    for (const std::string &d : c.details)
      if (d.rfind(prefix, 0) == 0)
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

TEST(Search, WinogradConvsArePricedAsTheLoweringRunsThem) {
  // 64 channels on 64x64: the graph lowering computes this node with
  // Winograd F(4x4, 3x3), about 2.25x fewer multiply-adds, unless a derived
  // program replaces it; the original is priced that way, a derived
  // program's direct convolution is not.
  ExprContext ctx;
  Expr y = conv(ctx, 1, 64, 64, 64, 64, 3, 1);
  CostModel cost;
  SearchResult r = derive(ctx, y, allRules(), cost, options(1));
  ASSERT_EQ(r.original.details.size(), 1u);
  EXPECT_EQ(r.original.details[0], "conv 3x3 f=64 c=64 m=4096 k=576 winograd");
  double direct = cost.programSeconds(y);
  EXPECT_LT(r.original.seconds, 0.6 * direct);
  EXPECT_GT(r.original.seconds, 0.2 * direct);
  EXPECT_EQ(r.best.program, y);
  for (const Candidate &c : r.candidates)
    if (c.program != y)
      for (const std::string &d : c.details)
        EXPECT_EQ(d.find("winograd"), std::string::npos) << d;
  // Not Winograd: 16 channels (the transforms would not pay) and a 5x5
  // window.
  for (Expr other : {conv(ctx, 1, 16, 64, 64, 16, 3, 1),
                     conv(ctx, 1, 64, 64, 64, 64, 5, 2)}) {
    SearchResult o = derive(ctx, other, allRules(), cost, options(0));
    EXPECT_EQ(o.original.seconds, cost.programSeconds(other));
    EXPECT_EQ(o.original.details[0].find("winograd"), std::string::npos);
  }
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

TEST(Search, Conv5x5BecomesConv3x3WithFourTimesTheFilters) {
  ExprContext ctx;
  Expr y = conv(ctx, 1, 32, 14, 14, 32, 5, 2);
  auto rules = allRules();
  SearchResult r = derive(ctx, y, rules, CostModel(), options(4));
  // A 3x3 conv over 2x2 blocks of taps: 4 * 32 output channels.
  for (auto &[rule, n] : r.statesByRule)
    std::printf("  states by %s: %zu\n", rule.c_str(), n);
  const Candidate *c3 = withKernelDetail(r, "conv 3x3 f=128 c=32");
  ASSERT_NE(c3, nullptr) << "states " << r.states;
  EXPECT_EQ(std::count(c3->kernels.begin(), c3->kernels.end(), "conv"), 1);
  EXPECT_EQ(compareExprs(y, c3->program, 7, 256, 1e-6, 1e-6), "");
  std::printf("conv5x5: %zu states, %.2f s; %zu steps to the 3x3 conv\n",
              r.states, r.seconds, c3->path.size());
  for (const Step &s : c3->path)
    std::printf("  %s: %s\n", s.rule.c_str(), s.detail.c_str());
}

TEST(Search, DilatedG2bmmBecomesG2bmmPlusLayoutEOperators) {
  // Longformer-style dilated band attention scores: 8 heads, 512 positions,
  // 64 features, a window of 2*8+1 positions dilated by 4. ONNX has no
  // operator for it, so it is written in the expression notation.
  ExprContext ctx;
  std::string error;
  Expr y = parse(ctx,
                 "L<b:0:8, i:0:512, w:0:17> Sum<k:0:64> "
                 "{ A[b, i, k] * B[b, i+4*w-32, k] }",
                 {{"A", {8, 512, 64}}, {"B", {8, 512, 64}}}, error);
  ASSERT_NE(y, nullptr) << error;
  auto rules = allRules();
  SearchResult r = derive(ctx, y, rules, CostModel(), options(4));
  for (auto &[rule, n] : r.statesByRule)
    std::printf("  states by %s: %zu\n", rule.c_str(), n);
  // The dilated form is not a kernel; an undilated G2BMM over the positions
  // regrouped by their residue modulo 4 is.
  EXPECT_EQ(r.original.kernels, (std::vector<std::string>{"eop"}));
  const Candidate *g = withKernelDetail(r, "g2bmm b=32 m=128 n=17 k=64");
  ASSERT_NE(g, nullptr) << "states " << r.states;
  EXPECT_EQ(std::count(g->kernels.begin(), g->kernels.end(), "g2bmm"), 1);
  EXPECT_EQ(compareExprs(y, g->program, 11, 256, 1e-6, 1e-6), "");
  EXPECT_EQ(r.best.kernels, g->kernels)
      << "cost " << g->seconds << " vs " << r.best.seconds;
  EXPECT_TRUE(r.verified) << r.verifyError;
  std::printf("dilated g2bmm: %zu states, %.2f s; %zu steps\n", r.states,
              r.seconds, g->path.size());
  for (const Step &s : g->path)
    std::printf("  %s: %s\n", s.rule.c_str(), s.detail.c_str());
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
