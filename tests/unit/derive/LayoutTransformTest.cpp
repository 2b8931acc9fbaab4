// The layout-transform rule: every proposal on random programs (and on the
// programs it makes, one level deeper) is checked against the interpreter;
// exact outputs and refusals on hand-written cases.
#include "RandomExpr.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Parser.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace tdc::derive;
using namespace tdc::derive::testing;

namespace {

/// Checks every layout-transform proposal on every scope of `root`; returns
/// how many were checked, and the rewritten programs in `next`.
size_t checkAll(ExprContext &ctx, Expr root, uint64_t seed,
                std::vector<Expr> *next = nullptr) {
  auto rule = createLayoutTransformRule();
  size_t checked = 0;
  for (Expr scope : scopesOf(root)) {
    std::vector<Rewrite> a = rule->apply(ctx, scope);
    std::vector<Rewrite> b = rule->apply(ctx, scope);
    EXPECT_EQ(a.size(), b.size());
    for (size_t r = 0; r < a.size() && r < b.size(); ++r) {
      EXPECT_EQ(fingerprint(a[r].replacement), fingerprint(b[r].replacement));
      EXPECT_EQ(a[r].detail, b[r].detail);
    }
    for (const Rewrite &rw : a) {
      Expr p = replaceTensor(ctx, root, scope, rw.replacement);
      EXPECT_EQ(verify(p), "") << print(p);
      EXPECT_EQ(compareExprs(root, p, seed), "") << rw.detail << "\n"
                                                 << print(root) << "\n"
                                                 << print(p);
      if (next)
        next->push_back(p);
      ++checked;
    }
  }
  return checked;
}

struct Applied {
  std::vector<Rewrite> rewrites;
  Expr program;
};

/// The rule applied to the root scope of `text`, each proposal checked.
Applied applyTo(ExprContext &ctx, const std::string &text,
                const std::map<std::string, std::vector<int64_t>> &shapes) {
  std::string error;
  Expr e = parse(ctx, text, shapes, error);
  EXPECT_NE(e, nullptr) << error;
  if (!e)
    return {};
  std::vector<Rewrite> rws = createLayoutTransformRule()->apply(ctx, e);
  for (const Rewrite &rw : rws) {
    EXPECT_EQ(verify(rw.replacement), "");
    EXPECT_EQ(compareExprs(e, rw.replacement, 5), "") << rw.detail;
  }
  return {rws, e};
}

const Rewrite *find(const Applied &a, const std::string &detail) {
  for (const Rewrite &rw : a.rewrites)
    if (rw.detail == detail)
      return &rw;
  ADD_FAILURE() << "no proposal '" << detail << "'";
  return nullptr;
}

} // namespace

TEST(LayoutTransformRule, RandomProgramsStayEquivalent) {
  auto rule = createLayoutTransformRule();
  EXPECT_STREQ(rule->name(), "layout-transform");
  std::mt19937_64 rng(8765);
  size_t programs = 0, direct = 0, deeper = 0;
  for (int k = 0; k < 1000; ++k) {
    ExprContext ctx;
    Expr root = randomProgram(ctx, rng, k);
    ASSERT_EQ(verify(root), "");
    ++programs;
    std::vector<Expr> next;
    direct += checkAll(ctx, root, k, &next);
    // One level deeper (re-laying out a re-laid-out program), on a sample.
    if (!next.empty())
      deeper += checkAll(ctx, next[k % next.size()], k + 11);
    if (::testing::Test::HasFailure())
      return;
  }
  EXPECT_GE(direct, 1000u);
  std::printf("layout-transform: %zu programs, %zu rewrites checked on them, "
              "%zu more on rewritten programs, 0 mismatches\n",
              programs, direct, deeper);
}

TEST(LayoutTransformRule, PermutesConvWeights) {
  ExprContext ctx;
  Applied a = applyTo(ctx,
                      "L<n:0:1, f:0:3, h:0:5, w:0:5> Sum<c:0:2, r:0:3, s:0:3> "
                      "{ X[n, c, h+r-1, w+s-1] * K[f, c, r, s] }",
                      {{"X", {1, 2, 5, 5}}, {"K", {3, 2, 3, 3}}});
  // Rank 4: each dim to the front or the back (6 + 6), merges of X[n, c]
  // only (h+r-1 and w+s-1 may be padding), merges of every pair of K, no
  // splits (the extents 1, 2, 3 and 5 have no proper factor).
  const Rewrite *rw = find(a, "permute the dims of K to (1, 2, 3, 0)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<n:0:1, f:0:3, h:0:5, w:0:5> Sum<c:0:2, r:0:3, s:0:3> "
            "{ X[n, c, h+r-1, w+s-1] * {L<d1:0:2, d2:0:3, d3:0:3, d0:0:3> "
            "{ K[d0, d1, d2, d3] }}[c, r, s, f] }");
  rw = find(a, "permute the dims of X to (2, 0, 1, 3)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<n:0:1, f:0:3, h:0:5, w:0:5> Sum<c:0:2, r:0:3, s:0:3> "
            "{ {L<d2:0:5, d0:0:1, d1:0:2, d3:0:5> { X[d0, d1, d2, d3] }}"
            "[h+r-1, n, c, w+s-1] * K[f, c, r, s] }");
  rw = find(a, "merge dims 0 and 1 of X (1x2 -> 2)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<n:0:1, f:0:3, h:0:5, w:0:5> Sum<c:0:2, r:0:3, s:0:3> "
            "{ {L<d0_1:0:2, d2:0:5, d3:0:5> { X[(d0_1)/2, (d0_1)%2, d2, d3] "
            "}}[2*n+c, h+r-1, w+s-1] * K[f, c, r, s] }");
  rw = find(a, "merge dims 2 and 3 of K (3x3 -> 9)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<n:0:1, f:0:3, h:0:5, w:0:5> Sum<c:0:2, r:0:3, s:0:3> "
            "{ X[n, c, h+r-1, w+s-1] * {L<d0:0:3, d1:0:2, d2_3:0:9> "
            "{ K[d0, d1, (d2_3)/3, (d2_3)%3] }}[f, c, 3*r+s] }");
  std::vector<std::string> details;
  for (const Rewrite &r : a.rewrites)
    details.push_back(r.detail);
  EXPECT_EQ(details.size(), 6u + 1u + 6u + 3u)
      << ::testing::PrintToString(details);
  for (const char *refused : {"merge dims 1 and 2 of X (2x5 -> 10)",
                              "merge dims 2 and 3 of X (5x5 -> 25)"})
    EXPECT_EQ(std::count(details.begin(), details.end(), refused), 0)
        << refused;
}

