//===- tdc.cpp - the tdc command line
//--------------------------------------===//
//
// tdc compile | run | bench | verify. Exit codes: 0 success, 1 bad input or
// failed check, 2 bad usage.
//
//===----------------------------------------------------------------------===//
#include "tdc/Driver/Compiler.h"
#include "tdc/Driver/Derive.h"
#include "tdc/Driver/ModelLibrary.h"
#include "tdc/Driver/Tune.h"
#include "tdc/Driver/Verify.h"
#include "tdc/Support/Tensor.h"

#include "CLI/CLI.hpp"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

using namespace tdc;

namespace {

/// The derivation cost model's target machine (docs/derivation.md).
void addCostFlags(CLI::App *cmd, double &peakGflops, double &bandwidthGBs) {
  cmd->add_option("--peak-gflops", peakGflops,
                  "Derivation cost model: the target's fp32 FMA peak in "
                  "GFLOP/s (default 475; benchmarks/run.sh measures it)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--mem-bandwidth", bandwidthGBs,
                  "Derivation cost model: the target's memory bandwidth in "
                  "GB/s (default 30)")
      ->check(CLI::PositiveNumber);
}

struct CommonCompileFlags {
  unsigned optLevel = 2;
  std::string target, mcpu = "native";
  std::vector<std::string> dims;
  std::string prefix = "tdc_model";
  // guided: in benchmarks/run.sh it measures at least as fast as off on
  // every model (3x on DCGAN) for about twice the compile time of CNNs.
  std::string derive = "guided";
  int deriveDepth = 4;
  bool verifyDerivation = false;
  double peakGflops = 0, bandwidthGBs = 0;
  double deriveBudget = 60;
  std::string records;

