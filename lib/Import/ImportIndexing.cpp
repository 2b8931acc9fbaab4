//===- ImportIndexing.cpp - ONNX indexing ops -> tg -----------------------===//
//
// BitShift, Einsum, TopK, GatherND, ScatterElements (and Scatter),
// ScatterND, Compress and NonZero. Ops whose output shape depends on data
// (Compress, NonZero) need that data at compile time: Compress becomes a
// gather of the selected positions, NonZero a known constant.
//
//===----------------------------------------------------------------------===//
#include "ImportContext.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"

#include <algorithm>
#include <map>
#include <set>

using namespace mlir;

namespace tdc::import {
namespace {

LogicalResult importBitShift(NodeContext &n) {
  std::string dir = n.attrString("direction", "");
  Type elem = n.inputType(0).getElementType();
  if (!elem.isUnsignedInteger() || n.inputType(1).getElementType() != elem)
    return n.fail("BitShift needs two inputs of one unsigned integer type");
  Value v;
  if (dir == "LEFT")
    v = n.make<tg::BitshiftLeftOp>({n.input(0), n.input(1)});
  else if (dir == "RIGHT")
    v = n.make<tg::BitshiftRightOp>({n.input(0), n.input(1)});
  else
    return n.fail("BitShift direction must be LEFT or RIGHT");
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// Rewrite an ONNX einsum equation into tg.einsum's form: spaces dropped,
/// "..." replaced by letters unused elsewhere (right-aligned across the
/// inputs, as numpy broadcasts them), and the implicit output made explicit
/// (ellipsis dims, then the letters used exactly once, in ASCII order).
std::optional<std::string> normalizeEinsum(NodeContext &n, std::string eq) {
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  std::string lhs = eq, out;
  bool explicitOut = false;
  if (auto arrow = eq.find("->"); arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    out = eq.substr(arrow + 2);
    explicitOut = true;
  }
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (terms.size() != n.numInputs()) {
    (void)n.fail("Einsum equation has " + std::to_string(terms.size()) +
                 " terms for " + std::to_string(n.numInputs()) + " inputs");
    return std::nullopt;
  }
  std::set<char> used;
  for (char c : eq)
    if (isLetter(c))
      used.insert(c);
  // Number of dims each "..." stands for.
  std::vector<int64_t> ellRank(terms.size(), -1);
  int64_t maxEll = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string &t = terms[i];
    size_t e = t.find("...");
    int64_t letters = 0;
    for (char c : t) {
      if (isLetter(c))
        ++letters;
      else if (c != '.') {
        (void)n.fail("Einsum equation has an invalid character");
        return std::nullopt;
      }
    }
    int64_t rank = n.inputRank(i);
    if (e == std::string::npos) {
      if (letters != rank) {
        (void)n.fail("Einsum term '" + t + "' does not match input rank " +
                     std::to_string(rank));
        return std::nullopt;
      }
      continue;
    }
    if (letters > rank || t.find("...", e + 3) != std::string::npos) {
      (void)n.fail("Einsum term '" + t + "' is malformed");
      return std::nullopt;
    }
    ellRank[i] = rank - letters;
    maxEll = std::max(maxEll, ellRank[i]);
  }
  std::string ellLetters;
  for (char c = 'A'; (int64_t)ellLetters.size() < maxEll && c <= 'z'; ++c)
    if (isLetter(c) && !used.count(c))
      ellLetters.push_back(c);
  if ((int64_t)ellLetters.size() < maxEll) {
    (void)n.unsupported("Einsum uses too many distinct indices");
    return std::nullopt;
  }
  auto expand = [&](std::string t, int64_t k) {
    size_t e = t.find("...");
    if (e != std::string::npos)
      t.replace(e, 3, ellLetters.substr(maxEll - k));
    return t;
  };
  std::string result;
  std::map<char, int> counts;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string t = expand(terms[i], ellRank[i] < 0 ? 0 : ellRank[i]);
    for (char c : t)
      ++counts[c];
    result += (i ? "," : "") + t;
  }
  if (explicitOut) {
    out = expand(out, maxEll);
  } else {
    out = ellLetters;
    for (auto [c, k] : counts)
      if (k == 1 && ellLetters.find(c) == std::string::npos)
        out.push_back(c);
  }
  return result + "->" + out;
}

LogicalResult importEinsum(NodeContext &n) {
  auto eq = normalizeEinsum(n, n.attrString("equation", ""));
  if (!eq)
    return failure();
  SmallVector<Value> inputs;
  std::map<char, int64_t> sizes;
  size_t term = 0, pos = 0;
  for (char c : eq->substr(0, eq->find("->"))) {
    if (c == ',') {
      ++term;
      pos = 0;
      continue;
    }
    int64_t d = n.inputShape(term)[pos++];
    auto [it, inserted] = sizes.insert({c, d});
    // numpy broadcasts size-1 dims of one index; tg.einsum does not.
    if (!inserted && it->second != d && (it->second == 1 || d == 1))
      return n.unsupported("Einsum broadcasting of size-1 dims");
  }
  for (size_t i = 0; i < n.numInputs(); ++i)
    inputs.push_back(n.input(i));
  Value v = n.make<tg::EinsumOp>(
      inputs, {n.named("equation", n.b().getStringAttr(*eq))});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importTopK(NodeContext &n) {
  int64_t k;
  if (n.opset() < 10) {
    k = n.attrInt("k", -1);
  } else {
    const Tensor *t = n.requireConstInput(1, "TopK k");
    if (!t)
      return failure();
    if (t->numElements() != 1 || isFloat(t->dtype))
      return n.fail("TopK k must be a single integer");
    k = t->getInt(0);
  }
  auto axis = n.normalizeAxis(n.attrInt("axis", -1), n.inputRank(0));
  if (!axis)
    return failure();
  auto op =
      n.create<tg::TopKOp>({n.input(0)},
                           {n.i64("k", k), n.i64("axis", *axis),
                            n.boolean("largest", n.attrInt("largest", 1) != 0)},
                           2);
  if (!op)
    return failure();
  n.setOutput(0, op.getValues());
  n.setOutput(1, op.getIndices());
  return success();
}

bool isIndexType(Type t) {
  return t.isSignlessInteger(32) || t.isSignlessInteger(64);
}

LogicalResult importGatherND(NodeContext &n) {
  if (!isIndexType(n.inputType(1).getElementType()))
    return n.fail("GatherND indices must be int64");
  Value v =
      n.make<tg::GatherNDOp>({n.input(0), n.input(1)},
                             {n.i64("batch_dims", n.attrInt("batch_dims", 0))});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

std::optional<std::string> reduction(NodeContext &n) {
  std::string r = n.attrString("reduction", "none");
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min") {
    (void)n.fail("unknown scatter reduction '" + r + "'");
    return std::nullopt;
  }
  if (r != "none" && r != "add" && r != "mul" &&
      n.inputType(0).getElementType().isInteger(1)) {
    (void)n.unsupported("scatter reduction '" + r + "' on bool");
    return std::nullopt;
  }
  return r;
}

LogicalResult importScatterElements(NodeContext &n) {
  auto axis = n.normalizeAxis(n.attrInt("axis", 0), n.inputRank(0));
  auto red = reduction(n);
  if (!axis || !red)
    return failure();
  if (!isIndexType(n.inputType(1).getElementType()))
    return n.fail("scatter indices must be int32 or int64");
  Value v = n.make<tg::ScatterElementsOp>(
      {n.input(0), n.input(1), n.input(2)},
      {n.i64("axis", *axis), n.named("reduction", n.b().getStringAttr(*red))});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

LogicalResult importScatterND(NodeContext &n) {
  auto red = reduction(n);
  if (!red)
    return failure();
  if (!isIndexType(n.inputType(1).getElementType()))
    return n.fail("ScatterND indices must be int64");
  Value v = n.make<tg::ScatterNDOp>(
      {n.input(0), n.input(1), n.input(2)},
      {n.named("reduction", n.b().getStringAttr(*red))});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

/// Compress: the positions where the (constant) condition holds, gathered
/// along the axis (of the flattened input when there is no axis).
LogicalResult importCompress(NodeContext &n) {
  const Tensor *cond = n.requireConstInput(1, "Compress condition");
  if (!cond)
    return failure();
  if (cond->shape.size() != 1)
    return n.fail("Compress condition must be 1-D");
  Value x = n.input(0);
  int64_t axis = 0;
  if (n.hasAttr("axis")) {
    auto a = n.normalizeAxis(n.attrInt("axis", 0), n.inputRank(0));
    if (!a)
      return failure();
    axis = *a;
  } else {
    int64_t total = 1;
    for (int64_t d : n.inputShape(0))
      total *= d;
    x = n.make<tg::ReshapeOp>({x}, {n.i64Array("shape", {total})});
    if (!x)
      return failure();
  }
  int64_t dim = cast<RankedTensorType>(x.getType()).getDimSize(axis);
  if (cond->numElements() > dim)
    return n.fail("Compress condition is longer than the axis");
  std::vector<int64_t> picked;
  for (int64_t i = 0; i < cond->numElements(); ++i)
    if (cond->getDouble(i) != 0)
      picked.push_back(i);
  Tensor idx(DType::I64, {(int64_t)picked.size()});
  for (size_t i = 0; i < picked.size(); ++i)
    idx.setInt(i, picked[i]);
  Value v = n.make<tg::GatherOp>({x, n.g.materialize(idx, n.loc)},
                                 {n.i64("axis", axis)});
  if (!v)
    return failure();
  n.setOutput(0, v);
  return success();
}

/// NonZero: its output shape is the number of non-zeros, so the input must
/// be known at compile time; the result is a constant.
LogicalResult importNonZero(NodeContext &n) {
  const Tensor *x = n.requireConstInput(0, "NonZero input");
  if (!x)
    return failure();
  int64_t rank = x->shape.size();
  std::vector<int64_t> hits;
  for (int64_t i = 0; i < x->numElements(); ++i)
    if (x->getDouble(i) != 0)
      hits.push_back(i);
  int64_t count = hits.size();
  Tensor out(DType::I64, {std::max<int64_t>(rank, 1), count});
  for (int64_t j = 0; j < count; ++j) {
    int64_t flat = hits[j];
    for (int64_t d = rank - 1; d >= 0; --d) {
      out.setInt(d * count + j, flat % x->shape[d]);
      flat /= x->shape[d];
    }
    if (rank == 0) // a scalar is treated as a 1-element vector
      out.setInt(j, 0);
  }
  n.setConstantOutput(0, std::move(out));
  return success();
}

} // namespace

void registerIndexingImporters(ImporterTable &table) {
  table["BitShift"] = importBitShift;
  table["Einsum"] = importEinsum;
  table["TopK"] = importTopK;
  table["GatherND"] = importGatherND;
  table["ScatterElements"] = importScatterElements;
  table["Scatter"] = importScatterElements;
  table["ScatterND"] = importScatterND;
  table["Compress"] = importCompress;
  table["NonZero"] = importNonZero;
}

} // namespace tdc::import
