//===- RuleCheck.h - random equivalence checks for rules ---------*- C++
//-*-===//
//
// Applies a rule to every scope of random programs -- random scopes, convs
// and matmuls, plus programs derived from them by sum-split and
// var-substitution so that nested intermediate tensors (what most rules
// rewrite) are common -- and checks every proposal with the interpreter.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TESTS_UNIT_DERIVE_RULECHECK_H
#define TDC_TESTS_UNIT_DERIVE_RULECHECK_H

#include "RandomExpr.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Rule.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

namespace tdc::derive::testing {

/// A program derived from `root` by one proposal of `rule` on one of its
/// scopes (chosen by `pick`), or null if it proposes nothing.
inline Expr deriveOnce(ExprContext &ctx, const Rule &rule, Expr root,
                       uint64_t pick) {
  std::vector<std::pair<Expr, Expr>> all; // (scope, replacement)
  for (Expr s : scopesOf(root))
    for (const Rewrite &rw : rule.apply(ctx, s))
      all.push_back({s, rw.replacement});
  if (all.empty())
    return nullptr;
  auto &[s, r] = all[pick % all.size()];
  return replaceTensor(ctx, root, s, r);
}

struct RuleCheckStats {
  size_t programs = 0, rewrites = 0;
  // By the detail's first word and whether it rewrote a nested scope.
  std::map<std::string, size_t> byKind;

  void print(const char *rule) const {
    std::printf("%s: %zu programs, %zu rewrites checked, 0 mismatches (", rule,
                programs, rewrites);
    for (auto &[k, n] : byKind)
      std::printf(" %s: %zu;", k.c_str(), n);
    std::printf(" )\n");
  }
};

/// Checks `rule` on `count` random programs (and derived ones); every
/// proposal must verify and match the original on random inputs.
inline void checkRuleOnRandomPrograms(const Rule &rule, uint64_t seed,
                                      int count, RuleCheckStats &stats) {
  std::mt19937_64 rng(seed);
  auto split = createSumSplitRule();
  auto subst = createVarSubstitutionRule();
  for (int k = 0; k < count; ++k) {
    ExprContext ctx;
    Expr base = k % 3 == 0   ? randomScope(ctx, rng)
                : k % 3 == 1 ? randomConv(ctx, rng)
                             : randomMatmul(ctx, rng);
    std::vector<Expr> programs = {base};
    if (Expr a = deriveOnce(ctx, *split, base, rng())) {
      programs.push_back(a);
      if (Expr b = deriveOnce(ctx, *subst, a, rng()))
        programs.push_back(b);
    }
    for (Expr root : programs) {
      ASSERT_EQ(verify(root), "") << print(root);
      ++stats.programs;
      for (Expr scope : scopesOf(root)) {
        std::vector<Rewrite> a = rule.apply(ctx, scope);
        std::vector<Rewrite> b = rule.apply(ctx, scope);
        ASSERT_EQ(a.size(), b.size());
        for (size_t r = 0; r < a.size(); ++r) {
          ASSERT_EQ(fingerprint(a[r].replacement),
                    fingerprint(b[r].replacement));
          ASSERT_EQ(a[r].detail, b[r].detail);
        }
        for (const Rewrite &rw : a) {
          Expr next = replaceTensor(ctx, root, scope, rw.replacement);
          ASSERT_EQ(verify(next), "") << rw.detail << "\n" << print(next);
          ASSERT_EQ(compareExprs(root, next, seed + k), "")
              << rw.detail << "\n"
              << print(root) << "\n"
              << print(next);
          ++stats.rewrites;
          ++stats.byKind[rw.detail.substr(0, rw.detail.find(' ')) +
                         (rw.detail.find("nested") != std::string::npos
                              ? " nested"
                              : " sum")];
        }
      }
    }
  }
}

} // namespace tdc::derive::testing

#endif
