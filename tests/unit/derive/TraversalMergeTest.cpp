// The traversal-merge rule: every proposal on random programs is checked
// against the interpreter; sum-split followed by traversal-merge gives back
// an equivalent program; exact outputs and refusals on hand-written cases.
#include "RandomExpr.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

#include <gtest/gtest.h>

using namespace tdc::derive;
using namespace tdc::derive::testing;

namespace {

/// A scope reading a random program P through shifted subscripts, mostly
/// inside P's domain (sometimes not, which the rule must refuse), some of them
/// summed over, under a random scalar operator.
Expr randomReader(ExprContext &ctx, std::mt19937_64 &rng, int k) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Expr P = randomProgram(ctx, rng, k);
  std::vector<IterRange> loops, sums;
  std::vector<Index> subs;
  for (size_t d = 0; d < P->loops.size(); ++d) {
    Range y = P->loops[d].range;
    int64_t shift = uniform(-1, 1);
    Range x{y.lo - shift, y.hi - shift};
    if (x.size() > 1 && uniform(0, 2) == 0)
      (uniform(0, 1) ? x.lo : x.hi) += uniform(0, 1) ? 1 : -1;
    if (uniform(0, 5) == 0)
      x.hi += 1; // may read past the end
    Iter i = ctx.iter("x" + std::to_string(d));
    (d > 0 && uniform(0, 2) == 0 ? sums : loops).push_back({i, x});
    subs.push_back(ctx.add(ctx.idx(i), shift));
  }
  Expr a = ctx.access(P, subs);
  Expr B = ctx.access(ctx.input("Rd", {3}), {ctx.idx(loops[0].iter)});
  switch (uniform(0, 5)) {
  case 0:
    break;
  case 1:
    a = ctx.binary(BinaryOp::Mul, B, a);
    break;
  case 2:
    a = ctx.binary(BinaryOp::Mul, ctx.unary(UnaryFn::Neg, a), B);
    break;
  case 3:
    a = ctx.binary(BinaryOp::Div, a, ctx.constant(2));
    break;
  case 4:
    a = ctx.unary(UnaryFn::Relu, a);
    break;
  default:
    a = ctx.binary(BinaryOp::Add, a, B);
    break;
  }
  return ctx.scope(loops, sums, a);
}

/// Checks every traversal-merge proposal on every scope of `root`; returns
/// how many were checked.
size_t checkAll(ExprContext &ctx, Expr root, uint64_t seed) {
  auto rule = createTraversalMergeRule();
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
      Expr next = replaceTensor(ctx, root, scope, rw.replacement);
      EXPECT_EQ(verify(next), "") << print(next);
      EXPECT_EQ(compareExprs(root, next, seed), "") << rw.detail << "\n"
                                                    << print(root) << "\n"
                                                    << print(next);
      ++checked;
    }
  }
  return checked;
}

} // namespace

TEST(TraversalMergeRule, RandomProgramsStayEquivalent) {
  auto rule = createTraversalMergeRule();
  EXPECT_STREQ(rule->name(), "traversal-merge");
  auto split = createSumSplitRule();
  std::mt19937_64 rng(4321);
  size_t programs = 0, direct = 0, readers = 0, afterSplit = 0;
  for (int k = 0; k < 1200; ++k) {
    ExprContext ctx;
    Expr root = randomProgram(ctx, rng, k);
    ASSERT_EQ(verify(root), "");
    ++programs;
    direct += checkAll(ctx, root, k);
    for (int r = 0; r < 3; ++r) {
      Expr reader = randomReader(ctx, rng, k + r);
      ASSERT_EQ(verify(reader), "");
      ++programs;
      readers += checkAll(ctx, reader, k);
    }
    // Programs with more nested scopes: those sum-split makes of this one
    // (the first proposal per scope, to keep the test fast).
    for (Expr scope : scopesOf(root)) {
      std::vector<Rewrite> rws = split->apply(ctx, scope);
      if (rws.empty())
        continue;
      Expr next = replaceTensor(ctx, root, scope, rws.front().replacement);
      afterSplit += checkAll(ctx, next, k + 7);
    }
    if (::testing::Test::HasFailure())
      return;
  }
  EXPECT_GE(direct + readers, 1000u);
  std::printf("traversal-merge: %zu programs, %zu + %zu rewrites checked on "
              "them (random scopes, readers), %zu more on split programs, 0 "
              "mismatches\n",
              programs, direct, readers, afterSplit);
}

TEST(TraversalMergeRule, UndoesSumSplit) {
  auto split = createSumSplitRule(), merge = createTraversalMergeRule();
  std::mt19937_64 rng(99);
  size_t roundTrips = 0;
  for (int k = 0; k < 1000; ++k) {
    ExprContext ctx;
    Expr root = randomProgram(ctx, rng, k);
    for (Expr scope : scopesOf(root)) {
      for (const Rewrite &s : split->apply(ctx, scope)) {
        // The split scope reads its new nested scope exactly on its domain
        // and as its whole body: exactly one merge, giving back the scope up
        // to iterator names and summation order.
        std::vector<Rewrite> m = merge->apply(ctx, s.replacement);
        ASSERT_EQ(m.size(), 1u) << print(s.replacement);
        EXPECT_EQ(fingerprint(m[0].replacement), fingerprint(scope))
            << print(scope) << "\n"
            << print(m[0].replacement);
        Expr back = replaceTensor(ctx, root, scope, m[0].replacement);
        ASSERT_EQ(verify(back), "");
        ASSERT_EQ(compareExprs(root, back, k), "") << print(root) << "\n"
                                                   << print(back);
        ++roundTrips;
      }
    }
  }
  EXPECT_GE(roundTrips, 1000u);
  std::printf("sum-split + traversal-merge: %zu round trips, 0 mismatches\n",
              roundTrips);
}

