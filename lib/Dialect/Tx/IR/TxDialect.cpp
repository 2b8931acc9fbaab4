//===- TxDialect.cpp - tx dialect registration ----------------------------===//
#include "tdc/Dialect/Tx/IR/TxDialect.h"
#include "tdc/Dialect/Tx/IR/TxOps.h"

using namespace mlir;
using namespace tdc::tx;

#include "tdc/Dialect/Tx/IR/TxOpsDialect.cpp.inc"

void TxDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tdc/Dialect/Tx/IR/TxOps.cpp.inc"
      >();
}
