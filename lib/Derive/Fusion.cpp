//===- Fusion.cpp - fusing chains of eOperators ---------------------------===//
#include "tdc/Derive/Fusion.h"

namespace tdc::derive {

Expr fuseEOperators(ExprContext &ctx, Expr program, const CostModel &cost,
                    std::vector<Step> &steps) {
  auto merge = createTraversalMergeRule();
  auto isEOp = [&](Expr scope) {
    return bestKernel(scope, cost).kind == KernelKind::EOperator;
  };
  for (bool changed = true; changed;) {
    changed = false;
    double before = cost.programSeconds(program);
    for (Expr reader : scopesOf(program)) {
      if (!isEOp(reader))
        continue;
      // The scopes the reader reads directly, to check what gets inlined.
      std::vector<Expr> nested = scopesOf(reader);
      for (const Rewrite &rw : merge->apply(ctx, reader)) {
        // Only eOperators are inlined: the scopes that disappear from the
        // reader's subtree must all be eOperators.
        std::vector<Expr> after = scopesOf(rw.replacement);
        bool onlyEOps = true;
        for (Expr s : nested)
          if (s != reader &&
              std::find(after.begin(), after.end(), s) == after.end())
            onlyEOps &= isEOp(s);
        if (!onlyEOps || !isEOp(rw.replacement))
          continue;
        Expr next = replaceTensor(ctx, program, reader, rw.replacement);
        if (cost.programSeconds(next) > before)
          continue;
        steps.push_back({"eop-fusion", rw.detail, program, next});
        program = next;
        changed = true;
        break;
      }
      if (changed)
        break;
    }
  }
  return program;
}

} // namespace tdc::derive
