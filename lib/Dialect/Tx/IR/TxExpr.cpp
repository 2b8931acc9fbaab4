//===- TxExpr.cpp - tx programs <-> derivation expressions ----------------===//
#include "tdc/Dialect/Tx/IR/TxExpr.h"
#include "tdc/Derive/Interpreter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <unordered_map>

using namespace mlir;
using namespace tdc::derive;

namespace tdc::tx {

/// Iterators a subscript list uses, in the order of the scope's iterators:
/// the operands of its tx.read.
static std::vector<Iter> readOperands(const std::vector<Index> &subs,
                                      const std::vector<IterRange> &loops,
                                      const std::vector<IterRange> &sums) {
  std::vector<Iter> used;
  for (Index s : subs)
    collectIters(s, used);
  std::vector<Iter> out;
  for (const auto *list : {&loops, &sums})
    for (const IterRange &r : *list)
      if (std::find(used.begin(), used.end(), r.iter) != used.end())
        out.push_back(r.iter);
  return out;
}

AffineExpr subscriptToAffine(Index i,
                             const std::unordered_map<Iter, unsigned> &dims,
                             MLIRContext *mctx, std::string &error) {
  switch (i->kind) {
  case IndexKind::Iter: {
    auto it = dims.find(i->iter);
    if (it == dims.end()) {
      error = "subscript uses iterator '" + i->iter->name +
              "' that its scope does not bind";
      return AffineExpr();
    }
    return getAffineDimExpr(it->second, mctx);
  }
  case IndexKind::Const:
    return getAffineConstantExpr(i->value, mctx);
  case IndexKind::Add: {
    AffineExpr l = subscriptToAffine(i->lhs, dims, mctx, error);
    AffineExpr r = l ? subscriptToAffine(i->rhs, dims, mctx, error) : l;
    return l && r ? l + r : AffineExpr();
  }
  case IndexKind::Mul: {
    AffineExpr l = subscriptToAffine(i->lhs, dims, mctx, error);
    return l ? l * i->value : AffineExpr();
  }
  case IndexKind::FloorDiv:
  case IndexKind::Mod: {
    if (i->value <= 0) {
      error = "division by a non-positive constant has no affine form";
      return AffineExpr();
    }
    AffineExpr l = subscriptToAffine(i->lhs, dims, mctx, error);
    if (!l)
      return l;
    return i->kind == IndexKind::FloorDiv ? l.floorDiv(i->value) : l % i->value;
  }
  }
  return AffineExpr();
}

Index affineToSubscript(ExprContext &ctx, AffineExpr a, ArrayRef<Index> dims,
                        std::string &error) {
  switch (a.getKind()) {
  case AffineExprKind::DimId:
    return dims[cast<AffineDimExpr>(a).getPosition()];
  case AffineExprKind::Constant:
    return ctx.cst(cast<AffineConstantExpr>(a).getValue());
  case AffineExprKind::SymbolId:
    error = "subscripts cannot use symbols";
    return nullptr;
  default:
    break;
  }
  auto bin = cast<AffineBinaryOpExpr>(a);
  Index l = affineToSubscript(ctx, bin.getLHS(), dims, error);
  if (!l)
    return nullptr;
  if (bin.getKind() == AffineExprKind::Add) {
    Index r = affineToSubscript(ctx, bin.getRHS(), dims, error);
    return r ? ctx.add(l, r) : nullptr;
  }
  auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
  if (!c) {
    error = "subscripts multiply and divide only by constants";
    return nullptr;
  }
  int64_t v = c.getValue();
  switch (bin.getKind()) {
  case AffineExprKind::Mul:
    return ctx.mul(l, v);
  case AffineExprKind::FloorDiv:
    return ctx.floorDiv(l, v);
  case AffineExprKind::Mod:
    return ctx.mod(l, v);
  case AffineExprKind::CeilDiv: // ceil(a / c) = floor((a + c - 1) / c)
    return ctx.floorDiv(ctx.add(l, v - 1), v);
  default:
    error = "unexpected affine expression";
    return nullptr;
  }
}

//===----------------------------------------------------------------------===//
// Expr -> tx
//===----------------------------------------------------------------------===//

/// `map` with its dims (and `operands`) renumbered in the order in which
/// they first appear when printed: the order in which the parser of
/// `tx.read %t[...]` numbers them, so that printed IR parses back to the
/// same op. Renumbering can change how MLIR orders the terms of a sum, so
/// it is repeated until stable.
static AffineMap parserOrder(AffineMap map, SmallVectorImpl<Value> &operands) {
  for (int round = 0; round < 4; ++round) {
    std::string text;
    llvm::raw_string_ostream os(text);
    for (AffineExpr r : map.getResults())
      os << r << ", ";
    SmallVector<unsigned> order; // dims by first appearance
    for (size_t k = 0; k + 1 < text.size(); ++k) {
      if (text[k] != 'd' || !llvm::isDigit(text[k + 1]) ||
          (k > 0 && llvm::isAlnum(text[k - 1])))
        continue;
      unsigned d = 0;
      size_t j = k + 1;
      while (j < text.size() && llvm::isDigit(text[j]))
        d = d * 10 + (text[j++] - '0');
      if (!llvm::is_contained(order, d))
        order.push_back(d);
    }
    bool identity = order.size() == map.getNumDims();
    for (unsigned k = 0; k < order.size() && identity; ++k)
      identity = order[k] == k;
    if (identity)
      return map;
    SmallVector<AffineExpr> dims(map.getNumDims(),
                                 getAffineConstantExpr(0, map.getContext()));
    // Dims that simplification removed (`(2*i) mod 2` is 0) are dropped.
    SmallVector<Value> permuted(order.size());
    for (unsigned k = 0; k < order.size(); ++k) {
      dims[order[k]] = getAffineDimExpr(k, map.getContext());
      permuted[k] = operands[order[k]];
    }
    map = map.replaceDimsAndSymbols(dims, {}, order.size(), 0);
    operands.assign(permuted.begin(), permuted.end());
  }
  return map;
}

namespace {

struct Builder {
  OpBuilder &b;
  Location loc;
  Type elemType;
  std::string &error;
  std::unordered_map<Expr, Value> tensors; // Input -> block arg, Scope -> op

