//===- ConstantData.cpp - read and make constant tensors ------------------===//
#include "tdc/Dialect/Graph/IR/ConstantData.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace tdc {

ElementsAttr constantElements(Value v) {
  if (auto c = v.getDefiningOp<tg::ConstantOp>())
    return c.getValue();
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    return dyn_cast<ElementsAttr>(c.getValue());
  return {};
}

std::optional<std::vector<float>> f32Elements(ElementsAttr attr) {
  auto type = dyn_cast<RankedTensorType>(attr.getShapedType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  size_t n = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != n * sizeof(float))
      return std::nullopt;
    std::vector<float> out(n);
    std::memcpy(out.data(), blob->getData().data(), n * sizeof(float));
    return out;
  }
  return std::nullopt;
}

ElementsAttr f32Constant(RankedTensorType type, ArrayRef<float> values,
                         StringRef name) {
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(float)),
      64, /*dataIsMutable=*/false);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

std::vector<char> elementBytes(ElementsAttr attr, int64_t elemBytes) {
  int64_t count = attr.getNumElements();
  std::vector<char> bytes;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      bytes.resize(count * elemBytes);
      for (int64_t i = 0; i < count; ++i)
        std::memcpy(bytes.data() + i * elemBytes, raw.data(), elemBytes);
    } else if ((int64_t)raw.size() == count * elemBytes) {
      bytes.assign(raw.begin(), raw.end());
    }
  } else if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    if (AsmResourceBlob *blob = res.getRawHandle().getBlob()) {
      ArrayRef<char> raw = blob->getData();
      if ((int64_t)raw.size() == count * elemBytes)
        bytes.assign(raw.begin(), raw.end());
    }
  }
  return bytes;
}

ElementsAttr bytesConstant(RankedTensorType type, ArrayRef<char> bytes,
                           StringRef name) {
  if (bytes.size() <= 1024)
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      bytes, 64, /*dataIsMutable=*/false);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

} // namespace tdc
