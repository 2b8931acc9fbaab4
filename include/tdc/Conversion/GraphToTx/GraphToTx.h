//===- GraphToDerive.h - tg compute ops as derivation expressions -*- C++
//-*-===//
#ifndef TDC_CONVERSION_GRAPHTODERIVE_GRAPHTODERIVE_H
#define TDC_CONVERSION_GRAPHTODERIVE_GRAPHTODERIVE_H

#include "tdc/Derive/Expr.h"

#include "mlir/IR/Operation.h"

#include <string>

namespace tdc {

/// The tensor-algebra expression of a tg compute op (conv, conv_transpose,
/// matmul, gemm), its operands named "X"/"K" (conv) or "A"/"B" (matmul), or
/// null with `why` set when the op (or this form of it) has none yet.
derive::Expr exprFromGraphOp(derive::ExprContext &ctx, mlir::Operation *op,
                             std::string &why);

} // namespace tdc

#endif