  RankedTensorType typeOf(Expr scope) {
    SmallVector<int64_t> shape;
    for (const IterRange &r : scope->loops)
      shape.push_back(r.range.size());
    return RankedTensorType::get(shape, elemType);
  }

  static void sourcesOf(Expr e, std::vector<Expr> &out) {
    switch (e->kind) {
    case ExprKind::Access:
      if (std::find(out.begin(), out.end(), e->source) == out.end())
        out.push_back(e->source);
      return;
    case ExprKind::Unary:
      sourcesOf(e->lhs, out);
      return;
    case ExprKind::Binary:
      sourcesOf(e->lhs, out);
      sourcesOf(e->rhs, out);
      return;
    default:
      return;
    }
  }

  /// Scalar body of a scope; `iterArg` / `srcArg` are its block arguments.
  Value scalar(OpBuilder &nb, Expr e,
               const std::unordered_map<Iter, Value> &iterArg,
               const std::unordered_map<Expr, Value> &srcArg,
               std::unordered_map<Expr, Value> &memo) {
    auto found = memo.find(e);
    if (found != memo.end())
      return found->second;
    Value v;
    switch (e->kind) {
    case ExprKind::Const:
      v = arith::ConstantOp::create(nb, loc,
                                    nb.getFloatAttr(elemType, e->constant));
      break;
    case ExprKind::Access: {
      std::unordered_map<Iter, unsigned> dims;
      SmallVector<Value> operands;
      for (Iter it : readOperands(e->subscripts, *curLoops, *curSums)) {
        dims[it] = operands.size();
        operands.push_back(iterArg.at(it));
      }
      SmallVector<AffineExpr> results;
      for (Index s : e->subscripts) {
        AffineExpr a = subscriptToAffine(s, dims, nb.getContext(), error);
        if (!a)
          return Value();
        results.push_back(a);
      }
      AffineMap map = parserOrder(
          AffineMap::get(operands.size(), 0, results, nb.getContext()),
          operands);
      v = ReadOp::create(nb, loc, elemType, srcArg.at(e->source), operands,
                         AffineMapAttr::get(map));
      break;
    }
    case ExprKind::Unary: {
      Value x = scalar(nb, e->lhs, iterArg, srcArg, memo);
      if (!x)
        return x;
      switch (e->unaryFn) {
      case UnaryFn::Neg:
        v = arith::NegFOp::create(nb, loc, x);
        break;
      case UnaryFn::Relu:
        v = ReluOp::create(nb, loc, x);
        break;
      case UnaryFn::Exp:
        v = math::ExpOp::create(nb, loc, x);
        break;
      case UnaryFn::Log:
        v = math::LogOp::create(nb, loc, x);
        break;
      case UnaryFn::Sqrt:
        v = math::SqrtOp::create(nb, loc, x);
        break;
      case UnaryFn::Tanh:
        v = math::TanhOp::create(nb, loc, x);
        break;
      case UnaryFn::Sigmoid:
        v = SigmoidOp::create(nb, loc, x);
        break;
      case UnaryFn::Abs:
        v = math::AbsFOp::create(nb, loc, x);
        break;
      }
      break;
    }
    case ExprKind::Binary: {
      Value x = scalar(nb, e->lhs, iterArg, srcArg, memo);
      Value y = x ? scalar(nb, e->rhs, iterArg, srcArg, memo) : Value();
      if (!y)
        return y;
      switch (e->binaryOp) {
      case BinaryOp::Add:
        v = arith::AddFOp::create(nb, loc, x, y);
        break;
      case BinaryOp::Sub:
        v = arith::SubFOp::create(nb, loc, x, y);
        break;
      case BinaryOp::Mul:
        v = arith::MulFOp::create(nb, loc, x, y);
        break;
      case BinaryOp::Div:
        v = arith::DivFOp::create(nb, loc, x, y);
        break;
      case BinaryOp::Max:
        v = MaxOp::create(nb, loc, x, y);
        break;
      case BinaryOp::Min:
        v = MinOp::create(nb, loc, x, y);
        break;
      }
      break;
    }
    case ExprKind::Scope:
    case ExprKind::Input:
      error = "a tensor used as a scalar";
      return Value();
    }
    return memo[e] = v;
  }

