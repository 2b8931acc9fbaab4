//===- DeriveToLinalg.cpp - derivation programs as linalg on tensors ------===//
#include "tdc/Conversion/DeriveToLinalg/DeriveToLinalg.h"
#include "ConstantRelayout.h"
#include "ResidueClasses.h"
#include "tdc/Derive/Instantiate.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

using namespace mlir;
using namespace tdc::derive;

namespace tdc {

namespace {

// mlir has a Range too.
using Range = derive::Range;

/// Inclusive bounds of a subscript over the iterators' ranges.
struct Interval {
  int64_t lo, hi;
};

Interval boundsOf(Index i, const std::unordered_map<Iter, Range> &ranges) {
  switch (i->kind) {
  case IndexKind::Iter: {
    Range r = ranges.at(i->iter);
    return {r.lo, r.hi - 1};
  }
  case IndexKind::Const:
    return {i->value, i->value};
  case IndexKind::Add: {
    Interval a = boundsOf(i->lhs, ranges), b = boundsOf(i->rhs, ranges);
    return {a.lo + b.lo, a.hi + b.hi};
  }
  case IndexKind::Mul: {
    Interval a = boundsOf(i->lhs, ranges);
    int64_t x = a.lo * i->value, y = a.hi * i->value;
    return {std::min(x, y), std::max(x, y)};
  }
  case IndexKind::FloorDiv: {
    Interval a = boundsOf(i->lhs, ranges);
    int64_t x = floorDivInt(a.lo, i->value), y = floorDivInt(a.hi, i->value);
    return {std::min(x, y), std::max(x, y)};
  }
  case IndexKind::Mod: {
    Interval a = boundsOf(i->lhs, ranges);
    int64_t c = i->value;
    // Within one period the modulo is monotone.
    if (floorDivInt(a.lo, c) == floorDivInt(a.hi, c)) {
      int64_t x = a.lo - c * floorDivInt(a.lo, c),
              y = a.hi - c * floorDivInt(a.hi, c);
      return {std::min(x, y), std::max(x, y)};
    }
    return c > 0 ? Interval{0, c - 1} : Interval{c + 1, 0};
  }
  }
  return {0, 0};
}

class Lowering {
public:
  Lowering(OpBuilder &b, Location loc,
           const std::map<std::string, Value> &inputs, Type elemType)
      : b(b), loc(loc), inputs(inputs), elemType(elemType) {}

  /// The tensor of an Input or Scope node (scopes computed once).
  Value tensor(Expr t) {
    if (t->kind == ExprKind::Input) {
      auto it = inputs.find(t->name);
      return it == inputs.end() ? Value() : it->second;
    }
    auto it = done.find(t);
    if (it != done.end())
      return it->second;
    Value v = scope(t);
    done[t] = v;
    return v;
  }

private:
  OpBuilder &b;
  Location loc;
  const std::map<std::string, Value> &inputs;
  Type elemType;
  std::unordered_map<Expr, Value> done;

  Value fconst(double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(elemType, v));
  }

  static void accessesOf(Expr e, std::vector<Expr> &out) {
    switch (e->kind) {
    case ExprKind::Access:
      if (std::find(out.begin(), out.end(), e) == out.end())
        out.push_back(e);
      return;
    case ExprKind::Unary:
      accessesOf(e->lhs, out);
      return;
    case ExprKind::Binary:
      accessesOf(e->lhs, out);
      accessesOf(e->rhs, out);
      return;
    default:
      return;
    }
  }

