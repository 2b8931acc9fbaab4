//===- ResidueClasses.cpp - overlap-adds per residue class ----------------===//
#include "ResidueClasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <optional>

using namespace mlir;
using namespace tdc::derive;

namespace tdc {

// mlir has a Range too.
using Range = derive::Range;

/// An eOperator that sums one read over iterators each paired, in one
/// subscript, with a traversal iterator as `e*l + a*sum + c` (e = +-1,
/// |a| = S >= 2) -- the overlap-add of a strided transposed convolution,
/// out[oy] = sum_iy M[oy + 1 - 2*iy, iy] -- as one elementwise generic per
/// residue class of the paired traversal iterators (l = S*q + r), written
/// through a strided slice of the result. Within a class the pair's
/// subscript is S*u + const with u = e*q + (a/S)*sum over a constant
/// range, so the sum unrolls into a few reads at constant offsets of q:
/// affine maps over a zero-padded source, no per-point bounds and no
/// inner loops (boundedReduction's form), so the loops vectorize. Each
/// summation iterator must also be read bare from a dim whose domain is
/// its range: the read of zero there is what keeps the unrolled sum to the
/// original range. Null when the scope has another form.
Value lowerByResidueClasses(OpBuilder &b, Location loc, Expr s, Value src,
                            Type elemType) {
  Expr acc = s->body;
  if (s->sums.empty() || acc->kind != ExprKind::Access)
    return Value();
  size_t rank = acc->subscripts.size(), nl = s->loops.size();
  std::vector<LinearForm> forms(rank);
  for (size_t d = 0; d < rank; ++d)
    if (!toLinear(acc->subscripts[d], forms[d]))
      return Value();
  auto posIn = [](const std::vector<IterRange> &list, Iter it) -> int {
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].iter == it)
        return (int)i;
    return -1;
  };
  auto coefOf = [](const LinearForm &f, Iter it) -> int64_t {
    for (auto &[i, c] : f.terms)
      if (i == it)
        return c;
    return 0;
  };
  struct Pair {
    int loop;
    int64_t e, t, stride, c;
    Range dom;
  };
  std::vector<Pair> pairs;
  std::vector<int> pairOfLoop(nl, -1);
  for (const IterRange &sum : s->sums) {
    std::optional<Pair> pair;
    bool ranged = false;
    for (size_t d = 0; d < rank; ++d) {
      const LinearForm &f = forms[d];
      int64_t a = coefOf(f, sum.iter);
      if (a == 0)
        continue;
      Range dom = acc->source->domain(d);
      if (f.terms.size() == 1 && a == 1 && f.constant == 0 && dom == sum.range)
        ranged = true;
      if (std::abs(a) < 2)
        continue;
      if (pair || f.terms.size() != 2)
        return Value();
      Iter other =
          f.terms[0].first == sum.iter ? f.terms[1].first : f.terms[0].first;
      int l = posIn(s->loops, other);
      int64_t e = coefOf(f, other);
      if (l < 0 || std::abs(e) != 1 || pairOfLoop[l] >= 0 ||
          s->loops[l].range.lo != 0)
        return Value();
      pair = Pair{l, e, a > 0 ? 1 : -1, std::abs(a), f.constant, dom};
    }
    if (!pair || !ranged)
      return Value();
    pairOfLoop[pair->loop] = pairs.size();
    pairs.push_back(*pair);
  }
  int64_t classes = 1;
  for (const Pair &p : pairs)
    classes *= p.stride;
  if (classes > 64)
    return Value();

  // One class: its residues, loop extents, and per unrolled combination of
  // the u's the source subscripts as affine forms over the class's loops.
  struct Form {
    std::vector<int64_t> coef; // per loop dim
    int64_t constant;
  };
  struct Class {
    std::vector<int64_t> residue, extent;
    std::vector<std::vector<Form>> reads; // [combination][source dim]
  };
  std::vector<Class> all;
  SmallVector<int64_t> padLo(rank, 0), padHi(rank, 0);
  for (int64_t cls = 0; cls < classes; ++cls) {
    Class c;
    c.residue.assign(pairs.size(), 0);
    for (int64_t rest = cls, i = 0; i < (int64_t)pairs.size(); ++i) {
      c.residue[i] = rest % pairs[i].stride;
      rest /= pairs[i].stride;
    }
    bool empty = false;
    for (size_t l = 0; l < nl; ++l) {
      int64_t size = s->loops[l].range.size();
      if (pairOfLoop[l] >= 0) {
        const Pair &p = pairs[pairOfLoop[l]];
        int64_t r = c.residue[pairOfLoop[l]];
        size = (size - r + p.stride - 1) / p.stride;
      }
      empty |= size <= 0;
      c.extent.push_back(size);
    }
    if (empty)
      continue;
    // u ranges: dom.lo <= S*u + e*r + c <= dom.hi - 1.
    std::vector<int64_t> uLo, uHi;
    int64_t combos = 1;
    for (size_t i = 0; i < pairs.size(); ++i) {
      const Pair &p = pairs[i];
      int64_t off = p.e * c.residue[i] + p.c;
      uLo.push_back(-floorDivInt(-(p.dom.lo - off), p.stride));
      uHi.push_back(floorDivInt(p.dom.hi - 1 - off, p.stride));
      combos *= std::max<int64_t>(0, uHi.back() - uLo.back() + 1);
    }
    if (combos > 64)
      return Value();
    for (int64_t k = 0; k < combos; ++k) {
      std::vector<int64_t> u(pairs.size());
      for (int64_t rest = k, i = 0; i < (int64_t)pairs.size(); ++i) {
        int64_t n = uHi[i] - uLo[i] + 1;
        u[i] = uLo[i] + rest % n;
        rest /= n;
      }
      std::vector<Form> read;
      for (size_t d = 0; d < rank; ++d) {
        Form f{std::vector<int64_t>(nl, 0), forms[d].constant};
        for (auto &[it, coef] : forms[d].terms) {
          if (int l = posIn(s->loops, it); l >= 0) {
            if (pairOfLoop[l] >= 0) { // l = S*q + r
              const Pair &p = pairs[pairOfLoop[l]];
              f.coef[l] += coef * p.stride;
              f.constant += coef * c.residue[pairOfLoop[l]];
            } else {
              f.coef[l] += coef;
              f.constant += coef * s->loops[l].range.lo;
            }
            continue;
          }
          int k2 = posIn(s->sums, it);
          const Pair &p = pairs[k2]; // sum = t*(u - e*q)
          f.coef[p.loop] -= coef * p.t * p.e;
          f.constant += coef * p.t * u[k2];
        }
        Range dom = acc->source->domain(d);
        f.constant -= dom.lo;
        int64_t lo = f.constant, hi = f.constant;
        for (size_t l = 0; l < nl; ++l) {
          int64_t x = f.coef[l] * (c.extent[l] - 1);
          lo += std::min<int64_t>(0, x);
          hi += std::max<int64_t>(0, x);
        }
        padLo[d] = std::max(padLo[d], -lo);
        padHi[d] = std::max(padHi[d], hi - (dom.size() - 1));
        read.push_back(f);
      }
      c.reads.push_back(std::move(read));
    }
    all.push_back(std::move(c));
  }

  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(elemType, 0.0));
  // Reads outside the source are zeros of the padding.
  if (llvm::any_of(padLo, [](int64_t v) { return v > 0; }) ||
      llvm::any_of(padHi, [](int64_t v) { return v > 0; })) {
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(src.getType()).getShape());
    SmallVector<OpFoldResult> low, high;
    for (size_t d = 0; d < rank; ++d) {
      low.push_back(b.getIndexAttr(padLo[d]));
      high.push_back(b.getIndexAttr(padHi[d]));
      shape[d] += padLo[d] + padHi[d];
    }
    src = tensor::PadOp::create(b, loc, RankedTensorType::get(shape, elemType),
                                src, low, high, zero);
  }
  SmallVector<int64_t> outShape;
  for (const IterRange &r : s->loops)
    outShape.push_back(r.range.size());
  Value out = tensor::EmptyOp::create(b, loc, outShape, elemType);
  for (const Class &c : all) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (size_t l = 0; l < nl; ++l) {
      int pi = pairOfLoop[l];
      offsets.push_back(b.getIndexAttr(pi >= 0 ? c.residue[pi] : 0));
      sizes.push_back(b.getIndexAttr(c.extent[l]));
      strides.push_back(b.getIndexAttr(pi >= 0 ? pairs[pi].stride : 1));
    }
    auto sliceType = RankedTensorType::get(c.extent, elemType);
    Value slice = tensor::ExtractSliceOp::create(b, loc, sliceType, out,
                                                 offsets, sizes, strides);
    Value result;
    if (c.reads.empty()) {
      result = linalg::FillOp::create(b, loc, zero, slice).getResult(0);
    } else {
      // Each read is a strided slice of the padded source with the
      // class's extents, so that every map is a projected permutation
      // (linalg infers loop ranges from operands that read a bare dim).
      SmallVector<AffineMap> maps;
      SmallVector<Value> ins;
      for (const std::vector<Form> &read : c.reads) {
        SmallVector<OpFoldResult> rOff, rSize, rStride;
        SmallVector<int64_t> rShape;
        SmallVector<AffineExpr> exprs;
        for (size_t d = 0; d < rank; ++d) {
          int loopDim = -1;
          for (size_t l = 0; l < nl; ++l)
            if (read[d].coef[l]) {
              if (loopDim >= 0 || read[d].coef[l] < 0)
                return Value();
              loopDim = l;
            }
          rOff.push_back(b.getIndexAttr(read[d].constant + padLo[d]));
          int64_t size = loopDim >= 0 ? c.extent[loopDim] : 1;
          rSize.push_back(b.getIndexAttr(size));
          rStride.push_back(
              b.getIndexAttr(loopDim >= 0 ? read[d].coef[loopDim] : 1));
          rShape.push_back(size);
          exprs.push_back(loopDim >= 0 ? b.getAffineDimExpr(loopDim)
                                       : b.getAffineConstantExpr(0));
        }
        ins.push_back(tensor::ExtractSliceOp::create(
            b, loc, RankedTensorType::get(rShape, elemType), src, rOff, rSize,
            rStride));
        maps.push_back(AffineMap::get(nl, 0, exprs, b.getContext()));
      }
      maps.push_back(b.getMultiDimIdentityMap(nl));
      SmallVector<utils::IteratorType> iters(nl, utils::IteratorType::parallel);
      result =
          linalg::GenericOp::create(
              b, loc, TypeRange{sliceType}, ins, ValueRange{slice}, maps, iters,
              [&](OpBuilder &nb, Location, ValueRange args) {
                Value sum = args[0];
                for (size_t i = 1; i + 1 < args.size(); ++i)
                  sum = arith::AddFOp::create(nb, loc, sum, args[i]);
                linalg::YieldOp::create(nb, loc, sum);
              })
              .getResult(0);
    }
    out = tensor::InsertSliceOp::create(b, loc, result, out, offsets, sizes,
                                        strides);
  }
  return out;
}

} // namespace tdc
