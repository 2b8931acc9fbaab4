// The expression core: interning, printing, the interpreter and
// fingerprints.
#include "tdc/Derive/Expr.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Printer.h"

#include <gtest/gtest.h>

using namespace tdc::derive;

namespace {
/// Y = L<n,f,h,w> Sum<c,r,s> { X[n,c,h+r-1,w+s-1] * K[f,c,r,s] } (pad 1)
Expr conv3x3(ExprContext &ctx, int64_t N, int64_t C, int64_t H, int64_t W,
             int64_t F, const char *names = "nfhwcrs") {
  Iter n = ctx.iter(std::string(1, names[0])),
       f = ctx.iter(std::string(1, names[1])),
       h = ctx.iter(std::string(1, names[2])),
       w = ctx.iter(std::string(1, names[3])),
       c = ctx.iter(std::string(1, names[4])),
       r = ctx.iter(std::string(1, names[5])),
       s = ctx.iter(std::string(1, names[6]));
  Expr X = ctx.input("X", {N, C, H, W}), K = ctx.input("K", {F, C, 3, 3});
  Expr body = ctx.binary(
      BinaryOp::Mul,
      ctx.access(X, {ctx.idx(n), ctx.idx(c),
                     ctx.add(ctx.add(ctx.idx(h), ctx.idx(r)), -1),
                     ctx.add(ctx.add(ctx.idx(w), ctx.idx(s)), -1)}),
      ctx.access(K, {ctx.idx(f), ctx.idx(c), ctx.idx(r), ctx.idx(s)}));
  return ctx.scope({{n, {0, N}}, {f, {0, F}}, {h, {0, H}}, {w, {0, W}}},
                   {{c, {0, C}}, {r, {0, 3}}, {s, {0, 3}}}, body);
}
} // namespace

TEST(DeriveExpr, InterningMakesEqualNodesIdentical) {
  ExprContext ctx;
  Iter i = ctx.iter("i"), j = ctx.iter("j");
  EXPECT_EQ(ctx.add(ctx.idx(i), ctx.idx(j)), ctx.add(ctx.idx(j), ctx.idx(i)));
  EXPECT_EQ(ctx.add(ctx.add(ctx.idx(i), 2), -2), ctx.idx(i));
  EXPECT_EQ(ctx.mul(ctx.add(ctx.idx(i), 1), 3),
            ctx.add(ctx.mul(ctx.idx(i), 3), 3));
  EXPECT_EQ(ctx.floorDiv(ctx.cst(-7), 2), ctx.cst(-4));
  EXPECT_EQ(ctx.mod(ctx.cst(-7), 2), ctx.cst(1));
  Expr a = ctx.input("A", {4});
  EXPECT_EQ(ctx.access(a, {ctx.idx(i)}), ctx.access(a, {ctx.idx(i)}));
}

TEST(DeriveExpr, PrintsTheDocsNotation) {
  ExprContext ctx;
  Expr y = conv3x3(ctx, 1, 2, 5, 5, 3);
  EXPECT_EQ(print(y), "L<n:0:1, f:0:3, h:0:5, w:0:5> Sum<c:0:2, r:0:3, s:0:3> "
                      "{ X[n, c, h+r-1, w+s-1] * K[f, c, r, s] }");
  EXPECT_EQ(verify(y), "");
}

TEST(DeriveExpr, InterpreterComputesAPaddedConvolution) {
  ExprContext ctx;
  int64_t N = 1, C = 2, H = 4, W = 5, F = 3;
  Expr y = conv3x3(ctx, N, C, H, W, F);
  auto inputs = randomInputs(y, 7);
  Interpreter interp(inputs);
  TensorValue out = interp.evaluate(y);
  const auto &X = inputs["X"].data, &K = inputs["K"].data;
  for (int64_t f = 0; f < F; ++f)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w) {
        double ref = 0;
        for (int64_t c = 0; c < C; ++c)
          for (int64_t r = 0; r < 3; ++r)
            for (int64_t s = 0; s < 3; ++s) {
              int64_t y0 = h + r - 1, x0 = w + s - 1;
              if (y0 < 0 || y0 >= H || x0 < 0 || x0 >= W)
                continue;
              ref +=
                  X[(c * H + y0) * W + x0] * K[((f * C + c) * 3 + r) * 3 + s];
            }
        EXPECT_NEAR(out.data[(f * H + h) * W + w], ref, 1e-12);
      }
}

TEST(DeriveExpr, NestedScopesAreTensorsWithOffsetDomains) {
  ExprContext ctx;
  // T = L<t:1:4> { A[t] * 2 }, Y = L<i:0:5> { T[i] }: Y[0] = Y[4] = 0.
  Iter t = ctx.iter("t"), i = ctx.iter("i");
  Expr A = ctx.input("A", {5});
  Expr T = ctx.scope(
      {{t, {1, 4}}}, {},
      ctx.binary(BinaryOp::Mul, ctx.access(A, {ctx.idx(t)}), ctx.constant(2)));
  Expr Y = ctx.scope({{i, {0, 5}}}, {}, ctx.access(T, {ctx.idx(i)}));
  EXPECT_EQ(print(Y), "L<i:0:5> { {L<t:1:4> { A[t] * 2 }}[i] }");
  auto inputs = randomInputs(Y, 1);
  TensorValue out = Interpreter(inputs).evaluate(Y);
  EXPECT_EQ(out.data[0], 0);
  EXPECT_EQ(out.data[4], 0);
  EXPECT_DOUBLE_EQ(out.data[2], 2 * inputs["A"].data[2]);
}

TEST(DeriveExpr, FingerprintIgnoresNamesButNotStructure) {
  ExprContext ctx;
  Expr a = conv3x3(ctx, 1, 2, 5, 5, 3, "nfhwcrs");
  Expr b = conv3x3(ctx, 1, 2, 5, 5, 3, "abcdxyz");
  EXPECT_NE(a, b);
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  Expr c = conv3x3(ctx, 1, 2, 5, 5, 4);
  EXPECT_NE(fingerprint(a), fingerprint(c));
  // Commutative operands.
  Iter i = ctx.iter("i");
  Expr A = ctx.input("A", {3}), B = ctx.input("B", {3});
  Expr ab = ctx.scope({{i, {0, 3}}}, {},
                      ctx.binary(BinaryOp::Add, ctx.access(A, {ctx.idx(i)}),
                                 ctx.access(B, {ctx.idx(i)})));
  Expr ba = ctx.scope({{i, {0, 3}}}, {},
                      ctx.binary(BinaryOp::Add, ctx.access(B, {ctx.idx(i)}),
                                 ctx.access(A, {ctx.idx(i)})));
  EXPECT_EQ(fingerprint(ab), fingerprint(ba));
}

TEST(DeriveExpr, VerifyRejectsOpenScopes) {
  ExprContext ctx;
  Iter i = ctx.iter("i"), j = ctx.iter("j");
  Expr A = ctx.input("A", {3});
  Expr open = ctx.scope({{i, {0, 3}}}, {}, ctx.access(A, {ctx.idx(j)}));
  EXPECT_NE(verify(open).find("not closed"), std::string::npos);
}
