//===- ImportShape.cpp - ONNX shape and data-movement ops -> tg -----------===//
//
// Shape-like operands (Reshape's shape, Slice's starts, Pad's pads, ...) must
// be compile-time constants; they are normalized here into the static
// attributes of tg ops. Ops that only describe shapes or constants (Shape,
// Size, Constant, ConstantOfShape, Range) produce known constants directly.
//
// The helpers in namespace `shapeparams` (declared in ImportContext.h) are
// also used by ConstantFolding.cpp so that host folding and import follow the
// same ONNX rules.
//
//===----------------------------------------------------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Dialect/Graph/IR/ShapeUtils.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;

namespace tdc::import {
namespace shapeparams {

static std::string str(int64_t v) { return std::to_string(v); }

static std::string shapeStr(ArrayRef<int64_t> s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? "," : "") + str(s[i]);
  return r + "]";
}

std::vector<int64_t> toInts(const Tensor &t) {
  std::vector<int64_t> v(t.numElements());
  for (int64_t i = 0; i < (int64_t)v.size(); ++i)
    v[i] = t.getInt(i);
  return v;
}

/// Integer contents of constant operand i; fails the node when it is not a
/// compile-time constant (runtime graph inputs are recorded for binding).
static std::optional<std::vector<int64_t>> constInts(NodeContext &n, size_t i,
                                                     const char *what) {
  const Tensor *t = n.requireConstInput(i, what);
  if (!t)
    return std::nullopt;
  if (isFloat(t->dtype)) {
    (void)n.fail(std::string(what) + " must be an integer tensor");
    return std::nullopt;
  }
  return toInts(*t);
}

/// Request operands [first, last] (those present) as constants at once, so
/// that a caller binding runtime graph inputs learns all of them from one
/// failure. True when all are constant.
static bool requireConstRange(NodeContext &n, size_t first, size_t last,
                              const char *what) {
  bool ok = true;
  for (size_t i = first; i <= last; ++i)
    if (n.hasInput(i) && !n.constInput(i)) {
      (void)n.requireConstInput(i, what);
      ok = false;
    }
  return ok;
}

/// Static shape of input i, without materializing a constant input.
static std::optional<SmallVector<int64_t>> staticShape(NodeContext &n,
                                                       size_t i) {
  if (const Tensor *t = n.constInput(i))
    return SmallVector<int64_t>(t->shape.begin(), t->shape.end());
  if (!n.hasInput(i) || !n.input(i)) {
    (void)n.fail("missing input " + str(i));
    return std::nullopt;
  }
  return SmallVector<int64_t>(n.inputShape(i));
}

/// Sorted, unique, normalized axes; fails on out-of-range or duplicates.
static std::optional<SmallVector<int64_t>>
normalizeAxes(NodeContext &n, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    auto na = n.normalizeAxis(a, rank);
    if (!na)
      return std::nullopt;
    out.push_back(*na);
  }
  llvm::sort(out);
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    (void)n.fail("repeated axis");
    return std::nullopt;
  }
  return out;
}

/// Axes of Squeeze/Unsqueeze: attribute before opset 13, input 1 from 13.
static std::optional<std::vector<int64_t>> squeezeAxes(NodeContext &n,
                                                       bool &present) {
  present = false;
  if (n.opset() < 13) {
    present = n.hasAttr("axes");
    return n.attrInts("axes");
  }
  if (!n.hasInput(1))
    return std::vector<int64_t>();
  present = true;
  return constInts(n, 1, "axes");
}

