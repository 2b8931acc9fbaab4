//===- CodeGen.cpp - LLVM dialect -> object code for the CPU --------------===//
#include "tdc/Target/CPU/CodeGen.h"
#include "ElasticRegions.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace llvm;

namespace tdc {

std::unique_ptr<TargetMachine>
createTargetMachine(const CodegenOptions &options, std::string &error) {
  static bool initialized = [] {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  Triple triple(options.triple.empty() ? sys::getDefaultTargetTriple()
                                       : options.triple);
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu, features;
  if (cpu.empty() || cpu == "native") {
    cpu = sys::getHostCPUName().str();
    SubtargetFeatures f;
    for (auto &kv : sys::getHostCPUFeatures())
      f.AddFeature(kv.first(), kv.second);
    features = f.getString();
  }
  TargetOptions to;
  CodeGenOptLevel level = options.optLevel == 0   ? CodeGenOptLevel::None
                          : options.optLevel == 1 ? CodeGenOptLevel::Less
                          : options.optLevel == 2 ? CodeGenOptLevel::Default
                                                  : CodeGenOptLevel::Aggressive;
  std::unique_ptr<TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to, Reloc::PIC_, std::nullopt, level));
  if (!tm)
    error = "cannot create a target machine for " + triple.str();
  return tm;
}

unsigned targetVectorBits(const TargetMachine &tm) {
  const MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  if (!tm.getTargetTriple().isX86() || !sti)
    return 128;
  if (sti->checkFeatures("+avx512f"))
    return 512;
  if (sti->checkFeatures("+avx"))
    return 256;
  return 128;
}

/// Workspaces up to this size are static storage of the library (.bss,
/// paged in once); larger ones are allocated per call.
static constexpr uint64_t kStaticWorkspaceLimit = uint64_t(1) << 30;

