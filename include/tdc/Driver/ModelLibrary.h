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

private:
  void *handle = nullptr;
  int (*runFn)(const void *const *, void *const *) = nullptr;
  ModelSignature sig;
};

/// Deterministic random inputs for a signature (floats uniform in [-1, 1),
/// integers in [0, 10), bools half true).
std::vector<Tensor> randomInputs(const ModelSignature &sig, uint64_t seed);

} // namespace tdc

#endif
