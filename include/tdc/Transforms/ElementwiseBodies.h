//===- ElementwiseBodies.h - elementwise generics on vectors ----*- C++ -*-===//
//
// Epilogues (ConvEpilogues.cpp, FuseWinogradEpilogues.cpp) apply an
// elementwise linalg.generic to values their producer already holds in
// vector registers: they recognize such a generic and clone its scalar body
// onto vectors.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TRANSFORMS_ELEMENTWISEBODIES_H
#define TDC_TRANSFORMS_ELEMENTWISEBODIES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace tdc {

/// An all-parallel generic on tensors with one result that reads its init
/// nothing and whose body is elementwise-mappable ops only (projected
/// permutation maps): f applied per element.
bool isElementwise(mlir::linalg::GenericOp op);

/// Clones `body` (an elementwise generic's, its arguments already mapped
/// to vectors in `map`) onto vectors of `width` lanes: scalars from outside
/// the body are broadcast, constants in it become splats. Returns the
/// yielded value, as a vector.
mlir::Value vectorizeBody(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Block &body, mlir::IRMapping &map,
                          int64_t width);

} // namespace tdc

#endif
