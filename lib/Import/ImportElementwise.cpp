//===- ImportElementwise.cpp - ONNX elementwise ops -> tg -----------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

using namespace mlir;

namespace tdc::import {

namespace {

template <typename OpTy> ImportFn unary() {
  return [](NodeContext &n) -> LogicalResult {
    Value v = n.make<OpTy>({n.input(0)});
    if (!v)
      return failure();
    n.setOutput(0, v);
    return success();
  };
}

template <typename OpTy> ImportFn binary() {
  return [](NodeContext &n) -> LogicalResult {
    if (n.numInputs() != 2)
      return n.fail("expects 2 inputs");
    Value v = n.make<OpTy>({n.input(0), n.input(1)});
    if (!v)
      return failure();
    n.setOutput(0, v);
    return success();
  };
}

/// Sum, Max, Min, Mean: a left fold of the binary op over all inputs.
template <typename OpTy> ImportFn variadic(bool mean = false) {
  return [mean](NodeContext &n) -> LogicalResult {
    if (n.numInputs() == 0)
      return n.fail("expects at least one input");
    Value acc = n.input(0);
    for (size_t i = 1; i < n.numInputs(); ++i) {
      acc = n.make<OpTy>({acc, n.input(i)});
      if (!acc)
        return failure();
    }
    if (n.numInputs() == 1 && !mean) {
      n.setOutput(0, acc);
      return success();
    }
    if (mean) {
      Tensor count(DType::F64, {});
      count.setDouble(0, (double)n.numInputs());
      DType dt;
      if (!fromMlirType(cast<RankedTensorType>(acc.getType()).getElementType(),
                        dt))
        return n.unsupported("unsupported element type");
      Value c = n.g.materialize(count.castTo(dt), n.loc);
      acc = n.make<tg::DivOp>({acc, c});
      if (!acc)
        return failure();
    }
    n.setOutput(0, acc);
    return success();
  };
}

/// Unary op with float attributes (name, default) copied to tg attributes.
template <typename OpTy>
ImportFn withFloats(std::vector<std::pair<std::string, double>> attrs) {
  return [attrs](NodeContext &n) -> LogicalResult {
    SmallVector<NamedAttribute> named;
    for (auto &[name, def] : attrs)
      named.push_back(n.f64(name, n.attrFloat(name, def)));
    Value v = n.make<OpTy>({n.input(0)}, named);
    if (!v)
      return failure();
    n.setOutput(0, v);
    return success();
  };
}

LogicalResult importClip(NodeContext &n) {
  SmallVector<NamedAttribute> attrs;
  if (n.opset() < 11) {
    if (n.hasAttr("min"))
      attrs.push_back(n.f64("min", n.attrFloat("min", 0)));
    if (n.hasAttr("max"))
      attrs.push_back(n.f64("max", n.attrFloat("max", 0)));
  } else {
    const char *names[] = {"", "min", "max"};
    for (size_t i = 1; i <= 2; ++i) {
      if (!n.hasInput(i))
        continue;
      const Tensor *t = n.requireConstInput(i, names[i]);
      if (!t)
        return failure();
      if (t->numElements() != 1)
        return n.fail(std::string(names[i]) + " must be a scalar");
      attrs.push_back(n.f64(names[i], t->getDouble(0)));
    }
  }
  Value v = n.make<tg::ClipOp>({n.input(0)}, attrs);
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importCast(NodeContext &n) {
  Type to;
  if (n.opType() == "CastLike") {
    to = n.inputType(1).getElementType();
  } else {
    DType dt;
    int onnxTo = n.attrInt("to", 0);
    if (!fromOnnxType(onnxTo, dt))
      return n.unsupported(
          "unsupported type " +
          (onnx::TensorProto_DataType_IsValid(onnxTo)
               ? onnx::TensorProto_DataType_Name(
                     static_cast<onnx::TensorProto_DataType>(onnxTo))
               : std::to_string(onnxTo)));
    to = toMlirType(*n.ctx(), dt);
  }
  Value v =
      n.make<tg::CastOp>({n.input(0)}, {n.named("to", TypeAttr::get(to))});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importMod(NodeContext &n) {
  bool fmod = n.attrInt("fmod", 0) != 0;
  if (!fmod && isa<FloatType>(n.inputType(0).getElementType()))
    return n.fail("Mod with fmod=0 is not defined for floating point");
  Value v =
      n.make<tg::ModOp>({n.input(0), n.input(1)}, {n.boolean("fmod", fmod)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

/// PRelu: a 1-D slope of the channel count is per channel (dim 1), as
/// exporters emit for older opsets; otherwise numpy broadcasting.
LogicalResult importPRelu(NodeContext &n) {
  Value x = n.input(0), slope = n.input(1);
  if (!x || !slope)
    return n.fail("expects 2 inputs");
  auto xs = n.inputShape(0), ss = n.inputShape(1);
  if (ss.size() == 1 && xs.size() >= 2 && ss[0] == xs[1] && ss[0] != 1 &&
      xs.back() != ss[0]) {
    SmallVector<int64_t> shape(xs.size() - 1, 1);
    shape[0] = ss[0];
    slope = n.make<tg::ReshapeOp>({slope}, {n.i64Array("shape", shape)});
    if (!slope)
      return failure();
  }
  Value v = n.make<tg::PreluOp>({x, slope});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

} // namespace

void registerElementwiseImporters(ImporterTable &t) {
  t["Neg"] = unary<tg::NegOp>();
  t["Abs"] = unary<tg::AbsOp>();
  t["Sqrt"] = unary<tg::SqrtOp>();
  t["Exp"] = unary<tg::ExpOp>();
  t["Log"] = unary<tg::LogOp>();
  t["Erf"] = unary<tg::ErfOp>();
  t["Tanh"] = unary<tg::TanhOp>();
  t["Sigmoid"] = unary<tg::SigmoidOp>();
  t["Relu"] = unary<tg::ReluOp>();
  t["Reciprocal"] = unary<tg::ReciprocalOp>();
  t["Floor"] = unary<tg::FloorOp>();
  t["Ceil"] = unary<tg::CeilOp>();
  t["Round"] = unary<tg::RoundOp>();
  t["Sin"] = unary<tg::SinOp>();
  t["Cos"] = unary<tg::CosOp>();
  t["Tan"] = unary<tg::TanOp>();
  t["Asin"] = unary<tg::AsinOp>();
  t["Acos"] = unary<tg::AcosOp>();
  t["Atan"] = unary<tg::AtanOp>();
  t["Sinh"] = unary<tg::SinhOp>();
  t["Cosh"] = unary<tg::CoshOp>();
  t["Asinh"] = unary<tg::AsinhOp>();
  t["Acosh"] = unary<tg::AcoshOp>();
  t["Atanh"] = unary<tg::AtanhOp>();
  t["Sign"] = unary<tg::SignOp>();
  t["Softplus"] = unary<tg::SoftplusOp>();
  t["Softsign"] = unary<tg::SoftsignOp>();
  t["Not"] = unary<tg::NotOp>();
  t["HardSwish"] = unary<tg::HardSwishOp>();
  t["LeakyRelu"] = withFloats<tg::LeakyReluOp>({{"alpha", 0.01}});
  t["Elu"] = withFloats<tg::EluOp>({{"alpha", 1.0}});
  t["Celu"] = withFloats<tg::CeluOp>({{"alpha", 1.0}});
  t["ThresholdedRelu"] = withFloats<tg::ThresholdedReluOp>({{"alpha", 1.0}});
  t["Selu"] = withFloats<tg::SeluOp>({{"alpha", 1.67326319217681884765625},
                                      {"gamma", 1.05070102214813232421875}});
  t["HardSigmoid"] =
      withFloats<tg::HardSigmoidOp>({{"alpha", 0.2}, {"beta", 0.5}});
  t["Shrink"] = withFloats<tg::ShrinkOp>({{"bias", 0.0}, {"lambd", 0.5}});
  t["Clip"] = importClip;
  t["Cast"] = importCast;
  t["CastLike"] = importCast;

  t["Add"] = binary<tg::AddOp>();
  t["Sub"] = binary<tg::SubOp>();
  t["Mul"] = binary<tg::MulOp>();
  t["Div"] = binary<tg::DivOp>();
  t["Pow"] = binary<tg::PowOp>();
  t["PRelu"] = importPRelu;
  t["And"] = binary<tg::AndOp>();
  t["Or"] = binary<tg::OrOp>();
  t["Xor"] = binary<tg::XorOp>();
  t["Equal"] = binary<tg::EqualOp>();
  t["Less"] = binary<tg::LessOp>();
  t["Greater"] = binary<tg::GreaterOp>();
  t["LessOrEqual"] = binary<tg::LessOrEqualOp>();
  t["GreaterOrEqual"] = binary<tg::GreaterOrEqualOp>();
  t["Mod"] = importMod;
  t["Sum"] = variadic<tg::AddOp>();
  t["Max"] = variadic<tg::MaxOp>();
  t["Min"] = variadic<tg::MinOp>();
  t["Mean"] = variadic<tg::AddOp>(/*mean=*/true);
  t["Where"] = [](NodeContext &n) -> LogicalResult {
    Value v = n.make<tg::WhereOp>({n.input(0), n.input(1), n.input(2)});
    if (!v)
      return failure();
    n.setOutput(0, v);
    return success();
  };
}

} // namespace tdc::import
