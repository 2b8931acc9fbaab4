//===- Signature.h - names, dtypes and shapes of a model's I/O ---*- C++
//-*-===//
#ifndef TDC_SUPPORT_SIGNATURE_H
#define TDC_SUPPORT_SIGNATURE_H

#include "tdc/Support/Tensor.h"

#include <string>
#include <vector>

namespace tdc {

struct TensorSignature {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// False for zero-element tensors, which have no parameter in the lowered
  /// graph function (not part of the JSON).
  bool materialized = true;
};

/// What the compiled artifact's C API exposes (and returns as JSON).
struct ModelSignature {
  std::vector<TensorSignature> inputs, outputs;
  /// {"inputs":[{"name":..,"dtype":"f32","shape":[..]}],"outputs":[..]}
  std::string toJson() const;
  static bool fromJson(const std::string &json, ModelSignature &out);
};

/// JSON string literal (quotes and escapes).
std::string jsonQuote(const std::string &s);

} // namespace tdc

#endif
