//===- ConstantFolding.cpp - host evaluation of shape computations --------===//
//
// PyTorch exports and ONNX function expansions compute shapes at run time
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape). Since every shape is
// static here, such chains are evaluated on the host when all their inputs
// are known, so that the ops that consume them (Reshape, Expand, Slice, ...)
// see constants. Only cheap ops with small results are folded; everything
// else falls through to the normal importers.
//
//===----------------------------------------------------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/ShapeUtils.h"

#include <cmath>
#include <cstring>
#include <functional>

using namespace mlir;

namespace tdc::import {

namespace {

using namespace shapeparams;

/// Largest result folded on the host.
constexpr int64_t kMaxFoldElements = 4096;

using Shape = std::vector<int64_t>;

Shape stridesOf(const Shape &shape) {
  Shape s(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Row-major multi-index of flat index `flat`.
void unravel(int64_t flat, const Shape &shape, Shape &idx) {
  idx.resize(shape.size());
  for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
    idx[i] = shape[i] ? flat % shape[i] : 0;
    flat = shape[i] ? flat / shape[i] : 0;
  }
}

/// Flat offset in an operand of `shape` broadcast against output index idx.
int64_t broadcastOffset(const Shape &shape, const Shape &strides,
                        const Shape &idx) {
  size_t lead = idx.size() - shape.size();
  int64_t off = 0;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != 1)
      off += idx[lead + i] * strides[i];
  return off;
}

/// Build a tensor of `shape` whose element at each index is copied from
/// `src` at `srcIndex(idx)` (a flat offset).
Tensor gatherCopy(const Tensor &src, const Shape &shape,
                  const std::function<int64_t(const Shape &)> &srcIndex) {
  Tensor out(src.dtype, shape);
  size_t es = dtypeSize(src.dtype);
  Shape idx;
  for (int64_t i = 0; i < out.numElements(); ++i) {
    unravel(i, shape, idx);
    std::memcpy(out.data.data() + i * es, src.data.data() + srcIndex(idx) * es,
                es);
  }
  return out;
}

/// Elementwise evaluation with numpy broadcasting. `fn` computes one
/// result from the operands' flat offsets; it returns false to give up.
bool broadcastEval(
    const std::vector<const Tensor *> &ins, DType outType,
    const std::function<bool(Tensor &, int64_t, ArrayRef<int64_t>)> &fn,
    Tensor &out) {
  SmallVector<int64_t> shape;
  for (const Tensor *t : ins) {
    auto b = tg::broadcastShapes(shape, t->shape);
    if (!b)
      return false;
    shape = *b;
  }
  if (tg::numElements(shape) > kMaxFoldElements)
    return false;
  out = Tensor(outType, Shape(shape.begin(), shape.end()));
  std::vector<Shape> strides;
  for (const Tensor *t : ins)
    strides.push_back(stridesOf(t->shape));
  Shape idx;
  SmallVector<int64_t> offs(ins.size());
  for (int64_t i = 0; i < out.numElements(); ++i) {
    unravel(i, out.shape, idx);
    for (size_t k = 0; k < ins.size(); ++k)
      offs[k] = broadcastOffset(ins[k]->shape, strides[k], idx);
    if (!fn(out, i, offs))
      return false;
  }
  return true;
}

bool isFloatT(const Tensor &t) { return isFloat(t.dtype); }

bool foldBinary(const std::string &op, const Tensor &a, const Tensor &b,
                Tensor &out) {
  if (a.dtype != b.dtype)
    return false;
  bool cmp = op == "Equal" || op == "Less" || op == "Greater";
  DType outType = cmp ? DType::Bool : a.dtype;
  bool f = isFloatT(a);
  return broadcastEval(
      {&a, &b}, outType,
      [&](Tensor &o, int64_t i, ArrayRef<int64_t> off) {
        if (f) {
          double x = a.getDouble(off[0]), y = b.getDouble(off[1]);
          double r;
          if (op == "Add")
            r = x + y;
          else if (op == "Sub")
            r = x - y;
          else if (op == "Mul")
            r = x * y;
          else if (op == "Div")
            r = x / y;
          else if (op == "Min")
            r = std::isnan(x) || std::isnan(y) ? NAN : std::min(x, y);
          else if (op == "Max")
            r = std::isnan(x) || std::isnan(y) ? NAN : std::max(x, y);
          else if (op == "Equal")
            r = x == y;
          else if (op == "Less")
            r = x < y;
          else if (op == "Greater")
            r = x > y;
          else
            return false;
          o.setDouble(i, r);
          return true;
        }
        int64_t x = a.getInt(off[0]), y = b.getInt(off[1]);
        int64_t r;
        // Wrapping arithmetic through unsigned avoids UB on overflow.
        if (op == "Add")
          r = (int64_t)((uint64_t)x + (uint64_t)y);
        else if (op == "Sub")
          r = (int64_t)((uint64_t)x - (uint64_t)y);
        else if (op == "Mul")
          r = (int64_t)((uint64_t)x * (uint64_t)y);
        else if (op == "Div") {
          if (y == 0 || (x == INT64_MIN && y == -1))
            return false;
          r = x / y; // truncates toward zero
        } else if (op == "Min")
          r = std::min(x, y);
        else if (op == "Max")
          r = std::max(x, y);
        else if (op == "Equal")
          r = x == y;
        else if (op == "Less")
          r = x < y;
        else if (op == "Greater")
          r = x > y;
        else
          return false;
        o.setInt(i, r);
        return true;
      },
      out);
}

bool foldUnary(const std::string &op, const Tensor &a, Tensor &out) {
  if (a.numElements() > kMaxFoldElements)
    return false;
  if (op == "Not" && a.dtype != DType::Bool)
    return false;
  out = Tensor(a.dtype, a.shape);
  bool f = isFloatT(a);
  for (int64_t i = 0; i < a.numElements(); ++i) {
    if (op == "Not") {
      out.setInt(i, a.getInt(i) == 0);
    } else if (f) {
      double x = a.getDouble(i);
      out.setDouble(i, op == "Neg" ? -x : std::fabs(x));
    } else {
      int64_t x = a.getInt(i);
      out.setInt(i, op == "Neg" ? (int64_t)(0 - (uint64_t)x)
                                : (x < 0 ? (int64_t)(0 - (uint64_t)x) : x));
    }
  }
  return true;
}

bool foldWhere(const Tensor &c, const Tensor &x, const Tensor &y, Tensor &out) {
  if (x.dtype != y.dtype)
    return false;
  size_t es = dtypeSize(x.dtype);
  return broadcastEval(
      {&c, &x, &y}, x.dtype,
      [&](Tensor &o, int64_t i, ArrayRef<int64_t> off) {
        const Tensor &s = c.getInt(off[0]) ? x : y;
        int64_t so = c.getInt(off[0]) ? off[1] : off[2];
        std::memcpy(o.data.data() + i * es, s.data.data() + so * es, es);
        return true;
      },
      out);
}

bool foldGather(NodeContext &n, const Tensor &data, const Tensor &indices,
                Tensor &out) {
  int64_t rank = data.shape.size();
  int64_t axis = n.attrInt("axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || isFloatT(indices))
    return false;
  Shape shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  if (tg::numElements(shape) > kMaxFoldElements)
    return false;
  int64_t dim = data.shape[axis];
  std::vector<int64_t> idx = toInts(indices);
  for (int64_t &i : idx) {
    if (i < 0)
      i += dim;
    if (i < 0 || i >= dim)
      return false;
  }
  Shape strides = stridesOf(data.shape), istrides = stridesOf(indices.shape);
  int64_t ir = indices.shape.size();
  out = gatherCopy(data, shape, [&](const Shape &o) {
    int64_t flat = 0, k = 0;
    for (int64_t d = 0; d < axis; ++d)
      flat += o[d] * strides[d];
    for (int64_t d = 0; d < ir; ++d)
      k += o[axis + d] * istrides[d];
    flat += idx[k] * strides[axis];
    for (int64_t d = axis + 1; d < rank; ++d)
      flat += o[d - 1 + ir] * strides[d];
    return flat;
  });
  return true;
}

bool foldConcat(NodeContext &n, const std::vector<const Tensor *> &ins,
                Tensor &out) {
  if (ins.empty())
    return false;
  int64_t rank = ins[0]->shape.size();
  int64_t axis = n.attrInt("axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return false;
  Shape shape = ins[0]->shape;
  shape[axis] = 0;
  for (const Tensor *t : ins) {
    if ((int64_t)t->shape.size() != rank || t->dtype != ins[0]->dtype)
      return false;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t->shape[d] != shape[d])
        return false;
    shape[axis] += t->shape[axis];
  }
  if (tg::numElements(shape) > kMaxFoldElements)
    return false;
  out = Tensor(ins[0]->dtype, shape);
  // Copy row blocks: outer dims x (slab of each input).
  int64_t outer = tg::numElements(ArrayRef<int64_t>(shape).take_front(axis));
  size_t es = dtypeSize(out.dtype);
  uint8_t *dst = out.data.data();
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor *t : ins) {
      int64_t slab =
          tg::numElements(ArrayRef<int64_t>(t->shape).drop_front(axis)) * es;
      std::memcpy(dst, t->data.data() + o * slab, slab);
      dst += slab;
    }
  return true;
}

bool foldSlice(NodeContext &n, const Tensor &data, Tensor &out) {
  SmallVector<int64_t> starts, sizes, steps;
  if (!sliceParams(n, data.shape, starts, sizes, steps))
    return false;
  if (tg::numElements(sizes) > kMaxFoldElements)
    return false;
  Shape strides = stridesOf(data.shape);
  out =
      gatherCopy(data, Shape(sizes.begin(), sizes.end()), [&](const Shape &o) {
        int64_t flat = 0;
        for (size_t d = 0; d < o.size(); ++d)
          flat += (starts[d] + o[d] * steps[d]) * strides[d];
        return flat;
      });
  return true;
}

bool foldTranspose(NodeContext &n, const Tensor &data, Tensor &out) {
  if (data.numElements() > kMaxFoldElements)
    return false;
  auto perm = transposePerm(n, data.shape.size());
  if (!perm)
    return false;
  Shape shape, strides = stridesOf(data.shape);
  for (int64_t p : *perm)
    shape.push_back(data.shape[p]);
  out = gatherCopy(data, shape, [&](const Shape &o) {
    int64_t flat = 0;
    for (size_t d = 0; d < o.size(); ++d)
      flat += o[d] * strides[(*perm)[d]];
    return flat;
  });
  return true;
}

bool foldExpand(const Tensor &data, const Tensor &shapeT, Tensor &out) {
  if (isFloatT(shapeT))
    return false;
  auto shape = tg::broadcastShapes(data.shape, toInts(shapeT));
  if (!shape || tg::numElements(*shape) > kMaxFoldElements)
    return false;
  Shape strides = stridesOf(data.shape);
  out = gatherCopy(
      data, Shape(shape->begin(), shape->end()),
      [&](const Shape &o) { return broadcastOffset(data.shape, strides, o); });
  return true;
}

bool foldTile(const Tensor &data, const Tensor &repeatsT, Tensor &out) {
  if (isFloatT(repeatsT))
    return false;
  std::vector<int64_t> reps = toInts(repeatsT);
  if (reps.size() != data.shape.size())
    return false;
  Shape shape;
  for (size_t d = 0; d < reps.size(); ++d) {
    if (reps[d] < 0)
      return false;
    shape.push_back(data.shape[d] * reps[d]);
  }
  if (tg::numElements(shape) > kMaxFoldElements)
    return false;
  Shape strides = stridesOf(data.shape);
  out = gatherCopy(data, shape, [&](const Shape &o) {
    int64_t flat = 0;
    for (size_t d = 0; d < o.size(); ++d)
      flat += (o[d] % data.shape[d]) * strides[d];
    return flat;
  });
  return true;
}

bool foldReduceProd(NodeContext &n, const Tensor &data, const Tensor *axesT,
                    Tensor &out) {
  int64_t rank = data.shape.size();
  std::vector<int64_t> axes;
  if (n.opset() < 18)
    axes = n.attrInts("axes");
  else if (axesT) {
    if (isFloatT(*axesT))
      return false;
    axes = toInts(*axesT);
  }
  bool keep = n.attrInt("keepdims", 1) != 0;
  if (axes.empty() && n.attrInt("noop_with_empty_axes", 0) != 0) {
    out = data;
    return data.numElements() <= kMaxFoldElements;
  }
  std::vector<bool> red(rank, axes.empty());
  for (int64_t a : axes) {
    if (a < 0)
      a += rank;
    if (a < 0 || a >= rank)
      return false;
    red[a] = true;
  }
  Shape kept(rank), outShape;
  for (int64_t d = 0; d < rank; ++d) {
    kept[d] = red[d] ? 1 : data.shape[d];
    if (!red[d] || keep)
      outShape.push_back(kept[d]);
  }
  if (data.numElements() > kMaxFoldElements)
    return false;
  Tensor acc(data.dtype, kept);
  bool f = isFloatT(data);
  for (int64_t i = 0; i < acc.numElements(); ++i)
    acc.setInt(i, 1);
  Shape idx, ks = stridesOf(kept);
  for (int64_t i = 0; i < data.numElements(); ++i) {
    unravel(i, data.shape, idx);
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (!red[d])
        o += idx[d] * ks[d];
    if (f)
      acc.setDouble(o, acc.getDouble(o) * data.getDouble(i));
    else
      acc.setInt(o,
                 (int64_t)((uint64_t)acc.getInt(o) * (uint64_t)data.getInt(i)));
  }
  acc.shape = outShape;
  out = std::move(acc);
  return true;
}

bool foldCast(DType to, const Tensor &a, Tensor &out) {
  if (a.numElements() > kMaxFoldElements)
    return false;
  // Float -> int of NaN/inf or out-of-range values is undefined; don't fold.
  if (isFloatT(a) && !isFloat(to))
    for (int64_t i = 0; i < a.numElements(); ++i) {
      double v = a.getDouble(i);
      if (to != DType::Bool && !(std::fabs(v) < 9.2e18))
        return false;
    }
  out = a.castTo(to);
  return true;
}

} // namespace

bool tryFoldNode(NodeContext &n) {
  const std::string &op = n.opType();
  static const std::set<std::string> foldable = {
      "Gather", "Concat",     "Unsqueeze", "Squeeze", "Reshape", "Flatten",
      "Slice",  "Cast",       "CastLike",  "Add",     "Sub",     "Mul",
      "Div",    "Equal",      "Less",      "Greater", "Where",   "Not",
      "Neg",    "Abs",        "Identity",  "Expand",  "Tile",    "Min",
      "Max",    "ReduceProd", "Transpose"};
  // Shape, Size, Constant, ConstantOfShape and Range always produce
  // constants through their importers (ImportShape.cpp).
  if (!foldable.count(op) || n.numOutputs() != 1 || !n.hasOutput(0))
    return false;
  std::vector<const Tensor *> ins;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    if (!n.hasInput(i))
      continue;
    const Tensor *t = n.constInput(i);
    if (!t)
      return false;
    ins.push_back(t);
  }
  if (ins.empty())
    return false;

