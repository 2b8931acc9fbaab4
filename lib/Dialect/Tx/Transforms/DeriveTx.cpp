//===- DeriveTx.cpp - the tdc-derive-tx pass ------------------------------===//
//
// Runs the derivation search on every tx.program and replaces the program
// by the cheapest verified equivalent one. The search itself is the plain
// C++ library of lib/Derive; this pass converts at its edges (TxExpr.h).
//
//===----------------------------------------------------------------------===//
#include "tdc/Derive/Fingerprint.h"
#include "tdc/Derive/Interpreter.h"
#include "tdc/Derive/Search.h"
#include "tdc/Dialect/Graph/IR/NodeLocation.h"
#include "tdc/Dialect/Tx/IR/TxExpr.h"
#include "tdc/Dialect/Tx/Transforms/Passes.h"
#include "tdc/Transforms/ScheduleKnobs.h"

#include "llvm/Support/JSON.h"
#include <fstream>

#include "llvm/ADT/SetVector.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>

namespace tdc {
#define GEN_PASS_DEF_DERIVETX
#include "tdc/Dialect/Tx/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;
using namespace tdc;

namespace {

std::string joined(const std::vector<std::string> &v) {
  std::string s;
  for (const std::string &k : v)
    s += (s.empty() ? "" : " + ") + k;
  return s;
}

struct DeriveTx : tdc::impl::DeriveTxBase<DeriveTx> {
  using Base::Base;

  /// One context for the whole module, so that search results can be
  /// reused by later programs with the same expression.
  struct Memo {
    derive::ExprContext ctx;
    std::map<uint64_t, derive::SearchResult> searched;
    /// Results whose best program was checked by the interpreter.
    std::set<uint64_t> verified;
  };

  void runOnOperation() override {
    if (mode != "guided" && mode != "full") {
      getOperation().emitError("tdc-derive-tx: mode must be guided or full, "
                               "not '")
          << mode << "'";
      return signalPassFailure();
    }
    derive::SearchOptions sopts;
    sopts.maxDepth = depth;
    sopts.maxStates = states;
    sopts.timeBudgetSeconds = budget;
    // A program is replaced only when verified; the check (the
    // interpreter, most of a compile's search time) runs only for the
    // programs that would be replaced (deriveProgram).
    sopts.verify = false;
    // guided: the best-first phase only, no breadth-first exploration.
    sopts.explore = mode == "full";
    derive::CostModel cost;
    if (peakGflops > 0)
      cost.peakFlops = peakGflops * 1e9;
    if (bandwidthGBs > 0)
      cost.bandwidth = bandwidthGBs * 1e9;
    cost.vectorBits = vectorBits;
    auto rules = derive::allRules();

    std::string error;
    if (!recordsFile.empty() &&
        !readScheduleRecords(recordsFile, records, error)) {
      getOperation()->emitError(error);
      return signalPassFailure();
    }
    SmallVector<tx::ProgramOp> programs;
    getOperation().walk([&](tx::ProgramOp p) { programs.push_back(p); });
    Memo memo;
    for (tx::ProgramOp program : programs)
      if (failed(deriveProgram(program, rules, cost, sopts, memo)))
        return signalPassFailure();
    resolveLinkedNodes();
    if (!listKeys.empty()) {
      std::ofstream out(listKeys, std::ios::trunc);
      for (const auto &[key, info] : listed)
        out << info << "\n";
      if (!out) {
        getOperation()->emitError(listKeys + ": cannot write");
        return signalPassFailure();
      }
    }
  }

  /// tdc tune's measured decisions, by program key.
  ScheduleRecords records;
  /// Programs whose search found a derived program, for list-keys.
  std::map<std::string, std::string> listed;

  /// convert-tg-to-tx{keep-original} left the tg ops of each region next
  /// to its program (all linked by a `tdc.node` id). The program wins when
  /// derivation replaced it; otherwise the tg ops stay, for their direct
  /// lowering.
  void resolveLinkedNodes() {
    DenseMap<int64_t, tx::ProgramOp> programOf;
    // Per id, the region's ops in program order (the last computes it).
    std::map<int64_t, SmallVector<Operation *>> members;
    getOperation().walk([&](Operation *op) {
      auto id = op->getAttrOfType<IntegerAttr>("tdc.node");
      if (!id)
        return;
      op->removeAttr("tdc.node");
      if (auto p = dyn_cast<tx::ProgramOp>(op))
        programOf[id.getInt()] = p;
      else
        members[id.getInt()].push_back(op);
    });
    for (auto &[id, ops] : members) {
      tx::ProgramOp program = programOf.lookup(id);
      if (!program)
        continue;
      if (program.getDerivationAttr()) {
        ops.back()->getResult(0).replaceAllUsesWith(program.getResult());
        for (Operation *op : llvm::reverse(ops))
          op->erase();
        continue;
      }
      llvm::SetVector<Operation *> defs;
      for (Value v : program->getOperands())
        if (Operation *def = v.getDefiningOp())
          defs.insert(def);
      program->erase();
      // Constants made for the program alone (average-pool divisors).
      for (Operation *def : defs)
        if (def->use_empty() && def->hasTrait<OpTrait::ConstantLike>())
          def->erase();
    }
  }

