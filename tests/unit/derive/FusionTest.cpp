// eOperator fusion: chains of memory-bound scopes become one loop nest, an
// instantiated kernel is never inlined, and the result stays equivalent.
#include "tdc/Derive/Fusion.h"
#include "Parsed.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Printer.h"

#include <gtest/gtest.h>

using namespace tdc::derive;
using namespace tdc::derive::testing;

TEST(Fusion, InlinesAChainOfEOperators) {
  ExprContext ctx;
  Expr y = parsed(ctx,
                  "L<i:0:64, j:0:32> { {L<a:0:32, b:0:64> { relu({L<c:0:64, "
                  "d:0:32> { A[c, d] + B[c, d] }}[b, a]) }}[j, i] * 2 }",
                  {{"A", {64, 32}}, {"B", {64, 32}}});
  ASSERT_NE(y, nullptr);
  CostModel cost;
  std::vector<Step> steps;
  Expr f = fuseEOperators(ctx, y, cost, steps);
  EXPECT_EQ(scopesOf(f).size(), 1u) << print(f);
  EXPECT_EQ(steps.size(), 2u);
  EXPECT_LT(cost.programSeconds(f), cost.programSeconds(y));
  EXPECT_EQ(compareExprs(y, f, 3), "");
  for (const Step &s : steps)
    EXPECT_EQ(s.rule, "eop-fusion");
}

TEST(Fusion, KeepsInstantiatedKernels) {
  ExprContext ctx;
  // A matmul feeding an elementwise eOperator: inlining it would turn the
  // matmul into a memory-bound loop nest, so the program is left alone.
  Expr y = parsed(ctx,
                  "L<i:0:64, j:0:64> { relu({L<a:0:64, b:0:64> Sum<k:0:64> "
                  "{ A[a, k] * B[k, b] }}[i, j]) }",
                  {{"A", {64, 64}}, {"B", {64, 64}}});
  ASSERT_NE(y, nullptr);
  std::vector<Step> steps;
  Expr f = fuseEOperators(ctx, y, CostModel(), steps);
  EXPECT_EQ(f, y);
  EXPECT_TRUE(steps.empty());
}
