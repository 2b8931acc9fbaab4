//===- Compiler.cpp - ONNX file -> any stage of the pipeline --------------===//
#include "tdc/Driver/Compiler.h"
#include "tdc/Conversion/Passes.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Dialect/Tx/IR/TxOps.h"
#include "tdc/Dialect/Tx/Transforms/Passes.h"
#include "tdc/Target/CPU/Pipeline.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "onnx/onnx_pb.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

using namespace mlir;

namespace tdc {

bool parseEmitKind(const std::string &s, EmitKind &out) {
  static const std::pair<const char *, EmitKind> kinds[] = {
      {"tg", EmitKind::TG},         {"tx", EmitKind::TX},
      {"linalg", EmitKind::Linalg}, {"llvm-mlir", EmitKind::LLVMMLIR},
      {"llvm", EmitKind::LLVM},     {"asm", EmitKind::Asm},
      {"obj", EmitKind::Obj},       {"lib", EmitKind::Lib}};
  for (auto &[name, kind] : kinds)
    if (s == name) {
      out = kind;
      return true;
    }
  return false;
}

bool parseDeriveMode(const std::string &s, DeriveMode &out) {
  static const std::pair<const char *, DeriveMode> modes[] = {
      {"off", DeriveMode::Off},
      {"guided", DeriveMode::Guided},
      {"full", DeriveMode::Full}};
  for (auto &[name, mode] : modes)
    if (s == name) {
      out = mode;
      return true;
    }
  return false;
}

/// convert-tg-to-tx, then (unless derivation is off) tdc-derive-tx with
/// the compile's options. TDC_DERIVE_LOG=1 reports each decision on stderr;
/// TDC_DERIVE_ALWAYS=1 replaces every program by its best one (even the
/// original expression) and makes programs of memory-bound chains without
/// a compute op too, to test the conversions and the lowering;
/// TDC_DERIVE_BUDGET=SECONDS overrides the search budget per program.
static void buildDerivationStage(OpPassManager &pm,
                                 const CompileOptions &options,
                                 unsigned vectorBits) {
  if (options.derive == DeriveMode::Off) {
    pm.addPass(createConvertGraphToTx());
    return;
  }
  // Nodes derivation does not improve keep their tg op (and its direct,
  // scheduled lowering) instead of a generic lowering of the expression.
  ConvertGraphToTxOptions toTx;
  toTx.keepOriginal = true;
  bool always = std::getenv("TDC_DERIVE_ALWAYS") != nullptr;
  // Forcing every program through the tx path also converts memory-bound
  // chains without a compute op, so that the conformance suite checks those
  // conversions too.
  toTx.anchorless = always;
  pm.addPass(createConvertGraphToTx(toTx));
  DeriveTxOptions d;
  d.mode = options.derive == DeriveMode::Guided ? "guided" : "full";
  d.depth = options.deriveDepth;
  d.states = options.deriveStatesPerNode;
  d.budget = options.deriveSecondsPerNode;
  if (const char *budget = std::getenv("TDC_DERIVE_BUDGET"))
    d.budget = std::atof(budget);
  d.verify = options.verifyDerivation;
  d.peakGflops = options.peakGflops;
  d.recordsFile = options.records;
  d.listKeys = options.listDeriveKeys;
  d.bandwidthGBs = options.bandwidthGBs;
  d.vectorBits = vectorBits;
  d.force = always;
  if (const char *gain = std::getenv("TDC_DERIVE_MIN_GAIN"))
    d.minGain = std::atof(gain);
  d.log = std::getenv("TDC_DERIVE_LOG") != nullptr;
  pm.addPass(createDeriveTx(d));
}

bool onnxRuntimeInputNames(const std::string &path,
                           std::vector<std::string> &names,
                           std::string &error) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  onnx::ModelProto model;
  if (!in || !model.ParseFromString(ss.str())) {
    error = path + ": not a valid ONNX model";
    return false;
  }
  std::set<std::string> inits;
  for (const auto &i : model.graph().initializer())
    inits.insert(i.name());
  for (const auto &i : model.graph().input())
    if (!inits.count(i.name()))
      names.push_back(i.name());
  return true;
}

static bool addSignature(std::vector<TensorSignature> &list, Type t,
                         Attribute name) {
  auto rt = cast<RankedTensorType>(t);
  TensorSignature s;
  if (auto str = dyn_cast_or_null<StringAttr>(name))
    s.name = str.str();
  if (!dtypeFromMlirType(rt.getElementType(), s.dtype))
    return false;
  s.shape.assign(rt.getShape().begin(), rt.getShape().end());
  list.push_back(s);
  return true;
}

