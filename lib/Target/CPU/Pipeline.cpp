//===- Pipeline.cpp - stages from tg to the LLVM dialect ------------------===//
#include "tdc/Target/CPU/Pipeline.h"
#include "tdc/Conversion/Passes.h"
#include "tdc/Dialect/Graph/IR/GraphDialect.h"
#include "tdc/Dialect/Graph/IR/NodeLocation.h"
#include "tdc/Dialect/Tx/IR/TxDialect.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace tdc {

void registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<tg::GraphDialect, tx::TxDialect>();
}

// Textual pipelines keep each stage readable; they are parsed into the
// module-anchored pass manager (never wrapped in builtin.module(...) again).
static void addPipeline(OpPassManager &pm, StringRef text) {
  static bool registered = [] {
    registerAllPasses();
    registerTdcConversionPasses();
    registerTdcTransformsPasses();
    return true;
  }();
  (void)registered;
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error("tdc: invalid built-in pass pipeline");
}

void buildGraphToLinalgPipeline(OpPassManager &pm, unsigned) {
  pm.addPass(createConvertGraphToLinalg());
  addPipeline(pm, "canonicalize,cse");
}

void buildSchedulingPipeline(OpPassManager &pm, unsigned optLevel,
                             unsigned vectorBits, const std::string &records,
                             const std::string &listKeys) {
  // Schedules matter only when the loops will be optimized. Contractions
  // that tile into full register blocks become vector code (accumulators
  // hoisted out of the k loop) in parallel tasks; the rest keep the
  // loop-interchange schedule, the large ones with parallel outer loops.
  if (optLevel == 0)
    return;
  // First, layout transposes between channels-last convolutions cancel
  // and elementwise chains fuse (into Winograd output transforms too).
  addPipeline(pm, "tdc-sink-layout-transposes,canonicalize,"
                  "tdc-fuse-elementwise-chains,canonicalize,"
                  "tdc-fuse-winograd-epilogues,"
                  "tdc-pack-contractions{vector-bits=" +
                      std::to_string(vectorBits) +
                      "},"
                      "tdc-fold-bias-into-packed-init");
  // Tuned choices are keyed by the ops the tiling pass sees (packed ones).
  if (!records.empty() || !listKeys.empty()) {
    ApplyScheduleRecordsOptions o;
    o.recordsFile = records;
    o.listKeys = listKeys;
    pm.addPass(createApplyScheduleRecords(o));
  }
  // Padded buffers get their own border-only fills after the last CSE
  // (which would share same-shaped slabs again, and bufferization would
  // copy them: tests/lit/Target/CPU/padded-buffers.mlir) and before fills
  // become loops.
  addPipeline(
      pm,
      "tdc-tile-and-vectorize-contractions{vector-bits=" +
          std::to_string(vectorBits) +
          "},"
          "loop-invariant-subset-hoisting,tdc-fold-reads-of-broadcasts,"
          "canonicalize,cse,tdc-skip-padding-taps,tdc-unroll-register-blocks,"
          "tdc-interchange-for-vectorization,"
          "tdc-fuse-row-reductions,cse,"
          "tdc-fill-borders-only,"
          "tdc-parallelize-outer-loops,canonicalize,"
          "tdc-vectorize-elementwise{vector-bits=" +
          std::to_string(vectorBits) + "},canonicalize");
}

void buildBufferizationPipeline(OpPassManager &pm, unsigned) {
  // A value computed into a fresh tensor only to be inserted into a larger
  // one (the interior of a padded buffer) is computed in place, and later
  // readers read it there (no canonicalization in between, which would
  // fold those reads back to the value).
  // Initial tensors that CSE shared between ops computing into them are
  // recomputed per op first (else bufferization copies them).
  addPipeline(pm, "tdc-unshare-fresh-tensors,"
                  "tdc-read-inserted-slices,tdc-empty-tensors-through-reshapes,"
                  "eliminate-empty-tensors,"
                  "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map},"
                  "canonicalize,"
                  "buffer-results-to-out-params{hoist-static-allocs "
                  "modify-public-functions},"
                  "func.func(ownership-based-buffer-deallocation),"
                  "canonicalize,buffer-deallocation-simplification,"
                  "bufferization-lower-deallocations,cse,canonicalize,"
                  // A task's own temporaries go to its thread's scratch,
                  // the others share one workspace by live range.
                  "tdc-task-scratch,tdc-plan-buffers,canonicalize");
}

void buildLoweringToLLVMPipeline(OpPassManager &pm, unsigned) {
  // Parallel tasks (scf.forall) become OpenMP parallel loops, which the
  // LLVM IR translation outlines into calls of the runtime's team.
  addPipeline(pm, "tdc-memref-copy-to-linalg,tdc-flatten-constant-globals,"
                  "func.func(convert-vector-to-scf{full-unroll=true},"
                  "convert-linalg-to-loops,scf-forall-to-parallel),"
                  "convert-scf-to-openmp,tdc-inline-call-only-alloca-scopes,"
                  "tdc-balance-parallel-loops,"
                  "canonicalize,lower-affine,"
                  "convert-scf-to-cf,expand-strided-metadata,lower-affine,"
                  "func.func(tdc-approximate-math),"
                  "convert-math-to-funcs,convert-math-to-llvm,"
                  "convert-math-to-libm,convert-vector-to-llvm,"
                  "finalize-memref-to-llvm,"
                  "convert-arith-to-llvm,convert-index-to-llvm,"
                  "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
                  "convert-openmp-to-llvm,convert-cf-to-llvm,"
                  "convert-ub-to-llvm,"
                  "reconcile-unrealized-casts,canonicalize");
}

namespace {
struct CPUStageOptions : public PassPipelineOptions<CPUStageOptions> {
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Optimization level 0-3"),
                            llvm::cl::init(3)};
  Option<unsigned> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Vector register width (512: AVX-512, 256: AVX2)"),
      llvm::cl::init(512)};
};
} // namespace

void registerCPUPipelines() {
  PassPipelineRegistration<CPUStageOptions>(
      "tdc-cpu-schedule", "tdc compile's loop-scheduling stage (on linalg)",
      [](OpPassManager &pm, const CPUStageOptions &o) {
        buildSchedulingPipeline(pm, o.optLevel, o.vectorBits);
      });
  PassPipelineRegistration<CPUStageOptions>(
      "tdc-cpu-bufferize", "tdc compile's bufferization stage",
      [](OpPassManager &pm, const CPUStageOptions &o) {
        buildBufferizationPipeline(pm, o.optLevel);
      });
}

LogicalResult
runStage(ModuleOp module,
         llvm::function_ref<void(OpPassManager &, unsigned)> build,
         unsigned optLevel, std::string &error) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  build(pm, optLevel);
  std::string diags;
  llvm::raw_string_ostream os(diags);
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
    if (d.getSeverity() != DiagnosticSeverity::Error)
      return success();
    if (!diags.empty())
      os << "\n";
    os << tg::describeLocation(d.getLocation()) << ": " << d.str();
    return success();
  });
  if (failed(pm.run(module))) {
    error = diags.empty() ? "pass pipeline failed" : diags;
    return failure();
  }
  return success();
}

} // namespace tdc
