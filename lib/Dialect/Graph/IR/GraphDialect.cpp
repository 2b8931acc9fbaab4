//===- GraphDialect.cpp - tg dialect registration
//--------------------------===//
#include "tdc/Dialect/Graph/IR/GraphDialect.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::tg;

#include "tdc/Dialect/Graph/IR/GraphOpsDialect.cpp.inc"

void GraphDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tdc/Dialect/Graph/IR/GraphOps.cpp.inc"
      >();
}
