//===- TensorProto.cpp - ONNX TensorProto <-> host tensors
//-----------------===//
#include "ImportContext.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cstring>
#include <fstream>
#include <sstream>

using namespace mlir;

namespace tdc::import {

Type toMlirType(MLIRContext &ctx, DType t) {
  switch (t) {
  case DType::F32:
    return Float32Type::get(&ctx);
  case DType::F64:
    return Float64Type::get(&ctx);
  case DType::F16:
    return Float16Type::get(&ctx);
  case DType::I8:
    return IntegerType::get(&ctx, 8);
  case DType::I16:
    return IntegerType::get(&ctx, 16);
  case DType::I32:
    return IntegerType::get(&ctx, 32);
  case DType::I64:
    return IntegerType::get(&ctx, 64);
  case DType::U8:
    return IntegerType::get(&ctx, 8, IntegerType::Unsigned);
  case DType::U16:
    return IntegerType::get(&ctx, 16, IntegerType::Unsigned);
  case DType::U32:
    return IntegerType::get(&ctx, 32, IntegerType::Unsigned);
  case DType::U64:
    return IntegerType::get(&ctx, 64, IntegerType::Unsigned);
  case DType::Bool:
    return IntegerType::get(&ctx, 1);
  }
  return {};
}

bool fromMlirType(Type t, DType &out) {
  if (t.isF32())
    out = DType::F32;
  else if (t.isF64())
    out = DType::F64;
  else if (t.isF16())
    out = DType::F16;
  else if (auto i = dyn_cast<IntegerType>(t)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 1:
      out = DType::Bool;
      break;
    case 8:
      out = u ? DType::U8 : DType::I8;
      break;
    case 16:
      out = u ? DType::U16 : DType::I16;
      break;
    case 32:
      out = u ? DType::U32 : DType::I32;
      break;
    case 64:
      out = u ? DType::U64 : DType::I64;
      break;
    default:
      return false;
    }
  } else
    return false;
  return true;
}

bool fromOnnxType(int t, DType &out) {
  using TP = onnx::TensorProto;
  switch (t) {
  case TP::FLOAT:
    out = DType::F32;
    return true;
  case TP::DOUBLE:
    out = DType::F64;
    return true;
  case TP::FLOAT16:
    out = DType::F16;
    return true;
  case TP::INT8:
    out = DType::I8;
    return true;
  case TP::INT16:
    out = DType::I16;
    return true;
  case TP::INT32:
    out = DType::I32;
    return true;
  case TP::INT64:
    out = DType::I64;
    return true;
  case TP::UINT8:
    out = DType::U8;
    return true;
  case TP::UINT16:
    out = DType::U16;
    return true;
  case TP::UINT32:
    out = DType::U32;
    return true;
  case TP::UINT64:
    out = DType::U64;
    return true;
  case TP::BOOL:
    out = DType::Bool;
    return true;
  default:
    return false;
  }
}

static const char *onnxTypeName(int t) {
  using TP = onnx::TensorProto;
  switch (t) {
  case TP::STRING:
    return "string";
  case TP::BFLOAT16:
    return "bfloat16";
  case TP::COMPLEX64:
    return "complex64";
  case TP::COMPLEX128:
    return "complex128";
  default:
    return "unknown";
  }
}

bool tensorFromProto(const onnx::TensorProto &p, Tensor &out,
                     std::string &error) {
  DType dt;
  if (!fromOnnxType(p.data_type(), dt)) {
    error =
        std::string("unsupported tensor type ") + onnxTypeName(p.data_type());
    return false;
  }
  if (p.has_data_location() &&
      p.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "tensor '" + p.name() + "' uses external data, not supported yet";
    return false;
  }
  // Validate dims before allocating: a corrupt or mistyped proto must not
  // turn into a huge allocation.
  int64_t count = 1;
  for (int64_t d : p.dims()) {
    if (d < 0 || (d > 0 && count > (int64_t(1) << 34) / d)) {
      error = "tensor '" + p.name() + "' has invalid dims";
      return false;
    }
    count *= d;
  }
  out = Tensor(dt, std::vector<int64_t>(p.dims().begin(), p.dims().end()));
  int64_t n = out.numElements();
  if (p.has_raw_data()) {
    if (p.raw_data().size() != out.data.size()) {
      error = "tensor '" + p.name() + "' raw data has " +
              std::to_string(p.raw_data().size()) + " bytes, expected " +
              std::to_string(out.data.size());
      return false;
    }
    std::memcpy(out.data.data(), p.raw_data().data(), out.data.size());
    return true;
  }
  auto check = [&](int64_t have) {
    if (have != n) {
      error = "tensor '" + p.name() + "' has " + std::to_string(have) +
              " values, expected " + std::to_string(n);
      return false;
    }
    return true;
  };
  switch (dt) {
  case DType::F32:
    if (!check(p.float_data_size()))
      return false;
    for (int64_t i = 0; i < n; ++i)
      out.as<float>()[i] = p.float_data(i);
    return true;
  case DType::F64:
    if (!check(p.double_data_size()))
      return false;
    for (int64_t i = 0; i < n; ++i)
      out.as<double>()[i] = p.double_data(i);
    return true;
  case DType::I64:
    if (!check(p.int64_data_size()))
      return false;
    for (int64_t i = 0; i < n; ++i)
      out.as<int64_t>()[i] = p.int64_data(i);
    return true;
  case DType::U32:
  case DType::U64:
    if (!check(p.uint64_data_size()))
      return false;
    for (int64_t i = 0; i < n; ++i)
      out.setInt(i, (int64_t)p.uint64_data(i));
    return true;
  case DType::F16:
    // float16 bits are stored in int32_data.
    if (!check(p.int32_data_size()))
      return false;
    for (int64_t i = 0; i < n; ++i)
      out.as<uint16_t>()[i] = (uint16_t)p.int32_data(i);
    return true;
  default:
    if (!check(p.int32_data_size()))
      return false;
    for (int64_t i = 0; i < n; ++i)
      out.setInt(i, p.int32_data(i));
    return true;
  }
}

} // namespace tdc::import

bool tdc::readTensorProtoFile(const std::string &path, Tensor &out,
                              std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(ss.str())) {
    error = path + ": not a serialized ONNX TensorProto";
    return false;
  }
  std::string why;
  if (!import::tensorFromProto(proto, out, why)) {
    error = path + ": " + why;
    return false;
  }
  return true;
}