TEST(TraversalMergeRule, HoistsTheInnerSummation) {
  // L<i> Sum<j> { {L<a, b> Sum<k> { A[a, k] * B[k, b] }}[i, j] * C[j] }
  ExprContext ctx;
  Iter i = ctx.iter("i"), j = ctx.iter("j"), a = ctx.iter("a"),
       b = ctx.iter("b"), k = ctx.iter("k");
  Expr A = ctx.input("A", {2, 4}), B = ctx.input("B", {4, 3}),
       C = ctx.input("C", {3});
  Expr T = ctx.scope({{a, {0, 2}}, {b, {0, 3}}}, {{k, {0, 4}}},
                     ctx.binary(BinaryOp::Mul,
                                ctx.access(A, {ctx.idx(a), ctx.idx(k)}),
                                ctx.access(B, {ctx.idx(k), ctx.idx(b)})));
  Expr y = ctx.scope(
      {{i, {0, 2}}}, {{j, {0, 3}}},
      ctx.binary(BinaryOp::Mul, ctx.access(T, {ctx.idx(i), ctx.idx(j)}),
                 ctx.unary(UnaryFn::Neg, ctx.access(C, {ctx.idx(j)}))));
  auto rws = createTraversalMergeRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 1u);
  EXPECT_EQ(rws[0].detail,
            "inline the nested scope read at [i, j], hoisting Sum<k>");
  EXPECT_EQ(print(rws[0].replacement),
            "L<i:0:2> Sum<j:0:3, k:0:4> { (A[i, k] * B[k, j]) * "
            "neg(C[j]) }");
  EXPECT_EQ(compareExprs(y, rws[0].replacement, 3), "");

  // Under + the inner sum does not distribute: nothing to propose.
  Expr z = ctx.scope({{i, {0, 2}}}, {{j, {0, 3}}},
                     ctx.binary(BinaryOp::Add,
                                ctx.access(T, {ctx.idx(i), ctx.idx(j)}),
                                ctx.access(C, {ctx.idx(j)})));
  EXPECT_TRUE(createTraversalMergeRule()->apply(ctx, z).empty());
}

TEST(TraversalMergeRule, InlinesScalarScopesUnderAnyOperator) {
  // T = L<t:1:4> { A[t] * 2 } read at i in [1, 4) and at (i+1)/2, under relu.
  ExprContext ctx;
  Iter t = ctx.iter("t"), i = ctx.iter("i");
  Expr A = ctx.input("A", {5}), B = ctx.input("B", {5});
  Expr T = ctx.scope(
      {{t, {1, 4}}}, {},
      ctx.binary(BinaryOp::Mul, ctx.access(A, {ctx.idx(t)}), ctx.constant(2)));
  Expr y = ctx.scope(
      {{i, {1, 4}}}, {},
      ctx.binary(BinaryOp::Add,
                 ctx.unary(UnaryFn::Relu, ctx.access(T, {ctx.idx(i)})),
                 ctx.access(T, {ctx.floorDiv(ctx.add(ctx.idx(i), 2), 2)})));
  auto rws = createTraversalMergeRule()->apply(ctx, y);
  ASSERT_EQ(rws.size(), 2u);
  EXPECT_EQ(rws[0].detail, "inline the nested scope read at [i]");
  EXPECT_EQ(print(rws[0].replacement),
            "L<i:1:4> { relu((A[i] * 2)) + {L<t:1:4> { A[t] * 2 }}[(i+2)/2] }");
  EXPECT_EQ(rws[1].detail, "inline the nested scope read at [(i+2)/2]");
  EXPECT_EQ(print(rws[1].replacement),
            "L<i:1:4> { relu({L<t:1:4> { A[t] * 2 }}[i]) + (A[(i+2)/2] * 2) }");
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(y, rw.replacement, 4), "");
}

TEST(TraversalMergeRule, RefusesReadsThatMayHitPadding) {
  // Y = L<i:0:5> { T[i] }: Y[0] and Y[4] read T out of range (zero), the
  // inlined A[i] * 2 would not be.
  ExprContext ctx;
  Iter t = ctx.iter("t"), i = ctx.iter("i");
  Expr A = ctx.input("A", {5});
  Expr T = ctx.scope(
      {{t, {1, 4}}}, {},
      ctx.binary(BinaryOp::Mul, ctx.access(A, {ctx.idx(t)}), ctx.constant(2)));
  Expr y = ctx.scope({{i, {0, 5}}}, {}, ctx.access(T, {ctx.idx(i)}));
  EXPECT_TRUE(createTraversalMergeRule()->apply(ctx, y).empty());
  // i % 3 + 1 stays in [1, 4): allowed.
  Expr z = ctx.scope({{i, {0, 5}}}, {},
                     ctx.access(T, {ctx.add(ctx.mod(ctx.idx(i), 3), 1)}));
  auto rws = createTraversalMergeRule()->apply(ctx, z);
  ASSERT_EQ(rws.size(), 1u);
  EXPECT_EQ(print(rws[0].replacement), "L<i:0:5> { A[(i)%3+1] * 2 }");
  EXPECT_EQ(compareExprs(z, rws[0].replacement, 2), "");
}