/// Output shape of a Reshape, Flatten, Squeeze or Unsqueeze node (all of
/// which only relabel the row-major data).
std::optional<SmallVector<int64_t>> reshapeResult(NodeContext &n,
                                                  ArrayRef<int64_t> in) {
  const std::string &op = n.opType();
  int64_t rank = in.size();
  int64_t total = tg::numElements(in);
  SmallVector<int64_t> out;
  if (op == "Reshape") {
    std::vector<int64_t> shape;
    if (n.opset() < 5) {
      shape = n.attrInts("shape");
    } else {
      auto s = constInts(n, 1, "Reshape shape");
      if (!s)
        return std::nullopt;
      shape = *s;
    }
    bool allowZero = n.attrInt("allowzero", 0) != 0;
    int64_t inferred = -1, known = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      int64_t d = shape[i];
      if (d == 0 && !allowZero) {
        if ((int64_t)i >= rank) {
          (void)n.fail("Reshape shape copies dim " + str(i) +
                       " beyond the input rank");
          return std::nullopt;
        }
        d = in[i];
      } else if (d == -1) {
        if (inferred >= 0) {
          (void)n.fail("Reshape shape has more than one -1");
          return std::nullopt;
        }
        inferred = i;
        out.push_back(-1);
        continue;
      } else if (d < 0) {
        (void)n.fail("Reshape shape has invalid dim " + str(d));
        return std::nullopt;
      }
      out.push_back(d);
      known *= d;
    }
    if (inferred >= 0) {
      if (known == 0 || total % known != 0) {
        (void)n.fail("Reshape cannot infer the -1 dim of " + shapeStr(out) +
                     " from input shape " + shapeStr(in));
        return std::nullopt;
      }
      out[inferred] = total / known;
    }
    if (tg::numElements(out) != total) {
      (void)n.fail("Reshape from " + shapeStr(in) + " to " + shapeStr(out) +
                   " changes the number of elements");
      return std::nullopt;
    }
    return out;
  }
  if (op == "Flatten") {
    int64_t axis = n.attrInt("axis", 1);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis > rank) {
      (void)n.fail("Flatten axis out of range");
      return std::nullopt;
    }
    int64_t outer = tg::numElements(in.take_front(axis));
    return SmallVector<int64_t>{
        outer, outer ? total / outer : tg::numElements(in.drop_front(axis))};
  }
  if (op == "Squeeze") {
    bool present;
    auto axes = squeezeAxes(n, present);
    if (!axes)
      return std::nullopt;
    SmallVector<bool> drop(rank, false);
    if (!present) {
      for (int64_t i = 0; i < rank; ++i)
        drop[i] = in[i] == 1;
    } else {
      auto na = normalizeAxes(n, *axes, rank);
      if (!na)
        return std::nullopt;
      for (int64_t a : *na) {
        if (in[a] != 1) {
          (void)n.fail("Squeeze axis " + str(a) + " has size " + str(in[a]));
          return std::nullopt;
        }
        drop[a] = true;
      }
    }
    for (int64_t i = 0; i < rank; ++i)
      if (!drop[i])
        out.push_back(in[i]);
    return out;
  }
  if (op == "Unsqueeze") {
    bool present;
    auto axes = squeezeAxes(n, present);
    if (!axes)
      return std::nullopt;
    if (!present) {
      (void)n.fail("Unsqueeze needs axes");
      return std::nullopt;
    }
    int64_t outRank = rank + axes->size();
    auto na = normalizeAxes(n, *axes, outRank);
    if (!na)
      return std::nullopt;
    size_t next = 0;
    for (int64_t i = 0; i < outRank; ++i)
      out.push_back(llvm::is_contained(*na, i) ? 1 : in[next++]);
    return out;
  }
  (void)n.fail("not a reshape-like op");
  return std::nullopt;
}

