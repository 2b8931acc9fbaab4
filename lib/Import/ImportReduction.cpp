//===- ImportReduction.cpp - ONNX Reduction ops -> tg -----------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

void registerReductionImporters(ImporterTable &table) { (void)table; }

} // namespace tdc::import