  LogicalResult
  deriveProgram(tx::ProgramOp program,
                const std::vector<std::unique_ptr<derive::Rule>> &rules,
                const derive::CostModel &cost,
                const derive::SearchOptions &sopts, Memo &memo) {
    derive::ExprContext &ectx = memo.ctx;
    auto report = [&](const std::string &what) {
      if (log)
        llvm::errs() << "derive: " << tg::describeLocation(program.getLoc())
                     << ": " << what << "\n";
    };
    std::string error;
    derive::Expr e = tx::programExpr(ectx, program, error);
    if (!e)
      return program.emitError("cannot read the program as an expression: ")
             << error;
    // Inputs are named by role (X, K, ...), so equal fingerprints mean the
    // same operator on the same shapes: its search result is reused.
    uint64_t key = derive::fingerprint(e);
    auto found = memo.searched.find(key);
    if (found == memo.searched.end())
      found = memo.searched
                  .emplace(key, derive::derive(ectx, e, rules, cost, sopts))
                  .first;
    else
      report("same operator and shapes as an earlier program: reusing its "
             "search");
    derive::SearchResult &r = found->second;
    char costs[96];
    std::snprintf(costs, sizeof costs, "%.4f ms (was %.4f ms)",
                  r.best.seconds * 1e3, r.original.seconds * 1e3);
    bool differs = r.best.program != r.original.program;
    bool estimated = differs && r.best.seconds * minGain < r.original.seconds;
    bool better = estimated;
    std::string recordKey = deriveRecordKey(key);
    // A decision measured by tdc tune wins over the estimate.
    auto measured = records.find(recordKey);
    bool hasMeasured = differs && measured != records.end() &&
                       measured->second.derive >= 0;
    if (hasMeasured)
      better = measured->second.derive == 1;
    if (!differs) {
      r.verified = true;
    } else if ((better || force || !listKeys.empty()) &&
               memo.verified.insert(key).second) {
      r.verifyError = derive::compareExprs(r.original.program, r.best.program,
                                           17, 256, 1e-6, 1e-6);
      r.verified = r.verifyError.empty();
    }
    bool derivable = differs && r.verified;
    better = better && derivable;
    if (derivable && !listKeys.empty()) {
      std::string line;
      llvm::raw_string_ostream os(line);
      os << llvm::json::Value(
          llvm::json::Object{{"key", recordKey},
                             {"derived", estimated},
                             {"cost_before", r.original.seconds},
                             {"cost_after", r.best.seconds}});
      listed[recordKey] = line;
    }
    if (hasMeasured)
      report(std::string("tdc tune measured: ") + (better ? "derive" : "keep"));
    if (!better && !force) {
      report("kept: best " + joined(r.best.kernels) + ", " + costs +
             (r.verifyError.empty() ? "" : ", not verified: " + r.verifyError));
      return success();
    }
    const derive::Candidate &chosen = r.verified ? r.best : r.original;
    // A reused result's programs read the inputs by the same names; only
    // the original expression's identity differs.
    OpBuilder b(program);
    Type elemType =
        cast<RankedTensorType>(program.getResult().getType()).getElementType();
    tx::ProgramOp replacement =
        tx::buildProgram(b, program.getLoc(), chosen.program,
                         tx::programInputs(program), elemType, error);
    if (!replacement) {
      report("kept: the derived program has no tx form: " + error);
      return success();
    }
    SmallVector<Attribute> ruleNames, kernels;
    for (const derive::Step &s : chosen.path)
      ruleNames.push_back(b.getStringAttr(s.rule));
    for (const std::string &k : chosen.kernels)
      kernels.push_back(b.getStringAttr(k));
    replacement.setDerivationAttr(b.getDictionaryAttr({
        b.getNamedAttr("rules", b.getArrayAttr(ruleNames)),
        b.getNamedAttr("kernels", b.getArrayAttr(kernels)),
        b.getNamedAttr("cost_before", b.getF64FloatAttr(r.original.seconds)),
        b.getNamedAttr("cost_after", b.getF64FloatAttr(chosen.seconds)),
    }));
    if (verify) {
      // Independent of the search's own check: read the new program back
      // from the IR and compare it with the original on random inputs.
      derive::ExprContext vctx;
      derive::Expr back = tx::programExpr(vctx, replacement, error);
      std::string diff =
          back ? derive::compareExprs(e, back, /*seed=*/41, /*maxPoints=*/4096,
                                      /*rtol=*/1e-6, /*atol=*/1e-6)
               : "cannot read it back: " + error;
      if (!diff.empty()) {
        replacement->erase();
        return program.emitError("derived program (")
               << joined(chosen.kernels)
               << ") does not match the original: " << diff;
      }
    }
    if (Attribute id = program->getAttr("tdc.node"))
      replacement->setAttr("tdc.node", id); // the link to the tg op
    program.getResult().replaceAllUsesWith(replacement.getResult());
    program->erase();
    report("replaced by " + joined(chosen.kernels) + ", " + costs +
           (verify ? ", verified" : ""));
    return success();
  }
};

} // namespace
