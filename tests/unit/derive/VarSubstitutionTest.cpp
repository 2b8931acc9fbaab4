// The var-substitution rule: every proposal on random programs is checked
// against the interpreter, plus exact outputs on hand-written cases.
#include "RuleCheck.h"

using namespace tdc::derive;
using namespace tdc::derive::testing;

namespace {

Expr mulE(ExprContext &ctx, Expr a, Expr b) {
  return ctx.binary(BinaryOp::Mul, a, b);
}

/// Conv3x3 after splitting Sum<r, s> out: the reader and T.
struct ConvChain {
  Expr X, K, T, reader;
};

ConvChain convChain(ExprContext &ctx, int64_t C, int64_t F, int64_t H,
                    int64_t W) {
  ConvChain cc;
  cc.X = ctx.input("X", {1, C, H, W});
  cc.K = ctx.input("K", {F, C, 3, 3});
  Iter n = ctx.iter("n"), f = ctx.iter("f"), h = ctx.iter("h"),
       w = ctx.iter("w"), r = ctx.iter("r"), s = ctx.iter("s"),
       c = ctx.iter("c");
  auto I = [&](Iter i) { return ctx.idx(i); };
  cc.T = ctx.scope(
      {{n, {0, 1}},
       {f, {0, F}},
       {h, {0, H}},
       {w, {0, W}},
       {r, {0, 3}},
       {s, {0, 3}}},
      {{c, {0, C}}},
      mulE(ctx,
           ctx.access(cc.X, {I(n), I(c), ctx.add(ctx.add(I(h), I(r)), -1),
                             ctx.add(ctx.add(I(w), I(s)), -1)}),
           ctx.access(cc.K, {I(f), I(c), I(r), I(s)})));
  Iter n2 = ctx.iter("N"), f2 = ctx.iter("F"), h2 = ctx.iter("H"),
       w2 = ctx.iter("W"), r2 = ctx.iter("R"), s2 = ctx.iter("S");
  cc.reader =
      ctx.scope({{n2, {0, 1}}, {f2, {0, F}}, {h2, {0, H}}, {w2, {0, W}}},
                {{r2, {0, 3}}, {s2, {0, 3}}},
                ctx.access(cc.T, {I(n2), I(f2), I(h2), I(w2), I(r2), I(s2)}));
  return cc;
}

const Rewrite *findDetail(const std::vector<Rewrite> &rws,
                          const std::string &needle) {
  for (const Rewrite &rw : rws)
    if (rw.detail.find(needle) != std::string::npos)
      return &rw;
  return nullptr;
}

} // namespace

TEST(VarSubstitutionRule, RandomProgramsStayEquivalent) {
  auto rule = createVarSubstitutionRule();
  EXPECT_STREQ(rule->name(), "var-substitution");
  RuleCheckStats stats;
  checkRuleOnRandomPrograms(*rule, 777, 1200, stats);
  EXPECT_GE(stats.rewrites, 1000u);
  stats.print("var-substitution");
}

TEST(VarSubstitutionRule, Conv3x3ChainMergesThenTightens) {
  ExprContext ctx;
  ConvChain cc = convChain(ctx, 2, 3, 5, 5);
  auto rws = createVarSubstitutionRule()->apply(ctx, cc.reader);
  const Rewrite *both = findDetail(rws, "h := t(h+r-1), w := t(w+s-1)");
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->detail, "substitute h := t(h+r-1), w := t(w+s-1) in the "
                          "nested scope read at [N, F, H, W, R, S]");
  EXPECT_EQ(print(both->replacement),
            "L<N:0:1, F:0:3, H:0:5, W:0:5> Sum<R:0:3, S:0:3> { "
            "{L<n:0:1, f:0:3, h_r:-1:6, w_s:-1:6, r:0:3, s:0:3> Sum<c:0:2> "
            "{ X[n, c, h_r, w_s] * K[f, c, r, s] }}[N, F, H+R-1, W+S-1, R, S] "
            "}");
  EXPECT_EQ(compareExprs(cc.reader, both->replacement, 3), "");

  // Boundary tightening cuts t1, t2 to X's valid range.
  auto tight = createBoundaryTightenRule()->apply(ctx, both->replacement);
  ASSERT_EQ(tight.size(), 1u);
  Expr nested = scopesOf(tight[0].replacement)[1];
  EXPECT_EQ(print(nested), "L<n:0:1, f:0:3, h_r:0:5, w_s:0:5, r:0:3, s:0:3> "
                           "Sum<c:0:2> { X[n, c, h_r, w_s] * K[f, c, r, s] }");
  EXPECT_EQ(compareExprs(cc.reader, tight[0].replacement, 4), "");
}

TEST(VarSubstitutionRule, SingleMergesEliminateEitherIterator) {
  ExprContext ctx;
  ConvChain cc = convChain(ctx, 1, 1, 4, 4);
  auto rws = createVarSubstitutionRule()->apply(ctx, cc.reader);
  // h or r eliminated in h+r-1, w or s in w+s-1, both at once.
  const Rewrite *r = findDetail(rws, "substitute r := t(h+r-1) in");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(print(scopesOf(r->replacement)[1]),
            "L<n:0:1, f:0:1, h:0:4, w:0:4, h_r:-1:5, s:0:3> Sum<c:0:1> "
            "{ X[n, c, h_r, w+s-1] * K[f, c, -h+h_r+1, s] }");
  for (const Rewrite &rw : rws) {
    EXPECT_EQ(verify(rw.replacement), "");
    EXPECT_EQ(compareExprs(cc.reader, rw.replacement, 7), "") << rw.detail;
  }
}

