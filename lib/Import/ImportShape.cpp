//===- ImportShape.cpp - ONNX Shape ops -> tg -----------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

void registerShapeImporters(ImporterTable &table) { (void)table; }

} // namespace tdc::import
