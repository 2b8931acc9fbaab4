//===- LoweringUtils.h - helpers of the tg -> linalg patterns ---*- C++ -*-===//
//
// Helpers shared by the tg -> linalg pattern files (one file per op family,
// each populating its patterns through GraphToLinalg.h).
//
//===----------------------------------------------------------------------===//
#ifndef TDC_LIB_CONVERSION_GRAPHTOLINALG_LOWERINGUTILS_H
#define TDC_LIB_CONVERSION_GRAPHTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace tdc::lowering {

using BodyBuilder = std::function<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                              mlir::ValueRange)>;

/// tensor.empty of a static type.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);
/// A tensor of `type` filled with `value` (linalg.fill).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value value);

/// Indexing map that reads an operand of `shape` broadcast (numpy rules) to
/// an iteration space of rank `rank`: leading dims are dropped and size-1
/// dims read index 0 unless the iteration dim is also of size 1.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<int64_t> outShape);

/// Elementwise linalg.generic over `resultType`'s shape; inputs are
/// broadcast to it. `body` maps the input scalars to the result scalar.
mlir::Value elementwise(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType resultType,
                        mlir::ValueRange inputs, const BodyBuilder &body);

/// Scalar constant of an element type (float or integer).
mlir::Value scalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                   double value);
/// Convert a scalar between element types (ONNX Cast semantics: float to
/// int truncates toward zero, to bool is != 0).
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                          mlir::Type to);

/// Neutral and combining values of the reductions used by several families.
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type t);
mlir::Value highestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type t);
mlir::Value maxScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y);
mlir::Value minScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y);

/// Reduce `input` over `axes` (sorted, unique) with `combine`, starting from
/// `init`; the result keeps rank when keepdims, and is reshaped to
/// `resultType`.
mlir::Value
reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
       llvm::ArrayRef<int64_t> axes, mlir::RankedTensorType resultType,
       mlir::Value init,
       const std::function<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                       mlir::Value, mlir::Value)> &combine);

/// Reshape between static shapes with tensor.reshape-free ops
/// (tensor.collapse_shape + tensor.expand_shape via a 1-D form).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                      llvm::ArrayRef<int64_t> shape);

/// Ranked tensor types: a new one, and a value's shape and element type.
mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape,
                                  mlir::Type elem);
llvm::ArrayRef<int64_t> shapeOf(mlir::Value v);
mlir::Type elemOf(mlir::Value v);
/// `t` with element type `elem`.
mlir::RankedTensorType withElement(mlir::RankedTensorType t, mlir::Type elem);

/// x * y and x + y of float or integer scalars (for bools: and, or).
mlir::Value mul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                mlir::Value y);
mlir::Value add(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                mlir::Value y);

/// Sums of 16-bit floats accumulate in f32 so that long windows keep the
/// precision the ONNX tests expect.
mlir::Type accumulatorType(mlir::Type elem);

/// Convert a tensor to `resultType`'s element type (no-op when equal).
mlir::Value convertTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                          mlir::RankedTensorType resultType);

/// Pad the spatial dims (2..) of an NC... tensor with `value`.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       llvm::ArrayRef<int64_t> lo, llvm::ArrayRef<int64_t> hi,
                       mlir::Value value);

/// A copy of `src` into `dst` (same elements, permuted dims) as a generic
/// whose loop order is chosen for the cache: loop i indexes `src` dim
/// srcDims[i] and `dst` dim dstDims[i]. The leading loops become the
/// parallel tasks (tdc-parallelize-outer-loops).
mlir::Value copyPermuted(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value src, mlir::Value dst,
                         llvm::ArrayRef<unsigned> srcDims,
                         llvm::ArrayRef<unsigned> dstDims);

/// Emit an error naming the op's ONNX node and fail the match.
mlir::LogicalResult unsupported(mlir::Operation *op, const llvm::Twine &why);

} // namespace tdc::lowering

#endif