/// Zero-element inputs and outputs carry no data, and the bare-pointer
/// calling convention cannot express them: inputs become tensor.empty inside
/// the graph, and both are left out of the lowered function (the C API still
/// takes a pointer for them, which is never dereferenced).
static LogicalResult dropEmptyTensors(func::FuncOp f, ModelSignature &sig) {
  auto isEmpty = [](Type t) {
    auto rt = cast<RankedTensorType>(t);
    return rt.getNumElements() == 0;
  };
  llvm::BitVector args(f.getNumArguments()), results(f.getNumResults());
  OpBuilder b(f.getBody());
  for (unsigned i = 0; i < f.getNumArguments(); ++i) {
    BlockArgument a = f.getArgument(i);
    if (!isEmpty(a.getType()))
      continue;
    auto rt = cast<RankedTensorType>(a.getType());
    Value e = tensor::EmptyOp::create(b, f.getLoc(), rt.getShape(),
                                      rt.getElementType());
    a.replaceAllUsesWith(e);
    args.set(i);
    sig.inputs[i].materialized = false;
  }
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    if (isEmpty(f.getResultTypes()[i])) {
      results.set(i);
      sig.outputs[i].materialized = false;
    }
  if (results.any()) {
    f.walk([&](func::ReturnOp ret) {
      SmallVector<Value> kept;
      for (unsigned i = 0; i < ret.getNumOperands(); ++i)
        if (!results.test(i))
          kept.push_back(ret.getOperand(i));
      ret->setOperands(kept);
    });
    if (failed(f.eraseResults(results)))
      return failure();
  }
  if (args.any() && failed(f.eraseArguments(args)))
    return failure();
  // Each output needs its own buffer: a value returned twice (or an input
  // returned as is next to itself) gets a copy per extra use.
  f.walk([&](func::ReturnOp ret) {
    OpBuilder rb(ret);
    llvm::SmallPtrSet<Value, 8> seen;
    for (OpOperand &o : ret->getOpOperands()) {
      if (seen.insert(o.get()).second)
        continue;
      auto rt = cast<RankedTensorType>(o.get().getType());
      Value init = tensor::EmptyOp::create(rb, ret.getLoc(), rt.getShape(),
                                           rt.getElementType());
      o.set(
          linalg::CopyOp::create(rb, ret.getLoc(), o.get(), init).getResult(0));
    }
  });
  return success();
}

static bool writeText(const std::string &path, const std::string &text,
                      std::string &error) {
  if (path == "-") { // text stages may go to stdout
    llvm::outs() << text;
    llvm::outs().flush();
    return true;
  }
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) {
      error = path + ": cannot write";
      return false;
    }
  }
  if (auto ec = llvm::sys::fs::rename(tmp, path)) {
    error = path + ": " + ec.message();
    return false;
  }
  return true;
}

static std::string printModule(ModuleOp m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  // Locations name the ONNX node and op type of every op.
  m.print(os, OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                /*prettyForm=*/false));
  return s;
}

