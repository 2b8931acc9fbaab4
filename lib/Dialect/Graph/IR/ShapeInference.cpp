//===- ShapeInference.cpp - result types of tg ops
//-------------------------===//
//
// tg ops infer their own result types so that models newer than the system
// ONNX library still import, and so that the importer never trusts (possibly
// missing) value_info shapes.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/Diagnostics.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Dialect/Graph/IR/ShapeUtils.h"

using namespace mlir;
using namespace tdc::tg;
using llvm::SmallVector;

namespace tdc::tg {

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                    ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode) {
  int64_t span = (kernel - 1) * dilation + 1;
  int64_t avail = in + padBegin + padEnd - span;
  if (avail < 0)
    return 0;
  int64_t out = (ceilMode ? (avail + stride - 1) / stride : avail / stride) + 1;
  // With ceil_mode the last window must start inside the input or the
  // begin padding (ONNX/PyTorch rule).
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace tdc::tg

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}
static Type elemOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}
static Type tensorOf(ArrayRef<int64_t> shape, Type elem) {
  return RankedTensorType::get(shape, elem);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

#define TG_SAME_TYPE(OP)                                                       \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location>,   \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    types.push_back(adaptor.getOperands()[0].getType());                       \
    return success();                                                          \
  }
#undef TG_SAME_TYPE

static LogicalResult inferBroadcast(std::optional<Location> loc,
                                    ValueRange operands, Type elem,
                                    SmallVectorImpl<Type> &types) {
  SmallVector<int64_t> shape;
  for (Value v : operands) {
    auto b = tdc::tg::broadcastShapes(shape, shapeOf(v));
    if (!b)
      return emitOptionalError(loc, "operand shapes are not broadcastable");
    shape = *b;
  }
  types.push_back(tensorOf(shape, elem));
  return success();
}

#define TG_BROADCAST(OP, ELEM)                                                 \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,          \
      SmallVectorImpl<Type> &types) {                                          \
    (void)ctx;                                                                 \
    ValueRange ops = adaptor.getOperands();                                    \
    return inferBroadcast(loc, ops, ELEM, types);                              \
  }
TG_BROADCAST(AddOp, elemOf(ops[0]))
TG_BROADCAST(SubOp, elemOf(ops[0]))
TG_BROADCAST(MulOp, elemOf(ops[0]))
TG_BROADCAST(DivOp, elemOf(ops[0]))
TG_BROADCAST(PowOp, elemOf(ops[0]))
TG_BROADCAST(MaxOp, elemOf(ops[0]))
TG_BROADCAST(MinOp, elemOf(ops[0]))
TG_BROADCAST(PreluOp, elemOf(ops[0]))
TG_BROADCAST(AndOp, elemOf(ops[0]))
TG_BROADCAST(OrOp, elemOf(ops[0]))
TG_BROADCAST(XorOp, elemOf(ops[0]))
TG_BROADCAST(BitshiftLeftOp, elemOf(ops[0]))
TG_BROADCAST(BitshiftRightOp, elemOf(ops[0]))
TG_BROADCAST(ModOp, elemOf(ops[0]))
TG_BROADCAST(EqualOp, IntegerType::get(ctx, 1))
TG_BROADCAST(LessOp, IntegerType::get(ctx, 1))
TG_BROADCAST(GreaterOp, IntegerType::get(ctx, 1))
TG_BROADCAST(LessOrEqualOp, IntegerType::get(ctx, 1))
TG_BROADCAST(GreaterOrEqualOp, IntegerType::get(ctx, 1))
TG_BROADCAST(WhereOp, elemOf(ops[1]))
#undef TG_BROADCAST

