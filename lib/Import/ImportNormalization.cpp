//===- ImportNormalization.cpp - ONNX Normalization ops -> tg -----------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

void registerNormalizationImporters(ImporterTable &table) { (void)table; }

} // namespace tdc::import
