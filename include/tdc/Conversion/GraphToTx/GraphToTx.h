//===- GraphToTx.h - tg compute ops as derivation expressions ----*- C++
//-*-===//
//
// The one place that knows what a tg compute op computes as a tensor-algebra
// expression: convert-tg-to-tx builds tx programs from these expressions,
// and `tdc derive` searches them directly.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_CONVERSION_GRAPHTOTX_GRAPHTOTX_H
#define TDC_CONVERSION_GRAPHTOTX_GRAPHTOTX_H

#include "tdc/Derive/Expr.h"

#include "mlir/IR/Operation.h"

#include <string>

namespace tdc {

/// The tensor-algebra expression of a tg compute op (conv, conv_transpose,
/// matmul, gemm) without its epilogue, its operands named "X"/"K" (conv) or
/// "A"/"B" (matmul), or null with `why` set when the op (or this form of it)
/// has none yet.
derive::Expr exprFromGraphOp(derive::ExprContext &ctx, mlir::Operation *op,
                             std::string &why);

/// What the op adds to the product P that exprFromGraphOp computes: the conv
/// bias per output channel, or Gemm's alpha * P + beta * C (C broadcast),
/// as a scope over inputs "P" (the product) and "Bias". Null with `why`
/// empty when there is nothing to add, null with `why` set when this form
/// is not supported.
derive::Expr epilogueExpr(derive::ExprContext &ctx, mlir::Operation *op,
                          std::string &why);

/// Static-shaped f32 tensor: what the tx path handles today.
bool isStaticF32(mlir::Value v);

} // namespace tdc

#endif
