//===- ImportContext.h - state shared by the ONNX op importers --*- C++ -*-===//
//
// Private to lib/Import. Each ONNX op family has its own file with a
// register*Importers function that adds handlers to the table; a handler
// reads its node through NodeContext and defines the node's outputs either
// as tg values or as known constants (shape computations are folded here so
// that tg only sees static shapes).
//
//===----------------------------------------------------------------------===//
#ifndef TDC_LIB_IMPORT_IMPORTCONTEXT_H
#define TDC_LIB_IMPORT_IMPORTCONTEXT_H

#include "tdc/Import/OnnxImporter.h"
#include "tdc/Support/Tensor.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "onnx/onnx_pb.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace tdc::import {

/// Everything known about the graph being imported.
struct GraphState {
  mlir::MLIRContext &ctx;
  mlir::OpBuilder builder;
  std::string file;
  const ImportOptions &options;
  int64_t opset = 1;
  /// ONNX value name -> tg value (materialized lazily for constants).
  std::map<std::string, mlir::Value> values;
  /// ONNX value name -> constant contents, when known at compile time.
  std::map<std::string, Tensor> constants;
  /// Graph inputs (not initializers) that are fed at run time.
  std::set<std::string> runtimeInputs;
  ImportError *error = nullptr;
  int uniqueResource = 0;

  GraphState(mlir::MLIRContext &ctx, std::string file,
             const ImportOptions &options)
      : ctx(ctx), builder(&ctx), file(std::move(file)), options(options) {}

  /// A tg.constant holding `t` (dense resource when large).
  mlir::Value materialize(const Tensor &t, mlir::Location loc);
};

/// MLIR element type of a tdc dtype.
mlir::Type toMlirType(mlir::MLIRContext &ctx, DType t);
/// tdc dtype of an MLIR element type; false if it has none.
bool fromMlirType(mlir::Type t, DType &out);
/// Convert an ONNX TensorProto data type; false if unsupported.
bool fromOnnxType(int onnxType, DType &out);
/// Convert an ONNX TensorProto (raw or typed fields) to a host tensor.
bool tensorFromProto(const onnx::TensorProto &proto, Tensor &out,
                     std::string &error);

/// One node being imported.
class NodeContext {
public:
  NodeContext(GraphState &g, const onnx::NodeProto &node);

  const onnx::NodeProto &node;
  GraphState &g;
  mlir::Location loc;
  mlir::OpBuilder &b() { return g.builder; }
  mlir::MLIRContext *ctx() { return &g.ctx; }
  int64_t opset() const { return g.opset; }
  const std::string &opType() const { return node.op_type(); }

  // Inputs. ONNX marks an omitted optional input with an empty name.
  size_t numInputs() const { return node.input_size(); }
  bool hasInput(size_t i) const {
    return (int)i < node.input_size() && !node.input(i).empty();
  }
  /// The tg value of input i (constants are materialized).
  mlir::Value input(size_t i);
  /// The constant contents of input i, or null. When the input is a runtime
  /// graph input, it is recorded so that the caller can bind it.
  const Tensor *constInput(size_t i);
  /// Like constInput, but fails the node with a message when not constant.
  const Tensor *requireConstInput(size_t i, const char *what);
  mlir::RankedTensorType inputType(size_t i);
  llvm::ArrayRef<int64_t> inputShape(size_t i) {
    return inputType(i).getShape();
  }
  int64_t inputRank(size_t i) { return inputType(i).getRank(); }

  // Attributes.
  const onnx::AttributeProto *attr(const std::string &name) const;
  bool hasAttr(const std::string &name) const { return attr(name); }
  int64_t attrInt(const std::string &name, int64_t def) const;
  double attrFloat(const std::string &name, double def) const;
  std::string attrString(const std::string &name, const std::string &def) const;
  std::vector<int64_t> attrInts(const std::string &name,
                                std::vector<int64_t> def = {}) const;
  std::vector<float> attrFloats(const std::string &name) const;

