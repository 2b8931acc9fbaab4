//===- ResidueClasses.h - overlap-adds per residue class --------*- C++ -*-===//
//
// Private to DeriveToLinalg: the lowering of strided overlap-add
// eOperators, and the integer floor division both files use.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_CONVERSION_DERIVETOLINALG_RESIDUECLASSES_H
#define TDC_CONVERSION_DERIVETOLINALG_RESIDUECLASSES_H

#include "tdc/Derive/Expr.h"

#include "mlir/IR/Builders.h"

#include <cstdint>

namespace tdc {

/// a / b rounded toward negative infinity.
inline int64_t floorDivInt(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

/// The scope `s` (a sum of one read of `source`, the tensor of its body's
/// access) per residue class of its strides, or null when it has another
/// form. See ResidueClasses.cpp.
mlir::Value lowerByResidueClasses(mlir::OpBuilder &b, mlir::Location loc,
                                  derive::Expr s, mlir::Value source,
                                  mlir::Type elemType);

} // namespace tdc

#endif
