//===- ModelLibrary.cpp - load and run a compiled model -------------------===//
#include "tdc/Driver/ModelLibrary.h"

#include <dlfcn.h>
#include <random>

namespace tdc {

std::unique_ptr<ModelLibrary> ModelLibrary::load(const std::string &path,
                                                 const std::string &prefix,
                                                 std::string &error) {
  void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    error = path + ": cannot load: " + (e ? e : "unknown error");
    return nullptr;
  }
  auto lib = std::unique_ptr<ModelLibrary>(new ModelLibrary());
  lib->handle = h;
  lib->runFn = reinterpret_cast<int (*)(const void *const *, void *const *)>(
      dlsym(h, (prefix + "_run").c_str()));
  lib->setThreadsFn = reinterpret_cast<void (*)(int)>(
      dlsym(h, (prefix + "_set_num_threads").c_str()));
  lib->getThreadsFn = reinterpret_cast<int (*)()>(
      dlsym(h, (prefix + "_get_num_threads").c_str()));
  lib->profileSizeFn =
      reinterpret_cast<int (*)()>(dlsym(h, (prefix + "_profile_size").c_str()));
  lib->profileLabelFn = reinterpret_cast<const char *(*)(int)>(
      dlsym(h, (prefix + "_profile_label").c_str()));
  lib->profileNsFn = reinterpret_cast<int64_t *(*)()>(
      dlsym(h, (prefix + "_profile_ns").c_str()));
  auto sigFn = reinterpret_cast<const char *(*)()>(
      dlsym(h, (prefix + "_signature").c_str()));
  if (!lib->runFn || !sigFn) {
    error = path + ": not a tdc model library with prefix '" + prefix + "'";
    return nullptr;
  }
  if (!ModelSignature::fromJson(sigFn(), lib->sig)) {
    error = path + ": malformed signature";
    return nullptr;
  }
  return lib;
}

ModelLibrary::~ModelLibrary() {
  if (handle)
    dlclose(handle);
}

bool ModelLibrary::run(const std::vector<Tensor> &inputs,
                       std::vector<Tensor> &outputs, std::string &error) {
  if (inputs.size() != sig.inputs.size()) {
    error = "expected " + std::to_string(sig.inputs.size()) + " inputs, got " +
            std::to_string(inputs.size());
    return false;
  }
  std::vector<const void *> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto &s = sig.inputs[i];
    if (inputs[i].dtype != s.dtype || inputs[i].shape != s.shape) {
      Tensor want(s.dtype, s.shape);
      error = "input '" + s.name + "' must be " + dtypeName(s.dtype) +
              want.shapeString() + ", got " + dtypeName(inputs[i].dtype) +
              inputs[i].shapeString();
      return false;
    }
    in.push_back(inputs[i].data.data());
  }
  outputs.clear();
  std::vector<void *> out;
  for (const auto &s : sig.outputs)
    outputs.emplace_back(s.dtype, s.shape);
  for (auto &t : outputs)
    out.push_back(t.data.data());
  int rc = runFn(in.data(), out.data());
  if (rc != 0) {
    error = "model run failed with code " + std::to_string(rc);
    return false;
  }
  return true;
}

int ModelLibrary::runRaw(const void *const *inputs, void *const *outputs) {
  return runFn(inputs, outputs);
}

void ModelLibrary::setNumThreads(int n) {
  if (setThreadsFn)
    setThreadsFn(n);
}

int ModelLibrary::numThreads() const {
  return getThreadsFn ? getThreadsFn() : 1;
}

std::vector<std::string> ModelLibrary::profileLabels() const {
  std::vector<std::string> labels;
  if (profileSizeFn && profileLabelFn && profileNsFn)
    for (int i = 0, n = profileSizeFn(); i < n; ++i)
      labels.push_back(profileLabelFn(i));
  return labels;
}

std::vector<Tensor> randomInputs(const ModelSignature &sig, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Tensor> out;
  for (const auto &s : sig.inputs) {
    Tensor t(s.dtype, s.shape);
    std::uniform_real_distribution<double> uf(-1.0, 1.0);
    std::uniform_int_distribution<int64_t> ui(0, 9);
    for (int64_t i = 0; i < t.numElements(); ++i) {
      if (isFloat(s.dtype))
        t.setDouble(i, uf(rng));
      else if (s.dtype == DType::Bool)
        t.setInt(i, ui(rng) % 2);
      else
        t.setInt(i, ui(rng));
    }
    out.push_back(std::move(t));
  }
  return out;
}

} // namespace tdc
