//===- Tensor.cpp - host tensors
//-------------------------------------------===//
#include "tdc/Support/Tensor.h"

#include <cmath>
#include <cstring>
#include <sstream>

namespace tdc {

size_t dtypeSize(DType t) {
  switch (t) {
  case DType::F64:
  case DType::I64:
  case DType::U64:
    return 8;
  case DType::F32:
  case DType::I32:
  case DType::U32:
    return 4;
  case DType::F16:
  case DType::I16:
  case DType::U16:
    return 2;
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  }
  return 1;
}

static const struct {
  DType t;
  const char *name;
} kNames[] = {{DType::F32, "f32"}, {DType::F64, "f64"}, {DType::F16, "f16"},
              {DType::I8, "i8"},   {DType::I16, "i16"}, {DType::I32, "i32"},
              {DType::I64, "i64"}, {DType::U8, "u8"},   {DType::U16, "u16"},
              {DType::U32, "u32"}, {DType::U64, "u64"}, {DType::Bool, "bool"}};

const char *dtypeName(DType t) {
  for (auto &n : kNames)
    if (n.t == t)
      return n.name;
  return "?";
}

bool parseDType(const std::string &name, DType &out) {
  for (auto &n : kNames)
    if (name == n.name) {
      out = n.t;
      return true;
    }
  return false;
}

bool isFloat(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::F16;
}

Tensor::Tensor(DType t, std::vector<int64_t> s)
    : dtype(t), shape(std::move(s)) {
  data.assign(numElements() * dtypeSize(t), 0);
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else { // subnormal
      exp = 127 - 15 + 1;
      while (!(man & 0x400)) {
        man <<= 1;
        --exp;
      }
      man &= 0x3ff;
      bits = sign | (exp << 23) | (man << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (man << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exp = ((x >> 23) & 0xff) - 127 + 15;
  uint32_t man = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff)
    return sign | 0x7c00u | (man ? 0x200 : 0);
  if (exp >= 31)
    return sign | 0x7c00u;
  if (exp <= 0) {
    if (exp < -10)
      return sign;
    man |= 0x800000;
    uint32_t shift = 14 - exp;
    uint32_t half = man >> shift;
    uint32_t rem = man & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1)))
      ++half;
    return sign | half;
  }
  uint32_t half = sign | (exp << 10) | (man >> 13);
  uint32_t rem = man & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
    ++half;
  return half;
}

double Tensor::getDouble(int64_t i) const {
  switch (dtype) {
  case DType::F32:
    return as<float>()[i];
  case DType::F64:
    return as<double>()[i];
  case DType::F16:
    return halfToFloat(as<uint16_t>()[i]);
  case DType::I8:
    return as<int8_t>()[i];
  case DType::I16:
    return as<int16_t>()[i];
  case DType::I32:
    return as<int32_t>()[i];
  case DType::I64:
    return (double)as<int64_t>()[i];
  case DType::U8:
    return as<uint8_t>()[i];
  case DType::U16:
    return as<uint16_t>()[i];
  case DType::U32:
    return as<uint32_t>()[i];
  case DType::U64:
    return (double)as<uint64_t>()[i];
  case DType::Bool:
    return as<uint8_t>()[i] ? 1.0 : 0.0;
  }
  return 0;
}

int64_t Tensor::getInt(int64_t i) const {
  switch (dtype) {
  case DType::I64:
    return as<int64_t>()[i];
  case DType::U64:
    return (int64_t)as<uint64_t>()[i];
  case DType::I32:
    return as<int32_t>()[i];
  case DType::U32:
    return as<uint32_t>()[i];
  default:
    return (int64_t)getDouble(i);
  }
}

void Tensor::setDouble(int64_t i, double v) {
  switch (dtype) {
  case DType::F32:
    as<float>()[i] = (float)v;
    break;
  case DType::F64:
    as<double>()[i] = v;
    break;
  case DType::F16:
    as<uint16_t>()[i] = floatToHalf((float)v);
    break;
  case DType::Bool:
    as<uint8_t>()[i] = v != 0;
    break;
  default:
    setInt(i, (int64_t)v);
    break;
  }
}

void Tensor::setInt(int64_t i, int64_t v) {
  switch (dtype) {
  case DType::I8:
    as<int8_t>()[i] = (int8_t)v;
    break;
  case DType::I16:
    as<int16_t>()[i] = (int16_t)v;
    break;
  case DType::I32:
    as<int32_t>()[i] = (int32_t)v;
    break;
  case DType::I64:
    as<int64_t>()[i] = v;
    break;
  case DType::U8:
    as<uint8_t>()[i] = (uint8_t)v;
    break;
  case DType::U16:
    as<uint16_t>()[i] = (uint16_t)v;
    break;
  case DType::U32:
    as<uint32_t>()[i] = (uint32_t)v;
    break;
  case DType::U64:
    as<uint64_t>()[i] = (uint64_t)v;
    break;
  case DType::Bool:
    as<uint8_t>()[i] = v != 0;
    break;
  default:
    setDouble(i, (double)v);
    break;
  }
}

Tensor Tensor::castTo(DType t) const {
  Tensor out(t, shape);
  int64_t n = numElements();
  bool intSrc = !isFloat(dtype);
  for (int64_t i = 0; i < n; ++i) {
    if (intSrc && !isFloat(t))
      out.setInt(i, getInt(i));
    else
      out.setDouble(i, getDouble(i));
  }
  return out;
}

std::string Tensor::shapeString() const {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? "," : "") << shape[i];
  os << "]";
  return os.str();
}

bool allClose(const Tensor &actual, const Tensor &expected, double rtol,
              double atol, std::string &message) {
  if (actual.shape != expected.shape) {
    message = "shape " + actual.shapeString() + " != expected " +
              expected.shapeString();
    return false;
  }
  int64_t n = expected.numElements();
  int64_t bad = 0, first = -1;
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    double a = actual.getDouble(i), e = expected.getDouble(i);
    if (!isFloat(expected.dtype) && !isFloat(actual.dtype)) {
      if (actual.getInt(i) == expected.getInt(i))
        continue;
    } else if (std::isnan(a) && std::isnan(e)) {
      continue;
    } else if (std::isinf(e) || std::isinf(a)) {
      if (a == e)
        continue;
    } else if (std::fabs(a - e) <= atol + rtol * std::fabs(e)) {
      continue;
    }
    if (first < 0)
      first = i;
    ++bad;
    double diff = std::fabs(a - e);
    if (!(diff <= worst))
      worst = diff;
  }
  if (bad == 0)
    return true;
  std::ostringstream os;
  os << bad << " of " << n << " elements differ (first at flat index " << first
     << ": got " << actual.getDouble(first) << ", expected "
     << expected.getDouble(first) << "; max abs diff " << worst << ")";
  message = os.str();
  return false;
}

} // namespace tdc
