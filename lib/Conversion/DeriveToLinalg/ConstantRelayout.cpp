//===- ConstantRelayout.cpp - weights re-laid out at compile time ---------===//
#include "ConstantRelayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>
#include <vector>

using namespace mlir;

namespace tdc {

namespace {

/// Larger constants go to a resource blob, as the importer's weights do.
constexpr size_t kInlineBytes = 1024;

/// The row-major bytes of a non-splat constant, or empty.
ArrayRef<char> rawBytes(ElementsAttr attr, int64_t size) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    if (!dense.isSplat() && (int64_t)dense.getRawData().size() == size)
      return dense.getRawData();
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = res.getRawHandle().getBlob())
      if ((int64_t)blob->getData().size() == size)
        return blob->getData();
  return {};
}

} // namespace

Value transposedConstant(OpBuilder &b, Location loc, Value v,
                         ArrayRef<int64_t> perm) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return {};
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return {};
  Type elem = type.getElementType();
  unsigned bits = elem.getIntOrFloatBitWidth();
  if (bits % 8)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> newShape;
  for (int64_t p : perm)
    newShape.push_back(shape[p]);
  auto newType = RankedTensorType::get(newShape, elem);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    if (dense.isSplat())
      return arith::ConstantOp::create(b, loc, newType,
                                       dense.resizeSplat(newType));
  int64_t elemBytes = bits / 8, count = type.getNumElements();
  ArrayRef<char> src = rawBytes(attr, count * elemBytes);
  if (src.empty())
    return {};
  // Source strides, taken in the result's dim order.
  unsigned rank = shape.size();
  SmallVector<int64_t> strides(rank, 1), permStrides;
  for (int64_t i = (int64_t)rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  for (int64_t p : perm)
    permStrides.push_back(strides[p]);
  std::vector<char> dst(count * elemBytes);
  SmallVector<int64_t> idx(rank, 0);
  int64_t off = 0;
  for (int64_t flat = 0; flat < count; ++flat) {
    std::memcpy(dst.data() + flat * elemBytes, src.data() + off * elemBytes,
                elemBytes);
    for (int64_t d = (int64_t)rank - 1; d >= 0; --d) {
      off += permStrides[d];
      if (++idx[d] < newShape[d])
        break;
      off -= permStrides[d] * newShape[d];
      idx[d] = 0;
    }
  }
  if (dst.size() <= kInlineBytes)
    return arith::ConstantOp::create(
        b, loc, newType,
        DenseElementsAttr::getFromRawBuffer(
            newType, ArrayRef<char>(dst.data(), dst.size())));
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(dst.data(), dst.size()), 64, /*dataIsMutable=*/false);
  return arith::ConstantOp::create(
      b, loc, newType,
      DenseResourceElementsAttr::get(newType, "tdc_relaid", std::move(blob)));
}

} // namespace tdc
