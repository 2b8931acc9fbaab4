//===- ImportConv.cpp - ONNX Conv ops -> tg -----------------------------===//
//
// Conv, ConvTranspose and the pooling ops. auto_pad and ConvTranspose's
// output_shape are resolved here into explicit [begins..., ends...] pads so
// that tg ops only see one normalized form.
//
//===----------------------------------------------------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include <algorithm>

using namespace mlir;

namespace tdc::import {
namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::string join(const std::vector<int64_t> &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

/// Spatial window parameters shared by Conv and the pooling ops.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;
};

/// Read strides/dilations/pads/auto_pad for a window op over `in` (the
/// spatial input dims) with `kernel`; fills `w` with explicit pads.
LogicalResult readWindow(NodeContext &nc, ArrayRef<int64_t> in,
                         std::vector<int64_t> kernel, Window &w) {
  size_t sp = in.size();
  w.kernel = std::move(kernel);
  w.strides = nc.attrInts("strides", std::vector<int64_t>(sp, 1));
  w.dilations = nc.attrInts("dilations", std::vector<int64_t>(sp, 1));
  if (w.kernel.size() != sp)
    return nc.fail("kernel_shape " + join(w.kernel) + " does not match " +
                   std::to_string(sp) + " spatial dims");
  if (w.strides.size() != sp || w.dilations.size() != sp)
    return nc.fail("strides/dilations must have " + std::to_string(sp) +
                   " values");
  for (size_t i = 0; i < sp; ++i)
    if (w.kernel[i] <= 0 || w.strides[i] <= 0 || w.dilations[i] <= 0)
      return nc.fail("kernel_shape, strides and dilations must be positive");

  std::string autoPad = nc.attrString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET" || autoPad.empty()) {
    w.pads = nc.attrInts("pads", std::vector<int64_t>(2 * sp, 0));
    if (w.pads.size() != 2 * sp)
      return nc.fail("pads must have " + std::to_string(2 * sp) + " values");
    for (int64_t p : w.pads)
      if (p < 0)
        return nc.unsupported("negative pads are not supported");
  } else if (autoPad == "VALID") {
    w.pads.assign(2 * sp, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // Output size ceil(in / stride); the odd pad goes to the end (UPPER)
    // or to the beginning (LOWER).
    w.pads.assign(2 * sp, 0);
    for (size_t i = 0; i < sp; ++i) {
      int64_t out = (in[i] + w.strides[i] - 1) / w.strides[i];
      int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[i] + span - in[i]);
      int64_t small = total / 2;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : total - small;
      w.pads[sp + i] = total - w.pads[i];
    }
  } else {
    return nc.fail("unknown auto_pad '" + autoPad + "'");
  }
  return success();
}

/// The spatial dims of input 0, after checking it is at least 3-D.
LogicalResult spatialInput(NodeContext &nc, std::vector<int64_t> &in) {
  RankedTensorType t = nc.inputType(0);
  if (!t)
    return nc.fail("missing input X");
  if (t.getRank() < 3)
    return nc.fail("input must have rank >= 3 (N, C, spatial...)");
  in.assign(t.getShape().begin() + 2, t.getShape().end());
  return success();
}

/// The kernel dims of the weight (input 1), checked against kernel_shape.
LogicalResult weightKernel(NodeContext &nc, size_t sp,
                           std::vector<int64_t> &kernel) {
  RankedTensorType wt = nc.inputType(1);
  if (!wt)
    return nc.fail("missing weight input W");
  if ((size_t)wt.getRank() != sp + 2)
    return nc.fail("weight rank must equal the input rank");
  kernel.assign(wt.getShape().begin() + 2, wt.getShape().end());
  if (nc.hasAttr("kernel_shape") && nc.attrInts("kernel_shape") != kernel)
    return nc.fail("kernel_shape " + join(nc.attrInts("kernel_shape")) +
                   " does not match the weight shape");
  return success();
}

/// Collect X, W and the optional bias B (checked to be [channels]).
LogicalResult convOperands(NodeContext &nc, int64_t channels,
                           SmallVectorImpl<Value> &operands) {
  operands.push_back(nc.input(0));
  operands.push_back(nc.input(1));
  if (nc.hasInput(2)) {
    RankedTensorType bt = nc.inputType(2);
    if (!bt || bt.getRank() != 1 || bt.getDimSize(0) != channels)
      return nc.fail("bias must be a 1-D tensor of " +
                     std::to_string(channels) + " values");
    operands.push_back(nc.input(2));
  }
  return success();
}

