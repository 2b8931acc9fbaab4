// The tx dialect against the derivation library: random programs (and rule
// rewrites of them, which bring nested scopes, floor division and modulo)
// become tx.program ops and come back with the same fingerprint; the MLIR
// text of each one parses back to the same text and the same expression.
#include "tdc/Dialect/Tx/IR/TxExpr.h"
#include "derive/RandomExpr.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Parser.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"
#include "tdc/Dialect/Tx/IR/TxDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace tdc;
using namespace tdc::derive;
using namespace tdc::derive::testing;

namespace {

struct TxExprTest : ::testing::Test {
  MLIRContext mctx;
  size_t normalized = 0; // programs whose subscripts MLIR simplified
  TxExprTest() {
    DialectRegistry registry;
    registry.insert<tx::TxDialect, func::FuncDialect, arith::ArithDialect,
                    math::MathDialect>();
    mctx.appendDialectRegistry(registry);
    mctx.loadAllAvailableDialects();
  }

  /// func.func @f(inputs...) -> result { tx.program ... } for `e`.
  OwningOpRef<ModuleOp> build(Expr e, Type elem, std::string &error) {
    OpBuilder b(&mctx);
    Location loc = b.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    std::vector<Expr> ins = inputsOf(e);
    SmallVector<Type> argTypes;
    for (Expr in : ins)
      argTypes.push_back(RankedTensorType::get(in->shape, elem));
    SmallVector<int64_t> shape;
    for (const IterRange &r : e->loops)
      shape.push_back(r.range.size());
    auto resultType = RankedTensorType::get(shape, elem);
    b.setInsertionPointToEnd(module->getBody());
    auto f = func::FuncOp::create(b, loc, "f",
                                  b.getFunctionType(argTypes, {resultType}));
    Block *entry = f.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    std::map<std::string, Value> values;
    for (size_t i = 0; i < ins.size(); ++i)
      values[ins[i]->name] = entry->getArgument(i);
    tx::ProgramOp p = tx::buildProgram(b, loc, e, values, elem, error);
    if (!p)
      return nullptr;
    func::ReturnOp::create(b, loc, p.getResult());
    return module;
  }

  static tx::ProgramOp programOf(ModuleOp m) {
    tx::ProgramOp p;
    m.walk([&](tx::ProgramOp op) { p = op; });
    return p;
  }

  static std::string text(ModuleOp m) {
    std::string s;
    llvm::raw_string_ostream os(s);
    m.print(os);
    return s;
  }

