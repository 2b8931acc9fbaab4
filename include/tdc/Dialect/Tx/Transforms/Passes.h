//===- Passes.h - tx dialect passes -----------------------------*- C++ -*-===//
#ifndef TDC_DIALECT_TX_TRANSFORMS_PASSES_H
#define TDC_DIALECT_TX_TRANSFORMS_PASSES_H

#include "tdc/Dialect/Tx/IR/TxDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace tdc {

#define GEN_PASS_DECL
#include "tdc/Dialect/Tx/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tdc/Dialect/Tx/Transforms/Passes.h.inc"

} // namespace tdc

#endif