TEST(VarSubstitutionRule, MergeNeedsInRangeReads) {
  // The reader reads T at p+1, past i's range [0, 3): T'[p+1+q, q] could be
  // non-zero where T[p+1, q] is zero, so i is not eliminated (j, read in
  // range at q, still may be).
  ExprContext ctx;
  Iter i = ctx.iter("i"), j = ctx.iter("j");
  Expr A = ctx.input("A", {6});
  Expr T = ctx.scope({{i, {0, 3}}, {j, {0, 3}}}, {},
                     ctx.access(A, {ctx.add(ctx.idx(i), ctx.idx(j))}));
  Iter p = ctx.iter("p"), q = ctx.iter("q");
  Expr bad = ctx.scope({{p, {0, 3}}, {q, {0, 3}}}, {},
                       ctx.access(T, {ctx.add(ctx.idx(p), 1), ctx.idx(q)}));
  for (const Rewrite &rw : createVarSubstitutionRule()->apply(ctx, bad)) {
    EXPECT_EQ(rw.detail.find("substitute i"), std::string::npos) << rw.detail;
    EXPECT_EQ(compareExprs(bad, rw.replacement, 1), "");
  }
  Expr good = ctx.scope({{p, {0, 3}}, {q, {0, 3}}}, {},
                        ctx.access(T, {ctx.idx(p), ctx.idx(q)}));
  auto rws = createVarSubstitutionRule()->apply(ctx, good);
  ASSERT_NE(findDetail(rws, "substitute i := t(i+j)"), nullptr);
  EXPECT_EQ(print(findDetail(rws, "substitute i := t(i+j)")->replacement),
            "L<p:0:3, q:0:3> { {L<i_j:0:5, j:0:3> { A[i_j] }}[p+q, q] }");
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(good, rw.replacement, 2), "") << rw.detail;
}

TEST(VarSubstitutionRule, SplitsA5TapKernelJointlyOverARelaxedRange) {
  ExprContext ctx;
  Iter h = ctx.iter("h"), w = ctx.iter("w"), r = ctx.iter("r"),
       s = ctx.iter("s");
  Expr X = ctx.input("X", {6, 6}), K = ctx.input("K", {5, 5});
  Expr y = ctx.scope(
      {{h, {0, 6}}, {w, {0, 6}}}, {{r, {0, 5}}, {s, {0, 5}}},
      mulE(ctx,
           ctx.access(X, {ctx.add(ctx.add(ctx.idx(h), ctx.idx(r)), -2),
                          ctx.add(ctx.add(ctx.idx(w), ctx.idx(s)), -2)}),
           ctx.access(K, {ctx.idx(r), ctx.idx(s)})));
  auto rws = createVarSubstitutionRule()->apply(ctx, y);
  // By 2 and 3 (5 grows to 6 over zero taps of K), r, s and both at once;
  // by 4 would grow 5 to 8: more than a quarter of wasted work.
  const Rewrite *both =
      findDetail(rws, "split Sum<r:0:6> = 3*r_o + r_i, Sum<s:0:6> = 3*s_o");
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(rws.size(), 6u);
  EXPECT_EQ(print(both->replacement),
            "L<h:0:6, w:0:6> Sum<r_o:0:2, r_i:0:3, s_o:0:2, s_i:0:3> "
            "{ X[h+3*r_o+r_i-2, w+3*s_o+s_i-2] * K[3*r_o+r_i, 3*s_o+s_i] }");
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(y, rw.replacement, 12), "") << rw.detail;
}

TEST(VarSubstitutionRule, SplitsIterators) {
  ExprContext ctx;
  Iter i = ctx.iter("i"), r = ctx.iter("r");
  // A stride of 3 on i suggests splitting i by 3.
  Expr A = ctx.input("A", {21}), K = ctx.input("K", {6});
  Expr T = ctx.scope(
      {{i, {-1, 5}}}, {{r, {0, 6}}},
      mulE(ctx,
           ctx.access(
               A, {ctx.add(ctx.add(ctx.mul(ctx.idx(i), 3), ctx.idx(r)), 3)}),
           ctx.access(K, {ctx.idx(r)})));
  Iter o = ctx.iter("o");
  Expr reader =
      ctx.scope({{o, {0, 7}}}, {}, ctx.access(T, {ctx.add(ctx.idx(o), -2)}));
  auto rws = createVarSubstitutionRule()->apply(ctx, reader);
  const Rewrite *t3 = findDetail(rws, "split i = 3*");
  ASSERT_NE(t3, nullptr);
  EXPECT_EQ(print(t3->replacement),
            "L<o:0:7> { {L<i_o:0:2, i_i:0:3> Sum<r:0:6> "
            "{ A[r+9*i_o+3*i_i] * K[r] }}[(o-1)/3, (o-1)%3] }");
  for (const Rewrite &rw : rws)
    EXPECT_EQ(compareExprs(reader, rw.replacement, 5), "") << rw.detail;

  // Summation splits on T itself: r:0:6 by 2 and by 3 (4 does not divide).
  auto sums = createVarSubstitutionRule()->apply(ctx, T);
  ASSERT_EQ(sums.size(), 2u);
  EXPECT_EQ(sums[1].detail, "split Sum<r:0:6> = 3*r_o + r_i");
  EXPECT_EQ(print(sums[1].replacement),
            "L<i:-1:5> Sum<r_o:0:2, r_i:0:3> "
            "{ A[3*i+3*r_o+r_i+3] * K[3*r_o+r_i] }");
  for (const Rewrite &rw : sums)
    EXPECT_EQ(compareExprs(T, rw.replacement, 6), "") << rw.detail;
}
