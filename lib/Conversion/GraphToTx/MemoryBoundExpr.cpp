//===- MemoryBoundExpr.cpp - memory-bound tg ops as expressions -----------===//
//
// Elementwise ops (with numpy broadcasting of their other operand),
// BatchNormalization, average pooling and sum/mean reductions applied to the
// value a region computes so far. Activations are written with the
// expression model's functions: LeakyRelu(x) = max(x, 0) + a * min(x, 0),
// Clip(x) = min(max(x, lo), hi), and so on.
//
//===----------------------------------------------------------------------===//
#include "RegionValue.h"

#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace tdc::derive;

namespace tdc {

static std::vector<int64_t> shapeOf(Value v) {
  auto s = cast<RankedTensorType>(v.getType()).getShape();
  return std::vector<int64_t>(s.begin(), s.end());
}

Expr RegionInputs::get(Value v, const std::string &role) {
  auto found = byValue.find(v);
  if (found != byValue.end())
    return found->second;
  std::string name = role;
  while (name.empty() || region.inputs.count(name) ||
         region.constants.count(name))
    name = "E" + std::to_string(next++);
  Expr in = ctx.input(name, shapeOf(v), matchPattern(v, m_Constant()));
  region.inputs[name] = v;
  byValue[v] = in;
  return in;
}

Expr RegionInputs::constant(std::vector<int64_t> shape,
                            std::vector<float> data) {
  std::string name;
  while (name.empty() || region.inputs.count(name) ||
         region.constants.count(name))
    name = "E" + std::to_string(next++);
  region.constants[name] = std::move(data);
  return ctx.input(name, std::move(shape), /*isConstant=*/true);
}

RegionValue RegionValue::of(ExprContext &ctx, Expr tensor) {
  RegionValue v;
  v.shape = tensor->tensorShape();
  v.tensor = tensor;
  v.at = [&ctx, tensor](const std::vector<Index> &sub) {
    return ctx.access(tensor, sub);
  };
  return v;
}

void RegionValue::materialize(ExprContext &ctx) {
  if (tensor)
    return;
  std::vector<IterRange> loops;
  std::vector<Index> sub;
  for (size_t d = 0; d < shape.size(); ++d) {
    Iter it = ctx.iter("e" + std::to_string(d));
    loops.push_back({it, {0, shape[d]}});
    sub.push_back(ctx.idx(it));
  }
  *this = of(ctx, ctx.scope(loops, {}, at(sub)));
}

/// A single value known at compile time (a splat constant of any shape).
static bool splatValue(Value v, double &out) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return false;
  out = attr.getSplatValue<APFloat>().convertToDouble();
  return true;
}

/// Element `sub` of `v` (a tensor of shape `v`'s type) broadcast numpy-style
/// to a value of `sub.size()` dims: right-aligned, size-1 dims read at 0.
/// Null when `v` does not broadcast to `shape`.
static Expr broadcastRead(ExprContext &ctx, RegionInputs &inputs, Value v,
                          const std::vector<int64_t> &shape,
                          const std::vector<Index> &sub,
                          const std::string &role = "") {
  double c;
  if (splatValue(v, c))
    return ctx.constant(c);
  std::vector<int64_t> vs = shapeOf(v);
  if (vs.size() > shape.size())
    return nullptr;
  size_t off = shape.size() - vs.size();
  std::vector<Index> vsub;
  for (size_t d = 0; d < vs.size(); ++d) {
    if (vs[d] != 1 && vs[d] != shape[off + d])
      return nullptr;
    vsub.push_back(vs[d] == 1 ? ctx.cst(0) : sub[off + d]);
  }
  return ctx.access(inputs.get(v, role), vsub);
}

/// Per-channel parameter c of an N C ... value: a 1-D tensor of C values.
static Expr channelRead(ExprContext &ctx, RegionInputs &inputs, Value v,
                        const std::vector<Index> &sub,
                        const std::string &role) {
  double c;
  if (splatValue(v, c))
    return ctx.constant(c);
  return ctx.access(inputs.get(v, role), {sub[1]});
}