/// Calls `graph(args..., workspace)`. The library's static workspace serves
/// one call at a time: a call that finds it taken (another thread is
/// running the model) allocates a workspace of its own and frees it after,
/// so concurrent calls stay safe. Returns 1 from the caller when that
/// allocation fails. The bytes from `zeroedFrom` on must be zero when the
/// graph starts (tdc-plan-buffers keeps persistent zeros there): the
/// static workspace starts zeroed, one allocated per call is zeroed there.
static void emitCallWithWorkspace(IRBuilder<> &b, Module &m, Function *graph,
                                  SmallVector<Value *> args, uint64_t bytes,
                                  uint64_t zeroedFrom,
                                  const std::string &prefix) {
  LLVMContext &ctx = m.getContext();
  Function *run = b.GetInsertBlock()->getParent();
  Type *ptr = PointerType::getUnqual(ctx);
  Type *i64 = b.getInt64Ty();
  uint64_t rounded = alignTo(bytes, 64);
  FunctionCallee alignedAlloc =
      m.getOrInsertFunction("aligned_alloc", ptr, i64, i64);
  FunctionCallee freeFn = m.getOrInsertFunction("free", b.getVoidTy(), ptr);

  Value *mine = b.getFalse();
  Value *staticWs = nullptr;
  GlobalVariable *busy = nullptr;
  if (rounded <= kStaticWorkspaceLimit) {
    auto *arrTy = ArrayType::get(b.getInt8Ty(), rounded);
    auto *ws = new GlobalVariable(m, arrTy, false, GlobalValue::InternalLinkage,
                                  ConstantAggregateZero::get(arrTy),
                                  prefix + "_workspace");
    ws->setAlignment(Align(64));
    busy = new GlobalVariable(m, b.getInt8Ty(), false,
                              GlobalValue::InternalLinkage, b.getInt8(0),
                              prefix + "_workspace_busy");
    Value *old = b.CreateAtomicRMW(AtomicRMWInst::Xchg, busy, b.getInt8(1),
                                   MaybeAlign(1), AtomicOrdering::Acquire);
    mine = b.CreateICmpEQ(old, b.getInt8(0));
    staticWs = ws;
  }
  BasicBlock *from = b.GetInsertBlock();
  auto *heapBB = BasicBlock::Create(ctx, "workspace.heap", run);
  auto *failBB = BasicBlock::Create(ctx, "workspace.nomem", run);
  auto *callBB = BasicBlock::Create(ctx, "call", run);
  b.CreateCondBr(mine, callBB, heapBB);

  b.SetInsertPoint(heapBB);
  Value *heap =
      b.CreateCall(alignedAlloc, {b.getInt64(64), b.getInt64(rounded)});
  BasicBlock *heapEnd = b.GetInsertBlock();
  if (zeroedFrom < rounded) {
    auto *zeroBB = BasicBlock::Create(ctx, "workspace.zero", run);
    b.CreateCondBr(b.CreateIsNull(heap), failBB, zeroBB);
    b.SetInsertPoint(zeroBB);
    b.CreateMemSet(b.CreateConstGEP1_64(b.getInt8Ty(), heap, zeroedFrom),
                   b.getInt8(0), rounded - zeroedFrom, MaybeAlign(64));
    b.CreateBr(callBB);
    heapEnd = zeroBB;
  } else {
    b.CreateCondBr(b.CreateIsNull(heap), failBB, callBB);
  }
  b.SetInsertPoint(failBB);
  b.CreateRet(b.getInt32(1));

  b.SetInsertPoint(callBB);
  PHINode *ws = b.CreatePHI(ptr, 2);
  ws->addIncoming(staticWs ? staticWs : Constant::getNullValue(ptr), from);
  ws->addIncoming(heap, heapEnd);
  args.push_back(ws);
  b.CreateCall(graph, args);
  auto *freeBB = BasicBlock::Create(ctx, "workspace.free", run);
  auto *releaseBB = BasicBlock::Create(ctx, "workspace.release", run);
  auto *doneBB = BasicBlock::Create(ctx, "done", run);
  b.CreateCondBr(mine, releaseBB, freeBB);
  b.SetInsertPoint(freeBB);
  b.CreateCall(freeFn, {ws});
  b.CreateBr(doneBB);
  b.SetInsertPoint(releaseBB);
  if (busy)
    b.CreateAlignedStore(b.getInt8(0), busy, MaybeAlign(1))
        ->setAtomic(AtomicOrdering::Release);
  b.CreateBr(doneBB);
  b.SetInsertPoint(doneBB);
}

