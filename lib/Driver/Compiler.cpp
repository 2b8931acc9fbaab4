//===- Compiler.cpp - ONNX file -> any stage of the pipeline --------------===//
#include "tdc/Driver/Compiler.h"
#include "tdc/Conversion/DeriveToLinalg/DeriveToLinalg.h"
#include "tdc/Conversion/GraphToDerive/GraphToDerive.h"
#include "tdc/Derive/Search.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Target/CPU/Pipeline.h"

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
      {"tg", EmitKind::TG},
      {"linalg", EmitKind::Linalg},
      {"llvm-mlir", EmitKind::LLVMMLIR},
      {"llvm", EmitKind::LLVM},
      {"asm", EmitKind::Asm},
      {"obj", EmitKind::Obj},
      {"lib", EmitKind::Lib}};
  for (auto &[name, kind] : kinds)
    if (s == name) {
      out = kind;
      return true;
    }
  return false;
}

bool parseDeriveMode(const std::string &s, DeriveMode &out) {
  if (s == "off" || s == "full") {
    out = s == "off" ? DeriveMode::Off : DeriveMode::Full;
    return true;
  }
  return false;
}

/// "name (OpType)" of the ONNX node an op came from, as the importer
/// names its locations.
static std::string describeOpLocation(Operation *op) {
  std::string found = "?";
  op->getLoc()->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l)) {
      found = n.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

static bool isStaticF32(Value v) {
  auto rt = dyn_cast<RankedTensorType>(v.getType());
  return rt && rt.hasStaticShape() && rt.getElementType().isF32();
}

/// `program` followed by what the compute op adds to it: the conv bias
/// (per output channel), or Gemm's alpha * P + beta * C (C broadcast).
/// Null when this form is not supported.
static derive::Expr withEpilogue(derive::ExprContext &ctx, Operation *op,
                                 derive::Expr program,
                                 std::map<std::string, Value> &inputs) {
  using namespace derive;
  Value bias;
  double alpha = 1, beta = 1;
  if (auto c = dyn_cast<tg::ConvOp>(op))
    bias = c.getBias();
  else if (auto c = dyn_cast<tg::ConvTransposeOp>(op))
    bias = c.getBias();
  else if (auto g = dyn_cast<tg::GemmOp>(op)) {
    bias = g.getC();
    alpha = g.getAlpha().convertToDouble();
    beta = g.getBeta().convertToDouble();
  }
  if (!bias && alpha == 1)
    return program;
  if (bias && !isStaticF32(bias))
    return nullptr;
  std::vector<int64_t> shape = program->tensorShape();
  std::vector<IterRange> loops;
  std::vector<Index> sub;
  for (size_t d = 0; d < shape.size(); ++d) {
    Iter it = ctx.iter("e" + std::to_string(d));
    loops.push_back({it, {0, shape[d]}});
    sub.push_back(ctx.idx(it));
  }
  Expr body = ctx.access(program, sub);
  if (alpha != 1)
    body = ctx.binary(BinaryOp::Mul, ctx.constant(alpha), body);
  if (bias) {
    auto bs = cast<RankedTensorType>(bias.getType()).getShape();
    std::vector<int64_t> bshape(bs.begin(), bs.end());
    std::vector<Index> bsub;
    if (isa<tg::GemmOp>(op)) {
      // numpy broadcast of C to the output: align right, size-1 dims read 0.
      if (bshape.size() > shape.size())
        return nullptr;
      size_t off = shape.size() - bshape.size();
      for (size_t d = 0; d < bshape.size(); ++d) {
        if (bshape[d] != 1 && bshape[d] != shape[off + d])
          return nullptr;
        bsub.push_back(bshape[d] == 1 ? ctx.cst(0) : sub[off + d]);
      }
    } else {
      if (bshape.size() != 1 || shape.size() < 2 || bshape[0] != shape[1])
        return nullptr;
      bsub.push_back(sub[1]);
    }
    inputs["Bias"] = bias;
    Expr b = ctx.access(ctx.input("Bias", bshape, true), bsub);
    if (beta != 1)
      b = ctx.binary(BinaryOp::Mul, ctx.constant(beta), b);
    body = ctx.binary(BinaryOp::Add, body, b);
  }
  return ctx.scope(loops, {}, body);
}

/// Derive every f32 compute op and replace it by the cheapest verified
/// program when that is cheaper than the op itself. Returns the number of
/// ops replaced. TDC_DERIVE_LOG=1 reports each decision on stderr;
/// TDC_DERIVE_ALWAYS=1 replaces every op by its best program (even the
/// original expression), to test the lowering; TDC_DERIVE_BUDGET=SECONDS
/// overrides the search budget per op.
static int deriveComputeOps(func::FuncOp f, const CompileOptions &options) {
  std::vector<Operation *> ops;
  f.walk([&](Operation *op) {
    if (isa<tg::ConvOp, tg::ConvTransposeOp, tg::MatMulOp, tg::GemmOp>(op))
      ops.push_back(op);
  });
  bool log = std::getenv("TDC_DERIVE_LOG") != nullptr;
  bool always = std::getenv("TDC_DERIVE_ALWAYS") != nullptr;
  derive::CostModel cost;
  auto rules = derive::allRules();
  derive::SearchOptions sopts;
  sopts.maxDepth = 4;
  sopts.timeBudgetSeconds = options.deriveSecondsPerNode;
  if (const char *budget = std::getenv("TDC_DERIVE_BUDGET"))
    sopts.timeBudgetSeconds = std::atof(budget);
  sopts.verify = true;
  int replaced = 0;
  for (Operation *op : ops) {
    std::string name = op->getName().getStringRef().str();
    auto report = [&](const std::string &what) {
      if (log)
        std::fprintf(stderr, "derive: %s at %s: %s\n", name.c_str(),
                     describeOpLocation(op).c_str(), what.c_str());
    };
    bool typesOk = isStaticF32(op->getResult(0));
    for (Value v : op->getOperands())
      typesOk &= isStaticF32(v);
    if (!typesOk) {
      report("skipped: not static f32");
      continue;
    }
    derive::ExprContext ectx;
    std::string why;
    derive::Expr e = exprFromGraphOp(ectx, op, why);
    if (!e) {
      report("skipped: " + why);
      continue;
    }
    std::map<std::string, Value> inputs;
    if (isa<tg::ConvOp, tg::ConvTransposeOp>(op)) {
      inputs["X"] = op->getOperand(0);
      inputs["K"] = op->getOperand(1);
    } else {
      inputs["A"] = op->getOperand(0);
      inputs["B"] = op->getOperand(1);
    }
    // Check the epilogue before the (long) search.
    std::map<std::string, Value> probe;
    if (!withEpilogue(ectx, op, e, probe)) {
      report("skipped: unsupported bias/alpha/beta form");
      continue;
    }
    derive::SearchResult r = derive::derive(ectx, e, rules, cost, sopts);
    std::string chosen;
    for (const std::string &k : r.best.kernels)
      chosen += (chosen.empty() ? "" : " + ") + k;
    char costs[96];
    std::snprintf(costs, sizeof costs, "%.4f ms (was %.4f ms)",
                  r.best.seconds * 1e3, r.original.seconds * 1e3);
    bool better = r.verified && r.best.program != e &&
                  r.best.seconds < r.original.seconds;
    if (!better && !always) {
      report("kept: best " + chosen + ", " + costs +
             (r.verified ? "" : ", not verified"));
      continue;
    }
    derive::Expr program = r.verified ? r.best.program : e;
    program = withEpilogue(ectx, op, program, inputs);
    OpBuilder b(op);
    Value v = lowerExpr(b, op->getLoc(), program, inputs, b.getF32Type());
    if (!v || v.getType() != op->getResult(0).getType()) {
      report("kept: the program cannot be lowered");
      continue;
    }
    op->getResult(0).replaceAllUsesWith(v);
    op->erase();
    ++replaced;
    report("replaced by " + chosen + ", " + costs);
  }
  return replaced;
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
                   "tg, linalg, llvm-mlir and llvm";
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
  if (options.derive == DeriveMode::Full)
    result.derivedNodes = deriveComputeOps(func, options);
  std::string err;
  unsigned opt = options.codegen.optLevel;
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
  if (failed(runStage(*module, buildSchedulingPipeline, opt, err)))
    return fail("loop scheduling failed", err);
  if (failed(runStage(*module, buildBufferizationPipeline, opt, err)))
    return fail("bufferization failed", err);
  if (failed(runStage(*module, buildLoweringToLLVMPipeline, opt, err)))
    return fail("lowering to LLVM failed", err);
  if (options.emit == EmitKind::LLVMMLIR) {
    if (!writeText(options.output, printModule(*module), result.error))
      return result;
    result.ok = true;
    return result;
  }

  std::unique_ptr<llvm::TargetMachine> tm =
      createTargetMachine(options.codegen, err);
  if (!tm)
    return fail("target", err);
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
