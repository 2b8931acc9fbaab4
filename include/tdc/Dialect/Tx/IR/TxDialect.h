//===- TxDialect.h - tx dialect ---------------------------------*- C++ -*-===//
#ifndef TDC_DIALECT_TX_IR_TXDIALECT_H
#define TDC_DIALECT_TX_IR_TXDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dialect.h"

#include "tdc/Dialect/Tx/IR/TxOpsDialect.h.inc"

#endif
