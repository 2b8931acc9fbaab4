//===- ConstantData.h - read and make constant tensors ------------*- C++
//-*-===//
//
// Compile-time rewrites of weights (BatchNormalization folded into a
// convolution, filters stored in another layout) read the elements of a
// constant, dense or dense-resource blob alike, and make new constants.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DIALECT_GRAPH_IR_CONSTANTDATA_H
#define TDC_DIALECT_GRAPH_IR_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <vector>

namespace tdc {

/// The elements attribute of a constant op (tg.constant, arith.constant)
/// defining `v`, or null.
mlir::ElementsAttr constantElements(mlir::Value v);

/// The elements of an f32 constant in row-major order (a splat expanded),
/// or nothing for other element types or attributes without data.
std::optional<std::vector<float>> f32Elements(mlir::ElementsAttr attr);

/// An f32 constant of `type` holding `values`: a dense resource blob named
/// after `name` (made unique), like the importer's initializers.
mlir::ElementsAttr f32Constant(mlir::RankedTensorType type,
                               llvm::ArrayRef<float> values,
                               llvm::StringRef name);

/// The row-major bytes of a constant's `elemBytes`-wide elements (a splat
/// expanded), or empty when the attribute holds no readable data.
std::vector<char> elementBytes(mlir::ElementsAttr attr, int64_t elemBytes);

/// A constant of `type` holding `bytes` (row-major): inline up to 1 KiB,
/// so that small constants stay readable in the IR, else a dense resource
/// blob named after `name` (made unique), 64-byte aligned.
mlir::ElementsAttr bytesConstant(mlir::RankedTensorType type,
                                 llvm::ArrayRef<char> bytes,
                                 llvm::StringRef name);

} // namespace tdc

#endif