CompileResult compileModel(const CompileOptions &options) {
  CompileResult result;
  if (options.output == "-" &&
      (options.emit == EmitKind::Asm || options.emit == EmitKind::Obj ||
       options.emit == EmitKind::Lib)) {
    result.error = "-o - (stdout) is only for the text stages "
                   "tg, tx, linalg, llvm-mlir and llvm";
    return result;
  }
  // Fail before the (possibly long) compile when the output can't be written.
  if (options.output != "-") {
    llvm::SmallString<256> dir(options.output);
    llvm::sys::path::remove_filename(dir);
    if (!dir.empty() && !llvm::sys::fs::is_directory(dir)) {
      result.error = options.output + ": directory '" + std::string(dir) +
                     "' does not exist";
      return result;
    }
  }
  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext ctx(registry, MLIRContext::Threading::DISABLED);
  ctx.loadAllAvailableDialects();

  ImportError ierr;
  OwningOpRef<ModuleOp> module =
      importOnnxFile(ctx, options.input, options.import, ierr);
  if (!module) {
    result.error = ierr.message;
    result.unsupported = ierr.unsupported;
    result.needConstantInputs = ierr.needConstantInputs;
    return result;
  }
  auto func = module->lookupSymbol<func::FuncOp>("main");
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (!addSignature(result.signature.inputs, func.getArgumentTypes()[i],
                      func.getArgAttr(i, "tg.name"))) {
      result.error = options.input + ": unsupported input element type";
      result.unsupported = true;
      return result;
    }
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (!addSignature(result.signature.outputs, func.getResultTypes()[i],
                      func.getResultAttr(i, "tg.name"))) {
      result.error = options.input + ": unsupported output element type";
      result.unsupported = true;
      return result;
    }
  func.setSymName(kGraphFunctionName);
  if (failed(dropEmptyTensors(func, result.signature))) {
    result.error = options.input + ": internal error: cannot drop empty "
                                   "tensors from the graph signature";
    return result;
  }

  auto fail = [&](const std::string &stage, const std::string &why) {
    // Diagnostics carry "node (OpType)" locations from the importer.
    result.error = options.input + ": " + stage + ": " + why;
    return result;
  };
  if (options.emit == EmitKind::TG) {
    if (!writeText(options.output, printModule(*module), result.error))
      return result;
    result.ok = true;
    return result;
  }
  std::string err;
  unsigned opt = options.codegen.optLevel;
  // Register blocks are sized for the target's vector registers (the
  // scheduler's, and the derivation cost model's estimates of them).
  std::unique_ptr<llvm::TargetMachine> tm =
      createTargetMachine(options.codegen, err);
  if (!tm)
    return fail("target", err);
  unsigned vectorBits = targetVectorBits(*tm);
  // Graph rewrites every later stage (derivation included) profits from.
  if (opt > 0) {
    auto graph = [](OpPassManager &pm, unsigned) {
      pm.addPass(createFoldBatchNormIntoConv());
    };
    if (failed(runStage(*module, graph, opt, err)))
      return fail("graph optimization failed", err);
  }
  // Derivation: tg compute ops -> tx programs -> search -> linalg. With
  // derivation off they keep the direct tg -> linalg lowering (--emit=tx
  // still shows their tx form, underived).
  if (options.derive != DeriveMode::Off || options.emit == EmitKind::TX) {
    auto build = [&](OpPassManager &pm, unsigned) {
      buildDerivationStage(pm, options, vectorBits);
    };
    if (failed(runStage(*module, build, opt, err)))
      return fail("derivation failed", err);
    module->walk([&](tx::ProgramOp p) {
      if (p.getDerivation())
        ++result.derivedNodes;
    });
    if (options.emit == EmitKind::TX) {
      if (!writeText(options.output, printModule(*module), result.error))
        return result;
      result.ok = true;
      return result;
    }
    auto lower = [](OpPassManager &pm, unsigned) {
      pm.addPass(createConvertTxToLinalg());
    };
    if (failed(runStage(*module, lower, opt, err)))
      return fail("lowering tx to linalg failed", err);
  }
  if (failed(runStage(*module, buildGraphToLinalgPipeline, opt, err))) {
    result.unsupported = true;
    return fail("lowering to linalg failed", err);
  }
  if (options.emit == EmitKind::Linalg) {
    if (!writeText(options.output, printModule(*module), result.error))
      return result;
    result.ok = true;
    return result;
  }
  auto schedule = [&](OpPassManager &pm, unsigned level) {
    buildSchedulingPipeline(pm, level, vectorBits, options.records,
                            options.listScheduleKeys);
  };
  if (failed(runStage(*module, schedule, opt, err)))
    return fail("loop scheduling failed", err);
  if (failed(runStage(*module, buildBufferizationPipeline, opt, err)))
    return fail("bufferization failed", err);
  if (auto bytes = (*module)->getAttrOfType<IntegerAttr>("tdc.workspace_bytes"))
    result.workspaceBytes = bytes.getInt();
  if (options.profile) {
    auto timers = [](OpPassManager &pm, unsigned) {
      pm.addPass(createInsertProfileTimers());
    };
    if (failed(runStage(*module, timers, opt, err)))
      return fail("inserting profile timers failed", err);
  }
  if (failed(runStage(*module, buildLoweringToLLVMPipeline, opt, err)))
    return fail("lowering to LLVM failed", err);
  if (options.emit == EmitKind::LLVMMLIR) {
    if (!writeText(options.output, printModule(*module), result.error))
      return result;
    result.ok = true;
    return result;
  }

  llvm::LLVMContext llvmCtx;
  auto llvmModule = translateToLLVMIR(*module, llvmCtx, result.signature,
                                      options.codegen, *tm, err);
  if (!llvmModule)
    return fail("code generation failed", err);
  optimizeModule(*llvmModule, options.codegen, *tm);
  if (options.emit == EmitKind::LLVM) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    if (!writeText(options.output, text, result.error))
      return result;
    result.ok = true;
    return result;
  }
  if (options.emit == EmitKind::Asm || options.emit == EmitKind::Obj) {
    if (!emitMachineCode(*llvmModule, *tm, options.emit == EmitKind::Asm,
                         options.output, err))
      return fail("code generation failed", err);
    // The object calls the thread-team runtime; ship it next to it.
    if (options.emit == EmitKind::Obj) {
      llvm::SmallString<256> runtime(options.output);
      llvm::sys::path::replace_extension(runtime, ".runtime.o");
      if (!writeRuntimeObject(std::string(runtime), err))
        return fail("writing the runtime object failed", err);
    }
  } else {
    std::string obj = options.output + ".o.tmp";
    if (!emitMachineCode(*llvmModule, *tm, false, obj, err))
      return fail("code generation failed", err);
    bool linked = linkSharedLibrary(obj, options.output, err);
    llvm::sys::fs::remove(obj);
    if (!linked)
      return fail("link failed", err);
  }
  if (options.writeHeader &&
      (options.emit == EmitKind::Lib || options.emit == EmitKind::Obj)) {
    llvm::SmallString<256> header(options.output);
    llvm::sys::path::replace_extension(header, ".h");
    if (!writeText(
            std::string(header),
            generateHeader(result.signature, options.codegen.symbolPrefix),
            result.error))
      return result;
  }
  result.ok = true;
  return result;
}

} // namespace tdc
