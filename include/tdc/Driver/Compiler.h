//===- Compiler.h - ONNX file -> any stage of the pipeline -------*- C++
//-*-===//
#ifndef TDC_DRIVER_COMPILER_H
#define TDC_DRIVER_COMPILER_H

#include "tdc/Import/OnnxImporter.h"
#include "tdc/Support/Signature.h"
#include "tdc/Target/CPU/CodeGen.h"

#include <string>
#include <vector>

namespace tdc {

enum class EmitKind { TG, TX, Linalg, LLVMMLIR, LLVM, Asm, Obj, Lib };
/// Parse "tg", "tx", "linalg", "llvm-mlir", "llvm", "asm", "obj", "lib".
bool parseEmitKind(const std::string &s, EmitKind &out);

/// Replace compute ops (conv, conv_transpose, matmul, gemm) by the cheapest
/// equivalent program the derivation search finds: its best-first phase
/// only (Guided), or that and the breadth-first phase to the depth bound
/// (Full); or keep them (Off: no tx at all).
enum class DeriveMode { Off, Guided, Full };
/// Parse "off", "guided", "full".
bool parseDeriveMode(const std::string &s, DeriveMode &out);

struct CompileOptions {
  std::string input;
  /// Output path; for Lib a header `<stem>.h` is written next to it.
  std::string output;
  EmitKind emit = EmitKind::Lib;
  CodegenOptions codegen;
  ImportOptions import;
  bool writeHeader = true;
  DeriveMode derive = DeriveMode::Guided;
  /// Search budget per compute op when derivation is on: states keep the
  /// result deterministic; seconds are only a safety net.
  int64_t deriveStatesPerNode = 20000;
  double deriveSecondsPerNode = 60;
  /// Maximum number of rule applications per derivation.
  int deriveDepth = 4;
  /// Re-check each applied derivation with the interpreter (an error names
  /// the node when a derived program does not match).
  bool verifyDerivation = false;
  /// The derivation cost model's target (0: its defaults, Cost.h).
  double peakGflops = 0, bandwidthGBs = 0;
  /// Schedule records of `tdc tune` to follow (empty: the analytic model).
  std::string records;
  /// Write the signatures of the ops the scheduler plans here (tune).
  std::string listScheduleKeys;
  /// Write the derivation programs that have a derived alternative (tune).
  std::string listDeriveKeys;
  /// Time every top-level loop nest (tdc-insert-profile-timers) and export
  /// the totals through <prefix>_profile_* (docs/artifacts.md).
  bool profile = false;
};

struct CompileResult {
  bool ok = false;
  /// One-line, user-facing; names the file and the ONNX node when known.
  std::string error;
  /// The model uses an op or type that tdc does not support.
  bool unsupported = false;
  std::vector<std::string> needConstantInputs;
  ModelSignature signature;
  /// Programs replaced by a derived one (derivation on).
  int derivedNodes = 0;
  /// Bytes of the workspace that holds the temporaries (tdc-plan-buffers);
  /// the library keeps it for its lifetime.
  int64_t workspaceBytes = 0;
};

/// Run the pipeline up to options.emit and write options.output.
CompileResult compileModel(const CompileOptions &options);

/// Names of the graph inputs that are fed at run time (initializers
/// excluded), in graph order.
bool onnxRuntimeInputNames(const std::string &path,
                           std::vector<std::string> &names, std::string &error);

} // namespace tdc

#endif