/// Normalize ONNX Slice operands into per-dim start/size/step (clamping as
/// the ONNX spec does, including negative steps and INT_MAX/INT_MIN ends).
bool sliceParams(NodeContext &n, ArrayRef<int64_t> in,
                 SmallVectorImpl<int64_t> &pStarts,
                 SmallVectorImpl<int64_t> &pSizes,
                 SmallVectorImpl<int64_t> &pSteps) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (n.opset() < 10) {
    starts = n.attrInts("starts");
    ends = n.attrInts("ends");
    axes = n.attrInts("axes");
  } else {
    if (!requireConstRange(n, 1, 4, "Slice starts, ends, axes and steps"))
      return false;
    auto s = constInts(n, 1, "Slice starts");
    if (!s)
      return false;
    auto e = constInts(n, 2, "Slice ends");
    if (!e)
      return false;
    starts = *s;
    ends = *e;
    if (n.hasInput(3)) {
      auto a = constInts(n, 3, "Slice axes");
      if (!a)
        return false;
      axes = *a;
    }
    if (n.hasInput(4)) {
      auto t = constInts(n, 4, "Slice steps");
      if (!t)
        return false;
      steps = *t;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    (void)n.fail("Slice starts, ends, axes and steps differ in length");
    return false;
  }
  int64_t rank = in.size();
  pStarts.assign(rank, 0);
  pSizes.assign(in.begin(), in.end());
  pSteps.assign(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t k = 0; k < starts.size(); ++k) {
    auto a = n.normalizeAxis(axes[k], rank);
    if (!a)
      return false;
    if (seen[*a]) {
      (void)n.fail("Slice repeats axis " + str(*a));
      return false;
    }
    seen[*a] = true;
    int64_t d = in[*a], s = starts[k], e = ends[k], t = steps[k];
    if (t == 0) {
      (void)n.fail("Slice step is 0");
      return false;
    }
    if (s < 0)
      s += d;
    if (e < 0)
      e += d;
    int64_t size;
    if (t > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      size = e > s ? (e - s - 1) / t + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      size = s > e ? (s - e - 1) / -t + 1 : 0;
    }
    if (d == 0 || size == 0) {
      size = 0;
      s = 0;
    }
    pStarts[*a] = s;
    pSizes[*a] = size;
    pSteps[*a] = t;
  }
  return true;
}

/// Transpose permutation (reversed dims by default).
std::optional<SmallVector<int64_t>> transposePerm(NodeContext &n,
                                                  int64_t rank) {
  SmallVector<int64_t> perm;
  if (n.hasAttr("perm")) {
    for (int64_t p : n.attrInts("perm"))
      perm.push_back(p < 0 ? p + rank : p);
  } else {
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  }
  SmallVector<bool> seen(rank, false);
  if ((int64_t)perm.size() != rank) {
    (void)n.fail("Transpose perm size does not match the input rank");
    return std::nullopt;
  }
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p]) {
      (void)n.fail("Transpose perm is not a permutation");
      return std::nullopt;
    }
    seen[p] = true;
  }
  return perm;
}

/// Result sizes along `axis` of a Split node.
static std::optional<SmallVector<int64_t>> splitSizes(NodeContext &n,
                                                      int64_t dim) {
  std::vector<int64_t> split;
  if (n.opset() < 13) {
    split = n.attrInts("split");
  } else if (n.hasInput(1)) {
    auto s = constInts(n, 1, "Split sizes");
    if (!s)
      return std::nullopt;
    split = *s;
  }
  int64_t parts = n.numOutputs();
  SmallVector<int64_t> sizes;
  if (!split.empty() || (n.opset() >= 13 && n.hasInput(1))) {
    int64_t sum = 0;
    for (int64_t s : split) {
      if (s < 0) {
        (void)n.fail("Split size is negative");
        return std::nullopt;
      }
      sum += s;
    }
    if ((int64_t)split.size() != parts || sum != dim) {
      (void)n.fail("Split sizes do not match the outputs or the dim " +
                   str(dim));
      return std::nullopt;
    }
    sizes.assign(split.begin(), split.end());
    return sizes;
  }
  if (n.opset() >= 18 && n.hasAttr("num_outputs")) {
    // Chunks of ceil(dim / parts); the last one is smaller.
    parts = n.attrInt("num_outputs", parts);
    if (parts <= 0 || parts != (int64_t)n.numOutputs()) {
      (void)n.fail("Split num_outputs does not match the outputs");
      return std::nullopt;
    }
    int64_t chunk = (dim + parts - 1) / parts;
    int64_t last = dim - chunk * (parts - 1);
    if (last < 0) {
      (void)n.fail("Split cannot make " + str(parts) + " chunks of dim " +
                   str(dim));
      return std::nullopt;
    }
    sizes.assign(parts - 1, chunk);
    sizes.push_back(last);
    return sizes;
  }
  if (parts <= 0 || dim % parts != 0) {
    (void)n.fail("Split dim " + str(dim) + " is not divisible into " +
                 str(parts) + " equal parts");
    return std::nullopt;
  }
  sizes.assign(parts, dim / parts);
  return sizes;
}