  /// Expr -> tx -> Expr and MLIR text -> MLIR -> text; gtest failures if
  /// anything differs.
  void roundTrip(ExprContext &ctx, Expr e, uint64_t seed, Type elem) {
    std::string error;
    OwningOpRef<ModuleOp> m = build(e, elem, error);
    ASSERT_TRUE(m) << error << "\n" << print(e);
    ASSERT_TRUE(succeeded(mlir::verify(*m))) << print(e);
    ExprContext back;
    Expr r = tx::programExpr(back, programOf(*m), error);
    ASSERT_NE(r, nullptr) << error << "\n" << print(e);
    // Exact up to MLIR's affine normal form of the subscripts, which only
    // differs from e where a floor division or modulo simplifies.
    Expr n = tx::normalizeSubscripts(ctx, &mctx, e, error);
    ASSERT_NE(n, nullptr) << error;
    EXPECT_EQ(fingerprint(r), fingerprint(n)) << print(e) << "\nvs\n"
                                              << print(r);
    if (fingerprint(n) != fingerprint(e)) {
      ++normalized;
      std::string text = print(e);
      EXPECT_TRUE(text.find('/') != std::string::npos ||
                  text.find('%') != std::string::npos)
          << "normalization changed a program without / or %: " << text;
    }
    if (seed % 8 == 0 || fingerprint(n) != fingerprint(e))
      EXPECT_EQ(compareExprs(e, r, seed, 256), "") << print(e);

    std::string t = text(*m);
    OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(t, &mctx);
    ASSERT_TRUE(parsed) << t;
    EXPECT_EQ(text(*parsed), t);
    ExprContext again;
    Expr p = tx::programExpr(again, programOf(*parsed), error);
    ASSERT_NE(p, nullptr) << error << "\n" << t;
    EXPECT_EQ(fingerprint(p), fingerprint(n)) << t;
  }
};

TEST_F(TxExprTest, RoundTripsRandomPrograms) {
  std::mt19937_64 rng(77);
  auto split = createSumSplitRule(), merge = createTraversalMergeRule(),
       subst = createVarSubstitutionRule(),
       layout = createLayoutTransformRule();
  Type f32 = Float32Type::get(&mctx);
  size_t programs = 0, rewritten = 0;
  for (int k = 0; k < 1000; ++k) {
    ExprContext ctx;
    Expr e = randomProgram(ctx, rng, k);
    roundTrip(ctx, e, k, f32);
    ASSERT_FALSE(HasFailure());
    ++programs;
    for (Expr scope : scopesOf(e))
      for (const auto *rule :
           {split.get(), merge.get(), subst.get(), layout.get()}) {
        std::vector<Rewrite> rws = rule->apply(ctx, scope);
        if (rws.empty())
          continue;
        // The last proposal: var-substitution's splits (/ and %) come last.
        Expr next = replaceTensor(ctx, e, scope, rws.back().replacement);
        roundTrip(ctx, next, k, f32);
        ASSERT_FALSE(HasFailure()) << rule->name();
        ++rewritten;
      }
  }
  std::printf("tx: %zu random programs and %zu rewritten ones round-trip "
              "(fingerprint, MLIR text); %zu had subscripts simplified\n",
              programs, rewritten, normalized);
  // Most programs are unchanged by the affine normal form.
  EXPECT_LT(normalized * 20, programs + rewritten);
}

TEST_F(TxExprTest, EveryScalarOperator) {
  ExprContext ctx;
  std::string error;
  Expr e = parse(ctx,
                 "L<i:0:4, j:-1:3> Sum<k:0:5> { max(relu(A[i, k]), "
                 "min(exp(B[(k+j)/2, (i)%3]), 2.5)) - sigmoid(tanh(log(sqrt("
                 "abs(neg(A[i, k+j])))))) / (B[k, j] + 0.25) }",
                 {{"A", {4, 5}}, {"B", {5, 3}}}, error);
  ASSERT_NE(e, nullptr) << error;
  // f64 keeps every constant exact.
  roundTrip(ctx, e, 8, Float64Type::get(&mctx));
}

TEST_F(TxExprTest, ConstantInputsAndNames) {
  ExprContext ctx;
  Expr x = ctx.input("X", {2, 3}), w = ctx.input("W", {3, 4}, true);
  Iter i = ctx.iter("i"), j = ctx.iter("j"), k = ctx.iter("k");
  Expr e = ctx.scope({{i, {0, 2}}, {j, {0, 4}}}, {{k, {0, 3}}},
                     ctx.binary(BinaryOp::Mul,
                                ctx.access(x, {ctx.idx(i), ctx.idx(k)}),
                                ctx.access(w, {ctx.idx(k), ctx.idx(j)})));
  std::string error;
  OwningOpRef<ModuleOp> m = build(e, Float32Type::get(&mctx), error);
  ASSERT_TRUE(m) << error;
  tx::ProgramOp p = programOf(*m);
  ASSERT_EQ(p.getNames().size(), 2u);
  EXPECT_EQ(cast<StringAttr>(p.getNames()[1]).str(), "W");
  EXPECT_FALSE(p.getConstant()[0]);
  EXPECT_TRUE(p.getConstant()[1]);
  std::string t = text(*m);
  EXPECT_NE(t.find("tx.read %X_0[%i, %k]"), std::string::npos) << t;
  EXPECT_NE(t.find("loops [i: 0:2, j: 0:4] sums [k: 0:3]"), std::string::npos)
      << t;
  ExprContext back;
  Expr r = tx::programExpr(back, p, error);
  ASSERT_NE(r, nullptr) << error;
  EXPECT_EQ(print(r), print(e));
  EXPECT_TRUE(inputsOf(r)[1]->isConstant);
}

TEST_F(TxExprTest, MissingInputIsAnError) {
  ExprContext ctx;
  Iter i = ctx.iter("i");
  Expr e = ctx.scope({{i, {0, 2}}}, {},
                     ctx.access(ctx.input("X", {2}), {ctx.idx(i)}));
  OpBuilder b(&mctx);
  OwningOpRef<ModuleOp> m = ModuleOp::create(b.getUnknownLoc());
  b.setInsertionPointToEnd(m->getBody());
  std::string error;
  EXPECT_FALSE(tx::buildProgram(b, b.getUnknownLoc(), e, {},
                                Float32Type::get(&mctx), error));
  EXPECT_EQ(error, "input 'X' is not bound");
}

} // namespace
