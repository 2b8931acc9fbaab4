//===- Derive.cpp - the `tdc derive` command
//-------------------------------===//
#include "tdc/Driver/Derive.h"
#include "tdc/Conversion/GraphToTx/GraphToTx.h"
#include "tdc/Derive/Printer.h"
#include "tdc/Derive/Search.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Dialect/Graph/IR/NodeLocation.h"
#include "tdc/Import/OnnxImporter.h"
#include "tdc/Support/Signature.h"
#include "tdc/Target/CPU/CodeGen.h"
#include "tdc/Target/CPU/Pipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

using namespace mlir;
using namespace tdc::derive;

namespace tdc {

/// Candidates listed per node by --json and the text report (the search
/// keeps them all; the cheapest are the interesting ones).
static constexpr size_t kMaxCandidates = 20;

static std::string nodeOf(Operation *op, std::string &opType) {
  auto node = tg::nodeInfo(op->getLoc());
  if (!node)
    return "?";
  if (!node->opType.empty())
    opType = node->opType;
  return node->name;
}

static std::string jsonList(const std::vector<std::string> &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? "," : "") + jsonQuote(v[i]);
  return s + "]";
}

static std::string joined(const std::vector<std::string> &v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? " + " : "") + v[i];
  return s;
}

int runDerive(const DeriveOptions &opts) {
  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext ctx(registry, MLIRContext::Threading::DISABLED);
  ctx.loadAllAvailableDialects();
  ImportError ierr;
  OwningOpRef<ModuleOp> module =
      importOnnxFile(ctx, opts.input, ImportOptions(), ierr);
  if (!module) {
    std::fprintf(stderr, "%s\n", ierr.message.c_str());
    return 1;
  }
  CostModel cost;
  if (opts.peakGflops > 0)
    cost.peakFlops = opts.peakGflops * 1e9;
  if (opts.bandwidthGBs > 0)
    cost.bandwidth = opts.bandwidthGBs * 1e9;
  // Kernels are estimated with the host's register blocks, as compile does.
  std::string tmError;
  if (auto tm = createTargetMachine(CodegenOptions(), tmError))
    cost.vectorBits = targetVectorBits(*tm);
  auto rules = allRules();
  SearchOptions sopts;
  sopts.maxDepth = opts.depth;
  sopts.timeBudgetSeconds = opts.timeBudgetSeconds;
  sopts.verify = opts.verify;

  std::vector<std::string> jsonNodes;
  size_t totalStates = 0;
  double totalSeconds = 0;
  bool allVerified = true;
  // Compute ops without an expression are reported, not searched.
  module->walk([&](Operation *op) {
    if (opts.json ||
        !isa<tg::ConvOp, tg::ConvTransposeOp, tg::MatMulOp, tg::GemmOp>(op))
      return;
    ExprContext scratch;
    std::string why, opType = op->getName().stripDialect().str();
    if (!isStaticF32(op->getResult(0)))
      why = "not a static f32 op";
    else if (!exprFromGraphOp(scratch, op, why))
      ;
    else
      return;
    std::string name = nodeOf(op, opType);
    std::printf("node '%s' (%s): skipped: %s\n", name.c_str(), opType.c_str(),
                why.c_str());
  });
  ExprContext partitionCtx;
  for (ProgramRegion &region : partitionRegions(partitionCtx, *module, {})) {
    // A context per search: it holds every state the search makes.
    ExprContext ectx;
    if (!rebuildRegion(ectx, region))
      continue;
    Operation *op = region.ops.front();
    std::string opType = op->getName().stripDialect().str();
    std::string name = nodeOf(op, opType);
    // The memory-bound neighbours searched with the compute op.
    std::vector<std::string> members;
    for (Operation *m : region.ops) {
      std::string t = m->getName().stripDialect().str();
      members.push_back(nodeOf(m, t) + " (" + t + ")");
    }
    Expr e = region.expr;
    SearchResult r = derive::derive(ectx, e, rules, cost, sopts);
    totalStates += r.states;
    totalSeconds += r.seconds;
    allVerified &= !opts.verify || r.verified;
    std::vector<std::string> ruleNames;
    for (const Step &s : r.best.path)
      ruleNames.push_back(s.rule);
    if (opts.json) {
      std::ostringstream os;
      os << "{\"name\":" << jsonQuote(name)
         << ",\"op_type\":" << jsonQuote(opType)
         << ",\"region\":" << jsonList(members)
         << ",\"expression\":" << jsonQuote(print(e))
         << ",\"chosen\":" << jsonList(r.best.kernels)
         << ",\"rules\":" << jsonList(ruleNames)
         << ",\"cost_before\":" << r.original.seconds
         << ",\"cost_after\":" << r.best.seconds
         << ",\"verified\":" << (r.verified ? "true" : "false")
         << ",\"candidates\":[";
      for (size_t i = 0; i < std::min(r.candidates.size(), kMaxCandidates); ++i)
        os << (i ? "," : "")
           << "{\"kernels\":" << jsonList(r.candidates[i].kernels)
           << ",\"details\":" << jsonList(r.candidates[i].details)
           << ",\"cost\":" << r.candidates[i].seconds
           << ",\"depth\":" << r.candidates[i].path.size() << "}";
      os << "],\"num_candidates\":" << r.candidates.size()
         << ",\"states\":" << r.states << ",\"seconds\":" << r.seconds << "}";
      jsonNodes.push_back(os.str());
      continue;
    }
    std::printf("node '%s' (%s)\n", name.c_str(), opType.c_str());
    if (members.size() > 1)
      std::printf("  region: %s\n", joined(members).c_str());
    std::printf("  %s\n", print(e).c_str());
    std::printf("  searched %zu states in %.2f s (depth %d%s)\n", r.states,
                r.seconds, opts.depth, r.exhausted ? "" : ", budget exhausted");
    std::printf("  candidates (%zu, cheapest %zu shown):\n",
                r.candidates.size(),
                std::min(r.candidates.size(), kMaxCandidates));
    for (size_t i = 0; i < std::min(r.candidates.size(), kMaxCandidates); ++i) {
      const Candidate &c = r.candidates[i];
      std::string sizes;
      for (const std::string &d : c.details)
        if (d.rfind("eOperator", 0) != 0)
          sizes += (sizes.empty() ? "" : "; ") + d;
      std::printf("    %-28s %9.4f ms  (%zu steps)  %s\n",
                  joined(c.kernels).c_str(), c.seconds * 1e3, c.path.size(),
                  sizes.c_str());
    }
    std::printf("  chosen: %s, %.4f ms (was %.4f ms)%s\n",
                joined(r.best.kernels).c_str(), r.best.seconds * 1e3,
                r.original.seconds * 1e3,
                !opts.verify ? ""
                : r.verified ? ", verified"
                             : (", NOT VERIFIED: " + r.verifyError).c_str());
    if (opts.explain) {
      auto explain = [&](const Candidate &c, const char *title) {
        std::printf("  %s: %s\n", title, joined(c.kernels).c_str());
        for (size_t i = 0; i < c.path.size(); ++i) {
          const Step &s = c.path[i];
          std::printf("    step %zu: %s: %s\n      before: %s\n      after:  "
                      "%s\n",
                      i + 1, s.rule.c_str(), s.detail.c_str(),
                      print(s.before).c_str(), print(s.after).c_str());
        }
        for (Expr scope : scopesOf(c.program)) {
          Kernel k = bestKernel(scope, cost);
          std::printf("    kernel %s (%.4f ms): %s\n      %s\n",
                      kernelName(k.kind), cost.seconds(k) * 1e3,
                      k.detail.c_str(), print(scope).c_str());
        }
      };
      explain(r.best, "chosen derivation");
      // The cheapest program of each other kernel mix that uses an
      // instantiated kernel, so that the alternatives can be compared.
      for (const Candidate &c : r.candidates)
        if (c.program != r.best.program && c.kernels.size() <= 3 &&
            std::find(c.kernels.begin(), c.kernels.end(), "eop") !=
                c.kernels.end() &&
            c.kernels.size() > 1 &&
            std::count(c.kernels.begin(), c.kernels.end(), "eop") <
                (long)c.kernels.size())
          explain(c, "alternative");
    }
  }
  if (opts.json) {
    std::printf("{\"nodes\":[");
    for (size_t i = 0; i < jsonNodes.size(); ++i)
      std::printf("%s%s", i ? "," : "", jsonNodes[i].c_str());
    std::printf("],\"search\":{\"states\":%zu,\"seconds\":%.3f}}\n",
                totalStates, totalSeconds);
  } else {
    std::printf("search: %zu states in %.2f s\n", totalStates, totalSeconds);
  }
  return allVerified ? 0 : 1;
}

} // namespace tdc
