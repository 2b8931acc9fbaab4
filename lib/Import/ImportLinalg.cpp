//===- ImportLinalg.cpp - ONNX Linalg ops -> tg -----------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

void registerLinalgImporters(ImporterTable &table) { (void)table; }

} // namespace tdc::import
