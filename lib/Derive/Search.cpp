//===- Search.cpp - guided + explorative derivation search
//-----------------===//
#include "tdc/Derive/Search.h"
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"

#include <chrono>
#include <deque>
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
  rules.push_back(createBoundaryRelaxRule());
  // layout-transform is tested but not in the default set: its proposals
  // (up to 6 permutations per access) swamp the breadth-first phase before
  // it reaches depth 3; it is meant for the guided re-layout step, which
  // applies it toward a target pattern only.
  return rules;
}

std::vector<std::string> kernelsOf(Expr program, const CostModel &cost) {
  std::vector<Expr> scopes = scopesOf(program);
  std::vector<std::string> out;
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
    out.push_back(kernelName(bestKernel(*it, cost).kind));
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

} // namespace

SearchResult derive(ExprContext &ctx, Expr root,
                    const std::vector<std::unique_ptr<Rule>> &rules,
                    const CostModel &cost, const SearchOptions &options) {
  auto start = Clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  std::vector<Node> nodes;
  std::unordered_set<uint64_t> seen;
  nodes.push_back({root, -1, 0, cost.programSeconds(root), "", ""});
  seen.insert(fingerprint(root));
  bool outOfBudget = false;

  // Expand one node: every rule on every scope; returns new node indices.
  auto expand = [&](int index, std::vector<int> &added) {
    Node node = nodes[index];
    for (Expr scope : scopesOf(node.program))
      for (const auto &rule : rules)
        for (Rewrite &rw : rule->apply(ctx, scope)) {
          if (nodes.size() >= options.maxStates ||
              elapsed() > options.timeBudgetSeconds) {
            outOfBudget = true;
            return;
          }
          Expr next = replaceTensor(ctx, node.program, scope, rw.replacement);
          if (!seen.insert(fingerprint(next)).second)
            continue;
          nodes.push_back({next, index, node.depth + 1,
                           cost.programSeconds(next), rule->name(), rw.detail});
          added.push_back((int)nodes.size() - 1);
        }
  };

  // Guided phase: cheapest first (ties: discovery order).
  {
    using Item = std::pair<double, int>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> open;
    open.push({nodes[0].seconds, 0});
    std::unordered_set<int> expanded;
    size_t count = 0;
    while (!open.empty() && count < options.guidedStates && !outOfBudget) {
      int i = open.top().second;
      open.pop();
      if (nodes[i].depth >= options.maxDepth || !expanded.insert(i).second)
        continue;
      ++count;
      std::vector<int> added;
      expand(i, added);
      for (int a : added)
        open.push({nodes[a].seconds, a});
    }
  }
  // Explorative phase: breadth-first over every state found so far.
  {
    std::deque<int> queue;
    for (int i = 0; i < (int)nodes.size(); ++i)
      queue.push_back(i);
    std::unordered_set<int> expanded;
    while (!queue.empty() && !outOfBudget) {
      int i = queue.front();
      queue.pop_front();
      if (nodes[i].depth >= options.maxDepth || !expanded.insert(i).second)
        continue;
      std::vector<int> added;
      expand(i, added);
      for (int a : added)
        queue.push_back(a);
    }
  }

  auto makeCandidate = [&](int i) {
    Candidate c;
    c.program = nodes[i].program;
    c.seconds = nodes[i].seconds;
    c.kernels = kernelsOf(c.program, cost);
    std::vector<Step> rev;
    for (int k = i; nodes[k].parent >= 0; k = nodes[k].parent)
      rev.push_back({nodes[k].rule, nodes[k].detail,
                     nodes[nodes[k].parent].program, nodes[k].program});
    c.path.assign(rev.rbegin(), rev.rend());
    return c;
  };

  SearchResult result;
  result.states = nodes.size();
  result.exhausted = !outOfBudget;
  result.original = makeCandidate(0);
  int best = 0;
  std::map<std::vector<std::string>, int> byKernels;
  std::unordered_map<Expr, std::string> kindOf; // scopes are shared
  for (int i = 0; i < (int)nodes.size(); ++i) {
    // Strictly cheaper by a margin, so that ties keep the simpler program.
    if (nodes[i].seconds < nodes[best].seconds * (1 - 1e-9))
      best = i;
    std::vector<Expr> scopes = scopesOf(nodes[i].program);
    std::vector<std::string> ks;
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto k = kindOf.find(*it);
      if (k == kindOf.end())
        k = kindOf.emplace(*it, kernelName(bestKernel(*it, cost).kind)).first;
      ks.push_back(k->second);
    }
    auto it = byKernels.find(ks);
    if (it == byKernels.end() || nodes[i].seconds < nodes[it->second].seconds)
      byKernels[ks] = i;
  }
  result.best = makeCandidate(best);
  for (auto &[ks, i] : byKernels)
    result.candidates.push_back(makeCandidate(i));
  std::stable_sort(result.candidates.begin(), result.candidates.end(),
                   [](const Candidate &a, const Candidate &b) {
                     return a.seconds < b.seconds;
                   });
  if (options.verify) {
    result.verifyError =
        compareExprs(root, result.best.program, 17, 256, 1e-6, 1e-6);
    for (const Step &s : result.best.path)
      if (result.verifyError.empty()) {
        std::string e = compareExprs(s.before, s.after, 29, 256, 1e-6, 1e-6);
        if (!e.empty())
          result.verifyError = s.rule + ": " + e;
      }
    result.verified = result.verifyError.empty();
  }
  result.seconds = elapsed();
  return result;
}

} // namespace tdc::derive