bool applyEpilogue(ExprContext &ctx, Operation *op, RegionValue &value,
                   RegionInputs &inputs, std::string &why) {
  Value bias;
  double alpha = 1, beta = 1;
  if (auto c = dyn_cast<tg::ConvOp>(op))
    bias = c.getBias();
  else if (auto c = dyn_cast<tg::ConvTransposeOp>(op))
    bias = c.getBias();
  else if (auto g = dyn_cast<tg::GemmOp>(op)) {
    bias = g.getC();
    alpha = g.getAlpha().convertToDouble();
    beta = g.getBeta().convertToDouble();
  }
  if (!bias && alpha == 1)
    return true;
  if (bias && !isStaticF32(bias)) {
    why = "bias is not a static f32 tensor";
    return false;
  }
  std::vector<int64_t> shape = value.shape;
  if (bias && !isa<tg::GemmOp>(op)) {
    auto bs = shapeOf(bias);
    if (bs.size() != 1 || shape.size() < 2 || bs[0] != shape[1]) {
      why = "bias is not one value per output channel";
      return false;
    }
  }
  if (bias && isa<tg::GemmOp>(op) &&
      !broadcastRead(ctx, inputs, bias, shape,
                     std::vector<Index>(shape.size(), ctx.cst(0)), "Bias")) {
    why = "C does not broadcast to the output";
    return false;
  }
  auto inner = value.at;
  bool gemm = isa<tg::GemmOp>(op);
  value.at = [&ctx, &inputs, inner, bias, alpha, beta, shape,
              gemm](const std::vector<Index> &sub) {
    Expr body = inner(sub);
    if (alpha != 1)
      body = ctx.binary(BinaryOp::Mul, ctx.constant(alpha), body);
    if (bias) {
      Expr b = gemm ? broadcastRead(ctx, inputs, bias, shape, sub, "Bias")
                    : channelRead(ctx, inputs, bias, sub, "Bias");
      if (beta != 1)
        b = ctx.binary(BinaryOp::Mul, ctx.constant(beta), b);
      body = ctx.binary(BinaryOp::Add, body, b);
    }
    return body;
  };
  value.tensor = nullptr;
  return true;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// The scalar function of a unary tg op, or null when it has none.
static std::function<Expr(ExprContext &, Expr)> unaryFunction(Operation *op) {
  using F = std::function<Expr(ExprContext &, Expr)>;
  auto fn = [](UnaryFn f) -> F {
    return [f](ExprContext &ctx, Expr x) { return ctx.unary(f, x); };
  };
  auto relu = [](ExprContext &ctx, Expr x) {
    return ctx.binary(BinaryOp::Max, x, ctx.constant(0));
  };
  auto negPart = [](ExprContext &ctx, Expr x) {
    return ctx.binary(BinaryOp::Min, x, ctx.constant(0));
  };
  // max(x, 0) + min(a * (exp(x) - 1), 0): Elu for a > 0.
  auto elu = [relu](ExprContext &ctx, Expr x, double a) {
    Expr em1 =
        ctx.binary(BinaryOp::Sub, ctx.unary(UnaryFn::Exp, x), ctx.constant(1));
    return ctx.binary(
        BinaryOp::Add, relu(ctx, x),
        ctx.binary(BinaryOp::Min,
                   ctx.binary(BinaryOp::Mul, ctx.constant(a), em1),
                   ctx.constant(0)));
  };
  if (isa<tg::NegOp>(op))
    return fn(UnaryFn::Neg);
  if (isa<tg::AbsOp>(op))
    return fn(UnaryFn::Abs);
  if (isa<tg::SqrtOp>(op))
    return fn(UnaryFn::Sqrt);
  if (isa<tg::ExpOp>(op))
    return fn(UnaryFn::Exp);
  if (isa<tg::LogOp>(op))
    return fn(UnaryFn::Log);
  if (isa<tg::TanhOp>(op))
    return fn(UnaryFn::Tanh);
  if (isa<tg::SigmoidOp>(op))
    return fn(UnaryFn::Sigmoid);
  if (isa<tg::ReluOp>(op))
    return fn(UnaryFn::Relu);
  if (isa<tg::IdentityOp>(op))
    return [](ExprContext &, Expr x) { return x; };
  if (isa<tg::ReciprocalOp>(op))
    return [](ExprContext &ctx, Expr x) {
      return ctx.binary(BinaryOp::Div, ctx.constant(1), x);
    };
  if (isa<tg::SoftsignOp>(op))
    return [](ExprContext &ctx, Expr x) {
      return ctx.binary(BinaryOp::Div, x,
                        ctx.binary(BinaryOp::Add, ctx.constant(1),
                                   ctx.unary(UnaryFn::Abs, x)));
    };
  if (auto l = dyn_cast<tg::LeakyReluOp>(op)) {
    double a = l.getAlpha().convertToDouble();
    return [=](ExprContext &ctx, Expr x) {
      return ctx.binary(
          BinaryOp::Add, relu(ctx, x),
          ctx.binary(BinaryOp::Mul, ctx.constant(a), negPart(ctx, x)));
    };
  }
  if (auto e = dyn_cast<tg::EluOp>(op)) {
    double a = e.getAlpha().convertToDouble();
    if (a <= 0)
      return nullptr;
    return [=](ExprContext &ctx, Expr x) { return elu(ctx, x, a); };
  }
  if (auto s = dyn_cast<tg::SeluOp>(op)) {
    double a = s.getAlpha().convertToDouble(),
           g = s.getGamma().convertToDouble();
    if (a <= 0)
      return nullptr;
    return [=](ExprContext &ctx, Expr x) {
      return ctx.binary(BinaryOp::Mul, ctx.constant(g), elu(ctx, x, a));
    };
  }
  if (auto c = dyn_cast<tg::ClipOp>(op)) {
    std::optional<double> lo, hi;
    if (auto m = c.getMinAttr())
      lo = m.getValueAsDouble();
    if (auto m = c.getMaxAttr())
      hi = m.getValueAsDouble();
    return [=](ExprContext &ctx, Expr x) {
      if (lo)
        x = ctx.binary(BinaryOp::Max, x, ctx.constant(*lo));
      if (hi)
        x = ctx.binary(BinaryOp::Min, x, ctx.constant(*hi));
      return x;
    };
  }
  // max(0, min(1, a * x + b)), and HardSwish's x * that with a = 1/6.
  auto hardSigmoid = [](ExprContext &ctx, Expr x, double a, double b) {
    Expr lin =
        ctx.binary(BinaryOp::Add, ctx.binary(BinaryOp::Mul, ctx.constant(a), x),
                   ctx.constant(b));
    return ctx.binary(BinaryOp::Max, ctx.constant(0),
                      ctx.binary(BinaryOp::Min, ctx.constant(1), lin));
  };
  if (auto h = dyn_cast<tg::HardSigmoidOp>(op)) {
    double a = h.getAlpha().convertToDouble(),
           b = h.getBeta().convertToDouble();
    return [=](ExprContext &ctx, Expr x) { return hardSigmoid(ctx, x, a, b); };
  }
  if (isa<tg::HardSwishOp>(op))
    return [=](ExprContext &ctx, Expr x) {
      return ctx.binary(BinaryOp::Mul, x, hardSigmoid(ctx, x, 1.0 / 6.0, 0.5));
    };
  return nullptr;
}

static std::optional<BinaryOp> binaryOpOf(Operation *op) {
  if (isa<tg::AddOp>(op))
    return BinaryOp::Add;
  if (isa<tg::SubOp>(op))
    return BinaryOp::Sub;
  if (isa<tg::MulOp>(op))
    return BinaryOp::Mul;
  if (isa<tg::DivOp>(op))
    return BinaryOp::Div;
  if (isa<tg::MaxOp>(op))
    return BinaryOp::Max;
  if (isa<tg::MinOp>(op))
    return BinaryOp::Min;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Ops that read several elements
//===----------------------------------------------------------------------===//

/// Taps j in [0, k) of output o whose input position o*s + j*d - pad lies
/// in [lo, hi).
static int64_t tapsIn(int64_t o, int64_t k, int64_t s, int64_t d, int64_t pad,
                      int64_t lo, int64_t hi) {
  int64_t n = 0;
  for (int64_t j = 0; j < k; ++j) {
    int64_t p = o * s + j * d - pad;
    n += p >= lo && p < hi;
  }
  return n;
}

/// Y = L<n, c, o...> Sum<k...> { X[n, c, o*s + k*d - p] * R_1[o_1] * ... }
/// with R_i the reciprocal tap counts of dim i, a scalar when they are
/// uniform. Reads outside X are zero, so X must be a tensor when padded.
static bool averagePool(ExprContext &ctx, tg::AveragePoolOp op,
                        RegionValue &value, RegionInputs &inputs) {
  auto kernel = op.getKernelShape(), strides = op.getStrides(),
       dil = op.getDilations(), pads = op.getPads();
  std::vector<int64_t> xs = value.shape, ys = shapeOf(op.getOutput());
  size_t sp = kernel.size();
  bool inside = true; // every tap reads inside X
  for (size_t i = 0; i < sp; ++i)
    inside &=
        pads[i] == 0 &&
        (ys[2 + i] - 1) * strides[i] + (kernel[i] - 1) * dil[i] < xs[2 + i];
  if (!inside)
    value.materialize(ctx);
  bool countPad = op.getCountIncludePad();
  Iter n = ctx.iter("n"), c = ctx.iter("c");
  std::vector<IterRange> loops{{n, {0, ys[0]}}, {c, {0, ys[1]}}}, sums;
  std::vector<Index> xi{ctx.idx(n), ctx.idx(c)};
  double uniformScale = 1;
  std::vector<Expr> scales;
  for (size_t i = 0; i < sp; ++i) {
    Iter o = ctx.iter("o" + std::to_string(i)),
         k = ctx.iter("k" + std::to_string(i));
    loops.push_back({o, {0, ys[2 + i]}});
    sums.push_back({k, {0, kernel[i]}});
    xi.push_back(ctx.add(
        ctx.add(ctx.mul(ctx.idx(o), strides[i]), ctx.mul(ctx.idx(k), dil[i])),
        -pads[i]));
    int64_t lo = countPad ? -pads[i] : 0;
    int64_t hi = countPad ? xs[2 + i] + pads[sp + i] : xs[2 + i];
    std::vector<float> recip;
    bool uniform = true;
    for (int64_t y = 0; y < ys[2 + i]; ++y) {
      int64_t t = tapsIn(y, kernel[i], strides[i], dil[i], pads[i], lo, hi);
      uniform &= t == kernel[i];
      recip.push_back(t ? 1.0f / (float)t : 0.0f);
    }
    if (uniform) {
      uniformScale /= (double)kernel[i];
      continue;
    }
    Expr r = inputs.constant({ys[2 + i]}, std::move(recip));
    scales.push_back(ctx.access(r, {ctx.idx(o)}));
  }
  Expr body = value.at(xi);
  for (Expr s : scales)
    body = ctx.binary(BinaryOp::Mul, body, s);
  if (uniformScale != 1)
    body = ctx.binary(BinaryOp::Mul, body, ctx.constant(uniformScale));
  value = RegionValue::of(ctx, ctx.scope(loops, sums, body));
  return true;
}

/// Y = L<kept...> Sum<reduced...> { X[...] } (times 1/count for a mean);
/// kept dims of size 1 (keepdims) are traversed but not read.
template <typename OpTy>
static void reduce(ExprContext &ctx, OpTy op, bool mean, RegionValue &value) {
  std::vector<int64_t> xs = value.shape;
  auto axesAttr = op.getAxes();
  std::vector<bool> reduced(xs.size(), axesAttr.empty());
  for (int64_t a : axesAttr)
    reduced[a] = true;
  std::vector<IterRange> loops, sums;
  std::vector<Index> xi;
  int64_t count = 1;
  for (size_t d = 0; d < xs.size(); ++d) {
    if (!reduced[d]) {
      Iter it = ctx.iter("e" + std::to_string(d));
      loops.push_back({it, {0, xs[d]}});
      xi.push_back(ctx.idx(it));
      continue;
    }
    Iter s = ctx.iter("r" + std::to_string(d));
    sums.push_back({s, {0, xs[d]}});
    xi.push_back(ctx.idx(s));
    count *= xs[d];
    if (op.getKeepdims())
      loops.push_back({ctx.iter("e" + std::to_string(d)), {0, 1}});
  }
  Expr body = value.at(xi);
  if (mean)
    body = ctx.binary(BinaryOp::Mul, body, ctx.constant(1.0 / (double)count));
  value = RegionValue::of(ctx, ctx.scope(loops, sums, body));
}

/// The C values of a per-channel parameter defined by a constant (dense
/// or, for initializers, a dense f32 resource).
static bool channelValues(Value v, int64_t channels, std::vector<double> &out) {
  out.clear();
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (!isa<FloatType>(dense.getElementType()))
      return false;
    for (const APFloat &f : dense.getValues<APFloat>())
      out.push_back(f.convertToDouble());
  } else if (auto res = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = res.tryGetAsArrayRef();
    if (!data)
      return false;
    out.assign(data->begin(), data->end());
  } else {
    return false;
  }
  if (out.size() == 1)
    out.assign(channels, out[0]);
  return (int64_t)out.size() == channels;
}

/// BatchNormalization with constant parameters as x * A + B per channel:
/// A = scale / sqrt(var + eps), B = bias - mean * A (in double).
static bool foldBatchNorm(tg::BatchNormOp bn, int64_t channels,
                          std::vector<float> &a, std::vector<float> &b) {
  std::vector<double> scale, bias, mean, var;
  if (!channelValues(bn.getScale(), channels, scale) ||
      !channelValues(bn.getBias(), channels, bias) ||
      !channelValues(bn.getMean(), channels, mean) ||
      !channelValues(bn.getVar(), channels, var))
    return false;
  double eps = bn.getEpsilon().convertToDouble();
  for (int64_t c = 0; c < channels; ++c) {
    double s = scale[c] / std::sqrt(var[c] + eps);
    a.push_back((float)s);
    b.push_back((float)(bias[c] - mean[c] * s));
  }
  return true;
}

bool isMemoryBound(Operation *op) {
  return unaryFunction(op) || binaryOpOf(op) ||
         isa<tg::BatchNormOp, tg::AveragePoolOp, tg::ReduceSumOp,
             tg::ReduceMeanOp>(op);
}

bool applyMemoryBound(ExprContext &ctx, Operation *op, unsigned operand,
                      RegionValue &value, RegionInputs &inputs,
                      std::string &why) {
  std::vector<int64_t> out = shapeOf(op->getResult(0));
  if (auto f = unaryFunction(op)) {
    auto inner = value.at;
    value.at = [&ctx, inner, f](const std::vector<Index> &sub) {
      return f(ctx, inner(sub));
    };
    value.tensor = nullptr;
    return true;
  }
  if (auto bop = binaryOpOf(op)) {
    // The region's value must not be broadcast: it keeps one element per
    // output element.
    if (out != value.shape) {
      why = "the region's value would be broadcast";
      return false;
    }
    Value other = op->getOperand(1 - operand);
    if (!broadcastRead(ctx, inputs, other, out,
                       std::vector<Index>(out.size(), ctx.cst(0)))) {
      why = "the other operand does not broadcast to the output";
      return false;
    }
    auto inner = value.at;
    BinaryOp b = *bop;
    value.at = [&ctx, &inputs, inner, b, other, out,
                operand](const std::vector<Index> &sub) {
      Expr mine = inner(sub);
      Expr theirs = broadcastRead(ctx, inputs, other, out, sub);
      return operand == 0 ? ctx.binary(b, mine, theirs)
                          : ctx.binary(b, theirs, mine);
    };
    value.tensor = nullptr;
    return true;
  }
  if (auto bn = dyn_cast<tg::BatchNormOp>(op)) {
    if (value.shape.size() < 2) {
      why = "batch_norm of a value without channels";
      return false;
    }
    double eps = bn.getEpsilon().convertToDouble();
    Value scale = bn.getScale(), bias = bn.getBias(), mean = bn.getMean(),
          var = bn.getVar();
    auto inner = value.at;
    std::vector<float> a, b;
    if (foldBatchNorm(bn, value.shape[1], a, b)) {
      // Known parameters: x * A[c] + B[c], one multiply-add per element.
      Expr ea = inputs.constant({value.shape[1]}, std::move(a));
      Expr eb = inputs.constant({value.shape[1]}, std::move(b));
      value.at = [&ctx, inner, ea, eb](const std::vector<Index> &sub) {
        return ctx.binary(
            BinaryOp::Add,
            ctx.binary(BinaryOp::Mul, inner(sub), ctx.access(ea, {sub[1]})),
            ctx.access(eb, {sub[1]}));
      };
      value.tensor = nullptr;
      return true;
    }
    // (x - mean) * scale / sqrt(var + eps) + bias, per channel.
    value.at = [&ctx, &inputs, inner, eps, scale, bias, mean,
                var](const std::vector<Index> &sub) {
      // Named in a fixed order (argument evaluation order is not).
      Expr m = channelRead(ctx, inputs, mean, sub, "Mean");
      Expr s = channelRead(ctx, inputs, scale, sub, "Scale");
      Expr v = channelRead(ctx, inputs, var, sub, "Var");
      Expr b = channelRead(ctx, inputs, bias, sub, "Shift");
      Expr x = ctx.binary(BinaryOp::Sub, inner(sub), m);
      Expr inv =
          ctx.binary(BinaryOp::Div, s,
                     ctx.unary(UnaryFn::Sqrt, ctx.binary(BinaryOp::Add, v,
                                                         ctx.constant(eps))));
      return ctx.binary(BinaryOp::Add, ctx.binary(BinaryOp::Mul, x, inv), b);
    };
    value.tensor = nullptr;
    return true;
  }
  if (auto pool = dyn_cast<tg::AveragePoolOp>(op))
    return averagePool(ctx, pool, value, inputs);
  if (auto r = dyn_cast<tg::ReduceSumOp>(op)) {
    reduce(ctx, r, /*mean=*/false, value);
    return true;
  }
  if (auto r = dyn_cast<tg::ReduceMeanOp>(op)) {
    reduce(ctx, r, /*mean=*/true, value);
    return true;
  }
  why = "not a memory-bound op with an expression";
  return false;
}

} // namespace tdc