TEST(LayoutTransformRule, TransposesAMatmulOperand) {
  ExprContext ctx;
  Applied a = applyTo(ctx, "L<i:0:2, j:0:3> Sum<k:0:4> { A[i, k] * B[k, j] }",
                      {{"A", {2, 4}}, {"B", {4, 3}}});
  std::vector<std::string> details;
  for (const Rewrite &r : a.rewrites)
    details.push_back(r.detail);
  EXPECT_EQ(details,
            (std::vector<std::string>{"permute the dims of A to (1, 0)",
                                      "merge dims 0 and 1 of A (2x4 -> 8)",
                                      "split dim 1 of A (4 -> 2x2)",
                                      "permute the dims of B to (1, 0)",
                                      "merge dims 0 and 1 of B (4x3 -> 12)",
                                      "split dim 0 of B (4 -> 2x2)"}))
      << ::testing::PrintToString(details);
  const Rewrite *rw = find(a, "permute the dims of A to (1, 0)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<i:0:2, j:0:3> Sum<k:0:4> { {L<d1:0:4, d0:0:2> { A[d0, d1] }}"
            "[k, i] * B[k, j] }");
  // No coefficient to follow: split by the smallest prime factor.
  rw = find(a, "split dim 0 of B (4 -> 2x2)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<i:0:2, j:0:3> Sum<k:0:4> { A[i, k] * {L<d0o:0:2, d0i:0:2, "
            "d1:0:3> { B[2*d0o+d0i, d1] }}[(k)/2, (k)%2, j] }");
}

TEST(LayoutTransformRule, SplitsAStridedDim) {
  ExprContext ctx;
  // 2*i + j with j in [0, 2): the split reads the copy at plain [i, j].
  Applied a = applyTo(ctx, "L<i:0:4, j:0:2> { A[2*i+j] }", {{"A", {8}}});
  const Rewrite *rw = find(a, "split dim 0 of A (8 -> 4x2)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<i:0:4, j:0:2> { {L<d0o:0:4, d0i:0:2> { A[2*d0o+d0i] }}[i, j] }");
  // 2*i + j - 1 with j in [0, 2) is 2*(i-1) + (j+1) with j+1 in [1, 3):
  // not a remainder, so the subscripts keep / and % (and padding at -1).
  a = applyTo(ctx, "L<i:0:4, j:0:2> { A[2*i+j-1] }", {{"A", {8}}});
  rw = find(a, "split dim 0 of A (8 -> 4x2)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<i:0:4, j:0:2> { {L<d0o:0:4, d0i:0:2> { A[2*d0o+d0i] }}"
            "[(2*i+j-1)/2, (2*i+j-1)%2] }");
  // 4*i + j - 4 with j in [0, 4): [i-1, j], the -1 reading the padding.
  a = applyTo(ctx, "L<i:0:3, j:0:4> { A[4*i+j-4] }", {{"A", {8}}});
  rw = find(a, "split dim 0 of A (8 -> 2x4)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<i:0:3, j:0:4> { {L<d0o:0:2, d0i:0:4> { A[4*d0o+d0i] }}"
            "[i-1, j] }");
}

TEST(LayoutTransformRule, MergesOnlyWhenTheInnerSubscriptStaysInRange) {
  ExprContext ctx;
  std::map<std::string, std::vector<int64_t>> shapes = {{"M", {3, 4}}};
  Applied a = applyTo(ctx, "L<i:0:3, j:0:4> { M[i, j] }", shapes);
  const Rewrite *rw = find(a, "merge dims 0 and 1 of M (3x4 -> 12)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<i:0:3, j:0:4> { {L<d0_1:0:12> { M[(d0_1)/4, (d0_1)%4] }}"
            "[4*i+j] }");
  // j+1 reaches 4 (padding in M, but the next row in the merged copy).
  a = applyTo(ctx, "L<i:0:3, j:0:4> { M[i, j+1] }", shapes);
  for (const Rewrite &r : a.rewrites)
    EXPECT_EQ(r.detail.find("merge"), std::string::npos) << r.detail;
  // (m)/4, (m)%4 merges back into m.
  a = applyTo(ctx, "L<m:0:12> { M[(m)/4, (m)%4] }", shapes);
  rw = find(a, "merge dims 0 and 1 of M (3x4 -> 12)");
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(print(rw->replacement),
            "L<m:0:12> { {L<d0_1:0:12> { M[(d0_1)/4, (d0_1)%4] }}[m] }");
}
