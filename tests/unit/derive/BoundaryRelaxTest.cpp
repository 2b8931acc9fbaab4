// The boundary-relax rule: every proposal on random programs is checked
// against the interpreter, plus exact outputs on hand-written cases.
#include "RuleCheck.h"

using namespace tdc::derive;
using namespace tdc::derive::testing;

TEST(BoundaryRelaxRule, RandomProgramsStayEquivalent) {
  auto rule = createBoundaryRelaxRule();
  EXPECT_STREQ(rule->name(), "boundary-relax");
  RuleCheckStats stats;
  checkRuleOnRandomPrograms(*rule, 99, 1200, stats);
  EXPECT_GE(stats.rewrites, 1000u);
  stats.print("boundary-relax");
}

TEST(BoundaryRelaxRule, RelaxesA5x5KernelTo6x6) {
  ExprContext ctx;
  Iter h = ctx.iter("h"), w = ctx.iter("w"), r = ctx.iter("r"),
       s = ctx.iter("s");
  Expr X = ctx.input("X", {6, 6}), K = ctx.input("K", {5, 5});
  Expr y = ctx.scope(
      {{h, {0, 6}}, {w, {0, 6}}}, {{r, {0, 5}}, {s, {0, 5}}},
      ctx.binary(BinaryOp::Mul,
                 ctx.access(X, {ctx.add(ctx.add(ctx.idx(h), ctx.idx(r)), -2),
                                ctx.add(ctx.add(ctx.idx(w), ctx.idx(s)), -2)}),
                 ctx.access(K, {ctx.idx(r), ctx.idx(s)})));
  auto rws = createBoundaryRelaxRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 2u); // 5 -> 6 (multiple of 2 and 3), for r and s
  EXPECT_EQ(rws[0].detail, "relax Sum<r:0:5> to 0:6");
  EXPECT_EQ(print(rws[0].replacement), "L<h:0:6, w:0:6> Sum<r:0:6, s:0:5> "
                                       "{ X[h+r-2, w+s-2] * K[r, s] }");
  EXPECT_EQ(rws[1].detail, "relax Sum<s:0:5> to 0:6");
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(y, rw.replacement, 8), "");
  // Relaxed twice, the kernel splits into 2x2 blocks of 3x3.
  Expr both =
      createBoundaryRelaxRule()->apply(ctx, rws[0].replacement)[0].replacement;
  EXPECT_EQ(print(both), "L<h:0:6, w:0:6> Sum<r:0:6, s:0:6> "
                         "{ X[h+r-2, w+s-2] * K[r, s] }");
  EXPECT_EQ(compareExprs(y, both, 8), "");
}

TEST(BoundaryRelaxRule, GrowsDownwardsOrNotAtAll) {
  ExprContext ctx;
  Iter i = ctx.iter("i"), r = ctx.iter("r");
  Expr A = ctx.input("A", {6});
  // r in [2, 6) reads A[0, 4): r = 6, 7 read A[4, 6), not zero, but r = 0, 1
  // read out of range: grow downwards, 4 -> 6.
  Expr y = ctx.scope({{i, {0, 1}}}, {{r, {2, 6}}},
                     ctx.access(A, {ctx.add(ctx.idx(r), -2)}));
  auto rws = createBoundaryRelaxRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 1u);
  EXPECT_EQ(rws[0].detail, "relax Sum<r:2:6> to 0:6");
  EXPECT_EQ(compareExprs(y, rws[0].replacement, 1), "");
  // A full read with a non-zero constant term: nothing to relax.
  Expr z = ctx.scope(
      {{i, {0, 1}}}, {{r, {0, 5}}},
      ctx.binary(BinaryOp::Add, ctx.access(A, {ctx.idx(r)}), ctx.constant(2)));
  EXPECT_TRUE(createBoundaryRelaxRule()->apply(ctx, z).empty());
}