LogicalResult CastOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  types.push_back(tensorOf(shapeOf(adaptor.getInput()), adaptor.getTo()));
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  SmallVector<int64_t> a(shapeOf(adaptor.getLhs()));
  SmallVector<int64_t> b(shapeOf(adaptor.getRhs()));
  if (a.empty() || b.empty())
    return emitOptionalError(loc, "matmul operands must have rank >= 1");
  bool aVec = a.size() == 1, bVec = b.size() == 1;
  if (aVec)
    a.insert(a.begin(), 1);
  if (bVec)
    b.push_back(1);
  if (a.back() != b[b.size() - 2])
    return emitOptionalError(loc, "matmul contraction dims differ: ", a.back(),
                             " vs ", b[b.size() - 2]);
  auto batch = tdc::tg::broadcastShapes(ArrayRef(a).drop_back(2),
                                        ArrayRef(b).drop_back(2));
  if (!batch)
    return emitOptionalError(loc, "matmul batch dims are not broadcastable");
  SmallVector<int64_t> out = *batch;
  if (!aVec)
    out.push_back(a[a.size() - 2]);
  if (!bVec)
    out.push_back(b.back());
  types.push_back(tensorOf(out, elemOf(adaptor.getLhs())));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto a = shapeOf(adaptor.getA()), b = shapeOf(adaptor.getB());
  if (a.size() != 2 || b.size() != 2)
    return emitOptionalError(loc, "gemm operands must be 2-D");
  int64_t m = adaptor.getTransA() ? a[1] : a[0];
  int64_t ka = adaptor.getTransA() ? a[0] : a[1];
  int64_t kb = adaptor.getTransB() ? b[1] : b[0];
  int64_t n = adaptor.getTransB() ? b[0] : b[1];
  if (ka != kb)
    return emitOptionalError(loc, "gemm contraction dims differ: ", ka, " vs ",
                             kb);
  // C is broadcast unidirectionally to [M, N].
  if (Value c = adaptor.getC()) {
    auto bc = tdc::tg::broadcastShapes(shapeOf(c), {m, n});
    if (shapeOf(c).size() > 2 || !bc || (*bc)[0] != m || (*bc)[1] != n)
      return emitOptionalError(loc, "gemm C is not broadcastable to [", m, ", ",
                               n, "]");
  }
  types.push_back(tensorOf({m, n}, elemOf(adaptor.getA())));
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput()), w = shapeOf(adaptor.getWeight());
  size_t sp = x.size() < 2 ? 0 : x.size() - 2;
  if (x.size() < 3 || w.size() != x.size())
    return emitOptionalError(loc, "conv input and weight ranks must match "
                                  "and be at least 3");
  auto strides = adaptor.getStrides(), dil = adaptor.getDilations(),
       pads = adaptor.getPads();
  if (strides.size() != sp || dil.size() != sp || pads.size() != 2 * sp)
    return emitOptionalError(loc, "conv attribute sizes do not match rank");
  int64_t g = adaptor.getGroup();
  if (g <= 0 || x[1] != w[1] * g || w[0] % g != 0)
    return emitOptionalError(loc, "conv channels (", x[1],
                             ") do not match "
                             "weight (",
                             w[1], ") times group (", g, ")");
  SmallVector<int64_t> out{x[0], w[0]};
  for (size_t i = 0; i < sp; ++i)
    out.push_back(tdc::tg::windowOutputSize(x[2 + i], w[2 + i], strides[i],
                                            pads[i], pads[sp + i], dil[i]));
  types.push_back(tensorOf(out, elemOf(adaptor.getInput())));
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput()), w = shapeOf(adaptor.getWeight());
  if (x.size() < 3 || w.size() != x.size())
    return emitOptionalError(loc, "conv_transpose ranks must match and be "
                                  "at least 3");
  size_t sp = x.size() - 2;
  auto s = adaptor.getStrides(), d = adaptor.getDilations(),
       p = adaptor.getPads(), op = adaptor.getOutputPadding();
  if (s.size() != sp || d.size() != sp || p.size() != 2 * sp || op.size() != sp)
    return emitOptionalError(loc, "conv_transpose attribute sizes do not "
                                  "match rank");
  int64_t g = adaptor.getGroup();
  if (g <= 0 || x[1] != w[0])
    return emitOptionalError(loc, "conv_transpose input channels (", x[1],
                             ") do not match weight dim 0 (", w[0], ")");
  SmallVector<int64_t> out{x[0], w[1] * g};
  for (size_t i = 0; i < sp; ++i)
    out.push_back(s[i] * (x[2 + i] - 1) + op[i] + (w[2 + i] - 1) * d[i] + 1 -
                  p[i] - p[sp + i]);
  types.push_back(tensorOf(out, elemOf(adaptor.getInput())));
  return success();
}

