//===- ConstantRelayout.cpp - weights re-laid out at compile time ---------===//
#include "ConstantRelayout.h"
#include "tdc/Dialect/Graph/IR/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <cstring>
#include <vector>

using namespace mlir;

namespace tdc {

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
  std::vector<char> src = elementBytes(attr, elemBytes);
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
  return arith::ConstantOp::create(
      b, loc, newType,
      bytesConstant(newType, ArrayRef<char>(dst.data(), dst.size()),
                    "tdc_relaid"));
}

} // namespace tdc
