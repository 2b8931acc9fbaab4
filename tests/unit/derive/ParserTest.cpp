// The parser of the docs notation: print(parse(print(e))) == print(e) and
// equal fingerprints on random programs (also ones rewritten by rules, whose
// fresh iterators are created out of binding order), hand-written programs,
// and error messages with columns.
#include "tdc/Derive/Parser.h"
#include "RandomExpr.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

#include <gtest/gtest.h>

using namespace tdc::derive;
using namespace tdc::derive::testing;

namespace {

using Shapes = std::map<std::string, std::vector<int64_t>>;

Shapes shapesOf(Expr e) {
  Shapes s;
  for (Expr in : inputsOf(e))
    s[in->name] = in->shape;
  return s;
}

/// Parses print(e) in a fresh context and checks the round trip; returns
/// false (with a gtest failure) when it does not hold.
bool roundTrips(Expr e, uint64_t seed) {
  std::string text = print(e), error;
  ExprContext other;
  Expr back = parse(other, text, shapesOf(e), error);
  EXPECT_EQ(error, "") << text;
  if (!back)
    return false;
  EXPECT_EQ(print(back), text);
  EXPECT_EQ(fingerprint(back), fingerprint(e)) << text;
  EXPECT_EQ(verify(back), "") << text;
  if (seed % 8 == 0) // the interpreter agrees too (a sample, for speed)
    EXPECT_EQ(compareExprs(e, back, seed, 256), "") << text;
  return !::testing::Test::HasFailure();
}

Expr parseOk(ExprContext &ctx, const std::string &text, const Shapes &shapes) {
  std::string error;
  Expr e = parse(ctx, text, shapes, error);
  EXPECT_NE(e, nullptr) << text << "\n" << error;
  EXPECT_EQ(error, "");
  return e;
}

std::string parseError(const std::string &text, const Shapes &shapes) {
  ExprContext ctx;
  std::string error;
  Expr e = parse(ctx, text, shapes, error);
  EXPECT_EQ(e, nullptr) << text;
  return error;
}

} // namespace

TEST(Parser, RoundTripsRandomPrograms) {
  std::mt19937_64 rng(2024);
  auto split = createSumSplitRule(), merge = createTraversalMergeRule(),
       layout = createLayoutTransformRule();
  size_t programs = 0, rewritten = 0;
  for (int k = 0; k < 1000; ++k) {
    ExprContext ctx;
    Expr e = randomProgram(ctx, rng, k);
    ASSERT_TRUE(roundTrips(e, k)) << print(e);
    ++programs;
    // Rule outputs: nested scopes with fresh iterators, hoisted summations
    // whose iterators were created after the reader's own, / and % in
    // subscripts.
    for (Expr scope : scopesOf(e)) {
      for (const auto *rule : {split.get(), merge.get(), layout.get()}) {
        std::vector<Rewrite> rws = rule->apply(ctx, scope);
        if (rws.empty())
          continue;
        Expr next = replaceTensor(ctx, e, scope, rws.front().replacement);
        ASSERT_TRUE(roundTrips(next, k)) << print(next);
        ++rewritten;
      }
    }
  }
  std::printf("parser: %zu random programs and %zu rewritten ones round-trip "
              "(print and fingerprint)\n",
              programs, rewritten);
}

TEST(Parser, ReadsTheDocsExample) {
  ExprContext ctx;
  Shapes shapes = {{"X", {1, 2, 5, 5}}, {"K", {3, 2, 3, 3}}};
  const char *text = "L<n:0:1, f:0:3, h:0:5, w:0:5> Sum<c:0:2, r:0:3, s:0:3> "
                     "{ X[n, c, h+r-1, w+s-1] * K[f, c, r, s] }";
  Expr e = parseOk(ctx, text, shapes);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(print(e), text);
  ASSERT_EQ(e->kind, ExprKind::Scope);
  EXPECT_EQ(e->loops.size(), 4u);
  EXPECT_EQ(e->sums.size(), 3u);
  EXPECT_EQ(e->loops[2].iter->name, "h");
  EXPECT_EQ(e->sums[0].range, (Range{0, 2}));
  EXPECT_EQ(e->body->kind, ExprKind::Binary);
  EXPECT_EQ(e->body->lhs->source, ctx.input("X", {1, 2, 5, 5}));
  // Same text, same context: the same nodes except for the fresh iterators.
  Expr again = parseOk(ctx, text, shapes);
  EXPECT_NE(again, e);
  EXPECT_EQ(fingerprint(again), fingerprint(e));
}

TEST(Parser, PrecedenceFunctionsAndConstants) {
  ExprContext ctx;
  Shapes shapes = {{"A", {4}}, {"B", {4}}};
  auto reprint = [&](const std::string &text) {
    Expr e = parseOk(ctx, text, shapes);
    return e ? print(e) : std::string("<error>");
  };
  EXPECT_EQ(reprint("L<i:0:4> { A[i] + B[i] * 2 }"),
            "L<i:0:4> { A[i] + (B[i] * 2) }");
  EXPECT_EQ(reprint("L<i:0:4>{A[i]-B[i]-A[i]/B[i]}"),
            "L<i:0:4> { (A[i] - B[i]) - (A[i] / B[i]) }");
  EXPECT_EQ(reprint("L<i:0:4> { (A[i] + B[i]) * -0.5 }"),
            "L<i:0:4> { (A[i] + B[i]) * -0.5 }");
  EXPECT_EQ(reprint("L<i:0:4> { -A[i] + 1e-05 }"),
            "L<i:0:4> { neg(A[i]) + 1e-05 }");
  EXPECT_EQ(reprint("L<i:0:4> { max(relu(A[i]), min(exp(B[i]), 2.5)) }"),
            "L<i:0:4> { max(relu(A[i]), min(exp(B[i]), 2.5)) }");
  EXPECT_EQ(reprint("L<i:0:4> { sigmoid(tanh(log(sqrt(abs(neg(A[i])))))) }"),
            "L<i:0:4> { sigmoid(tanh(log(sqrt(abs(neg(A[i])))))) }");
  EXPECT_EQ(reprint("L<> Sum<i:0:4> { A[i] * B[i] }"),
            "L<> Sum<i:0:4> { A[i] * B[i] }");
}

