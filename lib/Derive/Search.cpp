//===- Search.cpp - guided + explorative derivation search
//-----------------===//
#include "tdc/Derive/Search.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Fusion.h"
#include "tdc/Derive/Interpreter.h"

#include <chrono>
#include <map>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace tdc::derive {

std::vector<std::unique_ptr<Rule>> allRules() {
  std::vector<std::unique_ptr<Rule>> rules;
  rules.push_back(createSumSplitRule());
  rules.push_back(createVarSubstitutionRule());
  rules.push_back(createTraversalMergeRule());
  rules.push_back(createBoundaryTightenRule());
  rules.push_back(createGuidedRelayoutRule());
  // boundary-relax is tested but not searched: it only ever helps a later
  // split, and var-substitution splits over relaxed ranges in one step.
  // layout-transform is tested but not in the default set: its undirected
  // proposals (up to 6 permutations per access) swamp the breadth-first
  // phase before it reaches depth 3; guided-relayout proposes only the
  // re-layouts that move an operand toward an instantiable kernel.
  return rules;
}

std::vector<Kernel> kernelListOf(Expr program, const CostModel &cost) {
  std::vector<Expr> scopes = scopesOf(program);
  std::vector<Kernel> out;
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
    out.push_back(bestKernel(*it, cost));
  return out;
}

namespace {
/// Fill a candidate's kernel names and details from its program.
/// `original`: the node's own program, whose convolutions the graph
/// lowering may compute with Winograd.
void describeKernels(Candidate &c, const CostModel &cost,
                     bool original = false) {
  c.kernels.clear();
  c.details.clear();
  for (const Kernel &k : kernelListOf(c.program, cost)) {
    c.kernels.push_back(kernelName(k.kind));
    c.details.push_back(original && k.winograd ? k.detail + " winograd"
                                               : k.detail);
  }
}
} // namespace

std::vector<std::string> kernelsOf(Expr program, const CostModel &cost) {
  std::vector<std::string> out;
  for (const Kernel &k : kernelListOf(program, cost))
    out.push_back(kernelName(k.kind));
  return out;
}

namespace {

struct Node {
  Expr program;
  int parent;
  int depth;
  double seconds;
  std::string rule, detail;
};

using Clock = std::chrono::steady_clock;

/// Guided expansions before the phase may stop for lack of promise: the
/// first steps toward a kernel can take two rule applications to pay off,
/// and the one-step promise does not see that far.
constexpr size_t kGuidedWarmup = 200;

} // namespace

