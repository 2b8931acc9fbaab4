//===- Rule.h - semantics-preserving rewrites of expressions -----*- C++
//-*-===//
//
// A rule looks at one scope of a program (the root or any nested scope) and
// proposes equivalent replacements for it. The search applies every rule to
// every scope; tests check each proposal against the interpreter.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_RULE_H
#define TDC_DERIVE_RULE_H

#include "tdc/Derive/Expr.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tdc::derive {

/// One proposed rewrite of a scope.
struct Rewrite {
  Expr replacement;   // equivalent to the scope it replaces
  std::string detail; // e.g. "split Sum<r, s> out of Sum<c, r, s>"
};

class Rule {
public:
  virtual ~Rule() = default;
  /// Stable name used in --explain, --json and tests ("sum-split", ...).
  virtual const char *name() const = 0;
  /// Equivalent replacements for `scope` (a Scope node); empty if none.
  virtual std::vector<Rewrite> apply(ExprContext &ctx, Expr scope) const = 0;
};

/// Every scope reachable from `root` (root first, then nested ones in
/// first-use order, each once).
std::vector<Expr> scopesOf(Expr root);
/// `root` with every occurrence of the tensor node `from` replaced by `to`
/// (ancestors rebuilt; interning shares the untouched parts).
Expr replaceTensor(ExprContext &ctx, Expr root, Expr from, Expr to);

/// The rules, each defined in its own file under lib/Derive/Rules.
std::unique_ptr<Rule> createSumSplitRule();
std::unique_ptr<Rule> createVarSubstitutionRule();
std::unique_ptr<Rule> createTraversalMergeRule();
std::unique_ptr<Rule> createBoundaryTightenRule();
std::unique_ptr<Rule> createBoundaryRelaxRule();
std::unique_ptr<Rule> createLayoutTransformRule();
std::unique_ptr<Rule> createGuidedRelayoutRule();

} // namespace tdc::derive

#endif