std::unique_ptr<Module>
translateToLLVMIR(mlir::ModuleOp module, LLVMContext &llvmCtx,
                  const ModelSignature &sig, const CodegenOptions &options,
                  TargetMachine &tm, std::string &error) {
  // --profile builds: the labels of the timer slots (InsertProfileTimers).
  SmallVector<std::string> profileLabels;
  if (auto labels =
          module->getAttrOfType<mlir::ArrayAttr>("tdc.profile_labels")) {
    for (mlir::Attribute a : labels)
      profileLabels.push_back(cast<mlir::StringAttr>(a).str());
    module->removeAttr("tdc.profile_labels");
  }
  // Bytes of the temporaries' workspace (tdc-plan-buffers), which the graph
  // function takes as its last argument.
  uint64_t workspaceBytes = 0;
  if (auto bytes =
          module->getAttrOfType<mlir::IntegerAttr>("tdc.workspace_bytes")) {
    workspaceBytes = bytes.getValue().getZExtValue();
    module->removeAttr("tdc.workspace_bytes");
  }
  uint64_t zeroedFrom = workspaceBytes;
  if (auto from = module->getAttrOfType<mlir::IntegerAttr>(
          "tdc.workspace_zeroed_from")) {
    zeroedFrom = from.getValue().getZExtValue();
    module->removeAttr("tdc.workspace_zeroed_from");
  }
  std::unique_ptr<Module> m = mlir::translateModuleToLLVMIR(module, llvmCtx);
  if (!m) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  m->setTargetTriple(tm.getTargetTriple());
  m->setDataLayout(tm.createDataLayout());

  Function *graph = m->getFunction(kGraphFunctionName);
  size_t nIn = sig.inputs.size(), nOut = sig.outputs.size();
  size_t nParams = 0;
  for (const auto *list : {&sig.inputs, &sig.outputs})
    for (const auto &t : *list)
      nParams += t.materialized;
  if (!graph || graph->arg_size() != nParams + (workspaceBytes ? 1 : 0)) {
    error = "internal error: lowered graph function has an unexpected "
            "signature";
    return nullptr;
  }
  graph->setLinkage(GlobalValue::InternalLinkage);

  IRBuilder<> b(llvmCtx);
  Type *ptr = PointerType::getUnqual(llvmCtx);
  Type *i32 = b.getInt32Ty();
  const std::string &p = options.symbolPrefix;

  // int <prefix>_run(const void *const *inputs, void *const *outputs)
  auto *runTy = FunctionType::get(i32, {ptr, ptr}, false);
  auto *run =
      Function::Create(runTy, GlobalValue::ExternalLinkage, p + "_run", *m);
  b.SetInsertPoint(BasicBlock::Create(llvmCtx, "entry", run));
  SmallVector<Value *> args;
  for (size_t i = 0; i < nIn + nOut; ++i) {
    if (!(i < nIn ? sig.inputs[i] : sig.outputs[i - nIn]).materialized)
      continue;
    Value *base = i < nIn ? run->getArg(0) : run->getArg(1);
    size_t idx = i < nIn ? i : i - nIn;
    Value *slot = b.CreateConstGEP1_64(ptr, base, idx);
    args.push_back(b.CreateLoad(ptr, slot));
  }
  if (workspaceBytes)
    emitCallWithWorkspace(b, *m, graph, args, workspaceBytes, zeroedFrom, p);
  else
    b.CreateCall(graph, args);
  b.CreateRet(b.getInt32(0));

  auto constant = [&](const std::string &name, int value) {
    auto *f = Function::Create(FunctionType::get(i32, {}, false),
                               GlobalValue::ExternalLinkage, name, *m);
    b.SetInsertPoint(BasicBlock::Create(llvmCtx, "entry", f));
    b.CreateRet(b.getInt32(value));
  };
  constant(p + "_num_inputs", (int)nIn);
  constant(p + "_num_outputs", (int)nOut);

  // Thread count of the runtime's team (runtime/tdc_runtime.c).
  Type *voidTy = b.getVoidTy();
  auto *setRt = Function::Create(FunctionType::get(voidTy, {i32}, false),
                                 GlobalValue::ExternalLinkage,
                                 "tdc_rt_set_num_threads", *m);
  auto *getRt = Function::Create(FunctionType::get(i32, {}, false),
                                 GlobalValue::ExternalLinkage,
                                 "tdc_rt_get_num_threads", *m);
  auto *setFn = Function::Create(FunctionType::get(voidTy, {i32}, false),
                                 GlobalValue::ExternalLinkage,
                                 p + "_set_num_threads", *m);
  b.SetInsertPoint(BasicBlock::Create(llvmCtx, "entry", setFn));
  b.CreateCall(setRt, {setFn->getArg(0)});
  b.CreateRetVoid();
  auto *getFn = Function::Create(FunctionType::get(i32, {}, false),
                                 GlobalValue::ExternalLinkage,
                                 p + "_get_num_threads", *m);
  b.SetInsertPoint(BasicBlock::Create(llvmCtx, "entry", getFn));
  b.CreateRet(b.CreateCall(getRt));

  // Regions that only claim chunks of dynamic loops need not wait for
  // workers that have not started them.
  redirectElasticRegions(*m);
  // Parallel loops call the LLVM OpenMP runtime ABI; tdc's runtime
  // implements the entry points it needs under its own names, so that a
  // libomp in the same process is never mixed in.
  for (Function &f : *m)
    if (f.isDeclaration() && f.getName().starts_with("__kmpc_"))
      f.setName("tdc_kmpc_" + f.getName().drop_front(7).str());

  // int <prefix>_profile_size(void); const char *<prefix>_profile_label(int);
  // int64_t *<prefix>_profile_ns(void): the timer slots of --profile builds.
  if (!profileLabels.empty()) {
    GlobalVariable *slots = m->getGlobalVariable("tdc_profile_ns", true);
    if (!slots) {
      error = "internal error: profile slots missing";
      return nullptr;
    }
    constant(p + "_profile_size", (int)profileLabels.size());
    SmallVector<Constant *> strs;
    for (auto [i, label] : llvm::enumerate(profileLabels))
      strs.push_back(b.CreateGlobalString(
          label, p + "_profile_label_" + std::to_string(i), 0, m.get()));
    auto *arrTy = ArrayType::get(ptr, strs.size());
    auto *table = new GlobalVariable(
        *m, arrTy, true, GlobalValue::PrivateLinkage,
        ConstantArray::get(arrTy, strs), p + "_profile_labels");
    auto *labelFn = Function::Create(FunctionType::get(ptr, {i32}, false),
                                     GlobalValue::ExternalLinkage,
                                     p + "_profile_label", *m);
    b.SetInsertPoint(BasicBlock::Create(llvmCtx, "entry", labelFn));
    Value *idx = b.CreateSExt(labelFn->getArg(0), b.getInt64Ty());
    b.CreateRet(b.CreateLoad(
        ptr, b.CreateInBoundsGEP(arrTy, table, {b.getInt64(0), idx})));
    auto *nsFn =
        Function::Create(FunctionType::get(ptr, {}, false),
                         GlobalValue::ExternalLinkage, p + "_profile_ns", *m);
    b.SetInsertPoint(BasicBlock::Create(llvmCtx, "entry", nsFn));
    b.CreateRet(slots);
  }

  auto *sigFn =
      Function::Create(FunctionType::get(ptr, {}, false),
                       GlobalValue::ExternalLinkage, p + "_signature", *m);
  b.SetInsertPoint(BasicBlock::Create(llvmCtx, "entry", sigFn));
  b.CreateRet(b.CreateGlobalString(sig.toJson(), p + "_signature_json"));

  std::string verifyMsg;
  raw_string_ostream os(verifyMsg);
  if (verifyModule(*m, &os)) {
    error = "internal error: invalid LLVM IR: " + verifyMsg;
    return nullptr;
  }
  return m;
}

