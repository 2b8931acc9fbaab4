//===- ModelLibrary.h - load and run a compiled model ------------*- C++
//-*-===//
#ifndef TDC_DRIVER_MODELLIBRARY_H
#define TDC_DRIVER_MODELLIBRARY_H

#include "tdc/Support/Signature.h"
#include "tdc/Support/Tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace tdc {

/// A shared library built by `tdc compile`, loaded with dlopen.
class ModelLibrary {
public:
  static std::unique_ptr<ModelLibrary>
  load(const std::string &path, const std::string &prefix, std::string &error);
  ~ModelLibrary();
  const ModelSignature &signature() const { return sig; }
  /// Check the inputs against the signature, allocate outputs, run.
  bool run(const std::vector<Tensor> &inputs, std::vector<Tensor> &outputs,
           std::string &error);
  /// Run on raw buffers (no checks; for benchmarking).
  int runRaw(const void *const *inputs, void *const *outputs);
  /// Threads of the library's parallel loops: n >= 1, or n <= 0 for the
  /// library's default (TDC_NUM_THREADS, else the CPUs it may run on).
  void setNumThreads(int n);
  /// The thread count runs use (1 for libraries without a thread team).
  int numThreads() const;
  /// The timer slots of a --profile build (empty for other builds): one
  /// label ("node 'name' (OpType)\tnest") and accumulated nanoseconds each.
  std::vector<std::string> profileLabels() const;
  int64_t *profileNanos() const {
    return profileNsFn ? profileNsFn() : nullptr;
  }

private:
  void *handle = nullptr;
  int (*runFn)(const void *const *, void *const *) = nullptr;
  void (*setThreadsFn)(int) = nullptr;
  int (*getThreadsFn)() = nullptr;
  int (*profileSizeFn)() = nullptr;
  const char *(*profileLabelFn)(int) = nullptr;
  int64_t *(*profileNsFn)() = nullptr;
  ModelSignature sig;
};

/// Deterministic random inputs for a signature (floats uniform in [-1, 1),
/// integers in [0, 10), bools half true).
std::vector<Tensor> randomInputs(const ModelSignature &sig, uint64_t seed);

} // namespace tdc

#endif
