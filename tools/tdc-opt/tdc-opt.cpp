//===- tdc-opt.cpp - the *-opt driver for tdc's dialects and passes -------===//
#include "tdc/Conversion/Passes.h"
#include "tdc/Dialect/Graph/IR/GraphDialect.h"
#include "tdc/Dialect/Tx/IR/TxDialect.h"
#include "tdc/Dialect/Tx/Transforms/Passes.h"
#include "tdc/Target/CPU/Pipeline.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllPasses();
  registry.insert<tdc::tg::GraphDialect, tdc::tx::TxDialect>();
  tdc::registerTdcConversionPasses();
  tdc::registerTdcTransformsPasses();
  tdc::registerTdcTxPasses();
  tdc::registerCPUPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "tdc optimizer driver\n", registry));
}