struct PadParams {
  SmallVector<int64_t> pads;
  std::string mode;
  double value = 0;
};

static std::optional<PadParams> padParams(NodeContext &n, int64_t rank) {
  PadParams p;
  p.mode = n.attrString("mode", "constant");
  if (p.mode != "constant" && p.mode != "reflect" && p.mode != "edge") {
    (void)n.unsupported("Pad mode '" + p.mode + "' is not supported");
    return std::nullopt;
  }
  std::vector<int64_t> pads;
  if (n.opset() < 11) {
    pads = n.attrInts(n.opset() < 2 ? "paddings" : "pads");
    p.value = n.attrFloat("value", 0);
  } else {
    if (!requireConstRange(n, 1, 3, "Pad pads, constant_value and axes"))
      return std::nullopt;
    auto pv = constInts(n, 1, "Pad pads");
    if (!pv)
      return std::nullopt;
    pads = *pv;
    if (n.hasInput(2)) {
      const Tensor *v = n.requireConstInput(2, "Pad constant_value");
      if (!v)
        return std::nullopt;
      if (v->numElements() > 0)
        p.value = v->getDouble(0);
    }
    if (n.hasInput(3)) {
      auto axes = constInts(n, 3, "Pad axes");
      if (!axes)
        return std::nullopt;
      size_t k = axes->size();
      if (pads.size() != 2 * k) {
        (void)n.fail("Pad pads must have 2 * len(axes) values");
        return std::nullopt;
      }
      std::vector<int64_t> full(2 * rank, 0);
      for (size_t i = 0; i < k; ++i) {
        auto a = n.normalizeAxis((*axes)[i], rank);
        if (!a)
          return std::nullopt;
        full[*a] = pads[i];
        full[rank + *a] = pads[k + i];
      }
      pads = full;
    }
  }
  if ((int64_t)pads.size() != 2 * rank) {
    (void)n.fail("Pad needs 2 * rank pad values, got " + str(pads.size()));
    return std::nullopt;
  }
  p.pads.assign(pads.begin(), pads.end());
  return p;
}

/// Output of a Shape node (opset 15 start/end, clamped).
static Tensor shapeTensor(NodeContext &n, ArrayRef<int64_t> in) {
  int64_t rank = in.size();
  int64_t start = n.attrInt("start", 0), end = n.attrInt("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  int64_t len = std::max<int64_t>(end - start, 0);
  Tensor t(DType::I64, {len});
  for (int64_t i = 0; i < len; ++i)
    t.as<int64_t>()[i] = in[start + i];
  return t;
}

} // namespace shapeparams

using namespace shapeparams;