  // Outputs.
  size_t numOutputs() const { return node.output_size(); }
  bool hasOutput(size_t i) const {
    return (int)i < node.output_size() && !node.output(i).empty();
  }
  void setOutput(size_t i, mlir::Value v);
  void setConstantOutput(size_t i, Tensor t);

  /// Create tg op `OpTy` with inferred result types. Returns null (and
  /// records the inference error against this node) on failure.
  template <typename OpTy>
  OpTy create(mlir::ValueRange operands,
              llvm::ArrayRef<mlir::NamedAttribute> attrs = {},
              unsigned numResults = 1) {
    return llvm::cast_or_null<OpTy>(
        createOp(OpTy::getOperationName(), operands, attrs, numResults));
  }
  mlir::Operation *createOp(llvm::StringRef name, mlir::ValueRange operands,
                            llvm::ArrayRef<mlir::NamedAttribute> attrs,
                            unsigned numResults);
  /// Convenience: create a single-result op and return its result.
  template <typename OpTy>
  mlir::Value make(mlir::ValueRange operands,
                   llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    OpTy op = create<OpTy>(operands, attrs);
    return op ? op->getResult(0) : mlir::Value();
  }

  mlir::NamedAttribute named(llvm::StringRef name, mlir::Attribute a) {
    return b().getNamedAttr(name, a);
  }
  mlir::NamedAttribute i64Array(llvm::StringRef name,
                                llvm::ArrayRef<int64_t> v) {
    return named(name, b().getDenseI64ArrayAttr(v));
  }
  mlir::NamedAttribute f64(llvm::StringRef name, double v) {
    return named(name, b().getF64FloatAttr(v));
  }
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t v) {
    return named(name, b().getI64IntegerAttr(v));
  }
  mlir::NamedAttribute boolean(llvm::StringRef name, bool v) {
    return named(name, b().getBoolAttr(v));
  }

  /// Fail the node: malformed model or unsatisfiable attributes.
  mlir::LogicalResult fail(const std::string &message);
  /// Fail the node: valid ONNX that tdc does not support.
  mlir::LogicalResult unsupported(const std::string &message);
  /// Normalize a possibly negative axis against `rank`; fails when out of
  /// range.
  std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);
};

using ImportFn = std::function<mlir::LogicalResult(NodeContext &)>;
using ImporterTable = std::map<std::string, ImportFn>;

void registerElementwiseImporters(ImporterTable &table);
void registerLinalgImporters(ImporterTable &table);
void registerConvImporters(ImporterTable &table);
void registerNormalizationImporters(ImporterTable &table);
void registerReductionImporters(ImporterTable &table);
void registerShapeImporters(ImporterTable &table);
void registerTensorOpsImporters(ImporterTable &table);
void registerLossImporters(ImporterTable &table);
void registerIndexingImporters(ImporterTable &table);

/// ONNX rules for shape-like operands, defined in ImportShape.cpp and shared
/// with ConstantFolding.cpp so that import and host folding agree.
namespace shapeparams {
std::vector<int64_t> toInts(const Tensor &t);
std::optional<llvm::SmallVector<int64_t>>
reshapeResult(NodeContext &n, llvm::ArrayRef<int64_t> in);
bool sliceParams(NodeContext &n, llvm::ArrayRef<int64_t> in,
                 llvm::SmallVectorImpl<int64_t> &starts,
                 llvm::SmallVectorImpl<int64_t> &sizes,
                 llvm::SmallVectorImpl<int64_t> &steps);
std::optional<llvm::SmallVector<int64_t>> transposePerm(NodeContext &n,
                                                        int64_t rank);
} // namespace shapeparams

/// Evaluate the node on the host when all its inputs are known constants and
/// the op is a shape computation. Returns true when the outputs were set.
bool tryFoldNode(NodeContext &node);

} // namespace tdc::import

#endif
