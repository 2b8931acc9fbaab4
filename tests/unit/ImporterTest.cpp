// The importer's user-facing errors and constant binding, on models built
// in memory with the ONNX protobuf classes.
#include "tdc/Driver/Compiler.h"
#include "tdc/Import/OnnxImporter.h"
#include "tdc/Target/CPU/Pipeline.h"

#include "mlir/IR/MLIRContext.h"
#include "onnx/onnx_pb.h"
#include "llvm/Support/FileSystem.h"
#include <gtest/gtest.h>

#include <fstream>

using namespace tdc;

namespace {

onnx::ValueInfoProto valueInfo(const std::string &name, int type,
                               std::vector<int64_t> shape) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto *tt = v.mutable_type()->mutable_tensor_type();
  tt->set_elem_type(type);
  auto *s = tt->mutable_shape();
  for (int64_t d : shape)
    s->add_dim()->set_dim_value(d);
  return v;
}

struct ModelFile {
  onnx::ModelProto model;
  std::string path;
  ModelFile() {
    model.set_ir_version(8);
    auto *op = model.add_opset_import();
    op->set_domain("");
    op->set_version(13);
  }
  onnx::NodeProto *node(const std::string &op, const std::string &name,
                        std::vector<std::string> in,
                        std::vector<std::string> out) {
    auto *n = model.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto &i : in)
      n->add_input(i);
    for (auto &o : out)
      n->add_output(o);
    return n;
  }
  std::string save() {
    llvm::SmallString<128> p;
    llvm::sys::fs::createTemporaryFile("tdc-unit", "onnx", p);
    path = std::string(p);
    std::ofstream out(path, std::ios::binary);
    model.SerializeToOstream(&out);
    return path;
  }
  ~ModelFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
};

mlir::OwningOpRef<mlir::ModuleOp>
import(const std::string &path, ImportError &err, ImportOptions opts = {}) {
  static mlir::MLIRContext ctx;
  return importOnnxFile(ctx, path, opts, err);
}

} // namespace

TEST(Importer, UnsupportedOpNamesNodeAndOp) {
  ModelFile m;
  *m.model.mutable_graph()->add_input() =
      valueInfo("x", onnx::TensorProto::FLOAT, {2, 2});
  m.node("Relu", "first", {"x"}, {"y"});
  m.node("NoSuchOp", "second", {"y"}, {"z"});
  *m.model.mutable_graph()->add_output() =
      valueInfo("z", onnx::TensorProto::FLOAT, {2, 2});
  std::string path = m.save();
  ImportError err;
  EXPECT_FALSE(import(path, err));
  EXPECT_TRUE(err.unsupported);
  EXPECT_EQ(err.message, path + ": node 'second' (NoSuchOp): unsupported "
                                "operator NoSuchOp");
}

TEST(Importer, ShapeErrorNamesNode) {
  ModelFile m;
  auto *g = m.model.mutable_graph();
  *g->add_input() = valueInfo("a", onnx::TensorProto::FLOAT, {2, 3});
  *g->add_input() = valueInfo("b", onnx::TensorProto::FLOAT, {4});
  m.node("Add", "adder", {"a", "b"}, {"c"});
  *g->add_output() = valueInfo("c", onnx::TensorProto::FLOAT, {2, 3});
  std::string path = m.save();
  ImportError err;
  EXPECT_FALSE(import(path, err));
  EXPECT_NE(err.message.find("node 'adder' (Add): operand shapes are not "
                             "broadcastable"),
            std::string::npos)
      << err.message;
}

TEST(Importer, SymbolicDimNeedsValue) {
  ModelFile m;
  auto *g = m.model.mutable_graph();
  auto in = valueInfo("x", onnx::TensorProto::FLOAT, {});
  in.mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->add_dim()
      ->set_dim_param("batch");
  *g->add_input() = in;
  m.node("Relu", "r", {"x"}, {"y"});
  *g->add_output() = valueInfo("y", onnx::TensorProto::FLOAT, {});
  std::string path = m.save();
  ImportError err;
  EXPECT_FALSE(import(path, err));
  EXPECT_NE(err.message.find("--dim batch=N"), std::string::npos);
  ImportOptions opts;
  opts.dimValues["batch"] = 4;
  auto mod = import(path, err, opts);
  EXPECT_TRUE(mod) << err.message;
}

TEST(Importer, NotAModel) {
  llvm::SmallString<128> p;
  llvm::sys::fs::createTemporaryFile("tdc-unit", "onnx", p);
  {
    std::ofstream out{std::string(p)};
    out << "this is not protobuf \xff\xff\xff";
  }
  ImportError err;
  EXPECT_FALSE(import(std::string(p), err));
  EXPECT_NE(err.message.find("not a valid ONNX model"), std::string::npos);
  llvm::sys::fs::remove(p);
}

TEST(Importer, InitializersBecomeResources) {
  ModelFile m;
  auto *g = m.model.mutable_graph();
  *g->add_input() = valueInfo("x", onnx::TensorProto::FLOAT, {64});
  auto *w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(64);
  for (int i = 0; i < 64; ++i)
    w->add_float_data(i);
  m.node("Add", "add", {"x", "w"}, {"y"});
  *g->add_output() = valueInfo("y", onnx::TensorProto::FLOAT, {64});
  std::string path = m.save();
  ImportError err;
  auto mod = import(path, err);
  ASSERT_TRUE(mod) << err.message;
  std::string text;
  llvm::raw_string_ostream os(text);
  mod->print(os);
  EXPECT_NE(text.find("dense_resource<"), std::string::npos) << text;
}
