//===- CodeGen.h - LLVM dialect -> object code for the CPU -------*- C++
//-*-===//
#ifndef TDC_TARGET_CPU_CODEGEN_H
#define TDC_TARGET_CPU_CODEGEN_H

#include "tdc/Support/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace tdc {

/// Name of the graph function through the pipeline; the C API wraps it.
inline constexpr const char *kGraphFunctionName = "tdc_graph";

struct CodegenOptions {
  unsigned optLevel = 2;
  std::string triple; // empty: host
  std::string cpu;    // empty or "native": host CPU with its features
  std::string symbolPrefix = "tdc_model";
};

/// A TargetMachine for the options (host by default); null + error if the
/// target is unknown.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CodegenOptions &options, std::string &error);

/// Width in bits of the target's vector registers that loop scheduling
/// fills: 512 with AVX-512F, 256 with AVX/AVX2, else 128.
unsigned targetVectorBits(const llvm::TargetMachine &tm);

/// Translate the LLVM-dialect module to LLVM IR and add the C API:
///   int <prefix>_run(const void *const *inputs, void *const *outputs);
///   const char *<prefix>_signature(void);   (JSON)
///   int <prefix>_num_inputs(void), <prefix>_num_outputs(void);
///   void <prefix>_set_num_threads(int), int <prefix>_get_num_threads(void);
/// and renames the OpenMP runtime calls of parallel loops (__kmpc_*) to the
/// runtime's tdc_kmpc_*.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &llvmCtx,
                                                const ModelSignature &signature,
                                                const CodegenOptions &options,
                                                llvm::TargetMachine &tm,
                                                std::string &error);

/// Run LLVM's default optimization pipeline at options.optLevel.
void optimizeModule(llvm::Module &module, const CodegenOptions &options,
                    llvm::TargetMachine &tm);

/// Write an object file (or assembly) to `path` atomically.
bool emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                     bool assembly, const std::string &path,
                     std::string &error);

/// Write tdc's thread-team runtime (an x86-64 ELF object with hidden
/// symbols; see docs/artifacts.md) to `path`.
bool writeRuntimeObject(const std::string &path, std::string &error);

/// Link an object and the runtime into a shared library that needs only
/// libc and libm.
bool linkSharedLibrary(const std::string &objectPath,
                       const std::string &libraryPath, std::string &error);

/// The C header declaring the artifact's API for `signature`.
std::string generateHeader(const ModelSignature &signature,
                           const std::string &symbolPrefix);

} // namespace tdc

#endif