void optimizeModule(Module &module, const CodegenOptions &options,
                    TargetMachine &tm) {
  if (options.optLevel == 0)
    return;
  // LLVM's x86 tuning for recent AVX-512 cores prefers 256-bit vectors for
  // loops it vectorizes itself (the elementwise and depthwise nests), out of
  // caution about clock drops on older cores; the register-blocked kernels
  // already use full 512-bit vectors, so the rest may as well.
  if (targetVectorBits(tm) == 512)
    for (Function &f : module)
      if (!f.isDeclaration())
        f.addFnAttr("prefer-vector-width", "512");
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PipelineTuningOptions pto;
  pto.LoopVectorization = options.optLevel >= 2;
  pto.SLPVectorization = options.optLevel >= 2;
  PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  OptimizationLevel level = options.optLevel == 1   ? OptimizationLevel::O1
                            : options.optLevel == 2 ? OptimizationLevel::O2
                                                    : OptimizationLevel::O3;
  ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

bool emitMachineCode(Module &module, TargetMachine &tm, bool assembly,
                     const std::string &path, std::string &error) {
  // Write to a temporary next to the target, then rename: nothing is left
  // half-written on failure.
  std::string tmp = path + ".tmp";
  std::error_code ec;
  {
    raw_fd_ostream out(tmp, ec, sys::fs::OF_None);
    if (ec) {
      error = path + ": " + ec.message();
      return false;
    }
    legacy::PassManager pm;
    if (tm.addPassesToEmitFile(pm, out, nullptr,
                               assembly ? CodeGenFileType::AssemblyFile
                                        : CodeGenFileType::ObjectFile)) {
      error = "the target cannot emit this file type";
      sys::fs::remove(tmp);
      return false;
    }
    pm.run(module);
  }
  if ((ec = sys::fs::rename(tmp, path))) {
    error = path + ": " + ec.message();
    sys::fs::remove(tmp);
    return false;
  }
  return true;
}

} // namespace tdc