  // Iterators of the scope being built.
  const std::vector<IterRange> *curLoops = nullptr, *curSums = nullptr;

  /// The tx.scope of a Scope node (built once, after its nested scopes).
  Value tensor(Expr t) {
    auto found = tensors.find(t);
    if (found != tensors.end())
      return found->second;
    if (t->kind != ExprKind::Scope) {
      error = "input '" + t->name + "' is not bound";
      return Value();
    }
    std::vector<Expr> sources;
    sourcesOf(t->body, sources);
    SmallVector<Value> operands;
    for (Expr s : sources) {
      Value v = tensor(s);
      if (!v)
        return v;
      operands.push_back(v);
    }
    SmallVector<int64_t> loops, sums;
    SmallVector<Attribute> names;
    for (const IterRange &r : t->loops) {
      loops.append({r.range.lo, r.range.hi});
      names.push_back(b.getStringAttr(r.iter->name));
    }
    for (const IterRange &r : t->sums) {
      sums.append({r.range.lo, r.range.hi});
      names.push_back(b.getStringAttr(r.iter->name));
    }
    auto op = ScopeOp::create(
        b, loc, typeOf(t), operands, b.getDenseI64ArrayAttr(loops),
        b.getDenseI64ArrayAttr(sums), b.getArrayAttr(names));
    SmallVector<Type> argTypes(t->loops.size() + t->sums.size(),
                               b.getIndexType());
    for (Value v : operands)
      argTypes.push_back(v.getType());
    SmallVector<Location> argLocs(argTypes.size(), loc);
    OpBuilder nb(b.getContext());
    Block *block = nb.createBlock(&op.getBody(), {}, argTypes, argLocs);
    std::unordered_map<Iter, Value> iterArg;
    curLoops = &t->loops;
    curSums = &t->sums;
    unsigned k = 0;
    for (const auto *list : {&t->loops, &t->sums})
      for (const IterRange &r : *list)
        iterArg[r.iter] = block->getArgument(k++);
    std::unordered_map<Expr, Value> srcArg, memo;
    for (Expr s : sources)
      srcArg[s] = block->getArgument(k++);
    Value body = scalar(nb, t->body, iterArg, srcArg, memo);
    if (!body)
      return body;
    YieldOp::create(nb, loc, body);
    return tensors[t] = op.getResult();
  }
};

} // namespace

ProgramOp buildProgram(OpBuilder &b, Location loc, Expr program,
                       const std::map<std::string, Value> &inputs,
                       Type elemType, std::string &error) {
  if (!program || program->kind != ExprKind::Scope) {
    error = "a program must be a scope";
    return ProgramOp();
  }
  std::string invalid = derive::verify(program);
  if (!invalid.empty()) {
    error = "invalid program: " + invalid;
    return ProgramOp();
  }
  std::vector<Expr> ins = inputsOf(program);
  SmallVector<Value> operands;
  SmallVector<Attribute> names;
  SmallVector<bool> constant;
  for (Expr in : ins) {
    auto it = inputs.find(in->name);
    if (it == inputs.end()) {
      error = "input '" + in->name + "' is not bound";
      return ProgramOp();
    }
    operands.push_back(it->second);
    names.push_back(b.getStringAttr(in->name));
    constant.push_back(in->isConstant);
  }
  SmallVector<int64_t> shape;
  for (const IterRange &r : program->loops)
    shape.push_back(r.range.size());
  auto op = ProgramOp::create(b, loc, RankedTensorType::get(shape, elemType),
                              operands, b.getArrayAttr(names),
                              b.getDenseBoolArrayAttr(constant),
                              /*derivation=*/DictionaryAttr());
  SmallVector<Type> argTypes;
  for (Value v : operands)
    argTypes.push_back(v.getType());
  SmallVector<Location> argLocs(argTypes.size(), loc);
  OpBuilder pb(b.getContext());
  Block *block = pb.createBlock(&op.getBody(), {}, argTypes, argLocs);
  Builder builder{pb, loc, elemType, error, {}};
  for (size_t i = 0; i < ins.size(); ++i)
    builder.tensors[ins[i]] = block->getArgument(i);
  Value root = builder.tensor(program);
  if (!root) {
    op->erase();
    return ProgramOp();
  }
  ReturnOp::create(pb, loc, root);
  return op;
}

//===----------------------------------------------------------------------===//
// tx -> Expr
//===----------------------------------------------------------------------===//

namespace {

struct Reader {
  Reader(ExprContext &ctx, std::string &error) : ctx(ctx), error(error) {}
  ExprContext &ctx;
  std::string &error;
  llvm::DenseMap<Value, Expr> tensors; // program args and scope results

