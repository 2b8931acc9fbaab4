//===- GraphOps.cpp - tg operations
//----------------------------------------===//
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace tdc::tg;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

#define GET_OP_CLASSES
#include "tdc/Dialect/Graph/IR/GraphOps.cpp.inc"