/// Per-channel operands of batch and instance normalization are [C].
static LogicalResult checkChannelOperands(std::optional<Location> loc,
                                          Value input, ValueRange params) {
  auto x = shapeOf(input);
  if (x.size() < 2)
    return emitOptionalError(loc, "normalization input must have rank >= 2");
  for (Value p : params) {
    auto s = shapeOf(p);
    if (s.size() != 1 || s[0] != x[1])
      return emitOptionalError(
          loc, "normalization parameters must have shape [", x[1], "]");
  }
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  if (failed(checkChannelOperands(loc, adaptor.getInput(),
                                  {adaptor.getScale(), adaptor.getBias(),
                                   adaptor.getMean(), adaptor.getVar()})))
    return failure();
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult InstanceNormOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  if (failed(checkChannelOperands(loc, adaptor.getInput(),
                                  {adaptor.getScale(), adaptor.getBias()})))
    return failure();
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > (int64_t)x.size())
    return emitOptionalError(loc, "layer_norm axis out of range");
  // Scale and bias broadcast (unidirectionally) to the input.
  for (Value p : {adaptor.getScale(), adaptor.getBias()}) {
    if (!p)
      continue;
    auto bc = tdc::tg::broadcastShapes(x, shapeOf(p));
    if (!bc || ArrayRef<int64_t>(*bc) != x)
      return emitOptionalError(loc, "layer_norm scale/bias are not "
                                    "broadcastable to the input");
  }
  SmallVector<int64_t> stat(x);
  for (size_t i = axis; i < x.size(); ++i)
    stat[i] = 1;
  Type e = elemOf(adaptor.getInput());
  types.push_back(adaptor.getInput().getType());
  types.push_back(tensorOf(stat, e));
  types.push_back(tensorOf(stat, e));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

#define TG_POOL(OP)                                                            \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
    auto x = shapeOf(adaptor.getInput());                                      \
    auto k = adaptor.getKernelShape(), s = adaptor.getStrides(),               \
         p = adaptor.getPads(), d = adaptor.getDilations();                    \
    if (x.size() < 3)                                                          \
      return emitOptionalError(loc, "pooling input must have rank >= 3");      \
    size_t sp = x.size() - 2;                                                  \
    if (k.size() != sp || s.size() != sp || d.size() != sp ||                  \
        p.size() != 2 * sp)                                                    \
      return emitOptionalError(loc, "pooling attribute sizes do not match "    \
                                    "rank");                                   \
    SmallVector<int64_t> out{x[0], x[1]};                                      \
    for (size_t i = 0; i < sp; ++i)                                            \
      out.push_back(tdc::tg::windowOutputSize(x[2 + i], k[i], s[i], p[i],      \
                                              p[sp + i], d[i],                 \
                                              adaptor.getCeilMode()));         \
    types.push_back(tensorOf(out, elemOf(adaptor.getInput())));                \
    if constexpr (std::is_same_v<OP, MaxPoolWithIndicesOp>)                    \
      types.push_back(tensorOf(                                                \
          out,                                                                 \
          IntegerType::get(elemOf(adaptor.getInput()).getContext(), 64)));     \
    return success();                                                          \
  }
TG_POOL(MaxPoolOp)
TG_POOL(AveragePoolOp)
TG_POOL(LpPoolOp)
TG_POOL(MaxPoolWithIndicesOp)
#undef TG_POOL