  Expr scope(ScopeOp op) {
    auto found = tensors.find(op.getResult());
    if (found != tensors.end())
      return found->second;
    Block &block = op.getBody().front();
    std::vector<IterRange> loops, sums;
    llvm::DenseMap<Value, Index> iterIndex;
    for (unsigned k = 0; k < op.getNumIterators(); ++k) {
      auto name = cast<StringAttr>(op.getIteratorNames()[k]).str();
      Iter it = ctx.iter(name);
      auto [lo, hi] = op.getIteratorRange(k);
      (k < op.getNumLoops() ? loops : sums).push_back({it, {lo, hi}});
      iterIndex[block.getArgument(k)] = ctx.idx(it);
    }
    llvm::DenseMap<Value, Expr> values; // body values and source args
    for (auto [i, s] : llvm::enumerate(op.getSources())) {
      Expr src;
      if (auto nested = s.getDefiningOp<ScopeOp>())
        src = scope(nested);
      else if (tensors.count(s))
        src = tensors[s];
      if (!src) {
        if (error.empty())
          error = "scope reads a tensor outside its program";
        return nullptr;
      }
      values[op.getSourceArgument(i)] = src;
    }
    Expr body = nullptr;
    for (Operation &o : block) {
      auto arg = [&](unsigned i) { return values.at(o.getOperand(i)); };
      Expr v = nullptr;
      if (auto r = dyn_cast<ReadOp>(o)) {
        SmallVector<Index> dims;
        for (Value i : r.getIndices())
          dims.push_back(iterIndex.at(i));
        std::vector<Index> subs;
        for (AffineExpr a : r.getMap().getResults()) {
          Index s = affineToSubscript(ctx, a, dims, error);
          if (!s)
            return nullptr;
          subs.push_back(s);
        }
        v = ctx.access(values.at(r.getSource()), subs);
      } else if (auto c = dyn_cast<arith::ConstantOp>(o)) {
        v = ctx.constant(cast<FloatAttr>(c.getValue()).getValueAsDouble());
      } else if (isa<arith::AddFOp>(o)) {
        v = ctx.binary(BinaryOp::Add, arg(0), arg(1));
      } else if (isa<arith::SubFOp>(o)) {
        v = ctx.binary(BinaryOp::Sub, arg(0), arg(1));
      } else if (isa<arith::MulFOp>(o)) {
        v = ctx.binary(BinaryOp::Mul, arg(0), arg(1));
      } else if (isa<arith::DivFOp>(o)) {
        v = ctx.binary(BinaryOp::Div, arg(0), arg(1));
      } else if (isa<MaxOp>(o)) {
        v = ctx.binary(BinaryOp::Max, arg(0), arg(1));
      } else if (isa<MinOp>(o)) {
        v = ctx.binary(BinaryOp::Min, arg(0), arg(1));
      } else if (isa<arith::NegFOp>(o)) {
        v = ctx.unary(UnaryFn::Neg, arg(0));
      } else if (isa<ReluOp>(o)) {
        v = ctx.unary(UnaryFn::Relu, arg(0));
      } else if (isa<SigmoidOp>(o)) {
        v = ctx.unary(UnaryFn::Sigmoid, arg(0));
      } else if (isa<math::ExpOp>(o)) {
        v = ctx.unary(UnaryFn::Exp, arg(0));
      } else if (isa<math::LogOp>(o)) {
        v = ctx.unary(UnaryFn::Log, arg(0));
      } else if (isa<math::SqrtOp>(o)) {
        v = ctx.unary(UnaryFn::Sqrt, arg(0));
      } else if (isa<math::TanhOp>(o)) {
        v = ctx.unary(UnaryFn::Tanh, arg(0));
      } else if (isa<math::AbsFOp>(o)) {
        v = ctx.unary(UnaryFn::Abs, arg(0));
      } else if (auto y = dyn_cast<YieldOp>(o)) {
        body = values.at(y.getValue());
        continue;
      } else {
        error =
            "'" + o.getName().getStringRef().str() + "' has no expression form";
        return nullptr;
      }
      values[o.getResult(0)] = v;
    }
    if (!body) {
      error = "scope has no tx.yield";
      return nullptr;
    }
    return tensors[op.getResult()] = ctx.scope(loops, sums, body);
  }
};

} // namespace

Expr programExpr(ExprContext &ctx, ProgramOp program, std::string &error) {
  Reader reader(ctx, error);
  Block &block = program.getBody().front();
  for (auto [i, arg] : llvm::enumerate(block.getArguments())) {
    auto type = cast<RankedTensorType>(arg.getType());
    reader.tensors[arg] = ctx.input(
        cast<StringAttr>(program.getNames()[i]).str(),
        std::vector<int64_t>(type.getShape().begin(), type.getShape().end()),
        program.getConstant()[i]);
  }
  ScopeOp root = program.getRoot();
  if (!root) {
    error = "program does not return a tx.scope";
    return nullptr;
  }
  Expr e = reader.scope(root);
  if (e) {
    std::string invalid = derive::verify(e);
    if (!invalid.empty()) {
      error = "invalid program: " + invalid;
      return nullptr;
    }
  }
  return e;
}

namespace {
struct Normalizer {
  ExprContext &ctx;
  MLIRContext *mctx;
  std::string &error;
  std::unordered_map<Expr, Expr> memo;