LogicalResult importConv(NodeContext &nc) {
  std::vector<int64_t> in, kernel;
  if (failed(spatialInput(nc, in)) ||
      failed(weightKernel(nc, in.size(), kernel)))
    return failure();
  Window w;
  if (failed(readWindow(nc, in, kernel, w)))
    return failure();
  SmallVector<Value> operands;
  if (failed(convOperands(nc, nc.inputShape(1)[0], operands)))
    return failure();
  Value r = nc.make<tg::ConvOp>(
      operands, {nc.i64Array("strides", w.strides), nc.i64Array("pads", w.pads),
                 nc.i64Array("dilations", w.dilations),
                 nc.i64("group", nc.attrInt("group", 1))});
  if (!r)
    return failure();
  nc.setOutput(0, r);
  return success();
}

LogicalResult importConvTranspose(NodeContext &nc) {
  std::vector<int64_t> in, kernel;
  if (failed(spatialInput(nc, in)) ||
      failed(weightKernel(nc, in.size(), kernel)))
    return failure();
  size_t sp = in.size();
  int64_t group = nc.attrInt("group", 1);
  if (group <= 0)
    return nc.fail("group must be positive");
  auto strides = nc.attrInts("strides", std::vector<int64_t>(sp, 1));
  auto dilations = nc.attrInts("dilations", std::vector<int64_t>(sp, 1));
  auto outPad = nc.attrInts("output_padding", std::vector<int64_t>(sp, 0));
  if (strides.size() != sp || dilations.size() != sp || outPad.size() != sp)
    return nc.fail("strides/dilations/output_padding must have " +
                   std::to_string(sp) + " values");
  for (size_t i = 0; i < sp; ++i)
    if (strides[i] <= 0 || dilations[i] <= 0 || outPad[i] < 0)
      return nc.fail("invalid strides, dilations or output_padding");

  std::string autoPad = nc.attrString("auto_pad", "NOTSET");
  if (autoPad.empty())
    autoPad = "NOTSET";
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return nc.fail("unknown auto_pad '" + autoPad + "'");
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";

  std::vector<int64_t> pads(2 * sp, 0);
  std::vector<int64_t> outShape = nc.attrInts("output_shape");
  // output_shape may list only the spatial dims or the full shape.
  if (outShape.size() == sp + 2)
    outShape.erase(outShape.begin(), outShape.begin() + 2);
  if (!outShape.empty() && outShape.size() != sp)
    return nc.fail("output_shape must have " + std::to_string(sp) + " values");
  if (outShape.empty() && same)
    for (size_t i = 0; i < sp; ++i)
      outShape.push_back(in[i] * strides[i]);
  if (!outShape.empty()) {
    // total = full output size - requested size, split as ONNX specifies
    // (the odd element at the end for SAME_UPPER, at the begin otherwise).
    // A requested size beyond the full output extends it at the end with
    // zeros (negative end pad), as onnxruntime does.
    for (size_t i = 0; i < sp; ++i) {
      int64_t full = strides[i] * (in[i] - 1) + outPad[i] +
                     (kernel[i] - 1) * dilations[i] + 1;
      int64_t total = full - outShape[i];
      if (total < 0) {
        pads[i] = 0;
        pads[sp + i] = total;
      } else if (autoPad == "SAME_UPPER") {
        pads[i] = floorDiv(total, 2);
        pads[sp + i] = total - pads[i];
      } else {
        pads[i] = total - floorDiv(total, 2);
        pads[sp + i] = floorDiv(total, 2);
      }
    }
  } else if (autoPad == "NOTSET") {
    pads = nc.attrInts("pads", pads);
    if (pads.size() != 2 * sp)
      return nc.fail("pads must have " + std::to_string(2 * sp) + " values");
    for (int64_t p : pads)
      if (p < 0)
        return nc.unsupported("negative pads are not supported");
  }

  for (size_t i = 0; i < sp; ++i)
    if (strides[i] * (in[i] - 1) + outPad[i] + (kernel[i] - 1) * dilations[i] +
            1 - pads[i] - pads[sp + i] <=
        0)
      return nc.fail("conv_transpose output would be empty");
  RankedTensorType wt = nc.inputType(1);
  if (wt.getDimSize(0) % group != 0)
    return nc.fail("weight channels are not divisible by group");
  SmallVector<Value> operands;
  if (failed(convOperands(nc, wt.getDimSize(1) * group, operands)))
    return failure();
  Value r = nc.make<tg::ConvTransposeOp>(
      operands,
      {nc.i64Array("strides", strides), nc.i64Array("pads", pads),
       nc.i64Array("dilations", dilations),
       nc.i64Array("output_padding", outPad), nc.i64("group", group)});
  if (!r)
    return failure();
  nc.setOutput(0, r);
  return success();
}

