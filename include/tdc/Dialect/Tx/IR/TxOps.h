//===- TxOps.h - tx operations ----------------------------------*- C++ -*-===//
#ifndef TDC_DIALECT_TX_IR_TXOPS_H
#define TDC_DIALECT_TX_IR_TXOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "tdc/Dialect/Tx/IR/TxDialect.h"

#define GET_OP_CLASSES
#include "tdc/Dialect/Tx/IR/TxOps.h.inc"

#endif