  Expr expr(Expr e, const Expr scope) {
    auto found = memo.find(e);
    if (found != memo.end())
      return found->second;
    Expr out = e;
    switch (e->kind) {
    case ExprKind::Access: {
      Expr src = expr(e->source, nullptr);
      if (!src)
        return nullptr;
      std::unordered_map<Iter, unsigned> dims;
      std::vector<Index> dimIndex;
      for (Iter it : readOperands(e->subscripts, scope->loops, scope->sums)) {
        dims[it] = dimIndex.size();
        dimIndex.push_back(ctx.idx(it));
      }
      std::vector<Index> subs;
      for (Index s : e->subscripts) {
        AffineExpr a = subscriptToAffine(s, dims, mctx, error);
        Index n = a ? affineToSubscript(ctx, a, dimIndex, error) : nullptr;
        if (!n)
          return nullptr;
        subs.push_back(n);
      }
      return ctx.access(src, subs); // not memoized: depends on the scope
    }
    case ExprKind::Unary: {
      Expr a = expr(e->lhs, scope);
      return a ? ctx.unary(e->unaryFn, a) : nullptr;
    }
    case ExprKind::Binary: {
      Expr a = expr(e->lhs, scope), b = a ? expr(e->rhs, scope) : nullptr;
      return b ? ctx.binary(e->binaryOp, a, b) : nullptr;
    }
    case ExprKind::Scope: {
      Expr body = expr(e->body, e);
      if (!body)
        return nullptr;
      out = ctx.scope(e->loops, e->sums, body);
      break;
    }
    default:
      return e;
    }
    return memo[e] = out;
  }
};
} // namespace

Expr normalizeSubscripts(ExprContext &ctx, MLIRContext *mctx, Expr program,
                         std::string &error) {
  Normalizer n{ctx, mctx, error, {}};
  return n.expr(program, nullptr);
}

std::map<std::string, Value> programInputs(ProgramOp program) {
  std::map<std::string, Value> out;
  for (auto [name, v] : llvm::zip(program.getNames(), program.getInputs()))
    out[cast<StringAttr>(name).str()] = v;
  return out;
}

} // namespace tdc::tx
