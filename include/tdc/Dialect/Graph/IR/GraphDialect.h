//===- GraphDialect.h - tg dialect ------------------------------*- C++ -*-===//
#ifndef TDC_DIALECT_GRAPH_IR_GRAPHDIALECT_H
#define TDC_DIALECT_GRAPH_IR_GRAPHDIALECT_H

#include "mlir/IR/Dialect.h"

#include "tdc/Dialect/Graph/IR/GraphOpsDialect.h.inc"

#endif
