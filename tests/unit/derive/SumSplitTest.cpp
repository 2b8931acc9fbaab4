// The sum-split rule: every proposal on random programs is checked against
// the interpreter, plus exact outputs on hand-written cases.
#include "RandomExpr.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

#include <gtest/gtest.h>

using namespace tdc::derive;
using namespace tdc::derive::testing;

namespace {

/// Programs without extra nesting: splits of flat scopes are the common case.
Expr randomFlatProgram(ExprContext &ctx, std::mt19937_64 &rng, int k) {
  switch (k % 3) {
  case 0:
    return randomScope(ctx, rng);
  case 1:
    return randomConv(ctx, rng);
  default:
    return randomMatmul(ctx, rng);
  }
}

} // namespace

TEST(SumSplitRule, RandomProgramsStayEquivalent) {
  auto rule = createSumSplitRule();
  EXPECT_STREQ(rule->name(), "sum-split");
  std::mt19937_64 rng(1234);
  size_t programs = 0, checked = 0;
  for (int k = 0; k < 1200; ++k) {
    ExprContext ctx;
    Expr root = randomFlatProgram(ctx, rng, k);
    ASSERT_EQ(verify(root), "");
    ++programs;
    for (Expr scope : scopesOf(root)) {
      std::vector<Rewrite> a = rule->apply(ctx, scope);
      // Deterministic: the same input gives the same proposals (up to the
      // identity of the fresh iterators).
      std::vector<Rewrite> b = rule->apply(ctx, scope);
      ASSERT_EQ(a.size(), b.size());
      for (size_t r = 0; r < a.size(); ++r) {
        ASSERT_EQ(fingerprint(a[r].replacement), fingerprint(b[r].replacement));
        ASSERT_EQ(a[r].detail, b[r].detail);
      }
      for (const Rewrite &rw : a) {
        Expr next = replaceTensor(ctx, root, scope, rw.replacement);
        ASSERT_EQ(verify(next), "") << print(next);
        ASSERT_EQ(compareExprs(root, next, k), "") << rw.detail << "\n"
                                                   << print(root) << "\n"
                                                   << print(next);
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 1000u);
  std::printf("sum-split: %zu programs, %zu rewrites checked, 0 mismatches\n",
              programs, checked);
}

TEST(SumSplitRule, SplitsAConvolution) {
  ExprContext ctx;
  Iter h = ctx.iter("h"), c = ctx.iter("c"), r = ctx.iter("r");
  Expr X = ctx.input("X", {2, 4}), K = ctx.input("K", {2, 3});
  Expr y = ctx.scope(
      {{h, {0, 4}}}, {{c, {0, 2}}, {r, {0, 3}}},
      ctx.binary(BinaryOp::Mul,
                 ctx.access(X, {ctx.idx(c),
                                ctx.add(ctx.add(ctx.idx(h), ctx.idx(r)), -1)}),
                 ctx.access(K, {ctx.idx(c), ctx.idx(r)})));
  auto rws = createSumSplitRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 3u);
  EXPECT_EQ(rws[0].detail, "split Sum<c> out of Sum<c, r>");
  EXPECT_EQ(print(rws[0].replacement),
            "L<h:0:4> Sum<r:0:3> { {L<h_3:0:4, r_4:0:3> Sum<c:0:2> "
            "{ X[c, h_3+r_4-1] * K[c, r_4] }}[h, r] }");
  EXPECT_EQ(rws[1].detail, "split Sum<r> out of Sum<c, r>");
  EXPECT_EQ(print(rws[1].replacement),
            "L<h:0:4> Sum<c:0:2> { {L<h_6:0:4, c_7:0:2> Sum<r:0:3> "
            "{ X[c_7, h_6+r-1] * K[c_7, r] }}[h, c] }");
  // The whole summation becomes an intermediate tensor.
  EXPECT_EQ(rws[2].detail, "split Sum<c, r> out of Sum<c, r>");
  EXPECT_EQ(print(rws[2].replacement),
            "L<h:0:4> { {L<h_9:0:4> Sum<c:0:2, r:0:3> "
            "{ X[c, h_9+r-1] * K[c, r] }}[h] }");
  for (const Rewrite &rw : rws) {
    EXPECT_EQ(verify(rw.replacement), "");
    EXPECT_EQ(compareExprs(y, rw.replacement, 5), "");
  }
}

TEST(SumSplitRule, NonLinearBodiesSplitToo) {
  // Nesting a sum is valid whatever the body: Sum_{a,b} relu(f) =
  // Sum_a (Sum_b relu(f)).
  ExprContext ctx;
  Iter i = ctx.iter("i"), a = ctx.iter("a"), b = ctx.iter("b");
  Expr A = ctx.input("A", {3, 3});
  Expr y = ctx.scope(
      {{i, {0, 2}}}, {{a, {0, 3}}, {b, {-1, 2}}},
      ctx.unary(UnaryFn::Relu,
                ctx.access(A, {ctx.add(ctx.idx(i), ctx.idx(a)), ctx.idx(b)})));
  auto rws = createSumSplitRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 3u);
  EXPECT_EQ(print(rws[1].replacement),
            "L<i:0:2> Sum<a:0:3> { {L<i_6:0:2, a_7:0:3> Sum<b:-1:2> "
            "{ relu(A[i_6+a_7, b]) }}[i, a] }");
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(y, rw.replacement, 9), "");
}

