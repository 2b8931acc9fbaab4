// The guided-relayout rule: every proposal on random programs is checked
// against the interpreter, plus exact outputs on hand-written cases.
#include "Parsed.h"
#include "RuleCheck.h"

using namespace tdc::derive;
using namespace tdc::derive::testing;

TEST(GuidedRelayoutRule, RandomProgramsStayEquivalent) {
  auto rule = createGuidedRelayoutRule();
  EXPECT_STREQ(rule->name(), "guided-relayout");
  RuleCheckStats stats;
  checkRuleOnRandomPrograms(*rule, 4242, 1200, stats);
  EXPECT_GE(stats.rewrites, 1000u);
  stats.print("guided-relayout");
}

TEST(GuidedRelayoutRule, SplitsAStridedDimIntoPlainSubscripts) {
  ExprContext ctx;
  Expr y = parsed(ctx,
                  "L<b:0:2, i:0:4, j:0:4, w:0:3> Sum<k:0:5> "
                  "{ A[b, 4*i+j, k] * B[b, 4*i+j+4*w-4, k] }",
                  {{"A", {2, 16, 5}}, {"B", {2, 16, 5}}});
  ASSERT_NE(y, nullptr);
  auto rws = createGuidedRelayoutRule()->apply(ctx, y);
  std::vector<std::string> details;
  for (const Rewrite &rw : rws) {
    details.push_back(rw.detail);
    EXPECT_EQ(verify(rw.replacement), "");
    EXPECT_EQ(compareExprs(y, rw.replacement, 3), "") << rw.detail;
  }
  // Per operand: the split the coefficient 4 suggests, then the copy over
  // the operand's iterators.
  ASSERT_EQ(details.size(), 4u);
  EXPECT_EQ(details[0], "split dim 1 of A (16 -> 4x4)");
  EXPECT_EQ(details[1], "materialize A[b, 4*i+j, k] over its iterators");
  EXPECT_EQ(details[2], "split dim 1 of B (16 -> 4x4)");
  Expr expected = parsed(ctx,
                         "L<b:0:2, i:0:4, j:0:4, w:0:3> Sum<k:0:5> { A[b, "
                         "4*i+j, k] * {L<d0:0:2, d1o:0:4, d1i:0:4, d2:0:5> { "
                         "B[d0, 4*d1o+d1i, d2] }}[b, i+w-1, j, k] }",
                         {{"A", {2, 16, 5}}, {"B", {2, 16, 5}}});
  EXPECT_EQ(fingerprint(rws[2].replacement), fingerprint(expected))
      << print(rws[2].replacement);
}

TEST(GuidedRelayoutRule, MaterializesAKernelReadThroughBlocks) {
  ExprContext ctx;
  Expr y = parsed(ctx,
                  "L<f:0:2, h:0:4> Sum<c:0:3, p:0:2, r:0:3> "
                  "{ X[c, h+r] * K[f, c, 3*p+r] }",
                  {{"X", {3, 6}}, {"K", {2, 3, 5}}});
  ASSERT_NE(y, nullptr);
  auto rws = createGuidedRelayoutRule()->apply(ctx, y);
  // X[c, h+r] has no split to offer; both operands can be copied.
  ASSERT_EQ(rws.size(), 2u);
  EXPECT_EQ(rws[1].detail, "materialize K[f, c, 3*p+r] over its iterators");
  Expr expected = parsed(ctx,
                         "L<f:0:2, h:0:4> Sum<c:0:3, p:0:2, r:0:3> { X[c, h+r] "
                         "* {L<f2:0:2, c2:0:3, p2:0:2, r2:0:3> { K[f2, c2, "
                         "3*p2+r2] }}[f, c, p, r] }",
                         {{"X", {3, 6}}, {"K", {2, 3, 5}}});
  EXPECT_EQ(fingerprint(rws[1].replacement), fingerprint(expected))
      << print(rws[1].replacement);
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(y, rw.replacement, 4), "") << rw.detail;
}

TEST(GuidedRelayoutRule, LeavesPlainOperandsAndOtherBodiesAlone) {
  ExprContext ctx;
  Expr mm = parsed(ctx, "L<i:0:3, j:0:4> Sum<k:0:5> { A[i, k] * B[k, j] }",
                   {{"A", {3, 5}}, {"B", {5, 4}}});
  EXPECT_TRUE(createGuidedRelayoutRule()->apply(ctx, mm).empty());
  Expr add =
      parsed(ctx, "L<i:0:3> { A[2*i] + B[i] }", {{"A", {6}}, {"B", {3}}});
  EXPECT_TRUE(createGuidedRelayoutRule()->apply(ctx, add).empty());
}
