//===- ShapeUtils.h - shape arithmetic shared by tg users --------*- C++
//-*-===//
//
// Shape rules of ONNX operators, used by the ops' type inference, by the
// importer (auto_pad resolution) and by the lowering.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DIALECT_GRAPH_IR_SHAPEUTILS_H
#define TDC_DIALECT_GRAPH_IR_SHAPEUTILS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>

namespace tdc::tg {

/// numpy broadcasting of two shapes; nullopt if incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Output extent of a sliding window (conv, pooling).
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode = false);

/// Number of elements of a static shape.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

} // namespace tdc::tg

#endif