  /// The indexing map of an access that needs no bounds check (each
  /// subscript a constant or iterator + constant inside the source's
  /// domain), or null.
  AffineMap directMap(Expr access, const std::vector<IterRange> &all) {
    Expr src = access->source;
    SmallVector<AffineExpr> results;
    for (size_t d = 0; d < access->subscripts.size(); ++d) {
      LinearForm f;
      if (!toLinear(access->subscripts[d], f) || f.terms.size() > 1)
        return AffineMap();
      Range dom = src->domain(d);
      if (f.terms.empty()) {
        if (f.constant < dom.lo || f.constant >= dom.hi)
          return AffineMap();
        results.push_back(b.getAffineConstantExpr(f.constant - dom.lo));
        continue;
      }
      if (f.terms[0].second != 1)
        return AffineMap();
      auto pos = std::find_if(all.begin(), all.end(), [&](const IterRange &r) {
        return r.iter == f.terms[0].first;
      });
      if (pos == all.end())
        return AffineMap();
      Range r = pos->range;
      if (r.lo + f.constant < dom.lo || r.hi - 1 + f.constant >= dom.hi)
        return AffineMap();
      // A bare loop dim fixes the loop's range to the operand's size in
      // linalg: it must read the whole dim.
      if (r.lo + f.constant == dom.lo && r.size() != dom.size())
        return AffineMap();
      // Loop index k runs over [0, size): the iterator is k + lo.
      results.push_back(b.getAffineDimExpr(pos - all.begin()) +
                        (r.lo + f.constant - dom.lo));
    }
    return AffineMap::get(all.size(), 0, results, b.getContext());
  }

