//===- ImportTensorOps.cpp - ONNX tensor-manipulation ops -> tg -----------===//
//
// Resize/Upsample (tg.resize with every parameter resolved per dim) and
// CumSum (tg.cumsum) have their own tg ops. The others are decomposed here
// into existing tg ops: DepthToSpace/SpaceToDepth are reshape + transpose +
// reshape, Trilu selects with a constant mask, OneHot compares against a
// constant range, IsInf/IsNaN are comparisons, LRN is an average pool over
// the channel dim, MeanVarianceNormalization follows its ONNX function body,
// and EyeLike is a known constant.
//
//===----------------------------------------------------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace tdc::import {

namespace {

std::string str(int64_t v) { return std::to_string(v); }

/// Rank-0 constant of element type `elem` holding `v`.
Value scalarConst(NodeContext &n, Type elem, double v) {
  DType dt;
  if (!fromMlirType(elem, dt)) {
    (void)n.unsupported("unsupported element type");
    return {};
  }
  Tensor t(dt, {});
  t.setDouble(0, v);
  return n.g.materialize(t, n.loc);
}

Value reshape(NodeContext &n, Value v, ArrayRef<int64_t> shape) {
  return n.make<tg::ReshapeOp>({v}, {n.i64Array("shape", shape)});
}

Value transpose(NodeContext &n, Value v, ArrayRef<int64_t> perm) {
  return n.make<tg::TransposeOp>({v}, {n.i64Array("perm", perm)});
}

LogicalResult setResult(NodeContext &n, Value v) {
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

/// Integer scalar of a constant input (first element).
std::optional<int64_t> constScalarInt(NodeContext &n, size_t i,
                                      const char *what) {
  const Tensor *t = n.requireConstInput(i, what);
  if (!t)
    return std::nullopt;
  if (t->numElements() != 1) {
    (void)n.fail(std::string(what) + " must have exactly one element");
    return std::nullopt;
  }
  return isFloat(t->dtype) ? (int64_t)t->getDouble(0) : t->getInt(0);
}

//===----------------------------------------------------------------------===//
// DepthToSpace / SpaceToDepth
//===----------------------------------------------------------------------===//

LogicalResult importDepthToSpace(NodeContext &n) {
  if (!n.hasInput(0) || n.inputRank(0) != 4)
    return n.fail("expects a 4-D input");
  int64_t b = n.attrInt("blocksize", 0);
  if (b <= 0)
    return n.fail("blocksize must be positive");
  std::string mode = n.attrString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD")
    return n.unsupported("mode '" + mode + "' is not supported");
  auto s = n.inputShape(0);
  int64_t N = s[0], C = s[1], H = s[2], W = s[3];
  if (C % (b * b))
    return n.fail("channels " + str(C) + " not divisible by blocksize^2");
  int64_t c = C / (b * b);
  Value v;
  if (mode == "DCR") {
    v = reshape(n, n.input(0), {N, b, b, c, H, W});
    v = v ? transpose(n, v, {0, 3, 4, 1, 5, 2}) : v;
  } else {
    v = reshape(n, n.input(0), {N, c, b, b, H, W});
    v = v ? transpose(n, v, {0, 1, 4, 2, 5, 3}) : v;
  }
  return setResult(n, v ? reshape(n, v, {N, c, H * b, W * b}) : v);
}

LogicalResult importSpaceToDepth(NodeContext &n) {
  if (!n.hasInput(0) || n.inputRank(0) != 4)
    return n.fail("expects a 4-D input");
  int64_t b = n.attrInt("blocksize", 0);
  if (b <= 0)
    return n.fail("blocksize must be positive");
  auto s = n.inputShape(0);
  int64_t N = s[0], C = s[1], H = s[2], W = s[3];
  if (H % b || W % b)
    return n.fail("spatial dims not divisible by blocksize");
  Value v = reshape(n, n.input(0), {N, C, H / b, b, W / b, b});
  v = v ? transpose(n, v, {0, 3, 5, 1, 2, 4}) : v;
  return setResult(n, v ? reshape(n, v, {N, C * b * b, H / b, W / b}) : v);
}

//===----------------------------------------------------------------------===//
// Trilu, EyeLike, OneHot
//===----------------------------------------------------------------------===//

LogicalResult importTrilu(NodeContext &n) {
  if (!n.hasInput(0) || n.inputRank(0) < 2)
    return n.fail("expects an input of rank >= 2");
  int64_t k = 0;
  if (n.hasInput(1)) {
    auto kv = constScalarInt(n, 1, "Trilu k");
    if (!kv)
      return failure();
    k = *kv;
  }
  bool upper = n.attrInt("upper", 1) != 0;
  auto type = n.inputType(0);
  auto s = type.getShape();
  int64_t rows = s[s.size() - 2], cols = s[s.size() - 1];
  if (type.getNumElements() == 0)
    return setResult(n, n.input(0));
  // Keep x[i][j] where j - i >= k (upper) or j - i <= k (lower).
  Tensor mask(DType::Bool, {rows, cols});
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      mask.setInt(i * cols + j, upper ? j - i >= k : j - i <= k);
  Value zero = scalarConst(n, type.getElementType(), 0);
  if (!zero)
    return failure();
  return setResult(
      n, n.make<tg::WhereOp>({n.g.materialize(mask, n.loc), n.input(0), zero}));
}

LogicalResult importEyeLike(NodeContext &n) {
  if (!n.hasInput(0))
    return n.fail("expects an input");
  std::vector<int64_t> shape;
  DType dt;
  if (const Tensor *t = n.constInput(0)) {
    shape = t->shape;
    dt = t->dtype;
  } else {
    auto type = n.inputType(0);
    shape.assign(type.getShape().begin(), type.getShape().end());
    if (!fromMlirType(type.getElementType(), dt))
      return n.unsupported("unsupported input element type");
  }
  if (shape.size() != 2)
    return n.fail("expects a 2-D input");
  if (n.hasAttr("dtype") && !fromOnnxType(n.attrInt("dtype", 0), dt))
    return n.unsupported("unsupported dtype " + str(n.attrInt("dtype", 0)));
  int64_t k = n.attrInt("k", 0);
  Tensor t(dt, shape);
  for (int64_t i = 0; i < shape[0]; ++i)
    if (i + k >= 0 && i + k < shape[1])
      t.setDouble(i * shape[1] + i + k, 1);
  n.setConstantOutput(0, std::move(t));
  return success();
}

/// OneHot: out = (idx == d || idx == d - depth) ? on : off, where d ranges
/// over the new axis, so negative indices count from the end.
LogicalResult importOneHot(NodeContext &n) {
  if (!n.hasInput(0) || !n.hasInput(1) || !n.hasInput(2))
    return n.fail("expects inputs indices, depth and values");
  const Tensor *depthT = n.constInput(1);
  const Tensor *values = n.constInput(2);
  if (!depthT || !values) {
    // Request both at once so that a binding caller learns both.
    if (!depthT)
      (void)n.requireConstInput(1, "OneHot depth");
    if (!values)
      (void)n.requireConstInput(2, "OneHot values");
    return failure();
  }
  if (depthT->numElements() != 1)
    return n.fail("depth must have one element");
  int64_t depth = isFloat(depthT->dtype) ? (int64_t)depthT->getDouble(0)
                                         : depthT->getInt(0);
  if (depth <= 0)
    return n.fail("depth must be positive");
  if (values->numElements() != 2)
    return n.fail("values must have two elements (off, on)");
  auto idxType = n.inputType(0);
  int64_t rank = idxType.getRank() + 1;
  auto axis = n.normalizeAxis(n.attrInt("axis", -1), rank);
  if (!axis)
    return failure();

  Value idx = n.input(0);
  auto i64 = IntegerType::get(n.ctx(), 64);
  if (idxType.getElementType() != i64) {
    idx = n.make<tg::CastOp>({idx}, {n.named("to", TypeAttr::get(i64))});
    if (!idx)
      return failure();
  }
  SmallVector<int64_t> unsq(idxType.getShape());
  unsq.insert(unsq.begin() + *axis, 1);
  idx = reshape(n, idx, unsq);
  if (!idx)
    return failure();
  // Ranges [depth, 1, ..., 1] that broadcast along the new axis.
  std::vector<int64_t> rshape(rank - *axis, 1);
  rshape[0] = depth;
  Tensor pos(DType::I64, rshape), neg(DType::I64, rshape);
  for (int64_t d = 0; d < depth; ++d) {
    pos.setInt(d, d);
    neg.setInt(d, d - depth);
  }
  Value eqPos = n.make<tg::EqualOp>({idx, n.g.materialize(pos, n.loc)});
  Value eqNeg = n.make<tg::EqualOp>({idx, n.g.materialize(neg, n.loc)});
  if (!eqPos || !eqNeg)
    return failure();
  Value hot = n.make<tg::OrOp>({eqPos, eqNeg});
  if (!hot)
    return failure();
  Tensor off(values->dtype, {}), on(values->dtype, {});
  size_t es = dtypeSize(values->dtype);
  std::copy(values->data.begin(), values->data.begin() + es, off.data.begin());
  std::copy(values->data.begin() + es, values->data.begin() + 2 * es,
            on.data.begin());
  return setResult(n, n.make<tg::WhereOp>({hot, n.g.materialize(on, n.loc),
                                           n.g.materialize(off, n.loc)}));
}

//===----------------------------------------------------------------------===//
// IsInf, IsNaN
//===----------------------------------------------------------------------===//

LogicalResult importIsNaN(NodeContext &n) {
  if (!n.hasInput(0))
    return n.fail("expects an input");
  if (!isa<FloatType>(n.inputType(0).getElementType()))
    return n.unsupported("IsNaN of a non-float type");
  // Ordered equality is false exactly for NaN.
  Value eq = n.make<tg::EqualOp>({n.input(0), n.input(0)});
  return setResult(n, eq ? n.make<tg::NotOp>({eq}) : eq);
}

LogicalResult importIsInf(NodeContext &n) {
  if (!n.hasInput(0))
    return n.fail("expects an input");
  auto type = n.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return n.unsupported("IsInf of a non-float type");
  bool pos = n.attrInt("detect_positive", 1) != 0;
  bool neg = n.attrInt("detect_negative", 1) != 0;
  double inf = std::numeric_limits<double>::infinity();
  if (!pos && !neg) {
    Tensor f(DType::Bool, std::vector<int64_t>(type.getShape().begin(),
                                               type.getShape().end()));
    n.setConstantOutput(0, std::move(f));
    return success();
  }
  Value x = n.input(0);
  if (pos && neg) {
    x = n.make<tg::AbsOp>({x});
    if (!x)
      return failure();
  }
  Value c = scalarConst(n, type.getElementType(), neg && !pos ? -inf : inf);
  if (!c)
    return failure();
  return setResult(n, n.make<tg::EqualOp>({x, c}));
}

//===----------------------------------------------------------------------===//
// LRN, MeanVarianceNormalization
//===----------------------------------------------------------------------===//

/// y = x / (bias + alpha / size * sum of x^2 over a channel window)^beta.
/// The window sum is an average pool (count_include_pad) over the channel
/// dim of x^2 viewed as [N, 1, C, rest].
LogicalResult importLRN(NodeContext &n) {
  if (!n.hasInput(0) || n.inputRank(0) < 2)
    return n.fail("expects an input of rank >= 2");
  int64_t size = n.attrInt("size", 0);
  if (size <= 0)
    return n.fail("size must be positive");
  double alpha = n.attrFloat("alpha", 1e-4), beta = n.attrFloat("beta", 0.75),
         bias = n.attrFloat("bias", 1.0);
  auto type = n.inputType(0);
  Type elem = type.getElementType();
  if (!isa<FloatType>(elem))
    return n.unsupported("LRN of a non-float type");
  auto s = type.getShape();
  int64_t rest = 1;
  for (size_t i = 2; i < s.size(); ++i)
    rest *= s[i];
  Value x = n.input(0);
  Value sq = n.make<tg::MulOp>({x, x});
  if (!sq)
    return failure();
  Value v = reshape(n, sq, {s[0], 1, s[1], rest});
  if (!v)
    return failure();
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  v = n.make<tg::AveragePoolOp>(
      {v},
      {n.i64Array("kernel_shape", {size, 1}), n.i64Array("strides", {1, 1}),
       n.i64Array("pads", {lo, 0, hi, 0}), n.i64Array("dilations", {1, 1}),
       n.boolean("ceil_mode", false), n.boolean("count_include_pad", true)});
  if (!v || !(v = reshape(n, v, s)))
    return failure();
  Value a = scalarConst(n, elem, alpha), bi = scalarConst(n, elem, bias),
        be = scalarConst(n, elem, beta);
  if (!a || !bi || !be)
    return failure();
  v = n.make<tg::MulOp>({v, a});
  v = v ? n.make<tg::AddOp>({v, bi}) : v;
  v = v ? n.make<tg::PowOp>({v, be}) : v;
  return setResult(n, v ? n.make<tg::DivOp>({x, v}) : v);
}

/// The ONNX function body: (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9).
LogicalResult importMVN(NodeContext &n) {
  if (!n.hasInput(0))
    return n.fail("expects an input");
  auto type = n.inputType(0);
  Type elem = type.getElementType();
  if (!isa<FloatType>(elem))
    return n.unsupported("MeanVarianceNormalization of a non-float type");
  SmallVector<int64_t> axes;
  for (int64_t a : n.attrInts("axes", {0, 2, 3})) {
    auto na = n.normalizeAxis(a, type.getRank());
    if (!na)
      return failure();
    if (!llvm::is_contained(axes, *na))
      axes.push_back(*na);
  }
  llvm::sort(axes);
  auto mean = [&](Value v) {
    return n.make<tg::ReduceMeanOp>(
        {v}, {n.i64Array("axes", axes), n.boolean("keepdims", true)});
  };
  Value x = n.input(0);
  Value m = mean(x);
  Value x2 = n.make<tg::MulOp>({x, x});
  Value m2 = x2 ? mean(x2) : x2;
  if (!m || !m2)
    return failure();
  Value mm = n.make<tg::MulOp>({m, m});
  Value var = mm ? n.make<tg::SubOp>({m2, mm}) : mm;
  Value sd = var ? n.make<tg::SqrtOp>({var}) : var;
  Value eps = scalarConst(n, elem, 1e-9);
  Value den = sd && eps ? n.make<tg::AddOp>({sd, eps}) : Value();
  Value num = n.make<tg::SubOp>({x, m});
  return setResult(n, den && num ? n.make<tg::DivOp>({num, den}) : Value());
}

//===----------------------------------------------------------------------===//
// CumSum
//===----------------------------------------------------------------------===//

LogicalResult importCumSum(NodeContext &n) {
  if (!n.hasInput(0) || !n.hasInput(1))
    return n.fail("expects inputs x and axis");
  auto a = constScalarInt(n, 1, "CumSum axis");
  if (!a)
    return failure();
  auto type = n.inputType(0);
  if (type.getRank() == 0)
    return n.fail("expects an input of rank >= 1");
  auto axis = n.normalizeAxis(*a, type.getRank());
  if (!axis)
    return failure();
  if (type.getElementType().isInteger(1))
    return n.unsupported("CumSum of bool");
  auto op = n.create<tg::CumSumOp>(
      {n.input(0)}, {n.i64("axis", *axis),
                     n.boolean("exclusive", n.attrInt("exclusive", 0) != 0),
                     n.boolean("reverse", n.attrInt("reverse", 0) != 0)});
  return setResult(n, op ? op->getResult(0) : Value());
}

//===----------------------------------------------------------------------===//
// Resize / Upsample
//===----------------------------------------------------------------------===//

std::vector<double> toDoubles(const Tensor &t) {
  std::vector<double> v(t.numElements());
  for (int64_t i = 0; i < (int64_t)v.size(); ++i)
    v[i] = t.getDouble(i);
  return v;
}

/// Upsample (7, 9), Resize (10, 11, 13, 18, 19). Scales/sizes/roi must be
/// constants. Everything is resolved per dim for tg.resize.
LogicalResult importResize(NodeContext &n) {
  if (!n.hasInput(0))
    return n.fail("expects input X");
  auto type = n.inputType(0);
  auto in = type.getShape();
  int64_t rank = type.getRank();
  bool legacy = n.opType() == "Upsample" || n.opset() < 11;
  std::string mode = n.attrString("mode", "nearest");
  if (legacy && mode == "bilinear")
    mode = "linear";
  if (mode != "nearest" && mode != "linear" && (legacy || mode != "cubic"))
    return n.unsupported("mode '" + mode + "' is not supported");
  if (mode != "nearest" && !isa<FloatType>(type.getElementType()))
    return n.unsupported(mode + " resize of a non-float type");

  std::string ctm = "asymmetric", nearestMode = "simple";
  double cubicA = -0.75, extrapolation = 0;
  bool exclude = false;
  std::vector<double> scales(rank, 1.0), roi;
  std::vector<int64_t> sizes(in.begin(), in.end());

  if (legacy) {
    std::vector<double> s;
    if (n.opType() == "Upsample" && n.opset() < 9) {
      for (float f : n.attrFloats("scales"))
        s.push_back(f);
    } else {
      const Tensor *t = n.requireConstInput(1, "Resize scales");
      if (!t)
        return failure();
      s = toDoubles(*t);
    }
    if ((int64_t)s.size() != rank)
      return n.fail("expects one scale per input dim");
    for (int64_t i = 0; i < rank; ++i) {
      if (!(s[i] > 0))
        return n.fail("scales must be positive");
      scales[i] = s[i];
      sizes[i] = (int64_t)std::floor(s[i] * in[i]);
    }
  } else {
    ctm = n.attrString("coordinate_transformation_mode", "half_pixel");
    nearestMode = n.attrString("nearest_mode", "round_prefer_floor");
    cubicA = n.attrFloat("cubic_coeff_a", -0.75);
    exclude = n.attrInt("exclude_outside", 0) != 0;
    extrapolation = n.attrFloat("extrapolation_value", 0.0);
    static const char *ctms[] = {"half_pixel",         "half_pixel_symmetric",
                                 "pytorch_half_pixel", "align_corners",
                                 "asymmetric",         "tf_half_pixel_for_nn",
                                 "tf_crop_and_resize"};
    if (!llvm::is_contained(ctms, ctm))
      return n.unsupported("coordinate_transformation_mode '" + ctm +
                           "' is not supported");
    static const char *nms[] = {"round_prefer_floor", "round_prefer_ceil",
                                "floor", "ceil"};
    if (!llvm::is_contained(nms, nearestMode))
      return n.unsupported("nearest_mode '" + nearestMode +
                           "' is not supported");
    if (n.attrInt("antialias", 0) != 0)
      return n.unsupported("antialias=1 is not supported");
    std::string policy = n.attrString("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch" && policy != "not_larger" &&
        policy != "not_smaller")
      return n.unsupported("keep_aspect_ratio_policy '" + policy +
                           "' is not supported");

    SmallVector<int64_t> axes;
    if (n.hasAttr("axes")) {
      for (int64_t a : n.attrInts("axes")) {
        auto na = n.normalizeAxis(a, rank);
        if (!na)
          return failure();
        if (llvm::is_contained(axes, *na))
          return n.fail("repeated axis");
        axes.push_back(*na);
      }
    } else {
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    }
    int64_t na = axes.size();

    // Request every needed constant at once.
    bool needRoi = ctm == "tf_crop_and_resize";
    const Tensor *roiT = nullptr, *scalesT = nullptr, *sizesT = nullptr;
    bool ok = true;
    auto get = [&](size_t i, const Tensor *&t, const char *what) {
      if (!n.hasInput(i))
        return;
      t = n.constInput(i);
      if (!t) {
        (void)n.requireConstInput(i, what);
        ok = false;
      }
    };
    if (needRoi)
      get(1, roiT, "Resize roi");
    get(2, scalesT, "Resize scales");
    get(3, sizesT, "Resize sizes");
    if (!ok)
      return failure();
    if (scalesT && scalesT->numElements() == 0)
      scalesT = nullptr;
    if (sizesT && sizesT->numElements() == 0)
      sizesT = nullptr;
    if (!scalesT == !sizesT)
      return n.fail("exactly one of scales and sizes must be given");

    if (needRoi) {
      if (!roiT || roiT->numElements() != 2 * na)
        return n.fail("tf_crop_and_resize needs roi with 2 values per axis");
      std::vector<double> r = toDoubles(*roiT);
      roi.assign(2 * rank, 0.0);
      for (int64_t i = 0; i < rank; ++i)
        roi[rank + i] = 1.0;
      for (int64_t i = 0; i < na; ++i) {
        roi[axes[i]] = r[i];
        roi[rank + axes[i]] = r[na + i];
      }
    }

    if (scalesT) {
      if (scalesT->numElements() != na)
        return n.fail("expects one scale per axis");
      std::vector<double> s = toDoubles(*scalesT);
      for (int64_t i = 0; i < na; ++i) {
        if (!(s[i] > 0))
          return n.fail("scales must be positive");
        scales[axes[i]] = s[i];
        sizes[axes[i]] = (int64_t)(s[i] * in[axes[i]]);
      }
    } else {
      if (sizesT->numElements() != na || isFloat(sizesT->dtype))
        return n.fail("expects one integer size per axis");
      for (int64_t i = 0; i < na; ++i) {
        int64_t sz = sizesT->getInt(i);
        if (sz < 0)
          return n.fail("sizes must be non-negative");
        if (in[axes[i]] == 0)
          return n.fail("cannot resize an empty dim to a given size");
        sizes[axes[i]] = sz;
        scales[axes[i]] = (double)sz / in[axes[i]];
      }
      if (policy != "stretch") {
        double s = scales[axes[0]];
        for (int64_t a : axes)
          s = policy == "not_larger" ? std::min(s, scales[a])
                                     : std::max(s, scales[a]);
        for (int64_t a : axes) {
          scales[a] = s;
          sizes[a] = (int64_t)(s * in[a] + 0.5);
        }
      }
    }
  }

  auto op = n.create<tg::ResizeOp>(
      {n.input(0)},
      {n.named("mode", n.b().getStringAttr(mode)),
       n.named("coordinate_transformation_mode", n.b().getStringAttr(ctm)),
       n.named("nearest_mode", n.b().getStringAttr(nearestMode)),
       n.f64("cubic_coeff_a", cubicA), n.boolean("exclude_outside", exclude),
       n.f64("extrapolation_value", extrapolation),
       n.named("scales", n.b().getDenseF64ArrayAttr(scales)),
       n.named("roi", n.b().getDenseF64ArrayAttr(roi)),
       n.i64Array("sizes", sizes)});
  return setResult(n, op ? op->getResult(0) : Value());
}

} // namespace

void registerTensorOpsImporters(ImporterTable &table) {
  table["DepthToSpace"] = importDepthToSpace;
  table["SpaceToDepth"] = importSpaceToDepth;
  table["Trilu"] = importTrilu;
  table["EyeLike"] = importEyeLike;
  table["OneHot"] = importOneHot;
  table["IsNaN"] = importIsNaN;
  table["IsInf"] = importIsInf;
  table["LRN"] = importLRN;
  table["MeanVarianceNormalization"] = importMVN;
  table["CumSum"] = importCumSum;
  table["Resize"] = importResize;
  table["Upsample"] = importResize;
}

} // namespace tdc::import
