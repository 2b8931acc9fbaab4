//===- Tensor.h - host tensors for I/O, constants and checking ---*- C++
//-*-===//
//
// A plain dense host tensor (dtype, shape, row-major bytes). Used for model
// initializers, .npy / .pb inputs and outputs, constant folding of shape
// computations in the importer, and comparing results in `tdc verify`.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_SUPPORT_TENSOR_H
#define TDC_SUPPORT_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace tdc {

enum class DType { F32, F64, F16, I8, I16, I32, I64, U8, U16, U32, U64, Bool };

/// Size in bytes of one element.
size_t dtypeSize(DType t);
/// Short name used in signatures and messages: "f32", "i64", "bool", ...
const char *dtypeName(DType t);
/// Parse a short name; false if unknown.
bool parseDType(const std::string &name, DType &out);
bool isFloat(DType t);

struct Tensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  Tensor() = default;
  Tensor(DType t, std::vector<int64_t> s);

  int64_t numElements() const;
  size_t byteSize() const { return data.size(); }
  template <typename T> T *as() { return reinterpret_cast<T *>(data.data()); }
  template <typename T> const T *as() const {
    return reinterpret_cast<const T *>(data.data());
  }
  /// Element i converted to double / int64 (any dtype).
  double getDouble(int64_t i) const;
  int64_t getInt(int64_t i) const;
  void setDouble(int64_t i, double v);
  void setInt(int64_t i, int64_t v);
  /// Convert to another dtype (ONNX Cast semantics for the common cases).
  Tensor castTo(DType t) const;
  std::string shapeString() const;
};

float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);

/// .npy files (format 1.0/2.0, little endian, C order).
bool readNpy(const std::string &path, Tensor &out, std::string &error);
bool writeNpy(const std::string &path, const Tensor &t, std::string &error);

/// Compare `actual` to `expected` with numpy.allclose semantics
/// (|a - e| <= atol + rtol * |e|, NaN equal to NaN). On mismatch `message`
/// says where and by how much.
bool allClose(const Tensor &actual, const Tensor &expected, double rtol,
              double atol, std::string &message);

} // namespace tdc

#endif