TEST(Parser, SubscriptsAndNestedScopes) {
  ExprContext ctx;
  Shapes shapes = {{"A", {5}}, {"M", {3, 4}}};
  auto reprint = [&](const std::string &text) {
    Expr e = parseOk(ctx, text, shapes);
    return e ? print(e) : std::string("<error>");
  };
  // Affine arithmetic is normalized; div/mod keep their structure.
  EXPECT_EQ(reprint("L<i:0:3, j:-1:4> { M[2*(i+1) - i*2 + i, j*1 - 0] }"),
            "L<i:0:3, j:-1:4> { M[i+2, j] }");
  EXPECT_EQ(reprint("L<i:0:5> { A[(i+2)/2] + A[(i)%3+1] }"),
            "L<i:0:5> { A[(i+2)/2] + A[(i)%3+1] }");
  EXPECT_EQ(reprint("L<i:0:5> { A[((i)/2)*3+-1] + A[(i)/2+i-1] }"),
            "L<i:0:5> { A[((i)/2)*3+-1] + A[(i)/2+i-1] }");
  // A nested scope binds its own iterators; the printer renames the clash.
  Expr e = parseOk(ctx,
                   "L<i:0:3> Sum<k:0:4> { {L<i:0:3, k:0:4> { M[i, k] * 2 }}"
                   "[i, k] * {L<i:0:3, k:0:4> { M[i, k] * 2 }}[i, 3-k] }",
                   shapes);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(verify(e), "");
  // Identical nested text is one node (so it prints with the same names).
  EXPECT_EQ(e->body->lhs->source, e->body->rhs->source);
  std::string p = print(e);
  std::string error;
  ExprContext other;
  Expr back = parse(other, p, shapes, error);
  ASSERT_NE(back, nullptr) << error;
  EXPECT_EQ(print(back), p);
  // Terms print in the order of the text even when it is not binding order.
  Expr t = parseOk(ctx, "L<a:0:2, b:0:2> { {L<x:0:3> { A[x] }}[b+a] }", shapes);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(print(t), "L<a:0:2, b:0:2> { {L<x:0:3> { A[x] }}[b+a] }");
}

TEST(Parser, ReportsErrorsWithColumns) {
  Shapes shapes = {{"A", {4}}, {"M", {3, 4}}};
  EXPECT_EQ(parseError("", shapes),
            "column 1: expected a scope 'L<...> { ... }'");
  EXPECT_EQ(parseError("L<i:0:4> { Z[i] }", shapes),
            "column 12: unknown tensor 'Z'");
  EXPECT_EQ(parseError("L<i:0:4> { A[j] }", shapes),
            "column 14: unknown iterator 'j' (not bound by the enclosing "
            "scope)");
  // Nested scopes are closed: the outer i is not visible inside.
  EXPECT_EQ(parseError("L<i:0:4> { {L<x:0:4> { A[i] }}[i] }", shapes),
            "column 26: unknown iterator 'i' (not bound by the enclosing "
            "scope)");
  EXPECT_EQ(parseError("L<i:0:4> { M[i] }", shapes),
            "column 13: 'M' has rank 2 but is read with 1 subscripts");
  EXPECT_EQ(parseError("L<i:0:4> Sum<k:0:4> { M[i*k, 0] }", shapes),
            "column 26: subscripts are affine: one side of '*' must be an "
            "integer");
  EXPECT_EQ(parseError("L<i:0:4> { A[(i)/0] }", shapes),
            "column 17: division by zero");
  EXPECT_EQ(parseError("L<i:0> { A[i] }", shapes),
            "column 6: expected ':' between the bounds");
  EXPECT_EQ(parseError("L<i:3:1> { A[i] }", shapes),
            "column 3: iterator 'i' has hi < lo");
  EXPECT_EQ(parseError("L<i:0:4, i:0:2> { A[i] }", shapes),
            "column 10: iterator 'i' is bound twice in this scope");
  EXPECT_EQ(parseError("L<i:0:4> { A[i] * }", shapes),
            "column 19: unexpected '}'");
  EXPECT_EQ(parseError("L<i:0:4> { A[i] ", shapes),
            "column 17: expected '}' to close the scope body");
  EXPECT_EQ(parseError("L<i:0:4> { A[i] } extra", shapes),
            "column 19: expected the end of the text after the scope");
  EXPECT_EQ(parseError("L<i:0:4> { foo(A[i]) }", shapes),
            "column 12: unknown function 'foo'");
  EXPECT_EQ(parseError("L<i:0:4> { i + A[i] }", shapes),
            "column 12: iterator 'i' used as a value; iterators appear only "
            "in subscripts");
  EXPECT_EQ(parseError("L<i:0:4> { max(A[i]) }", shapes),
            "column 20: expected ',' between the two arguments");
}
