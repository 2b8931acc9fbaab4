//===- ImportConv.cpp - ONNX Conv ops -> tg -----------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

void registerConvImporters(ImporterTable &table) { (void)table; }

} // namespace tdc::import