  /// Floor division of an index value by a nonzero constant.
  Value floorDiv(OpBuilder &nb, Value a, int64_t c) {
    Value cv = arith::ConstantIndexOp::create(nb, loc, c);
    Value q = arith::DivSIOp::create(nb, loc, a, cv);
    Value r = arith::RemSIOp::create(nb, loc, a, cv);
    Value zero = arith::ConstantIndexOp::create(nb, loc, 0);
    // Truncation rounds toward zero; step down when the remainder's sign
    // differs from the divisor's.
    Value nonzero =
        arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ne, r, zero);
    Value rneg =
        arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::slt, r, zero);
    Value differ =
        c > 0 ? rneg
              : arith::XOrIOp::create(
                    nb, loc, rneg, arith::ConstantIntOp::create(nb, loc, 1, 1))
                    .getResult();
    Value adjust = arith::AndIOp::create(nb, loc, nonzero, differ);
    Value qm1 = arith::SubIOp::create(
        nb, loc, q, arith::ConstantIndexOp::create(nb, loc, 1));
    return arith::SelectOp::create(nb, loc, adjust, qm1, q);
  }

  Value index(OpBuilder &nb, Index i,
              const std::unordered_map<Iter, Value> &iv) {
    switch (i->kind) {
    case IndexKind::Iter:
      return iv.at(i->iter);
    case IndexKind::Const:
      return arith::ConstantIndexOp::create(nb, loc, i->value);
    case IndexKind::Add:
      return arith::AddIOp::create(nb, loc, index(nb, i->lhs, iv),
                                   index(nb, i->rhs, iv));
    case IndexKind::Mul:
      return arith::MulIOp::create(
          nb, loc, index(nb, i->lhs, iv),
          arith::ConstantIndexOp::create(nb, loc, i->value));
    case IndexKind::FloorDiv:
      return floorDiv(nb, index(nb, i->lhs, iv), i->value);
    case IndexKind::Mod: {
      Value a = index(nb, i->lhs, iv);
      Value q = floorDiv(nb, a, i->value);
      return arith::SubIOp::create(
          nb, loc, a,
          arith::MulIOp::create(
              nb, loc, q, arith::ConstantIndexOp::create(nb, loc, i->value)));
    }
    }
    return Value();
  }

  /// A read through tensor.extract: zero outside the source's domain.
  Value gather(OpBuilder &nb, Expr access, Value src,
               const std::unordered_map<Iter, Value> &iv,
               const std::unordered_map<Iter, Range> &ranges) {
    Expr s = access->source;
    SmallVector<Value> idx;
    Value inside;
    for (size_t d = 0; d < access->subscripts.size(); ++d) {
      Index sub = access->subscripts[d];
      Range dom = s->domain(d);
      Value v = index(nb, sub, iv);
      if (dom.lo != 0)
        v = arith::SubIOp::create(
            nb, loc, v, arith::ConstantIndexOp::create(nb, loc, dom.lo));
      Interval bnd = boundsOf(sub, ranges);
      int64_t size = dom.size();
      if (bnd.lo >= dom.lo && bnd.hi < dom.hi) {
        idx.push_back(v);
        continue;
      }
      Value zero = arith::ConstantIndexOp::create(nb, loc, 0),
            last = arith::ConstantIndexOp::create(nb, loc, size - 1);
      Value ok = arith::AndIOp::create(
          nb, loc,
          arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::sge, v, zero),
          arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::sle, v, last));
      inside =
          inside ? arith::AndIOp::create(nb, loc, inside, ok).getResult() : ok;
      // Clamp so that the read itself stays in bounds.
      idx.push_back(arith::MinSIOp::create(
          nb, loc, arith::MaxSIOp::create(nb, loc, v, zero), last));
    }
    Value x = tensor::ExtractOp::create(nb, loc, src, idx);
    if (!inside)
      return x;
    Value zero =
        arith::ConstantOp::create(nb, loc, nb.getFloatAttr(elemType, 0.0));
    return arith::SelectOp::create(nb, loc, inside, x, zero);
  }

  Value scalar(OpBuilder &nb, Expr e,
               const std::unordered_map<Expr, Value> &args,
               const std::unordered_map<Iter, Value> &iv,
               const std::unordered_map<Iter, Range> &ranges) {
    auto cst = [&](double v) {
      return arith::ConstantOp::create(nb, loc, nb.getFloatAttr(elemType, v))
          .getResult();
    };
    switch (e->kind) {
    case ExprKind::Const:
      return cst(e->constant);
    case ExprKind::Access: {
      auto it = args.find(e);
      if (it != args.end())
        return it->second;
      return gather(nb, e, tensor(e->source), iv, ranges);
    }
    case ExprKind::Unary: {
      Value x = scalar(nb, e->lhs, args, iv, ranges);
      switch (e->unaryFn) {
      case UnaryFn::Neg:
        return arith::NegFOp::create(nb, loc, x);
      case UnaryFn::Relu: {
        Value zero = cst(0);
        Value gt =
            arith::CmpFOp::create(nb, loc, arith::CmpFPredicate::OGT, x, zero);
        return arith::SelectOp::create(nb, loc, gt, x, zero);
      }
      case UnaryFn::Exp:
        return math::ExpOp::create(nb, loc, x);
      case UnaryFn::Log:
        return math::LogOp::create(nb, loc, x);
      case UnaryFn::Sqrt:
        return math::SqrtOp::create(nb, loc, x);
      case UnaryFn::Tanh:
        return math::TanhOp::create(nb, loc, x);
      case UnaryFn::Sigmoid: {
        Value one = cst(1);
        Value ex =
            math::ExpOp::create(nb, loc, arith::NegFOp::create(nb, loc, x));
        return arith::DivFOp::create(nb, loc, one,
                                     arith::AddFOp::create(nb, loc, one, ex));
      }
      case UnaryFn::Abs:
        return math::AbsFOp::create(nb, loc, x);
      }
      return x;
    }
    case ExprKind::Binary: {
      Value x = scalar(nb, e->lhs, args, iv, ranges),
            y = scalar(nb, e->rhs, args, iv, ranges);
      switch (e->binaryOp) {
      case BinaryOp::Add:
        return arith::AddFOp::create(nb, loc, x, y);
      case BinaryOp::Sub:
        return arith::SubFOp::create(nb, loc, x, y);
      case BinaryOp::Mul:
        return arith::MulFOp::create(nb, loc, x, y);
      case BinaryOp::Div:
        return arith::DivFOp::create(nb, loc, x, y);
      case BinaryOp::Max:
      case BinaryOp::Min: {
        // As the interpreter: a > b ? a : b (resp. a < b ? a : b).
        auto pred = e->binaryOp == BinaryOp::Max ? arith::CmpFPredicate::OGT
                                                 : arith::CmpFPredicate::OLT;
        Value c = arith::CmpFOp::create(nb, loc, pred, x, y);
        return arith::SelectOp::create(nb, loc, c, x, y);
      }
      }
      return x;
    }
    default:
      return Value();
    }
  }

  /// A matmul-shaped scope (Instantiate.h) as a generic over the collapsed
  /// [batch,] m, n, k dims: operands (and the result) not already in the
  /// layout [batch, m, k] x [batch, k, n] -> [batch, m, n] are transposed
  /// into it, then collapse_shape merges each role's dims. The scheduler's
  /// register tiles take the output's innermost dim as the vector dim, so
  /// the n iterators must come out merged. Null for partial reads.
  Value collapsedContraction(Expr s) {
    if (!matchMatmul(s))
      return Value();
    Expr body = s->body;
    Expr ops[2] = {body->lhs, body->rhs};
    std::unordered_map<Iter, int64_t> size;
    for (const auto *list : {&s->loops, &s->sums})
      for (const IterRange &r : *list)
        size[r.iter] = r.range.size();
    std::vector<Iter> its[2];
    for (int o = 0; o < 2; ++o)
      for (size_t d = 0; d < ops[o]->subscripts.size(); ++d) {
        Iter it = ops[o]->subscripts[d]->iter;
        Range dom = ops[o]->source->domain(d);
        bool sum =
            std::any_of(s->sums.begin(), s->sums.end(),
                        [&](const IterRange &r) { return r.iter == it; });
        const std::vector<IterRange> &list = sum ? s->sums : s->loops;
        auto r = std::find_if(list.begin(), list.end(),
                              [&](const IterRange &x) { return x.iter == it; });
        if (r->range.lo != dom.lo || r->range.hi != dom.hi)
          return Value(); // reads part of the source
        its[o].push_back(it);
      }
    auto in = [](const std::vector<Iter> &v, Iter i) {
      return std::find(v.begin(), v.end(), i) != v.end();
    };
    auto role = [&](Iter i) { return matmulRole(s, i); };
    std::vector<Iter> outIts;
    for (const IterRange &r : s->loops)
      outIts.push_back(r.iter);
    // Canonical layouts: A [batch, m, k], B [batch, k, n], out [batch, m,
    // n], each role's iterators in loop (or sum) order. An operand in
    // another layout is copied into it by a transpose (the re-layout the
    // cost model charges), so that every contraction collapses.
    // Filled by `collapse` below: each role's iterators in the order the
    // tensors collapsed so far hold them.
    std::map<int, std::vector<Iter>> order;
    auto canonical = [&](const std::vector<Iter> &dims,
                         std::initializer_list<int> roles) {
      std::vector<Iter> out;
      for (Iter it : dims) // size-1 dims first: they join any group
        if (size[it] == 1)
          out.push_back(it);
      for (int r : roles) {
        auto known = order.find(r);
        if (known != order.end()) {
          for (Iter it : known->second)
            if (in(dims, it))
              out.push_back(it);
          continue;
        }
        const std::vector<IterRange> &list = r == 3 ? s->sums : s->loops;
        for (const IterRange &x : list)
          if (role(x.iter) == r && in(dims, x.iter) && size[x.iter] != 1)
            out.push_back(x.iter);
      }
      return out;
    };
    auto relaid = [&](Value v, const std::vector<Iter> &dims,
                      const std::vector<Iter> &want) -> Value {
      if (dims == want)
        return v;
      SmallVector<int64_t> perm, shape;
      for (Iter it : want) {
        perm.push_back(std::find(dims.begin(), dims.end(), it) - dims.begin());
        shape.push_back(size[it]);
      }
      // Weights are re-laid out at compile time (free in the cost model).
      if (Value c = transposedConstant(b, loc, v, perm))
        return c;
      Value init = tensor::EmptyOp::create(b, loc, shape, elemType);
      return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
    };

    // Per tensor: the reassociation into role groups and the groups' roles.
    struct Collapse {
      SmallVector<ReassociationIndices> groups;
      SmallVector<int> roles;
      SmallVector<int64_t> shape;
    };
    auto collapse = [&](const std::vector<Iter> &dims, Collapse &c) -> bool {
      std::vector<int> seen;
      ReassociationIndices pending; // unit dims not yet in a group
      for (size_t d = 0; d < dims.size(); ++d) {
        Iter it = dims[d];
        if (size[it] == 1) {
          if (c.groups.empty())
            pending.push_back(d);
          else
            c.groups.back().push_back(d);
          continue;
        }
        int r = role(it);
        if (c.roles.empty() || c.roles.back() != r) {
          if (std::find(seen.begin(), seen.end(), r) != seen.end())
            return false; // the role comes in two runs
          seen.push_back(r);
          c.roles.push_back(r);
          c.groups.push_back(pending);
          pending.clear();
          c.shape.push_back(1);
        }
        c.groups.back().push_back(d);
        c.shape.back() *= size[it];
      }
      if (c.groups.empty())
        return false;
      c.groups.back().append(pending.begin(), pending.end());
      // The same iterators in the same order wherever the role appears.
      for (int r : c.roles) {
        std::vector<Iter> seq;
        for (Iter it : dims)
          if (size[it] != 1 && role(it) == r)
            seq.push_back(it);
        auto [pos, fresh] = order.emplace(r, seq);
        if (!fresh && pos->second != seq)
          return false;
      }
      return true;
    };
    // Each tensor as it is laid out when its roles come in runs consistent
    // with the tensors before it, else transposed into [batch, m, k] /
    // [batch, k, n] / [batch, m, n] (the output first: it fixes the order).
    auto layout = [&](const std::vector<Iter> &dims,
                      std::initializer_list<int> roles, Collapse &c,
                      std::vector<Iter> &chosen) {
      auto saved = order;
      if (collapse(dims, c)) {
        chosen = dims;
        return true;
      }
      order = saved;
      c = Collapse();
      chosen = canonical(dims, roles);
      return collapse(chosen, c);
    };
    Collapse ca, cb, co;
    std::vector<Iter> canonA, canonB, canonOut;
    if (!layout(outIts, {0, 1, 2}, co, canonOut) ||
        !layout(its[0], {0, 1, 3}, ca, canonA) ||
        !layout(its[1], {0, 3, 2}, cb, canonB))
      return Value();
    // Collapsed dims: batch (if any), m, n, k -- each must be present.
    for (int r : {1, 2, 3})
      if (!order.count(r))
        return Value();
    SmallVector<int> dimRoles;
    for (int r : {0, 1, 2, 3})
      if (order.count(r))
        dimRoles.push_back(r);
    auto mapOf = [&](const Collapse &c) {
      SmallVector<AffineExpr> res;
      for (int r : c.roles)
        res.push_back(b.getAffineDimExpr(
            std::find(dimRoles.begin(), dimRoles.end(), r) - dimRoles.begin()));
      return AffineMap::get(dimRoles.size(), 0, res, b.getContext());
    };
    auto collapsed = [&](Value v, const Collapse &c) -> Value {
      if (c.groups.size() ==
          (size_t)cast<RankedTensorType>(v.getType()).getRank())
        return v;
      return tensor::CollapseShapeOp::create(b, loc, v, c.groups);
    };
    Value a = collapsed(relaid(tensor(ops[0]->source), its[0], canonA), ca);
    Value bv = collapsed(relaid(tensor(ops[1]->source), its[1], canonB), cb);
    auto outType = RankedTensorType::get(co.shape, elemType);
    Value init =
        linalg::FillOp::create(
            b, loc, fconst(0.0),
            tensor::EmptyOp::create(b, loc, co.shape, elemType).getResult())
            .getResult(0);
    SmallVector<utils::IteratorType> iters;
    for (int r : dimRoles)
      iters.push_back(r == 3 ? utils::IteratorType::reduction
                             : utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{outType}, ValueRange{a, bv}, ValueRange{init},
        ArrayRef<AffineMap>{mapOf(ca), mapOf(cb), mapOf(co)}, iters,
        [&](OpBuilder &nb, Location, ValueRange args) {
          Value p = arith::MulFOp::create(nb, loc, args[0], args[1]);
          linalg::YieldOp::create(
              nb, loc, arith::AddFOp::create(nb, loc, args[2], p).getResult());
        });
    Value result = generic.getResult(0);
    if (co.groups.size() != canonOut.size()) {
      SmallVector<int64_t> shape;
      for (Iter it : canonOut)
        shape.push_back(size[it]);
      result = tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(shape, elemType), result, co.groups);
    }
    return relaid(result, canonOut, outIts);
  }

  /// ceil(a / c) and floor(a / c) of index values, c a nonzero constant.
  Value ceilDiv(OpBuilder &nb, Value a, int64_t c) {
    // ceil(a / c) = -floor(-a / c)
    Value neg = arith::SubIOp::create(
        nb, loc, arith::ConstantIndexOp::create(nb, loc, 0), a);
    return arith::SubIOp::create(nb, loc,
                                 arith::ConstantIndexOp::create(nb, loc, 0),
                                 floorDiv(nb, neg, c));
  }

  /// An eOperator whose summation iterators are each bounded, per output
  /// point, by a factor that reads a*sum + rest (rest over traversal
  /// iterators) from a dim of extent D (Instantiate.h: sumBounds): a generic
  /// over the traversal dims only, whose body sums with scf.for loops over
  /// just the values where every such read is inside its source -- the
  /// overlap-add of a transposed convolution visits 2 of 16 kernel rows
  /// instead of all of them. Null when no sum is bounded below its range.
  Value boundedReduction(Expr s) {
    if (s->sums.empty())
      return Value();
    bool tighter = false;
    std::vector<std::vector<SumBound>> bounds;
    for (size_t k = 0; k < s->sums.size(); ++k) {
      bounds.push_back(sumBounds(s, k));
      tighter |= effectiveSumExtent(s, k) < s->sums[k].range.size();
    }
    if (!tighter)
      return Value();
    SmallVector<int64_t> shape;
    for (const IterRange &r : s->loops)
      shape.push_back(r.range.size());
    auto type = RankedTensorType::get(shape, elemType);
    Value empty = tensor::EmptyOp::create(b, loc, shape, elemType);
    std::unordered_map<Iter, Range> ranges;
    for (const auto *list : {&s->loops, &s->sums})
      for (const IterRange &r : *list)
        ranges[r.iter] = r.range;
    SmallVector<AffineExpr> outExprs;
    for (size_t k = 0; k < s->loops.size(); ++k)
      outExprs.push_back(b.getAffineDimExpr(k));
    AffineMap outMap =
        AffineMap::get(s->loops.size(), 0, outExprs, b.getContext());
    SmallVector<utils::IteratorType> iters(s->loops.size(),
                                           utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{type}, ValueRange{}, ValueRange{empty},
        ArrayRef<AffineMap>{outMap}, iters,
        [&](OpBuilder &nb, Location, ValueRange) {
          std::unordered_map<Iter, Value> iv;
          for (size_t k = 0; k < s->loops.size(); ++k) {
            Value v = linalg::IndexOp::create(nb, loc, k);
            if (s->loops[k].range.lo != 0)
              v = arith::AddIOp::create(nb, loc, v,
                                        arith::ConstantIndexOp::create(
                                            nb, loc, s->loops[k].range.lo));
            iv[s->loops[k].iter] = v;
          }
          Value one = arith::ConstantIndexOp::create(nb, loc, 1);
          // lo <= a*sum + rest <= hi - 1 for each bounding read.
          std::function<Value(OpBuilder &, size_t, Value)> loop =
              [&](OpBuilder &lb, size_t k, Value acc) -> Value {
            if (k == s->sums.size()) {
              Value x = scalar(lb, s->body, {}, iv, ranges);
              return arith::AddFOp::create(lb, loc, acc, x);
            }
            Range r = s->sums[k].range;
            Value lo = arith::ConstantIndexOp::create(lb, loc, r.lo);
            Value hi = arith::ConstantIndexOp::create(lb, loc, r.hi);
            for (const SumBound &bd : bounds[k]) {
              LinearForm lf;
              toLinear(bd.access->subscripts[bd.dim], lf);
              LinearForm restForm;
              restForm.constant = lf.constant;
              for (auto &t : lf.terms)
                if (t.first != s->sums[k].iter)
                  restForm.terms.push_back(t);
              Value rest = restForm.terms.empty() && restForm.constant == 0
                               ? arith::ConstantIndexOp::create(lb, loc, 0)
                               : Value();
              if (!rest) {
                rest =
                    arith::ConstantIndexOp::create(lb, loc, restForm.constant);
                for (auto &[it, c] : restForm.terms)
                  rest = arith::AddIOp::create(
                      lb, loc, rest,
                      arith::MulIOp::create(
                          lb, loc, iv.at(it),
                          arith::ConstantIndexOp::create(lb, loc, c)));
              }
              Range dom = bd.access->source->domain(bd.dim);
              Value dlo = arith::SubIOp::create(
                  lb, loc, arith::ConstantIndexOp::create(lb, loc, dom.lo),
                  rest);
              Value dhi = arith::SubIOp::create(
                  lb, loc, arith::ConstantIndexOp::create(lb, loc, dom.hi - 1),
                  rest);
              // a > 0: sum in [ceil(dlo/a), floor(dhi/a)]; a < 0 swaps.
              Value first = bd.coef > 0 ? ceilDiv(lb, dlo, bd.coef)
                                        : ceilDiv(lb, dhi, bd.coef);
              Value last = bd.coef > 0 ? floorDiv(lb, dhi, bd.coef)
                                       : floorDiv(lb, dlo, bd.coef);
              lo = arith::MaxSIOp::create(lb, loc, lo, first);
              hi = arith::MinSIOp::create(
                  lb, loc, hi, arith::AddIOp::create(lb, loc, last, one));
            }
            // An empty range (hi <= lo) runs no iteration.
            auto forOp = scf::ForOp::create(
                lb, loc, lo, hi, one, ValueRange{acc},
                [&](OpBuilder &fb, Location, Value i, ValueRange args) {
                  iv[s->sums[k].iter] = i;
                  scf::YieldOp::create(fb, loc, loop(fb, k + 1, args[0]));
                });
            return forOp.getResult(0);
          };
          Value zero = arith::ConstantOp::create(
              nb, loc, nb.getFloatAttr(elemType, 0.0));
          linalg::YieldOp::create(nb, loc, loop(nb, 0, zero));
        });
    return generic.getResult(0);
  }

  Value scope(Expr s) {
    std::vector<Expr> accesses;
    accessesOf(s->body, accesses);
    // Nested scopes first, each once, outside this scope's generic.
    for (Expr a : accesses)
      if (!tensor(a->source))
        return Value();
    if (Value v = collapsedContraction(s))
      return v;
    if (s->body->kind == ExprKind::Access)
      if (Value v = lowerByResidueClasses(b, loc, s, tensor(s->body->source),
                                          elemType))
        return v;
    if (Value v = boundedReduction(s))
      return v;
    SmallVector<int64_t> shape;
    for (const IterRange &r : s->loops) {
      if (r.range.size() <= 0)
        return Value();
      shape.push_back(r.range.size());
    }
    auto type = RankedTensorType::get(shape, elemType);
    Value empty = tensor::EmptyOp::create(b, loc, shape, elemType);
    bool reduce = !s->sums.empty();
    Value init = empty;
    if (reduce)
      init = linalg::FillOp::create(b, loc, fconst(0.0), empty).getResult(0);
    for (const IterRange &r : s->sums)
      if (r.range.size() <= 0)
        return init; // an empty sum is zero

    std::vector<IterRange> all(s->loops);
    all.insert(all.end(), s->sums.begin(), s->sums.end());
    std::unordered_map<Iter, Range> ranges;
    for (const IterRange &r : all)
      ranges[r.iter] = r.range;
    unsigned nd = all.size();

    SmallVector<Value> ins;
    SmallVector<AffineMap> maps;
    std::vector<Expr> direct;
    std::vector<bool> pure(nd, false); // dim appears alone in some map
    for (size_t k = 0; k < s->loops.size(); ++k)
      pure[k] = true; // the output map
    for (Expr a : accesses) {
      AffineMap m = directMap(a, all);
      if (!m)
        continue;
      ins.push_back(tensor(a->source));
      maps.push_back(m);
      direct.push_back(a);
      for (AffineExpr r : m.getResults())
        if (auto d = dyn_cast<AffineDimExpr>(r))
          pure[d.getPosition()] = true;
    }
    // Linalg infers loop ranges from operand shapes: a summation dim that no
    // map reads alone gets a placeholder operand that fixes its range.
    SmallVector<AffineExpr> missing;
    SmallVector<int64_t> missingShape;
    for (unsigned k = 0; k < nd; ++k)
      if (!pure[k]) {
        missing.push_back(b.getAffineDimExpr(k));
        missingShape.push_back(all[k].range.size());
      }
    if (!missing.empty()) {
      ins.push_back(tensor::EmptyOp::create(b, loc, missingShape, elemType));
      maps.push_back(AffineMap::get(nd, 0, missing, b.getContext()));
    }
    SmallVector<AffineExpr> outExprs;
    for (size_t k = 0; k < s->loops.size(); ++k)
      outExprs.push_back(b.getAffineDimExpr(k));
    maps.push_back(AffineMap::get(nd, 0, outExprs, b.getContext()));
    SmallVector<utils::IteratorType> iters;
    for (size_t k = 0; k < nd; ++k)
      iters.push_back(k < s->loops.size() ? utils::IteratorType::parallel
                                          : utils::IteratorType::reduction);

    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{type}, ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location, ValueRange args) {
          std::unordered_map<Expr, Value> argOf;
          for (size_t i = 0; i < direct.size(); ++i)
            argOf[direct[i]] = args[i];
          // Iterator values for computed subscripts, built lazily.
          std::unordered_map<Iter, Value> iv;
          bool needIndex = direct.size() < accesses.size();
          if (needIndex)
            for (unsigned k = 0; k < nd; ++k) {
              Value v = linalg::IndexOp::create(nb, loc, k);
              if (all[k].range.lo != 0)
                v = arith::AddIOp::create(
                    nb, loc, v,
                    arith::ConstantIndexOp::create(nb, loc, all[k].range.lo));
              iv[all[k].iter] = v;
            }
          Value v = scalar(nb, s->body, argOf, iv, ranges);
          if (reduce)
            v = arith::AddFOp::create(nb, loc, args.back(), v);
          linalg::YieldOp::create(nb, loc, v);
        });
    return generic.getResult(0);
  }
};

} // namespace

Value lowerExpr(OpBuilder &b, Location loc, Expr program,
                const std::map<std::string, Value> &inputs, Type elemType) {
  if (!program || program->kind != ExprKind::Scope)
    return Value();
  Lowering l(b, loc, inputs, elemType);
  return l.tensor(program);
}

} // namespace tdc
