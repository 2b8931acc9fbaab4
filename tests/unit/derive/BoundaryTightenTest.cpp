// The boundary-tighten rule: every proposal on random programs is checked
// against the interpreter, plus exact outputs on hand-written cases.
#include "RuleCheck.h"

using namespace tdc::derive;
using namespace tdc::derive::testing;

TEST(BoundaryTightenRule, RandomProgramsStayEquivalent) {
  auto rule = createBoundaryTightenRule();
  EXPECT_STREQ(rule->name(), "boundary-tighten");
  RuleCheckStats stats;
  checkRuleOnRandomPrograms(*rule, 4242, 1500, stats);
  EXPECT_GE(stats.rewrites, 1000u);
  stats.print("boundary-tighten");
}

TEST(BoundaryTightenRule, TightensANestedTraversalRange) {
  ExprContext ctx;
  Iter t = ctx.iter("t"), k = ctx.iter("k");
  Expr X = ctx.input("X", {7, 2}), Y = ctx.input("Y", {2});
  Expr T = ctx.scope({{t, {-1, 8}}}, {{k, {0, 2}}},
                     ctx.binary(BinaryOp::Mul,
                                ctx.access(X, {ctx.idx(t), ctx.idx(k)}),
                                ctx.access(Y, {ctx.idx(k)})));
  Iter o = ctx.iter("o");
  Expr reader =
      ctx.scope({{o, {0, 9}}}, {}, ctx.access(T, {ctx.add(ctx.idx(o), -1)}));
  auto rws = createBoundaryTightenRule()->apply(ctx, reader);
  ASSERT_EQ(rws.size(), 1u);
  EXPECT_EQ(rws[0].detail,
            "tighten the nested scope read at [o-1]: t:-1:8 -> 0:7");
  EXPECT_EQ(print(rws[0].replacement),
            "L<o:0:9> { {L<t:0:7> Sum<k:0:2> { X[t, k] * Y[k] }}[o-1] }");
  EXPECT_EQ(compareExprs(reader, rws[0].replacement, 1), "");
  // T itself: its summation is already tight, and its own traversal range
  // is not touched (T may be the program's result).
  EXPECT_TRUE(createBoundaryTightenRule()->apply(ctx, T).empty());
}

TEST(BoundaryTightenRule, TightensSummationsThroughSubscriptBounds) {
  // h+r-1 in [0, 4) with h in [0, 2) needs r in [-1, 5): r:-3:9 shrinks; the
  // +1 term keeps i's read of B from bounding r.
  ExprContext ctx;
  Iter h = ctx.iter("h"), r = ctx.iter("r");
  Expr A = ctx.input("A", {4}), B = ctx.input("B", {3});
  Expr y = ctx.scope(
      {{h, {0, 2}}}, {{r, {-3, 9}}},
      ctx.binary(
          BinaryOp::Mul,
          ctx.unary(
              UnaryFn::Relu,
              ctx.access(A, {ctx.add(ctx.add(ctx.idx(h), ctx.idx(r)), -1)})),
          ctx.binary(BinaryOp::Add, ctx.access(B, {ctx.idx(h)}),
                     ctx.constant(1))));
  auto rws = createBoundaryTightenRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 1u);
  EXPECT_EQ(rws[0].detail, "tighten Sum<r:-3:9 -> 0:5>");
  EXPECT_EQ(print(rws[0].replacement),
            "L<h:0:2> Sum<r:0:5> { relu(A[h+r-1]) * (B[h] + 1) }");
  EXPECT_EQ(compareExprs(y, rws[0].replacement, 2), "");
}

TEST(BoundaryTightenRule, LeavesNonZeroTermsAlone) {
  // A + 1 is not zero outside A's range; A / B may be 0/0.
  ExprContext ctx;
  Iter i = ctx.iter("i"), r = ctx.iter("r");
  Expr A = ctx.input("A", {2}), B = ctx.input("B", {2});
  Expr plus = ctx.scope(
      {{i, {0, 1}}}, {{r, {0, 5}}},
      ctx.binary(BinaryOp::Add, ctx.access(A, {ctx.idx(r)}), ctx.constant(1)));
  EXPECT_TRUE(createBoundaryTightenRule()->apply(ctx, plus).empty());
  Expr div = ctx.scope({{i, {0, 1}}}, {{r, {0, 5}}},
                       ctx.binary(BinaryOp::Div, ctx.access(A, {ctx.idx(r)}),
                                  ctx.access(B, {ctx.idx(r)})));
  EXPECT_TRUE(createBoundaryTightenRule()->apply(ctx, div).empty());
}
