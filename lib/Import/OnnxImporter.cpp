//===- OnnxImporter.cpp - ONNX protobuf -> tg dialect
//----------------------===//
//
// Walks the ONNX graph in its (topological) node order and hands each node to
// the handler registered for its op type. Shape computations whose inputs are
// known are folded on the host, so tg sees only static shapes.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Dialect/Graph/IR/NodeLocation.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"

#include <fstream>
#include <sstream>

using namespace mlir;

namespace tdc::import {

Value GraphState::materialize(const Tensor &t, Location loc) {
  Type elem = toMlirType(ctx, t.dtype);
  auto type = RankedTensorType::get(t.shape, elem);
  ElementsAttr value;
  if (t.dtype == DType::Bool) {
    std::vector<bool> bits(t.numElements());
    for (int64_t i = 0; i < t.numElements(); ++i)
      bits[i] = t.as<uint8_t>()[i] != 0;
    SmallVector<bool> v(bits.begin(), bits.end());
    value = DenseElementsAttr::get(type, ArrayRef<bool>(v));
  } else if (t.byteSize() >= options.resourceThreshold) {
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(reinterpret_cast<const char *>(t.data.data()),
                       t.data.size()),
        64, /*dataIsMutable=*/false);
    value = DenseResourceElementsAttr::get(
        type, "tdc_const_" + std::to_string(uniqueResource++), std::move(blob));
  } else {
    value = DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(reinterpret_cast<const char *>(t.data.data()),
                             t.data.size()));
  }
  return tg::ConstantOp::create(builder, loc, value);
}

NodeContext::NodeContext(GraphState &g, const onnx::NodeProto &node)
    : node(node), g(g),
      loc(tg::nodeLocation(&g.ctx,
                           node.name().empty() ? node.output(0) : node.name(),
                           node.op_type())) {}

Value NodeContext::input(size_t i) {
  if (!hasInput(i))
    return {};
  const std::string &name = node.input(i);
  auto it = g.values.find(name);
  if (it != g.values.end())
    return it->second;
  auto c = g.constants.find(name);
  if (c == g.constants.end())
    return {};
  // Materialize at the function entry so that later uses dominate.
  OpBuilder::InsertionGuard guard(g.builder);
  Value v = g.materialize(c->second, loc);
  g.values[name] = v;
  return v;
}

const Tensor *NodeContext::constInput(size_t i) {
  if (!hasInput(i))
    return nullptr;
  auto c = g.constants.find(node.input(i));
  if (c != g.constants.end())
    return &c->second;
  return nullptr;
}

const Tensor *NodeContext::requireConstInput(size_t i, const char *what) {
  if (const Tensor *t = constInput(i))
    return t;
  const std::string &name = node.input(i);
  if (g.runtimeInputs.count(name))
    g.error->needConstantInputs.push_back(name);
  (void)unsupported(std::string(what) + " (input '" + name +
                    "') must be a compile-time constant");
  return nullptr;
}