SearchResult derive(ExprContext &ctx, Expr root,
                    const std::vector<std::unique_ptr<Rule>> &rules,
                    const CostModel &cost, const SearchOptions &options) {
  auto start = Clock::now();
  cost.clearCache();
  auto elapsed = [&] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  std::vector<Node> nodes;
  std::unordered_set<uint64_t> seen;
  FingerprintCache fingerprintOf;
  // A scope recurs in many states; its proposals are computed once.
  std::map<std::pair<Expr, size_t>, std::vector<Rewrite>> proposals;
  // The node as the graph lowering runs it: a derived program must beat
  // that, not the direct convolution Winograd replaces.
  nodes.push_back({root, -1, 0, cost.originalSeconds(root), "", ""});
  seen.insert(fingerprintOf(root));
  bool outOfBudget = false;

  auto proposalsOf = [&](Expr scope,
                         size_t ri) -> const std::vector<Rewrite> & {
    auto cached = proposals.find({scope, ri});
    if (cached == proposals.end())
      cached =
          proposals
              .emplace(std::make_pair(scope, ri), rules[ri]->apply(ctx, scope))
              .first;
    return cached->second;
  };

  // Expand one node: every rule on every scope; returns new node indices.
  auto expand = [&](int index, std::vector<int> &added) {
    Node node = nodes[index];
    for (Expr scope : scopesOf(node.program))
      for (size_t ri = 0; ri < rules.size(); ++ri) {
        const auto &rule = rules[ri];
        for (const Rewrite &rw : proposalsOf(scope, ri)) {
          if (nodes.size() >= options.maxStates ||
              elapsed() > options.timeBudgetSeconds) {
            outOfBudget = true;
            return;
          }
          Expr next = replaceTensor(ctx, node.program, scope, rw.replacement);
          if (!seen.insert(fingerprintOf(next)).second)
            continue;
          nodes.push_back({next, index, node.depth + 1,
                           cost.programSeconds(next), rule->name(), rw.detail});
          added.push_back((int)nodes.size() - 1);
        }
      }
  };

  // What a state promises: its own cost, or what one more rule application
  // on one of the scopes it created reaches. The first steps toward a kernel
  // (a sum-split, then a merge) cost more than the operator they start
  // from; one step ahead they are the cheapest states there are.
  auto promise = [&](int index) {
    const Node &node = nodes[index];
    double best = node.seconds;
    if (node.depth + 1 > options.maxDepth || node.parent < 0)
      return best;
    std::vector<Expr> before = scopesOf(nodes[node.parent].program);
    for (Expr scope : scopesOf(node.program)) {
      if (std::find(before.begin(), before.end(), scope) != before.end())
        continue;
      for (size_t ri = 0; ri < rules.size(); ++ri)
        for (const Rewrite &rw : proposalsOf(scope, ri))
          best = std::min(best, cost.programSeconds(replaceTensor(
                                    ctx, node.program, scope, rw.replacement)));
    }
    return best;
  };

  // Guided phase: most promising first (ties: discovery order).
  {
    using Item = std::pair<double, int>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> open;
    open.push({nodes[0].seconds, 0});
    std::unordered_set<int> expanded;
    size_t count = 0;
    double bestSeconds = nodes[0].seconds;
    // At most a twentieth of the state budget (1,000 of a compile's 20,000
    // states): the promise leads to the kernels early or not at all, and
    // the rest of the budget explores the shallow levels exhaustively.
    while (!open.empty() && count < options.guidedStates &&
           nodes.size() < options.maxStates / 20 && !outOfBudget) {
      auto [promised, i] = open.top();
      open.pop();
      // After a first stretch, stop when nothing left promises to beat the
      // best state found (exploration, if on, goes on level by level).
      if (count >= kGuidedWarmup && promised >= bestSeconds * (1 - 1e-9))
        break;
      if (nodes[i].depth >= options.maxDepth || !expanded.insert(i).second)
        continue;
      ++count;
      std::vector<int> added;
      expand(i, added);
      for (int a : added) {
        bestSeconds = std::min(bestSeconds, nodes[a].seconds);
        open.push({promise(a), a});
      }
    }
  }
  // Explorative phase: level by level over every state found so far (the
  // guided phase's deep states wait for their level), so that a capped
  // search has explored the shallow levels completely.
  if (options.explore) {
    std::vector<std::vector<int>> levels(options.maxDepth + 1);
    for (int i = 0; i < (int)nodes.size(); ++i)
      if (nodes[i].depth <= options.maxDepth)
        levels[nodes[i].depth].push_back(i);
    std::unordered_set<int> expanded;
    for (int d = 0; d < options.maxDepth && !outOfBudget; ++d)
      for (size_t k = 0; k < levels[d].size() && !outOfBudget; ++k) {
        int i = levels[d][k];
        if (!expanded.insert(i).second)
          continue;
        std::vector<int> added;
        expand(i, added);
        for (int a : added)
          levels[nodes[a].depth].push_back(a);
      }
  }

  auto makeCandidate = [&](int i) {
    Candidate c;
    c.program = nodes[i].program;
    c.seconds = nodes[i].seconds;
    describeKernels(c, cost, i == 0);
    std::vector<Step> rev;
    for (int k = i; nodes[k].parent >= 0; k = nodes[k].parent)
      rev.push_back({nodes[k].rule, nodes[k].detail,
                     nodes[nodes[k].parent].program, nodes[k].program});
    c.path.assign(rev.rbegin(), rev.rend());
    return c;
  };

  SearchResult result;
  result.states = nodes.size();
  for (size_t i = 1; i < nodes.size(); ++i)
    ++result.statesByRule[nodes[i].rule];
  result.exhausted = !outOfBudget;
  result.original = makeCandidate(0);
  int best = 0;
  std::map<std::vector<std::string>, int> byKernels;
  std::unordered_map<Expr, std::string> detailOf; // scopes are shared
  for (int i = 0; i < (int)nodes.size(); ++i) {
    // Strictly cheaper by a margin, so that ties keep the simpler program.
    if (nodes[i].seconds < nodes[best].seconds * (1 - 1e-9))
      best = i;
    std::vector<Expr> scopes = scopesOf(nodes[i].program);
    std::vector<std::string> ks;
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto k = detailOf.find(*it);
      if (k == detailOf.end()) {
        Kernel kernel = bestKernel(*it, cost);
        k = detailOf
                .emplace(*it, kernel.kind == KernelKind::EOperator
                                  ? std::string("eop")
                                  : kernel.detail)
                .first;
      }
      ks.push_back(k->second);
    }
    auto it = byKernels.find(ks);
    if (it == byKernels.end() || nodes[i].seconds < nodes[it->second].seconds)
      byKernels[ks] = i;
  }
  result.best = makeCandidate(best);
  if (options.fuse) {
    std::vector<Step> fused;
    Expr program = fuseEOperators(ctx, result.best.program, cost, fused);
    if (!fused.empty()) {
      Candidate &c = result.best;
      c.program = program;
      c.seconds = cost.programSeconds(program);
      c.path.insert(c.path.end(), fused.begin(), fused.end());
      describeKernels(c, cost);
    }
  }
  for (auto &[ks, i] : byKernels)
    result.candidates.push_back(makeCandidate(i));
  std::stable_sort(result.candidates.begin(), result.candidates.end(),
                   [](const Candidate &a, const Candidate &b) {
                     return a.seconds < b.seconds;
                   });
  if (options.verify && result.best.program == root) {
    result.verified = true; // nothing was rewritten
  } else if (options.verify) {
    // End to end first; the steps are checked one by one only to name the
    // rule that went wrong (each check draws fresh random inputs, which for
    // big weights costs more than the search).
    result.verifyError =
        compareExprs(root, result.best.program, 17, 256, 1e-6, 1e-6);
    if (!result.verifyError.empty())
      for (const Step &s : result.best.path) {
        std::string e = compareExprs(s.before, s.after, 29, 256, 1e-6, 1e-6);
        if (!e.empty()) {
          result.verifyError = s.rule + ": " + e;
          break;
        }
      }
    result.verified = result.verifyError.empty();
  }
  result.seconds = elapsed();
  return result;
}

} // namespace tdc::derive