static LogicalResult inferReduce(std::optional<Location> loc, Value input,
                                 ArrayRef<int64_t> axes, bool keepdims,
                                 Type elem, SmallVectorImpl<Type> &types) {
  auto x = shapeOf(input);
  SmallVector<bool> reduced(x.size(), axes.empty());
  for (int64_t a : axes) {
    if (a < 0 || a >= (int64_t)x.size())
      return emitOptionalError(loc, "reduction axis ", a, " out of range");
    reduced[a] = true;
  }
  SmallVector<int64_t> out;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!reduced[i])
      out.push_back(x[i]);
    else if (keepdims)
      out.push_back(1);
  }
  types.push_back(tensorOf(out, elem));
  return success();
}

#define TG_REDUCE(OP)                                                          \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
    return inferReduce(loc, adaptor.getInput(), adaptor.getAxes(),             \
                       adaptor.getKeepdims(), elemOf(adaptor.getInput()),      \
                       types);                                                 \
  }
TG_REDUCE(ReduceSumOp)
TG_REDUCE(ReduceMeanOp)
TG_REDUCE(ReduceMaxOp)
TG_REDUCE(ReduceMinOp)
TG_REDUCE(ReduceProdOp)
TG_REDUCE(ReduceL1Op)
TG_REDUCE(ReduceL2Op)
TG_REDUCE(ReduceLogSumOp)
TG_REDUCE(ReduceLogSumExpOp)
TG_REDUCE(ReduceSumSquareOp)
#undef TG_REDUCE

#define TG_ARG_REDUCE(OP)                                                      \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,          \
      SmallVectorImpl<Type> &types) {                                          \
    int64_t axis = adaptor.getAxis();                                          \
    return inferReduce(loc, adaptor.getInput(), ArrayRef<int64_t>(axis),       \
                       adaptor.getKeepdims(), IntegerType::get(ctx, 64),       \
                       types);                                                 \
  }
