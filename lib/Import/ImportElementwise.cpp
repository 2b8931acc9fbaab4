//===- ImportElementwise.cpp - ONNX Elementwise ops -> tg -----------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

void registerElementwiseImporters(ImporterTable &table) { (void)table; }

} // namespace tdc::import
