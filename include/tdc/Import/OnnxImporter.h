//===- OnnxImporter.h - ONNX protobuf -> tg dialect --------------*- C++
//-*-===//
#ifndef TDC_IMPORT_ONNXIMPORTER_H
#define TDC_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "tdc/Support/Tensor.h"

#include <map>
#include <string>
#include <vector>

namespace tdc {

struct ImportOptions {
  /// Graph inputs replaced by these constant values (the model is
  /// specialized on them). Needed when an input feeds an operand that tdc
  /// requires to be constant, such as Reshape's shape.
  std::map<std::string, Tensor> boundInputs;
  /// Values substituted for symbolic or unknown input dims.
  std::map<std::string, int64_t> dimValues;
  /// Tensors with at least this many bytes become dense resources.
  size_t resourceThreshold = 256;
};

/// Why an import failed, in the user's terms.
struct ImportError {
  /// One line: "file: node 'name' (OpType): what is wrong".
  std::string message;
  /// True when the model uses an op or type that tdc does not support (as
  /// opposed to a malformed model).
  bool unsupported = false;
  /// Graph inputs that must be constant (bind them with ImportOptions).
  std::vector<std::string> needConstantInputs;
};

/// Import `path` into a module holding `func.func @main` over tg ops.
/// Inputs are function arguments in graph order, outputs the results.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &ctx,
                                                 const std::string &path,
                                                 const ImportOptions &options,
                                                 ImportError &error);

/// Read a serialized ONNX TensorProto (.pb) file.
bool readTensorProtoFile(const std::string &path, Tensor &out,
                         std::string &error);

/// tdc dtype of an MLIR element type; false if it has none.
bool dtypeFromMlirType(mlir::Type type, DType &out);

/// Register the dialects the importer creates.
void registerImportDialects(mlir::DialectRegistry &registry);

} // namespace tdc

#endif
