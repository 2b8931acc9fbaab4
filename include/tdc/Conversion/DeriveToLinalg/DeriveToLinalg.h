//===- DeriveToLinalg.h - derivation programs as linalg on tensors -*- C++
//-*-===//
//
// Emits the linalg computation of a derivation program (Expr.h): each scope
// becomes one tensor, computed once, by a linalg.generic over its traversal
// and summation iterators. Reads whose subscripts are plain iterators (plus
// a constant) that stay inside the source go through indexing maps, so that
// matmul-shaped scopes are real contractions; other reads use tensor.extract
// at computed indices and read zero outside the source (padding).
//
//===----------------------------------------------------------------------===//
#ifndef TDC_CONVERSION_DERIVETOLINALG_DERIVETOLINALG_H
#define TDC_CONVERSION_DERIVETOLINALG_DERIVETOLINALG_H

#include "tdc/Derive/Expr.h"

#include "mlir/IR/Builders.h"

#include <map>
#include <string>

namespace tdc {

/// The tensor (of `elemType`, shaped like the program's traversal ranges)
/// that `program` (a Scope) computes, reading each Input from `inputs` by
/// name. Null if an input is missing or the program has an empty range.
mlir::Value lowerExpr(mlir::OpBuilder &b, mlir::Location loc,
                      derive::Expr program,
                      const std::map<std::string, mlir::Value> &inputs,
                      mlir::Type elemType);

/// `program` with its nested scopes' dims reordered where another order of
/// the same values lowers better (IntermediateLayouts.cpp); readers' subscripts
/// follow. The result computes the same tensor.
derive::Expr layoutIntermediates(derive::ExprContext &ctx,
                                 derive::Expr program);

} // namespace tdc

#endif