namespace {

LogicalResult importReshapeLike(NodeContext &n) {
  auto in = staticShape(n, 0);
  if (!in)
    return failure();
  auto out = reshapeResult(n, *in);
  if (!out)
    return failure();
  Value v = n.make<tg::ReshapeOp>({n.input(0)}, {n.i64Array("shape", *out)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importTranspose(NodeContext &n) {
  auto perm = transposePerm(n, n.inputRank(0));
  if (!perm)
    return failure();
  Value v = n.make<tg::TransposeOp>({n.input(0)}, {n.i64Array("perm", *perm)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importConcat(NodeContext &n) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < n.numInputs(); ++i)
    if (n.hasInput(i))
      inputs.push_back(n.input(i));
  if (inputs.empty())
    return n.fail("Concat needs at least one input");
  auto axis =
      n.normalizeAxis(n.attrInt("axis", 0),
                      cast<RankedTensorType>(inputs[0].getType()).getRank());
  if (!axis)
    return failure();
  Value v = n.make<tg::ConcatOp>(inputs, {n.i64("axis", *axis)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importSplit(NodeContext &n) {
  auto axis = n.normalizeAxis(n.attrInt("axis", 0), n.inputRank(0));
  if (!axis)
    return failure();
  auto sizes = splitSizes(n, n.inputShape(0)[*axis]);
  if (!sizes)
    return failure();
  auto op = n.create<tg::SplitOp>(
      {n.input(0)}, {n.i64("axis", *axis), n.i64Array("sizes", *sizes)},
      sizes->size());
  if (!op)
    return failure();
  for (size_t i = 0; i < sizes->size(); ++i)
    n.setOutput(i, op->getResult(i));
  return success();
}

LogicalResult importSlice(NodeContext &n) {
  SmallVector<int64_t> starts, sizes, steps;
  if (!sliceParams(n, n.inputShape(0), starts, sizes, steps))
    return failure();
  Value v = n.make<tg::SliceOp>({n.input(0)}, {n.i64Array("starts", starts),
                                               n.i64Array("sizes", sizes),
                                               n.i64Array("steps", steps)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

template <typename OpTy> LogicalResult importGatherLike(NodeContext &n) {
  auto axis = n.normalizeAxis(n.attrInt("axis", 0), n.inputRank(0));
  if (!axis)
    return failure();
  Type idx = n.inputType(1).getElementType();
  if (!idx.isSignlessInteger(32) && !idx.isSignlessInteger(64))
    return n.fail("indices must be int32 or int64");
  Value v = n.make<OpTy>({n.input(0), n.input(1)}, {n.i64("axis", *axis)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importPad(NodeContext &n) {
  auto p = padParams(n, n.inputRank(0));
  if (!p)
    return failure();
  auto shape = n.inputShape(0);
  if (p->mode != "constant")
    for (size_t i = 0; i < shape.size(); ++i)
      if (shape[i] == 0 && (p->pads[i] > 0 || p->pads[shape.size() + i] > 0))
        return n.fail("Pad mode '" + p->mode + "' cannot pad an empty dim");
  Value v = n.make<tg::PadOp>({n.input(0)},
                              {n.i64Array("pads", p->pads),
                               n.named("mode", n.b().getStringAttr(p->mode)),
                               n.f64("value", p->value)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importExpand(NodeContext &n) {
  auto shape = constInts(n, 1, "Expand shape");
  if (!shape)
    return failure();
  Value v = n.make<tg::ExpandOp>({n.input(0)}, {n.i64Array("shape", *shape)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importTile(NodeContext &n) {
  auto repeats = constInts(n, 1, "Tile repeats");
  if (!repeats)
    return failure();
  for (int64_t r : *repeats)
    if (r < 0)
      return n.fail("Tile repeats must be non-negative");
  Value v = n.make<tg::TileOp>({n.input(0)}, {n.i64Array("repeats", *repeats)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importIdentity(NodeContext &n) {
  if (const Tensor *t = n.constInput(0)) {
    n.setConstantOutput(0, *t);
    return success();
  }
  n.setOutput(0, n.input(0));
  return success();
}

LogicalResult importDropout(NodeContext &n) {
  // Inference only: training_mode (opset 12) must be false or absent.
  if (n.opset() >= 12 && n.hasInput(2)) {
    const Tensor *t = n.requireConstInput(2, "Dropout training_mode");
    if (!t)
      return failure();
    if (t->numElements() > 0 && t->getInt(0) != 0) {
      // Training with ratio 0 keeps every element; other ratios are random.
      double ratio = 0.5;
      if (n.hasInput(1)) {
        const Tensor *r = n.requireConstInput(1, "Dropout ratio");
        if (!r)
          return failure();
        if (r->numElements() > 0)
          ratio = r->getDouble(0);
      }
      if (ratio != 0)
        return n.unsupported("Dropout in training mode is not supported");
    }
  }
  auto shape = staticShape(n, 0);
  if (!shape)
    return failure();
  if (const Tensor *t = n.constInput(0))
    n.setConstantOutput(0, *t);
  else
    n.setOutput(0, n.input(0));
  if (n.hasOutput(1)) {
    // The mask is bool from opset 10, the input type before.
    DType dt = DType::Bool;
    if (n.opset() < 10) {
      Type elem = n.constInput(0) ? toMlirType(*n.ctx(), n.constInput(0)->dtype)
                                  : n.inputType(0).getElementType();
      if (!fromMlirType(elem, dt))
        return n.unsupported("unsupported Dropout element type");
    }
    Tensor mask(dt, std::vector<int64_t>(shape->begin(), shape->end()));
    for (int64_t i = 0; i < mask.numElements(); ++i)
      mask.setInt(i, 1);
    n.setConstantOutput(1, std::move(mask));
  }
  return success();
}

LogicalResult importShape(NodeContext &n) {
  auto shape = staticShape(n, 0);
  if (!shape)
    return failure();
  n.setConstantOutput(0, shapeTensor(n, *shape));
  return success();
}

LogicalResult importSize(NodeContext &n) {
  auto shape = staticShape(n, 0);
  if (!shape)
    return failure();
  Tensor t(DType::I64, {});
  t.as<int64_t>()[0] = tg::numElements(*shape);
  n.setConstantOutput(0, std::move(t));
  return success();
}

LogicalResult importConstant(NodeContext &n) {
  if (const auto *a = n.attr("value")) {
    Tensor t;
    std::string why;
    if (!tensorFromProto(a->t(), t, why))
      return n.unsupported("Constant value: " + why);
    n.setConstantOutput(0, std::move(t));
    return success();
  }
  if (n.hasAttr("value_float")) {
    Tensor t(DType::F32, {});
    t.as<float>()[0] = n.attrFloat("value_float", 0);
    n.setConstantOutput(0, std::move(t));
    return success();
  }
  if (n.hasAttr("value_floats")) {
    std::vector<float> v = n.attrFloats("value_floats");
    Tensor t(DType::F32, {(int64_t)v.size()});
    if (!v.empty())
      std::memcpy(t.data.data(), v.data(), v.size() * sizeof(float));
    n.setConstantOutput(0, std::move(t));
    return success();
  }
  if (n.hasAttr("value_int")) {
    Tensor t(DType::I64, {});
    t.as<int64_t>()[0] = n.attrInt("value_int", 0);
    n.setConstantOutput(0, std::move(t));
    return success();
  }
  if (n.hasAttr("value_ints")) {
    std::vector<int64_t> v = n.attrInts("value_ints");
    Tensor t(DType::I64, {(int64_t)v.size()});
    if (!v.empty())
      std::memcpy(t.data.data(), v.data(), v.size() * sizeof(int64_t));
    n.setConstantOutput(0, std::move(t));
    return success();
  }
  if (n.hasAttr("sparse_value"))
    return n.unsupported("sparse Constant values are not supported");
  if (n.hasAttr("value_string") || n.hasAttr("value_strings"))
    return n.unsupported("string constants are not supported");
  return n.fail("Constant has no value attribute");
}

LogicalResult importConstantOfShape(NodeContext &n) {
  auto shape = constInts(n, 0, "ConstantOfShape shape");
  if (!shape)
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return n.fail("ConstantOfShape shape has a negative dim");
  Tensor value(DType::F32, {1});
  if (const auto *a = n.attr("value")) {
    std::string why;
    if (!tensorFromProto(a->t(), value, why))
      return n.unsupported("ConstantOfShape value: " + why);
    if (value.numElements() != 1)
      return n.fail("ConstantOfShape value must have one element");
  }
  Tensor t(value.dtype, *shape);
  size_t es = dtypeSize(value.dtype);
  for (int64_t i = 0; i < t.numElements(); ++i)
    std::memcpy(t.data.data() + i * es, value.data.data(), es);
  n.setConstantOutput(0, std::move(t));
  return success();
}

LogicalResult importRange(NodeContext &n) {
  if (!requireConstRange(n, 0, 2, "Range operands"))
    return failure();
  const Tensor *start = n.requireConstInput(0, "Range start");
  if (!start)
    return failure();
  const Tensor *limit = n.requireConstInput(1, "Range limit");
  if (!limit)
    return failure();
  const Tensor *delta = n.requireConstInput(2, "Range delta");
  if (!delta)
    return failure();
  if (start->numElements() != 1 || limit->numElements() != 1 ||
      delta->numElements() != 1)
    return n.fail("Range operands must be scalars");
  int64_t count;
  if (isFloat(start->dtype)) {
    double s = start->getDouble(0), l = limit->getDouble(0),
           d = delta->getDouble(0);
    if (d == 0 || !std::isfinite(s) || !std::isfinite(l))
      return n.fail("Range delta is 0 or bounds are not finite");
    count = (int64_t)std::max(std::ceil((l - s) / d), 0.0);
  } else {
    int64_t s = start->getInt(0), l = limit->getInt(0), d = delta->getInt(0);
    if (d == 0)
      return n.fail("Range delta is 0");
    int64_t span = l - s;
    count = d > 0 ? (span > 0 ? (span + d - 1) / d : 0)
                  : (span < 0 ? (span + d + 1) / d : 0);
  }
  if (count > (int64_t)1 << 28)
    return n.unsupported("Range output is too large");
  Tensor t(start->dtype, {count});
  for (int64_t i = 0; i < count; ++i) {
    if (isFloat(start->dtype))
      t.setDouble(i, start->getDouble(0) + i * delta->getDouble(0));
    else
      t.setInt(i, start->getInt(0) + i * delta->getInt(0));
  }
  n.setConstantOutput(0, std::move(t));
  return success();
}

LogicalResult importCastLike(NodeContext &n) {
  Value in = n.input(0);
  Type to = n.inputType(1).getElementType();
  if (cast<RankedTensorType>(in.getType()).getElementType() == to) {
    n.setOutput(0, in);
    return success();
  }
  Value v = n.make<tg::CastOp>({in}, {n.named("to", TypeAttr::get(to))});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

} // namespace

void registerShapeImporters(ImporterTable &table) {
  for (const char *op : {"Reshape", "Flatten", "Squeeze", "Unsqueeze"})
    table[op] = importReshapeLike;
  table["Transpose"] = importTranspose;
  table["Concat"] = importConcat;
  table["Split"] = importSplit;
  table["Slice"] = importSlice;
  table["Gather"] = importGatherLike<tg::GatherOp>;
  table["GatherElements"] = importGatherLike<tg::GatherElementsOp>;
  table["Pad"] = importPad;
  table["Expand"] = importExpand;
  table["Tile"] = importTile;
  table["Identity"] = importIdentity;
  table["Dropout"] = importDropout;
  table["Shape"] = importShape;
  table["Size"] = importSize;
  table["Constant"] = importConstant;
  table["ConstantOfShape"] = importConstantOfShape;
  table["Range"] = importRange;
  table["CastLike"] = importCastLike;
}

} // namespace tdc::import