RankedTensorType NodeContext::inputType(size_t i) {
  Value v = input(i);
  return v ? cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

const onnx::AttributeProto *NodeContext::attr(const std::string &name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::attrInt(const std::string &name, int64_t def) const {
  const auto *a = attr(name);
  return a ? a->i() : def;
}
double NodeContext::attrFloat(const std::string &name, double def) const {
  const auto *a = attr(name);
  return a ? a->f() : def;
}
std::string NodeContext::attrString(const std::string &name,
                                    const std::string &def) const {
  const auto *a = attr(name);
  return a ? a->s() : def;
}
std::vector<int64_t> NodeContext::attrInts(const std::string &name,
                                           std::vector<int64_t> def) const {
  const auto *a = attr(name);
  if (!a)
    return def;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}
std::vector<float> NodeContext::attrFloats(const std::string &name) const {
  const auto *a = attr(name);
  if (!a)
    return {};
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

void NodeContext::setOutput(size_t i, Value v) {
  if (hasOutput(i))
    g.values[node.output(i)] = v;
}

void NodeContext::setConstantOutput(size_t i, Tensor t) {
  if (hasOutput(i))
    g.constants[node.output(i)] = std::move(t);
}

Operation *NodeContext::createOp(StringRef name, ValueRange operands,
                                 ArrayRef<NamedAttribute> attrs,
                                 unsigned numResults) {
  for (Value v : operands)
    if (!v) {
      (void)fail("missing input value");
      return nullptr;
    }
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(SmallVector<Type>(numResults, NoneType::get(ctx())));
  Operation *op = b().create(state);
  // Infer the result types; report a failure against this node.
  std::string diag;
  SmallVector<Type> types;
  LogicalResult inferred = failure();
  {
    ScopedDiagnosticHandler handler(ctx(), [&](Diagnostic &d) {
      diag = d.str();
      return success();
    });
    auto iface = dyn_cast<InferTypeOpInterface>(op);
    inferred = iface ? iface.inferReturnTypes(ctx(), loc, op->getOperands(),
                                              op->getRawDictionaryAttrs(),
                                              op->getPropertiesStorage(),
                                              op->getRegions(), types)
                     : failure();
  }
  if (failed(inferred) || types.size() != numResults) {
    op->erase();
    (void)fail(diag.empty() ? "cannot infer result types" : diag);
    return nullptr;
  }
  for (unsigned r = 0; r < numResults; ++r)
    op->getResult(r).setType(types[r]);
  return op;
}

static std::string nodeTag(const GraphState &g, const onnx::NodeProto &n) {
  std::string name = n.name().empty() ? n.output(0) : n.name();
  return g.file + ": node '" + name + "' (" + n.op_type() + "): ";
}

LogicalResult NodeContext::fail(const std::string &message) {
  if (g.error->message.empty())
    g.error->message = nodeTag(g, node) + message;
  return failure();
}

LogicalResult NodeContext::unsupported(const std::string &message) {
  g.error->unsupported = true;
  return fail(message);
}

std::optional<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    (void)fail("axis " + std::to_string(axis) + " out of range for rank " +
               std::to_string(rank));
    return std::nullopt;
  }
  return axis < 0 ? axis + rank : axis;
}

static const ImporterTable &importers() {
  static ImporterTable table = [] {
    ImporterTable t;
    registerElementwiseImporters(t);
    registerLinalgImporters(t);
    registerConvImporters(t);
    registerNormalizationImporters(t);
    registerReductionImporters(t);
    registerShapeImporters(t);
    registerTensorOpsImporters(t);
    registerLossImporters(t);
    registerIndexingImporters(t);
    return t;
  }();
  return table;
}

/// Static type of a graph input/output from its ValueInfo.
static bool valueInfoType(GraphState &g, const onnx::ValueInfoProto &vi,
                          RankedTensorType &out, std::string &why) {
  if (!vi.type().has_tensor_type()) {
    why = "is not a tensor (sequences, maps and optionals are not supported)";
    return false;
  }
  const auto &tt = vi.type().tensor_type();
  DType dt;
  if (!fromOnnxType(tt.elem_type(), dt)) {
    int t = tt.elem_type();
    why = "has an unsupported element type " +
          (onnx::TensorProto_DataType_IsValid(t)
               ? onnx::TensorProto_DataType_Name(
                     static_cast<onnx::TensorProto_DataType>(t))
               : std::to_string(t));
    return false;
  }
  if (!tt.has_shape()) {
    why = "has no shape; give one with --dim";
    return false;
  }
  SmallVector<int64_t> shape;
  for (const auto &d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() >= 0) {
      shape.push_back(d.dim_value());
      continue;
    }
    auto it = g.options.dimValues.find(d.dim_param());
    if (d.has_dim_param() && it != g.options.dimValues.end()) {
      shape.push_back(it->second);
      continue;
    }
    why = "has a symbolic dim '" + d.dim_param() +
          "'; give its size with --dim " +
          (d.dim_param().empty() ? "NAME" : d.dim_param()) + "=N";
    return false;
  }
  out = RankedTensorType::get(shape, toMlirType(g.ctx, dt));
  return true;
}

