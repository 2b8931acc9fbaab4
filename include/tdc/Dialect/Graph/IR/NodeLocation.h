//===- NodeLocation.h - locations naming ONNX nodes --------------*- C++
//-*-===//
//
// Every tg op carries the name and op type of the ONNX node it came from, so
// that any later diagnostic can point at a node the user can find.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DIALECT_GRAPH_IR_NODELOCATION_H
#define TDC_DIALECT_GRAPH_IR_NODELOCATION_H

#include "mlir/IR/Location.h"

#include <optional>
#include <string>

namespace tdc::tg {

/// The location of an op imported from ONNX node `name` of type `opType`.
mlir::Location nodeLocation(mlir::MLIRContext *ctx, llvm::StringRef name,
                            llvm::StringRef opType);

struct NodeInfo {
  std::string name, opType;
};
/// The ONNX node a location (or any location nested in it) names.
std::optional<NodeInfo> nodeInfo(mlir::Location loc);
/// "node 'name' (OpType)" for a location the importer made, else the
/// location as MLIR prints it: how errors name what they are about.
std::string describeLocation(mlir::Location loc);

} // namespace tdc::tg

#endif
