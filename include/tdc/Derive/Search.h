//===- Search.h - guided + explorative derivation search ---------*- C++
//-*-===//
//
// Starting from an operator's expression, apply every rule to every scope of
// every state, dropping states whose fingerprint was seen. A guided phase
// expands the cheapest states first (it finds instantiable programs in few
// steps); an explorative phase then goes breadth-first up to the depth
// bound. Both are deterministic: same input and options, same result.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_SEARCH_H
#define TDC_DERIVE_SEARCH_H

#include "tdc/Derive/Cost.h"
#include "tdc/Derive/Rule.h"

#include <map>
#include <string>
#include <vector>

namespace tdc::derive {

struct SearchOptions {
  int maxDepth = 4;
  double timeBudgetSeconds = 10;
  size_t maxStates = 500000;
  size_t guidedStates = 2000; // states expanded best-first before BFS
  /// Run the explorative (breadth-first) phase after the guided one;
  /// `--derive=guided` turns it off.
  bool explore = true;
  /// Fuse chains of eOperators in the chosen program (Fusion.h).
  bool fuse = true;
  /// Check the chosen program (and each step of its path) with the
  /// interpreter on random inputs.
  bool verify = true;
};

struct Step {
  std::string rule, detail;
  Expr before, after; // whole programs
};

struct Candidate {
  Expr program = nullptr;
  double seconds = 0;
  std::vector<std::string> kernels; // in execution order: "matmul", "eop"...
  std::vector<std::string> details; // each kernel's sizes, same order
  std::vector<Step> path;
};

struct SearchResult {
  Candidate original, best;
  /// The cheapest program found for each distinct list of kernels, where
  /// instantiated kernels count with their sizes (a 3x3 and a 5x5 conv are
  /// different candidates) and eOperators by kind only; cheapest first.
  std::vector<Candidate> candidates;
  size_t states = 0;
  /// New states by the rule that made them (what the search spends on).
  std::map<std::string, size_t> statesByRule;
  double seconds = 0;
  bool exhausted = false; // false when the time or state budget ran out
  bool verified = false;  // the best program matched the original
  std::string verifyError;
};

/// All rules of lib/Derive/Rules, in a fixed order.
std::vector<std::unique_ptr<Rule>> allRules();

SearchResult derive(ExprContext &ctx, Expr root,
                    const std::vector<std::unique_ptr<Rule>> &rules,
                    const CostModel &cost, const SearchOptions &options);

/// Kernel names of a program's scopes in execution order.
std::vector<std::string> kernelsOf(Expr program, const CostModel &cost);
/// The instantiated kernels of a program's scopes in execution order.
std::vector<Kernel> kernelListOf(Expr program, const CostModel &cost);

} // namespace tdc::derive

#endif