enum class PoolKind { Max, Average, Lp };

/// MaxPool / AveragePool / LpPool, and their Global* forms (a window over
/// the whole spatial extent).
LogicalResult importPool(NodeContext &nc, PoolKind kind, bool global) {
  std::vector<int64_t> in;
  if (failed(spatialInput(nc, in)))
    return failure();
  size_t sp = in.size();

  Window w;
  bool ceil = false, countPad = false;
  if (global) {
    w.kernel = in;
    w.strides.assign(sp, 1);
    w.dilations.assign(sp, 1);
    w.pads.assign(2 * sp, 0);
  } else {
    if (!nc.hasAttr("kernel_shape"))
      return nc.fail("kernel_shape is required");
    if (failed(readWindow(nc, in, nc.attrInts("kernel_shape"), w)))
      return failure();
    ceil = nc.attrInt("ceil_mode", 0) != 0;
    countPad = nc.attrInt("count_include_pad", 0) != 0;
  }
  SmallVector<NamedAttribute> attrs{nc.i64Array("kernel_shape", w.kernel),
                                    nc.i64Array("strides", w.strides),
                                    nc.i64Array("pads", w.pads),
                                    nc.i64Array("dilations", w.dilations),
                                    nc.boolean("ceil_mode", ceil),
                                    nc.boolean("count_include_pad", countPad)};
  Value x = nc.input(0), r;
  switch (kind) {
  case PoolKind::Max:
    if (nc.hasOutput(1)) {
      int64_t order = nc.attrInt("storage_order", 0);
      if (order != 0 && order != 1)
        return nc.fail("storage_order must be 0 or 1");
      attrs.push_back(nc.i64("storage_order", order));
      auto op = nc.create<tg::MaxPoolWithIndicesOp>(x, attrs, 2);
      if (!op)
        return failure();
      nc.setOutput(0, op.getOutput());
      nc.setOutput(1, op.getIndices());
      return success();
    }
    r = nc.make<tg::MaxPoolOp>(x, attrs);
    break;
  case PoolKind::Average:
    if (!isa<FloatType>(nc.inputType(0).getElementType()))
      return nc.unsupported("AveragePool needs a floating-point input");
    r = nc.make<tg::AveragePoolOp>(x, attrs);
    break;
  case PoolKind::Lp: {
    if (!isa<FloatType>(nc.inputType(0).getElementType()))
      return nc.unsupported("LpPool needs a floating-point input");
    // LpPool-1 stored p as a float.
    const onnx::AttributeProto *pa = nc.attr("p");
    int64_t p = 2;
    if (pa && pa->type() == onnx::AttributeProto::FLOAT) {
      p = (int64_t)pa->f();
      if ((double)p != pa->f())
        return nc.unsupported("LpPool with a non-integer p");
    } else if (pa) {
      p = pa->i();
    }
    if (p <= 0)
      return nc.fail("p must be positive");
    attrs.push_back(nc.i64("p", p));
    r = nc.make<tg::LpPoolOp>(x, attrs);
    break;
  }
  }
  if (!r)
    return failure();
  for (int64_t d : cast<RankedTensorType>(r.getType()).getShape())
    if (d <= 0)
      return nc.fail("pooling output would be empty");
  nc.setOutput(0, r);
  return success();
}

} // namespace

void registerConvImporters(ImporterTable &table) {
  table["Conv"] = importConv;
  table["ConvTranspose"] = importConvTranspose;
  table["MaxPool"] = [](NodeContext &nc) {
    return importPool(nc, PoolKind::Max, false);
  };
  table["AveragePool"] = [](NodeContext &nc) {
    return importPool(nc, PoolKind::Average, false);
  };
  table["LpPool"] = [](NodeContext &nc) {
    return importPool(nc, PoolKind::Lp, false);
  };
  table["GlobalMaxPool"] = [](NodeContext &nc) {
    return importPool(nc, PoolKind::Max, true);
  };
  table["GlobalAveragePool"] = [](NodeContext &nc) {
    return importPool(nc, PoolKind::Average, true);
  };
  table["GlobalLpPool"] = [](NodeContext &nc) {
    return importPool(nc, PoolKind::Lp, true);
  };
}

} // namespace tdc::import
