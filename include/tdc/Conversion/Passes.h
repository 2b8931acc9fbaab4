//===- Passes.h - tdc conversion passes -------------------------*- C++ -*-===//
#ifndef TDC_CONVERSION_PASSES_H
#define TDC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "tdc/Dialect/Tx/IR/TxDialect.h"

namespace tdc {

#define GEN_PASS_DECL
#include "tdc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tdc/Conversion/Passes.h.inc"

} // namespace tdc

#endif
