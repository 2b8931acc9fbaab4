//===- TxExpr.h - tx programs <-> derivation expressions ---------*- C++
//-*-===//
//
// The derivation engine is a plain C++ library over derive::Expr; the tx
// dialect is how its programs live in the IR. These two functions convert
// between them. Subscripts become affine maps, which MLIR keeps in a normal
// form (`(2*i-1) floordiv 2` is `i-1`, the same function); up to that
// normalization the conversion is exact: programExpr(buildProgram(e)) has
// the fingerprint of normalizeSubscripts(e), which is e itself unless a
// floor division or modulo simplifies (tests/unit/TxExprTest.cpp checks
// both on random programs).
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DIALECT_TX_IR_TXEXPR_H
#define TDC_DIALECT_TX_IR_TXEXPR_H

#include "tdc/Derive/Expr.h"
#include "tdc/Dialect/Tx/IR/TxOps.h"

#include <map>
#include <string>
#include <unordered_map>

namespace tdc::tx {

/// The tx.program computing `program` (a Scope), built at `b`'s insertion
/// point: one tx.scope per scope (shared nested scopes once), every value of
/// type `elemType`. Each Input is bound to `inputs` at its name, in
/// first-use order, marked constant as the Input is. Null, with `error` set,
/// when an input is missing or tx cannot express a part of the program.
ProgramOp buildProgram(mlir::OpBuilder &b, mlir::Location loc,
                       derive::Expr program,
                       const std::map<std::string, mlir::Value> &inputs,
                       mlir::Type elemType, std::string &error);

/// The expression of a (verified) tx.program, built in `ctx`. Null, with
/// `error` set, if the program uses something the expression model lacks.
derive::Expr programExpr(derive::ExprContext &ctx, ProgramOp program,
                         std::string &error);

/// `program` with every subscript in the affine normal form a tx.read
/// holds (what programExpr(buildProgram(program)) gives back).
derive::Expr normalizeSubscripts(derive::ExprContext &ctx,
                                 mlir::MLIRContext *mctx, derive::Expr program,
                                 std::string &error);

/// A subscript as an affine expression (`dims`: iterator -> dim position);
/// null, with `error` set, when it divides by a non-positive constant.
mlir::AffineExpr
subscriptToAffine(derive::Index i,
                  const std::unordered_map<derive::Iter, unsigned> &dims,
                  mlir::MLIRContext *mctx, std::string &error);
/// The inverse: dim k is `dims[k]`.
derive::Index affineToSubscript(derive::ExprContext &ctx, mlir::AffineExpr a,
                                llvm::ArrayRef<derive::Index> dims,
                                std::string &error);

/// The value each input of `program` is bound to, by name (for lowerExpr).
std::map<std::string, mlir::Value> programInputs(ProgramOp program);

} // namespace tdc::tx

#endif