namespace {
/// L<i:0:2> Sum<s0..s{n-1}:0:2> { 1 * A[s0] * ... }: a scope with n sums.
Expr productOverSums(ExprContext &ctx, int n) {
  Iter i = ctx.iter("i");
  std::vector<IterRange> sums;
  Expr body = ctx.constant(1);
  Expr A = ctx.input("A", {2});
  for (int k = 0; k < n; ++k) {
    Iter s = ctx.iter("s" + std::to_string(k));
    sums.push_back({s, {0, 2}});
    body = ctx.binary(BinaryOp::Mul, body, ctx.access(A, {ctx.idx(s)}));
  }
  return ctx.scope({{i, {0, 2}}}, sums, body);
}
} // namespace

TEST(SumSplitRule, FiveSumsSplitEverySubset) {
  // A conv split into 2x2 blocks of taps has five summation iterators; the
  // blocks (2 of them) stay outside while channel and taps go inside.
  ExprContext ctx;
  Expr y = productOverSums(ctx, 5);
  auto rws = createSumSplitRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 31u); // 30 proper non-empty subsets, the whole sum
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(y, rw.replacement, 4), "");
}

TEST(SumSplitRule, ManySumsOnlySplitSingleIterators) {
  ExprContext ctx;
  Expr y = productOverSums(ctx, 6);
  auto rws = createSumSplitRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 13u); // 6 singles, 6 complements, the whole sum
  EXPECT_EQ(rws[0].detail, "split Sum<s0> out of Sum<s0, s1, s2, s3, s4, s5>");
  EXPECT_EQ(rws[1].detail,
            "split Sum<s1, s2, s3, s4, s5> out of Sum<s0, s1, s2, s3, s4, s5>");
  EXPECT_EQ(rws[12].detail, "split Sum<s0, s1, s2, s3, s4, s5> out of "
                            "Sum<s0, s1, s2, s3, s4, s5>");
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(y, rw.replacement, 3), "");
}

TEST(SumSplitRule, NothingToSplitWithoutSums) {
  ExprContext ctx;
  Iter i = ctx.iter("i");
  Expr y = ctx.scope({{i, {0, 2}}}, {},
                     ctx.access(ctx.input("A", {2}), {ctx.idx(i)}));
  EXPECT_TRUE(createSumSplitRule()->apply(ctx, y).empty());
}
