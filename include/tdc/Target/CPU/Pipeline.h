//===- Pipeline.h - stages from tg to the LLVM dialect -----------*- C++
//-*-===//
//
// The compile pipeline is split in stages so that derivation and loop
// scheduling can slot in between them and `--emit` can stop after any one.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TARGET_CPU_PIPELINE_H
#define TDC_TARGET_CPU_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace tdc {

/// tg -> linalg, tensor, arith, math on tensors.
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm, unsigned optLevel);
/// Loop scheduling on linalg (today: loop order for vectorization; tiling,
/// packing and threads come with the scheduling work).
/// `vectorBits` is the width of the target's vector registers (512 for
/// AVX-512, 256 for AVX2), which sizes the packed panels and register
/// blocks of matmuls.
/// `records` (a `tdc tune` file) replaces the analytic choices of the ops
/// it has records for; `listKeys` writes the ops' signatures (for tune).
void buildSchedulingPipeline(mlir::OpPassManager &pm, unsigned optLevel,
                             unsigned vectorBits = 512,
                             const std::string &records = "",
                             const std::string &listKeys = "");
/// tensors -> memrefs: one-shot bufferization with outputs as caller-owned
/// out-parameters and every temporary deallocated.
void buildBufferizationPipeline(mlir::OpPassManager &pm, unsigned optLevel);
/// memrefs + linalg -> loops -> the LLVM dialect (bare-pointer calls).
void buildLoweringToLLVMPipeline(mlir::OpPassManager &pm, unsigned optLevel);

/// Register the dialects and translations every stage needs.
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// Registers the scheduling and bufferization stages as the named
/// pipelines `tdc-cpu-schedule` and `tdc-cpu-bufferize` (options
/// `opt-level`, `vector-bits`), so that tdc-opt and lit tests run exactly
/// what `tdc compile` runs.
void registerCPUPipelines();

/// Run `build(pm)` on `module`; on failure `error` holds the diagnostics.
mlir::LogicalResult
runStage(mlir::ModuleOp module,
         llvm::function_ref<void(mlir::OpPassManager &, unsigned)> build,
         unsigned optLevel, std::string &error);

} // namespace tdc

#endif