static OwningOpRef<ModuleOp> importGraph(GraphState &g,
                                         const onnx::ModelProto &model) {
  const onnx::GraphProto &graph = model.graph();
  MLIRContext &ctx = g.ctx;
  OpBuilder &b = g.builder;
  ImportError &err = *g.error;
  Location fileLoc = FileLineColLoc::get(&ctx, g.file, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);

  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      g.opset = imp.version();

  // Initializers are constants; graph inputs shadowed by an initializer
  // (old IR versions list them as inputs too) are constants as well.
  for (const auto &init : graph.initializer()) {
    Tensor t;
    std::string why;
    if (!tensorFromProto(init, t, why)) {
      err.message = g.file + ": initializer '" + init.name() + "': " + why;
      err.unsupported = true;
      return nullptr;
    }
    g.constants[init.name()] = std::move(t);
  }

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (g.constants.count(in.name()))
      continue;
    auto bound = g.options.boundInputs.find(in.name());
    if (bound != g.options.boundInputs.end()) {
      g.constants[in.name()] = bound->second;
      continue;
    }
    RankedTensorType type;
    std::string why;
    if (!valueInfoType(g, in, type, why)) {
      err.message = g.file + ": graph input '" + in.name() + "' " + why;
      err.unsupported = true;
      return nullptr;
    }
    argTypes.push_back(type);
    argNames.push_back(in.name());
    g.runtimeInputs.insert(in.name());
  }

  b.setInsertionPointToEnd(module->getBody());
  auto func =
      func::FuncOp::create(b, fileLoc, "main", b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (size_t i = 0; i < argNames.size(); ++i) {
    g.values[argNames[i]] = entry->getArgument(i);
    func.setArgAttr(i, "tg.name", b.getStringAttr(argNames[i]));
  }
  b.setInsertionPointToEnd(entry);

  const auto &table = importers();
  for (const auto &node : graph.node()) {
    NodeContext nc(g, node);
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      (void)nc.unsupported("operator domain '" + node.domain() +
                           "' is not supported");
      return nullptr;
    }
    if (tryFoldNode(nc))
      continue;
    if (!err.message.empty())
      return nullptr;
    auto it = table.find(node.op_type());
    if (it == table.end()) {
      (void)nc.unsupported("unsupported operator " + node.op_type());
      return nullptr;
    }
    for (int i = 0; i < node.input_size(); ++i)
      if (!node.input(i).empty() && !g.values.count(node.input(i)) &&
          !g.constants.count(node.input(i))) {
        (void)nc.fail("input '" + node.input(i) + "' is not defined");
        return nullptr;
      }
    if (failed(it->second(nc))) {
      if (err.message.empty())
        (void)nc.fail("import failed");
      return nullptr;
    }
    for (int i = 0; i < node.output_size(); ++i)
      if (!node.output(i).empty() && !g.values.count(node.output(i)) &&
          !g.constants.count(node.output(i))) {
        (void)nc.unsupported("output " + std::to_string(i) +
                             " is not produced by tdc's importer");
        return nullptr;
      }
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    Value v;
    auto it = g.values.find(out.name());
    if (it != g.values.end()) {
      v = it->second;
    } else if (g.constants.count(out.name())) {
      v = g.materialize(g.constants[out.name()], fileLoc);
    } else {
      err.message = g.file + ": graph output '" + out.name() +
                    "' is not produced by any node";
      return nullptr;
    }
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setType(b.getFunctionType(argTypes, resultTypes));
  for (int i = 0; i < graph.output_size(); ++i)
    func.setResultAttr(i, "tg.name", b.getStringAttr(graph.output(i).name()));

  std::string diag;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diag = d.str();
    return success();
  });
  if (failed(verify(*module))) {
    err.message =
        g.file + ": internal error: imported IR does not verify: " + diag;
    return nullptr;
  }
  return module;
}

} // namespace tdc::import

namespace tdc {

bool dtypeFromMlirType(Type type, DType &out) {
  return import::fromMlirType(type, out);
}

void registerImportDialects(DialectRegistry &registry) {
  registry.insert<tg::GraphDialect, func::FuncDialect>();
}

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &ctx, const std::string &path,
                                     const ImportOptions &options,
                                     ImportError &error) {
  error = ImportError();
  ctx.loadDialect<tg::GraphDialect, func::FuncDialect>();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error.message = path + ": cannot open file";
    return nullptr;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  onnx::ModelProto model;
  if (!model.ParseFromString(ss.str())) {
    error.message = path + ": not a valid ONNX model (protobuf parse failed)";
    return nullptr;
  }
  import::GraphState g(ctx, path, options);
  g.error = &error;
  return import::importGraph(g, model);
}

} // namespace tdc