TG_ARG_REDUCE(ArgMaxOp)
TG_ARG_REDUCE(ArgMinOp)
#undef TG_ARG_REDUCE

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto shape = adaptor.getShape();
  if (tdc::tg::numElements(shape) !=
      tdc::tg::numElements(shapeOf(adaptor.getInput())))
    return emitOptionalError(loc, "reshape changes the number of elements");
  types.push_back(tensorOf(shape, elemOf(adaptor.getInput())));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput());
  auto perm = adaptor.getPerm();
  if (perm.size() != x.size())
    return emitOptionalError(loc, "transpose perm size does not match rank");
  SmallVector<int64_t> out;
  SmallVector<bool> seen(x.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)x.size() || seen[p])
      return emitOptionalError(loc, "transpose perm is not a permutation");
    seen[p] = true;
    out.push_back(x[p]);
  }
  types.push_back(tensorOf(out, elemOf(adaptor.getInput())));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "concat needs at least one input");
  SmallVector<int64_t> out(shapeOf(inputs[0]));
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= (int64_t)out.size())
    return emitOptionalError(loc, "concat axis out of range");
  out[axis] = 0;
  for (Value v : inputs) {
    auto s = shapeOf(v);
    if (s.size() != out.size())
      return emitOptionalError(loc, "concat inputs differ in rank");
    for (size_t i = 0; i < s.size(); ++i)
      if ((int64_t)i != axis && s[i] != out[i])
        return emitOptionalError(loc, "concat inputs differ in dim ", i);
    out[axis] += s[axis];
  }
  types.push_back(tensorOf(out, elemOf(inputs[0])));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  SmallVector<int64_t> s(shapeOf(adaptor.getInput()));
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= (int64_t)s.size())
    return emitOptionalError(loc, "split axis out of range");
  int64_t total = 0;
  for (int64_t size : adaptor.getSizes()) {
    s[axis] = size;
    total += size;
    types.push_back(tensorOf(s, elemOf(adaptor.getInput())));
  }
  if (total != shapeOf(adaptor.getInput())[axis])
    return emitOptionalError(loc, "split sizes do not add up to the dim");
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput());
  auto starts = adaptor.getStarts(), sizes = adaptor.getSizes(),
       steps = adaptor.getSteps();
  if (starts.size() != x.size() || sizes.size() != x.size() ||
      steps.size() != x.size())
    return emitOptionalError(loc, "slice attributes must cover every dim");
  for (size_t i = 0; i < x.size(); ++i) {
    if (steps[i] == 0 || sizes[i] < 0)
      return emitOptionalError(loc, "invalid slice in dim ", i);
    if (sizes[i] > 0) {
      int64_t last = starts[i] + (sizes[i] - 1) * steps[i];
      if (starts[i] < 0 || starts[i] >= x[i] || last < 0 || last >= x[i])
        return emitOptionalError(loc, "slice out of bounds in dim ", i);
    }
  }
  types.push_back(tensorOf(sizes, elemOf(adaptor.getInput())));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput()), idx = shapeOf(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= (int64_t)x.size())
    return emitOptionalError(loc, "gather axis out of range");
  SmallVector<int64_t> out(x.begin(), x.begin() + axis);
  out.append(idx.begin(), idx.end());
  out.append(x.begin() + axis + 1, x.end());
  types.push_back(tensorOf(out, elemOf(adaptor.getInput())));
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *,
                                                 std::optional<Location> loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput()), idx = shapeOf(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= (int64_t)x.size() || idx.size() != x.size())
    return emitOptionalError(loc, "gather_elements rank or axis mismatch");
  types.push_back(tensorOf(idx, elemOf(adaptor.getInput())));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput());
  auto pads = adaptor.getPads();
  if (pads.size() != 2 * x.size())
    return emitOptionalError(loc, "pad needs 2 * rank pad values");
  SmallVector<int64_t> out;
  for (size_t i = 0; i < x.size(); ++i) {
    int64_t d = x[i] + pads[i] + pads[x.size() + i];
    if (d < 0)
      return emitOptionalError(loc, "pad crops dim ", i, " below zero");
    out.push_back(d);
  }
  types.push_back(tensorOf(out, elemOf(adaptor.getInput())));
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto b =
      tdc::tg::broadcastShapes(shapeOf(adaptor.getInput()), adaptor.getShape());
  if (!b)
    return emitOptionalError(loc, "expand shape is not broadcastable");
  types.push_back(tensorOf(*b, elemOf(adaptor.getInput())));
  return success();
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput());
  auto r = adaptor.getRepeats();
  if (r.size() != x.size())
    return emitOptionalError(loc, "tile repeats must match rank");
  SmallVector<int64_t> out;
  for (size_t i = 0; i < x.size(); ++i)
    out.push_back(x[i] * r[i]);
  types.push_back(tensorOf(out, elemOf(adaptor.getInput())));
  return success();
}

