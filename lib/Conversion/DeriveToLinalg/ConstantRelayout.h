//===- ConstantRelayout.h - weights re-laid out at compile time -*- C++ -*-===//
//
// Private to DeriveToLinalg: the cost model charges nothing for re-laying
// out a constant operand (Cost.h), so the lowering must not either.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_CONVERSION_DERIVETOLINALG_CONSTANTRELAYOUT_H
#define TDC_CONVERSION_DERIVETOLINALG_CONSTANTRELAYOUT_H

#include "mlir/IR/Builders.h"

namespace tdc {

/// A new constant holding linalg.transpose(`v`, `perm`) (result dim i is
/// dim perm[i] of `v`), or null when `v` is not a constant whose elements
/// can be read.
mlir::Value transposedConstant(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value v, llvm::ArrayRef<int64_t> perm);

} // namespace tdc

#endif