  Tensor out;
  bool ok = false;
  if (op == "Identity") {
    out = *ins[0];
    ok = true;
  } else if (op == "Reshape" || op == "Flatten" || op == "Squeeze" ||
             op == "Unsqueeze") {
    // Pure relabeling of the row-major data; malformed shapes are reported
    // by reshapeResult against this node.
    auto shape = reshapeResult(n, ins[0]->shape);
    if (!shape)
      return false;
    out = *ins[0];
    out.shape.assign(shape->begin(), shape->end());
    ok = true;
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
             op == "Equal" || op == "Less" || op == "Greater") {
    ok = ins.size() == 2 && foldBinary(op, *ins[0], *ins[1], out);
  } else if (op == "Min" || op == "Max") {
    out = *ins[0];
    ok = out.numElements() <= kMaxFoldElements;
    for (size_t i = 1; ok && i < ins.size(); ++i) {
      Tensor next;
      ok = foldBinary(op, out, *ins[i], next);
      out = std::move(next);
    }
  } else if (op == "Neg" || op == "Abs" || op == "Not") {
    ok = foldUnary(op, *ins[0], out);
  } else if (op == "Where") {
    ok = ins.size() == 3 && foldWhere(*ins[0], *ins[1], *ins[2], out);
  } else if (op == "Cast") {
    DType to;
    ok = fromOnnxType(n.attrInt("to", 0), to) && foldCast(to, *ins[0], out);
  } else if (op == "CastLike") {
    ok = ins.size() == 2 && foldCast(ins[1]->dtype, *ins[0], out);
  } else if (op == "Gather") {
    ok = ins.size() == 2 && foldGather(n, *ins[0], *ins[1], out);
  } else if (op == "Concat") {
    ok = foldConcat(n, ins, out);
  } else if (op == "Slice") {
    ok = foldSlice(n, *ins[0], out);
  } else if (op == "Transpose") {
    ok = foldTranspose(n, *ins[0], out);
  } else if (op == "Expand") {
    ok = ins.size() == 2 && foldExpand(*ins[0], *ins[1], out);
  } else if (op == "Tile") {
    ok = ins.size() == 2 && foldTile(*ins[0], *ins[1], out);
  } else if (op == "ReduceProd") {
    ok = foldReduceProd(n, *ins[0], n.constInput(1), out);
  }
  if (!ok)
    return false;
  n.setConstantOutput(0, std::move(out));
  return true;
}

} // namespace tdc::import