//===----------------------------------------------------------------------===//
// Tensor manipulation
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput());
  size_t rank = x.size();
  if (adaptor.getSizes().size() != rank || adaptor.getScales().size() != rank)
    return emitOptionalError(loc, "resize needs one size and scale per dim");
  if (!adaptor.getRoi().empty() && adaptor.getRoi().size() != 2 * rank)
    return emitOptionalError(loc, "resize roi needs 2 * rank values");
  for (size_t i = 0; i < rank; ++i) {
    if (adaptor.getSizes()[i] < 0)
      return emitOptionalError(loc, "resize output size is negative");
    if (adaptor.getSizes()[i] > 0 && !(adaptor.getScales()[i] > 0))
      return emitOptionalError(loc, "resize scale must be positive");
  }
  types.push_back(tensorOf(adaptor.getSizes(), elemOf(adaptor.getInput())));
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput());
  int64_t axis = adaptor.getAxis(), k = adaptor.getK();
  if (axis < 0 || axis >= (int64_t)x.size())
    return emitOptionalError(loc, "top_k axis out of range");
  if (k < 0 || k > x[axis])
    return emitOptionalError(loc, "top_k k = ", k, " is not in [0, ", x[axis],
                             "]");
  SmallVector<int64_t> out(x);
  out[axis] = k;
  types.push_back(tensorOf(out, elemOf(adaptor.getInput())));
  types.push_back(tensorOf(out, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef eq = adaptor.getEquation();
  auto arrow = eq.find("->");
  if (arrow == StringRef::npos)
    return emitOptionalError(loc, "einsum equation needs an explicit output");
  SmallVector<StringRef> terms;
  eq.take_front(arrow).split(terms, ',');
  StringRef outTerm = eq.drop_front(arrow + 2);
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty() || terms.size() != inputs.size())
    return emitOptionalError(loc, "einsum needs one term per input");
  std::map<char, int64_t> dims;
  Type elem = elemOf(inputs[0]);
  for (size_t i = 0; i < terms.size(); ++i) {
    auto shape = shapeOf(inputs[i]);
    if (terms[i].size() != shape.size())
      return emitOptionalError(loc, "einsum term '", terms[i],
                               "' does not match the rank of input ", i);
    if (elemOf(inputs[i]) != elem)
      return emitOptionalError(loc, "einsum inputs differ in element type");
    for (size_t d = 0; d < shape.size(); ++d) {
      char c = terms[i][d];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        return emitOptionalError(loc, "einsum term has a non-letter");
      auto [it, inserted] = dims.insert({c, shape[d]});
      if (!inserted && it->second != shape[d])
        return emitOptionalError(loc, "einsum index '", StringRef(&c, 1),
                                 "' has sizes ", it->second, " and ", shape[d]);
    }
  }
  SmallVector<int64_t> out;
  for (size_t d = 0; d < outTerm.size(); ++d) {
    char c = outTerm[d];
    auto it = dims.find(c);
    if (it == dims.end() || outTerm.find(c, d + 1) != StringRef::npos)
      return emitOptionalError(loc, "einsum output index '", StringRef(&c, 1),
                               "' is repeated or not in any input");
    out.push_back(it->second);
  }
  types.push_back(tensorOf(out, elem));
  return success();
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput()), idx = shapeOf(adaptor.getIndices());
  int64_t r = x.size(), q = idx.size(), b = adaptor.getBatchDims();
  if (q < 1 || b < 0 || b >= std::min(r, q))
    return emitOptionalError(loc, "gather_nd batch_dims out of range");
  int64_t m = idx.back();
  if (m < 1 || m > r - b)
    return emitOptionalError(loc, "gather_nd index tuples of length ", m,
                             " do not fit data of rank ", r);
  for (int64_t i = 0; i < b; ++i)
    if (x[i] != idx[i])
      return emitOptionalError(loc, "gather_nd batch dims differ");
  SmallVector<int64_t> out(idx.begin(), idx.end() - 1);
  out.append(x.begin() + b + m, x.end());
  types.push_back(tensorOf(out, elemOf(adaptor.getInput())));
  return success();
}

static bool isScatterReduction(StringRef r) {
  return r == "none" || r == "add" || r == "mul" || r == "max" || r == "min";
}

LogicalResult
ScatterElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput()), idx = shapeOf(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= (int64_t)x.size() || idx.size() != x.size() ||
      shapeOf(adaptor.getUpdates()) != idx)
    return emitOptionalError(loc, "scatter_elements rank, axis or updates "
                                  "shape mismatch");
  if (!isScatterReduction(adaptor.getReduction()))
    return emitOptionalError(loc, "unknown scatter reduction");
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto x = shapeOf(adaptor.getInput()), idx = shapeOf(adaptor.getIndices());
  if (idx.empty() || idx.back() < 1 || idx.back() > (int64_t)x.size())
    return emitOptionalError(loc, "scatter_nd index tuples do not fit data");
  SmallVector<int64_t> upd(idx.begin(), idx.end() - 1);
  upd.append(x.begin() + idx.back(), x.end());
  if (shapeOf(adaptor.getUpdates()) != ArrayRef<int64_t>(upd))
    return emitOptionalError(loc, "scatter_nd updates shape mismatch");
  if (!isScatterReduction(adaptor.getReduction()))
    return emitOptionalError(loc, "unknown scatter reduction");
  types.push_back(adaptor.getInput().getType());
  return success();
}