  void add(CLI::App *cmd, bool withRecords = true) {
    cmd->add_option("-O", optLevel, "Optimization level 0-3 (default 2)")
        ->check(CLI::Range(0, 3));
    cmd->add_option(
        "--target", target,
        "Target triple (default: the host, e.g. x86_64-pc-linux-gnu)");
    cmd->add_option("--mcpu", mcpu, "Target CPU (default: native)");
    cmd->add_option("--dim", dims,
                    "Size of a symbolic input dim, NAME=N (repeatable)");
    cmd->add_option("--symbol-prefix", prefix,
                    "Prefix of the C API symbols (default tdc_model)");
    cmd->add_option("--derive", derive,
                    "Replace compute ops by derived programs: off|guided|full "
                    "(default guided)")
        ->check(CLI::IsMember({"off", "guided", "full"}));
    cmd->add_option("--derive-depth", deriveDepth,
                    "Maximum number of rule applications (default 4)")
        ->check(CLI::Range(0, 12));
    cmd->add_flag("--verify", verifyDerivation,
                  "Check each applied derivation with the interpreter "
                  "(a mismatch is an error naming the node)");
    cmd->add_option("--derive-budget", deriveBudget,
                    "Search seconds per program, a safety net: the search "
                    "stops at 20,000 states, which keeps compiles "
                    "deterministic (default 60)")
        ->check(CLI::PositiveNumber);
    addCostFlags(cmd, peakGflops, bandwidthGBs);
    if (withRecords)
      cmd->add_option("--records", records,
                      "Follow the schedules `tdc tune` recorded in this file "
                      "(default: the analytic model's)")
          ->check(CLI::ExistingFile);
  }
  bool apply(CompileOptions &o, std::string &error) const {
    o.codegen.optLevel = optLevel;
    o.codegen.triple = target;
    o.codegen.cpu = mcpu;
    o.codegen.symbolPrefix = prefix;
    parseDeriveMode(derive, o.derive);
    o.deriveDepth = deriveDepth;
    o.verifyDerivation = verifyDerivation;
    o.peakGflops = peakGflops;
    o.deriveSecondsPerNode = deriveBudget;
    o.records = records;
    o.bandwidthGBs = bandwidthGBs;
    for (const auto &d : dims) {
      auto eq = d.find('=');
      if (eq == std::string::npos) {
        error = "--dim expects NAME=N, got '" + d + "'";
        return false;
      }
      o.import.dimValues[d.substr(0, eq)] = std::stoll(d.substr(eq + 1));
    }
    return true;
  }
};

bool readTensorFile(const std::string &path, Tensor &t, std::string &error) {
  if (llvm::StringRef(path).ends_with(".pb"))
    return readTensorProtoFile(path, t, error);
  return readNpy(path, t, error);
}

/// Compile `model` to a temporary shared library and load it.
std::unique_ptr<ModelLibrary> compileAndLoad(const std::string &model,
                                             const CommonCompileFlags &flags,
                                             std::string &tmpDir,
                                             bool profile = false) {
  CompileOptions o;
  o.input = model;
  o.profile = profile;
  std::string err;
  if (!flags.apply(o, err)) {
    std::fprintf(stderr, "tdc: %s\n", err.c_str());
    return nullptr;
  }
  llvm::SmallString<128> dir;
  llvm::sys::fs::createUniqueDirectory("tdc-run", dir);
  tmpDir = std::string(dir);
  o.output = tmpDir + "/model.so";
  o.writeHeader = false;
  CompileResult r = compileModel(o);
  if (!r.ok) {
    std::fprintf(stderr, "%s\n", r.error.c_str());
    return nullptr;
  }
  auto lib = ModelLibrary::load(o.output, flags.prefix, err);
  if (!lib)
    std::fprintf(stderr, "tdc: %s\n", err.c_str());
  return lib;
}

/// The --profile table: nests by time, then the totals per op type.
void printProfile(const std::vector<std::string> &labels, const int64_t *ns,
                  size_t runs, unsigned top, FILE *out) {
  struct Row {
    std::string node, nest;
    double ms;
  };
  std::vector<Row> rows;
  std::map<std::string, std::pair<double, int>> byType;
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    auto tab = labels[i].find('\t');
    Row r{labels[i].substr(0, tab),
          tab == std::string::npos ? "" : labels[i].substr(tab + 1),
          ns[i] / 1e6 / runs};
    total += r.ms;
    // "node 'name' (OpType)": the op type is the last parenthesized part.
    std::string type = "(other)";
    auto open = r.node.rfind(" ("), close = r.node.rfind(')');
    if (open != std::string::npos && close == r.node.size() - 1)
      type = r.node.substr(open + 2, close - open - 2);
    byType[type].first += r.ms;
    byType[type].second += 1;
    rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row &a, const Row &b) { return a.ms > b.ms; });
  std::fprintf(out,
               "\nprofile: %zu timed loop nests, %.3f ms per run in "
               "them\n%9s %6s  %s\n",
               rows.size(), total, "ms/run", "share", "node  [nest]");
  for (size_t i = 0; i < rows.size() && (top == 0 || i < top); ++i)
    std::fprintf(out, "%9.3f %5.1f%%  %s  [%s]\n", rows[i].ms,
                 total > 0 ? 100 * rows[i].ms / total : 0.0,
                 rows[i].node.c_str(), rows[i].nest.c_str());
  if (top && rows.size() > top)
    std::fprintf(out, "  ... %zu more (--profile-top 0 shows all)\n",
                 rows.size() - top);
  std::vector<std::pair<std::string, std::pair<double, int>>> types(
      byType.begin(), byType.end());
  std::stable_sort(types.begin(), types.end(), [](auto &a, auto &b) {
    return a.second.first > b.second.first;
  });
  std::fprintf(out, "\nby op type:\n%9s %6s %6s  %s\n", "ms/run", "share",
               "nests", "op type");
  for (auto &[type, v] : types)
    std::fprintf(out, "%9.3f %5.1f%% %6d  %s\n", v.first,
                 total > 0 ? 100 * v.first / total : 0.0, v.second,
                 type.c_str());
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"tdc: an ahead-of-time compiler for ONNX models.\n"
               "Compiles a model to a self-contained shared library with a C "
               "API, runs it, benchmarks it, or checks it against ONNX "
               "backend-test data."};
  app.require_subcommand(1);

  // compile
  auto *compile = app.add_subcommand(
      "compile", "Compile an ONNX model (to a shared library by default)");
  std::string cInput, cOutput, cEmit = "lib";
  CommonCompileFlags cFlags;
  bool cJson = false, cProfile = false;
  compile->add_option("model", cInput, "ONNX model file")->required();
  compile->add_option("-o,--output", cOutput,
                      "Output file (default: model name with the stage's "
                      "extension)");
  compile->add_option("--emit", cEmit,
                      "Stage to emit: tg|tx|linalg|llvm-mlir|llvm|asm|obj|lib "
                      "(lib also writes a C header next to the library; tx "
                      "is the module after derivation, before linalg)");
  compile->add_flag("--json", cJson, "Print the result and signature as JSON");
  compile->add_flag("--profile", cProfile,
                    "Time every top-level loop nest; the library exports "
                    "<prefix>_profile_{size,label,ns} (docs/artifacts.md)");
  cFlags.add(compile);

  // run
  auto *run = app.add_subcommand(
      "run", "Compile and run a model; write each output as DIR/<name>.npy");
  std::string rInput, rOutDir = ".";
  std::vector<std::string> rInputs;
  bool rRandom = false;
  uint64_t rSeed = 0;
  int rThreads = 0;
  CommonCompileFlags rFlags;
  run->add_option("model", rInput, "ONNX model file")->required();
  run->add_option("--input", rInputs,
                  "NAME=FILE.npy or NAME=FILE.pb (repeatable)");
  run->add_option("--output-dir", rOutDir, "Directory for the outputs");
  run->add_flag("--random-inputs", rRandom,
                "Make up inputs that are not given (deterministic)");
  run->add_option("--seed", rSeed, "Seed for --random-inputs");
  run->add_option("--threads", rThreads,
                  "Threads of the model's parallel loops (default: "
                  "TDC_NUM_THREADS, else the available CPUs)")
      ->check(CLI::NonNegativeNumber);
  rFlags.add(run);

  // bench
  auto *bench = app.add_subcommand("bench", "Measure inference latency");
  std::string bInput;
  unsigned bRuns = 20, bWarmup = 3;
  int bThreads = 0;
  bool bJson = false, bProfile = false;
  unsigned bProfileTop = 30;
  CommonCompileFlags bFlags;
  bench->add_option("model", bInput, "ONNX model file")->required();
  bench->add_option("--runs", bRuns, "Timed runs (default 20)");
  bench->add_option("--warmup", bWarmup, "Untimed warm-up runs (default 3)");
  bench
      ->add_option("--threads", bThreads,
                   "Threads of the model's parallel loops (default: "
                   "TDC_NUM_THREADS, else the available CPUs)")
      ->check(CLI::NonNegativeNumber);
  bench->add_flag("--json", bJson,
                  "Print {\"median_ms\":..,\"min_ms\":..,\"max_ms\":..,"
                  "\"threads\":..}");
  bench->add_flag("--profile", bProfile,
                  "Time every top-level loop nest and print them by time: "
                  "ONNX node, op type, the nest (ms per run, share), then "
                  "the totals per op type (the timers cost a little; the "
                  "median is of the profiled build)");
  bench->add_option("--profile-top", bProfileTop,
                    "Rows of the per-nest profile table (default 30, 0 for "
                    "all)");
  bFlags.add(bench);

  // verify
  auto *verify = app.add_subcommand(
      "verify", "Compile and run ONNX backend-test directories and compare "
                "their outputs (rtol 1e-3, atol 1e-7)");
  VerifyOptions vOpts;
  vOpts.jobs = std::max(1u, std::thread::hardware_concurrency());
  verify
      ->add_option("dirs", vOpts.dirs,
                   "Test directories (model.onnx + test_data_set_*)")
      ->required();
  verify->add_option("-j,--jobs", vOpts.jobs, "Tests run in parallel");
  verify->add_option("--rtol", vOpts.rtol, "Relative tolerance");
  verify->add_option("--atol", vOpts.atol, "Absolute tolerance");
  verify->add_option("--timeout", vOpts.timeoutSeconds,
                     "Seconds per test before it counts as failed");
  verify->add_option("-O", vOpts.optLevel, "Optimization level")
      ->check(CLI::Range(0, 3));
  verify->add_option("--expectations", vOpts.expectations,
                     "File of expected statuses: fail on any regression, "
                     "list newly passing tests");
  verify->add_option("--write-expectations", vOpts.writeExpectations,
                     "Write this run's statuses to a file");
  verify->add_flag("--json", vOpts.json, "Print the results as JSON");
  verify->add_flag("-q,--quiet", vOpts.quiet, "Print only the summary");
  std::string vDerive = "guided";
  verify
      ->add_option("--derive", vDerive,
                   "Replace compute ops by derived programs: off|guided|full "
                   "(default guided)")
      ->check(CLI::IsMember({"off", "guided", "full"}));
  verify->add_flag("--verify", vOpts.verifyDerivation,
                   "Check each applied derivation with the interpreter");

  // tune
  auto *tune = app.add_subcommand(
      "tune", "Measure schedule candidates of a model's heaviest ops on this "
              "machine and record the faster ones (for compile --records)");
  TuneOptions tOpts;
  std::string tInput;
  CommonCompileFlags tFlags;
  tune->add_option("model", tInput, "ONNX model file")->required();
  tune->add_option("--records", tOpts.records,
                   "Records file to write (resumed when it exists)")
      ->required();
  tune->add_option("--max-ops", tOpts.maxOps,
                   "Op signatures to tune, heaviest first (default 4)")
      ->check(CLI::PositiveNumber);
  tune->add_option("--runs", tOpts.runs,
                   "Timed runs per candidate; the fastest counts (default 10)")
      ->check(CLI::PositiveNumber);
  tune->add_option("--threads", tOpts.threads,
                   "Threads of the model's parallel loops (default: "
                   "TDC_NUM_THREADS, else the available CPUs)")
      ->check(CLI::NonNegativeNumber);
  tune->add_flag("--json", tOpts.json,
                 "Print the result as JSON (no progress output)");
  // Tune's --records is its output, not a schedule to follow.
  tFlags.add(tune, /*withRecords=*/false);

  // derive
  auto *derive = app.add_subcommand(
      "derive", "Search equivalent programs for each compute node "
                "(tensor-algebra derivation) and report them");
  DeriveOptions dOpts;
  derive->add_option("model", dOpts.input, "ONNX model file")->required();
  derive
      ->add_option("--derive-depth", dOpts.depth,
                   "Maximum number of rule applications (default 4)")
      ->check(CLI::Range(0, 12));
  derive->add_option("--time-budget", dOpts.timeBudgetSeconds,
                     "Seconds of search per node (default 10)");
  derive->add_flag("--explain", dOpts.explain,
                   "Show each step of the chosen derivation, before and after");
  derive->add_flag("--json", dOpts.json, "Print the results as JSON");
  addCostFlags(derive, dOpts.peakGflops, dOpts.bandwidthGBs);
  bool dNoVerify = false;
  derive->add_flag("--no-verify", dNoVerify,
                   "Skip checking the chosen programs with the interpreter");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (compile->parsed()) {
    CompileOptions o;
    o.input = cInput;
    std::string err;
    if (!parseEmitKind(cEmit, o.emit)) {
      std::fprintf(stderr, "tdc: unknown --emit value '%s'\n", cEmit.c_str());
      return 2;
    }
    if (!cFlags.apply(o, err)) {
      std::fprintf(stderr, "tdc: %s\n", err.c_str());
      return 2;
    }
    o.profile = cProfile;
    if (cOutput.empty()) {
      static const char *ext[] = {".tg.mlir",   ".tx.mlir", ".linalg.mlir",
                                  ".llvm.mlir", ".ll",      ".s",
                                  ".o",         ".so"};
      llvm::SmallString<256> out(llvm::sys::path::filename(cInput));
      llvm::sys::path::replace_extension(out, "");
      cOutput = std::string(out) + ext[(int)o.emit];
    }
    o.output = cOutput;
    auto start = std::chrono::steady_clock::now();
    CompileResult r = compileModel(o);
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (cJson) {
      std::printf("{\"ok\":%s,\"output\":%s,\"seconds\":%.3f,\"error\":%s,"
                  "\"derived\":%d,\"workspace_bytes\":%lld,"
                  "\"signature\":%s}\n",
                  r.ok ? "true" : "false", jsonQuote(cOutput).c_str(), secs,
                  jsonQuote(r.error).c_str(), r.derivedNodes,
                  (long long)r.workspaceBytes,
                  r.ok ? r.signature.toJson().c_str() : "null");
    } else if (!r.ok) {
      std::fprintf(stderr, "%s\n", r.error.c_str());
    }
    return r.ok ? 0 : 1;
  }

  if (run->parsed()) {
    std::string tmp;
    auto lib = compileAndLoad(rInput, rFlags, tmp);
    if (!lib)
      return 1;
    lib->setNumThreads(rThreads);
    const ModelSignature &sig = lib->signature();
    std::vector<Tensor> inputs = rRandom
                                     ? randomInputs(sig, rSeed)
                                     : std::vector<Tensor>(sig.inputs.size());
    std::vector<bool> given(sig.inputs.size(), rRandom);
    for (const auto &spec : rInputs) {
      auto eq = spec.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "tdc: --input expects NAME=FILE, got '%s'\n",
                     spec.c_str());
        return 2;
      }
      std::string name = spec.substr(0, eq), file = spec.substr(eq + 1);
      auto it = std::find_if(sig.inputs.begin(), sig.inputs.end(),
                             [&](auto &s) { return s.name == name; });
      if (it == sig.inputs.end()) {
        std::fprintf(stderr, "tdc: the model has no input '%s'\n",
                     name.c_str());
        return 1;
      }
      std::string err;
      size_t i = it - sig.inputs.begin();
      if (!readTensorFile(file, inputs[i], err)) {
        std::fprintf(stderr, "tdc: %s\n", err.c_str());
        return 1;
      }
      given[i] = true;
    }
    for (size_t i = 0; i < given.size(); ++i)
      if (!given[i]) {
        std::fprintf(stderr,
                     "tdc: input '%s' is not given (use --input %s=FILE.npy "
                     "or --random-inputs)\n",
                     sig.inputs[i].name.c_str(), sig.inputs[i].name.c_str());
        return 1;
      }
    std::vector<Tensor> outputs;
    std::string err;
    if (!lib->run(inputs, outputs, err)) {
      std::fprintf(stderr, "tdc: %s\n", err.c_str());
      return 1;
    }
    llvm::sys::fs::create_directories(rOutDir);
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string name = sig.outputs[i].name;
      std::replace(name.begin(), name.end(), '/', '_');
      std::string path = rOutDir + "/" + name + ".npy";
      if (!writeNpy(path, outputs[i], err)) {
        std::fprintf(stderr, "tdc: %s\n", err.c_str());
        return 1;
      }
      std::printf("%s %s%s -> %s\n", sig.outputs[i].name.c_str(),
                  dtypeName(outputs[i].dtype), outputs[i].shapeString().c_str(),
                  path.c_str());
    }
    llvm::sys::fs::remove_directories(tmp);
    return 0;
  }

  if (bench->parsed()) {
    std::string tmp;
    auto lib = compileAndLoad(bInput, bFlags, tmp, bProfile);
    if (!lib)
      return 1;
    lib->setNumThreads(bThreads);
    std::vector<std::string> labels = lib->profileLabels();
    std::vector<Tensor> inputs = randomInputs(lib->signature(), 0);
    std::vector<Tensor> outputs;
    for (const auto &s : lib->signature().outputs)
      outputs.emplace_back(s.dtype, s.shape);
    std::vector<const void *> in;
    std::vector<void *> out;
    for (auto &t : inputs)
      in.push_back(t.data.data());
    for (auto &t : outputs)
      out.push_back(t.data.data());
    for (unsigned i = 0; i < bWarmup; ++i)
      lib->runRaw(in.data(), out.data());
    if (!labels.empty())
      std::fill_n(lib->profileNanos(), labels.size(), 0);
    std::vector<double> ms;
    for (unsigned i = 0; i < std::max(1u, bRuns); ++i) {
      auto s = std::chrono::steady_clock::now();
      lib->runRaw(in.data(), out.data());
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - s)
                       .count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms[ms.size() / 2];
    if (bJson)
      std::printf("{\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, "
                  "\"threads\": %d}\n",
                  median, ms.front(), ms.back(), lib->numThreads());
    else
      std::printf("median %.4f ms, min %.4f ms, max %.4f ms over %zu runs "
                  "(threads: %d)\n",
                  median, ms.front(), ms.back(), ms.size(), lib->numThreads());
    if (!labels.empty())
      printProfile(labels, lib->profileNanos(), ms.size(), bProfileTop,
                   bJson ? stderr : stdout);
    llvm::sys::fs::remove_directories(tmp);
    return 0;
  }

  if (verify->parsed()) {
    parseDeriveMode(vDerive, vOpts.derive);
    return runVerify(vOpts);
  }
  if (derive->parsed()) {
    dOpts.verify = !dNoVerify;
    return runDerive(dOpts);
  }
  if (tune->parsed()) {
    tOpts.compile.input = tInput;
    std::string err;
    if (!tFlags.apply(tOpts.compile, err)) {
      std::fprintf(stderr, "tdc: %s\n", err.c_str());
      return 2;
    }
    return runTune(tOpts);
  }
  return 2;
}
