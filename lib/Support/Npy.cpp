//===- Npy.cpp - numpy .npy reader and writer
//------------------------------===//
#include "tdc/Support/Tensor.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace tdc {

static const struct {
  DType t;
  const char *descr;
} kDescr[] = {{DType::F32, "f4"}, {DType::F64, "f8"}, {DType::F16, "f2"},
              {DType::I8, "i1"},  {DType::I16, "i2"}, {DType::I32, "i4"},
              {DType::I64, "i8"}, {DType::U8, "u1"},  {DType::U16, "u2"},
              {DType::U32, "u4"}, {DType::U64, "u8"}, {DType::Bool, "b1"}};

// Value of `key` in the header dict, as the raw text after the colon.
static std::string headerField(const std::string &h, const std::string &key) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos)
    return "";
  size_t c = h.find(':', k);
  if (c == std::string::npos)
    return "";
  size_t s = h.find_first_not_of(' ', c + 1);
  if (s == std::string::npos)
    return "";
  size_t e = h[s] == '(' ? h.find(')', s) + 1 : h.find_first_of(",}", s);
  return h.substr(s, e - s);
}

bool readNpy(const std::string &path, Tensor &out, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    error = path + ": not a .npy file";
    return false;
  }
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    uint8_t b[2];
    in.read(reinterpret_cast<char *>(b), 2);
    hlen = b[0] | (b[1] << 8);
  } else {
    uint8_t b[4];
    in.read(reinterpret_cast<char *>(b), 4);
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
  }
  std::string header(hlen, '\0');
  if (!in.read(header.data(), hlen)) {
    error = path + ": truncated header";
    return false;
  }
  std::string descr = headerField(header, "descr");
  std::string order = headerField(header, "fortran_order");
  std::string shape = headerField(header, "shape");
  if (descr.size() < 4 || shape.empty()) {
    error = path + ": malformed header";
    return false;
  }
  if (order.find("True") != std::string::npos) {
    error = path + ": Fortran-ordered arrays are not supported";
    return false;
  }
  char endian = descr[1];
  std::string code = descr.substr(2, descr.size() - 3);
  bool found = false;
  for (auto &d : kDescr)
    if (code == d.descr) {
      out.dtype = d.t;
      found = true;
    }
  if (!found || endian == '>') {
    error = path + ": unsupported dtype " + descr;
    return false;
  }
  out.shape.clear();
  std::string dims = shape.substr(1, shape.size() - 2);
  std::stringstream ss(dims);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos)
      continue;
    out.shape.push_back(std::stoll(item));
  }
  out.data.assign(out.numElements() * dtypeSize(out.dtype), 0);
  if (!in.read(reinterpret_cast<char *>(out.data.data()), out.data.size())) {
    error = path + ": truncated data";
    return false;
  }
  return true;
}

bool writeNpy(const std::string &path, const Tensor &t, std::string &error) {
  std::string descr;
  for (auto &d : kDescr)
    if (d.t == t.dtype)
      descr = std::string(dtypeSize(t.dtype) == 1 ? "|" : "<") + d.descr;
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? "," : "") +
             (i + 1 < t.shape.size() ? ", " : "");
  shape += ")";
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    error = path + ": cannot write";
    return false;
  }
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t hlen = header.size();
  char b[2] = {(char)(hlen & 0xff), (char)(hlen >> 8)};
  out.write(b, 2);
  out.write(header.data(), header.size());
  out.write(reinterpret_cast<const char *>(t.data.data()), t.data.size());
  if (!out) {
    error = path + ": write failed";
    return false;
  }
  return true;
}

} // namespace tdc
