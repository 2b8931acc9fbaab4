//===- SkipPaddingTaps.cpp - drop reduction steps that read only padding --===//
//
// A convolution over a zero-padded buffer multiplies the padding's zeros
// into its accumulators. With a large dilation most of those products are
// whole taps: on a 64x64 map, dilation 16 puts a third of the taps of half
// the rows and half the columns in the padding. After tiling, a tap is one
// iteration of an scf.for whose body reads the padded buffer at
// a*iv + (values defined outside the loop) along a padded dim. Where every
// read of an iteration falls in the padding and each accumulator only gets
// products of those reads with finite constants added to it, the
// iteration leaves the accumulators as they were (0 * w + acc == acc), so
// the loop's bounds shrink to the hull of the iterations that may read the
// interior.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"

#include <cmath>

namespace tdc {
#define GEN_PASS_DEF_SKIPPADDINGTAPS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// constant + sum of coefficient * value, for index arithmetic.
struct Linear {
  int64_t constant = 0;
  llvm::SmallMapVector<Value, int64_t, 4> terms;

  void add(const Linear &other, int64_t scale = 1) {
    constant += scale * other.constant;
    for (auto [v, c] : other.terms)
      terms[v] += scale * c;
  }
  int64_t coefficient(Value v) const {
    auto it = terms.find(v);
    return it == terms.end() ? 0 : it->second;
  }
};

Linear decompose(Value v);

Linear decomposeExpr(AffineExpr e, ValueRange dims, ValueRange symbols,
                     Value whole) {
  Linear out;
  if (auto c = dyn_cast<AffineConstantExpr>(e)) {
    out.constant = c.getValue();
    return out;
  }
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return decompose(dims[d.getPosition()]);
  if (auto s = dyn_cast<AffineSymbolExpr>(e))
    return decompose(symbols[s.getPosition()]);
  auto bin = cast<AffineBinaryOpExpr>(e);
  Linear lhs = decomposeExpr(bin.getLHS(), dims, symbols, whole);
  if (e.getKind() == AffineExprKind::Add) {
    lhs.add(decomposeExpr(bin.getRHS(), dims, symbols, whole));
    return lhs;
  }
  if (e.getKind() == AffineExprKind::Mul) {
    if (auto c = dyn_cast<AffineConstantExpr>(bin.getRHS())) {
      out.add(lhs, c.getValue());
      return out;
    }
  }
  // Divisions and modulos stay opaque: the whole value is one term.
  out.terms[whole] = 1;
  return out;
}

/// The index as a linear combination of the values it is computed from
/// (constants, affine.apply, addi/subi/muli by a constant); anything else
/// is a term of its own.
Linear decompose(Value v) {
  Linear out;
  if (std::optional<int64_t> c = getConstantIntValue(v)) {
    out.constant = *c;
    return out;
  }
  if (auto apply = v.getDefiningOp<affine::AffineApplyOp>()) {
    AffineMap map = apply.getAffineMap();
    ValueRange operands = apply.getMapOperands();
    return decomposeExpr(map.getResult(0),
                         operands.take_front(map.getNumDims()),
                         operands.drop_front(map.getNumDims()), v);
  }
  if (auto add = v.getDefiningOp<arith::AddIOp>()) {
    out = decompose(add.getLhs());
    out.add(decompose(add.getRhs()));
    return out;
  }
  if (auto sub = v.getDefiningOp<arith::SubIOp>()) {
    out = decompose(sub.getLhs());
    out.add(decompose(sub.getRhs()), -1);
    return out;
  }
  if (auto mul = v.getDefiningOp<arith::MulIOp>()) {
    for (auto [x, y] : {std::pair(mul.getLhs(), mul.getRhs()),
                        std::pair(mul.getRhs(), mul.getLhs())})
      if (std::optional<int64_t> c = getConstantIntValue(y)) {
        out.add(decompose(x), *c);
        return out;
      }
  }
  out.terms[v] = 1;
  return out;
}

Linear decompose(OpFoldResult ofr) {
  if (auto v = dyn_cast<Value>(ofr))
    return decompose(v);
  Linear out;
  out.constant = *getConstantIntValue(ofr);
  return out;
}

/// A read of a tensor, traced through unit-stride extract_slice ops to the
/// tensor it reads from: per dim of that tensor, the first index read and
/// how many consecutive elements.
struct TracedRead {
  Value root;
  SmallVector<Linear> first;
  SmallVector<int64_t> extent;
};

std::optional<TracedRead> traceRead(Operation *op) {
  TracedRead read;
  Value src;
  if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
    src = extract.getTensor();
    for (Value i : extract.getIndices()) {
      read.first.push_back(decompose(i));
      read.extent.push_back(1);
    }
  } else if (auto transfer = dyn_cast<vector::TransferReadOp>(op)) {
    if (!isa<RankedTensorType>(transfer.getBase().getType()) ||
        transfer.getMask() || !transfer.getPermutationMap().isMinorIdentity() ||
        llvm::any_of(transfer.getInBoundsValues(), [](bool b) { return !b; }))
      return std::nullopt;
    src = transfer.getBase();
    ArrayRef<int64_t> shape = transfer.getVectorType().getShape();
    int64_t leading = transfer.getIndices().size() - shape.size();
    for (auto [d, i] : llvm::enumerate(transfer.getIndices())) {
      read.first.push_back(decompose(i));
      read.extent.push_back(
          static_cast<int64_t>(d) < leading ? 1 : shape[d - leading]);
    }
  } else {
    return std::nullopt;
  }
  while (auto slice = src.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (!slice.hasUnitStride())
      return std::nullopt;
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
    SmallVector<Linear> first;
    SmallVector<int64_t> extent;
    unsigned kept = 0;
    for (auto [d, offset] : llvm::enumerate(offsets)) {
      Linear index = decompose(offset);
      if (dropped.test(d)) {
        extent.push_back(1);
      } else {
        index.add(read.first[kept]);
        extent.push_back(read.extent[kept++]);
      }
      first.push_back(std::move(index));
    }
    read.first = std::move(first);
    read.extent = std::move(extent);
    src = slice.getSource();
  }
  read.root = src;
  return read;
}

/// A buffer whose border is zeros: insert_slice %interior into
/// linalg.fill(0.0), static and unit-stride.
tensor::InsertSliceOp getZeroPadded(Value v) {
  auto insert = v.getDefiningOp<tensor::InsertSliceOp>();
  if (!insert || !insert.hasUnitStride() ||
      ShapedType::isDynamicShape(insert.getStaticOffsets()) ||
      ShapedType::isDynamicShape(insert.getStaticSizes()) ||
      !insert.getDestType().hasStaticShape())
    return {};
  auto fill = insert.getDest().getDefiningOp<linalg::FillOp>();
  if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
    return {};
  return insert;
}

/// Whether every element of the constant is finite (so that zero times it
/// is zero).
bool isFiniteConstant(Value v, DenseMap<Operation *, bool> &cache) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return false;
  auto [it, inserted] = cache.try_emplace(cst, false);
  if (!inserted)
    return it->second;
  bool finite = false;
  Attribute attr = cst.getValue();
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    finite = llvm::all_of(dense.getValues<APFloat>(),
                          [](const APFloat &f) { return f.isFinite(); });
  } else if (auto res = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    if (std::optional<ArrayRef<float>> data = res.tryGetAsArrayRef())
      finite = llvm::all_of(*data, [](float f) { return std::isfinite(f); });
  } else if (auto f = dyn_cast<FloatAttr>(attr)) {
    finite = f.getValue().isFinite();
  }
  return cache[cst] = finite;
}

/// What a value inside the loop is in an iteration whose padded reads are
/// all zeros: zero, finite, or the loop's iter_arg #index unchanged.
struct Class {
  enum Kind { Other, Zero, Finite, Carried } kind = Other;
  unsigned index = 0;
  bool operator==(const Class &o) const {
    return kind == o.kind && index == o.index;
  }
};

class ZeroIterationCheck {
public:
  ZeroIterationCheck(scf::ForOp loop, const DenseSet<Operation *> &zeroReads,
                     DenseMap<Operation *, bool> &finiteCache)
      : loop(loop), zeroReads(zeroReads), finiteCache(finiteCache) {}

  /// Whether such an iteration yields each iter_arg unchanged.
  bool yieldsItsIterArgs() {
    for (auto [i, arg] : llvm::enumerate(loop.getRegionIterArgs()))
      known[arg] = Class{Class::Carried, static_cast<unsigned>(i)};
    for (auto [i, v] : llvm::enumerate(loop.getYieldedValues()))
      if (!(classify(v) == Class{Class::Carried, static_cast<unsigned>(i)}))
        return false;
    return true;
  }

private:
  Class classify(Value v) {
    auto it = known.find(v);
    if (it != known.end())
      return it->second;
    Class c = compute(v);
    known[v] = c;
    return c;
  }

  static Class product(Class a, Class b) {
    bool zeroTimesFinite =
        (a.kind == Class::Zero &&
         (b.kind == Class::Zero || b.kind == Class::Finite)) ||
        (b.kind == Class::Zero && a.kind == Class::Finite);
    return zeroTimesFinite ? Class{Class::Zero} : Class{};
  }

  Class compute(Value v) {
    // The iter_arg of a nested loop starts as its init; the loop's result
    // is carried when its body yields that iter_arg unchanged.
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      auto inner = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
      if (!inner || inner == loop || arg.getArgNumber() == 0)
        return {};
      Class init = classify(inner.getInitArgs()[arg.getArgNumber() - 1]);
      return init.kind == Class::Carried ? init : Class{};
    }
    Operation *op = v.getDefiningOp();
    if (!loop->isAncestor(op))
      return isFiniteConstant(v, finiteCache) ? Class{Class::Finite} : Class{};
    if (auto inner = dyn_cast<scf::ForOp>(op)) {
      unsigned i = cast<OpResult>(v).getResultNumber();
      Class init = classify(inner.getInitArgs()[i]);
      if (init.kind != Class::Carried ||
          !(classify(inner.getYieldedValues()[i]) == init))
        return {};
      return init;
    }
    if (zeroReads.contains(op))
      return {Class::Zero};
    if (isa<tensor::ExtractOp, vector::TransferReadOp>(op)) {
      std::optional<TracedRead> read = traceRead(op);
      return read && isFiniteConstant(read->root, finiteCache)
                 ? Class{Class::Finite}
                 : Class{};
    }
    if (isa<arith::ConstantOp>(op)) {
      if (matchPattern(v, m_AnyZeroFloat()))
        return {Class::Zero};
      return isFiniteConstant(v, finiteCache) ? Class{Class::Finite} : Class{};
    }
    if (auto bcast = dyn_cast<vector::BroadcastOp>(op)) {
      Class c = classify(bcast.getSource());
      return c.kind == Class::Carried ? Class{} : c;
    }
    if (auto mul = dyn_cast<arith::MulFOp>(op))
      return product(classify(mul.getLhs()), classify(mul.getRhs()));
    if (auto fma = dyn_cast<vector::FMAOp>(op)) {
      Class acc = classify(fma.getAcc());
      if (acc.kind == Class::Carried &&
          product(classify(fma.getLhs()), classify(fma.getRhs())).kind ==
              Class::Zero)
        return acc;
      return {};
    }
    if (auto add = dyn_cast<arith::AddFOp>(op)) {
      Class a = classify(add.getLhs()), b = classify(add.getRhs());
      if (a.kind == Class::Carried && b.kind == Class::Zero)
        return a;
      if (b.kind == Class::Carried && a.kind == Class::Zero)
        return b;
    }
    return {};
  }

  scf::ForOp loop;
  const DenseSet<Operation *> &zeroReads;
  DenseMap<Operation *, bool> &finiteCache;
  DenseMap<Value, Class> known;
};

/// The range of the loop's iv where a group of reads may touch the
/// interior, as affine expressions of the reads' other terms: [lo, hi).
struct ReadRange {
  SmallVector<AffineExpr> lo, hi; // max of lo, min of hi
};

/// Whether v is defined inside the loop (its iv included).
bool isDefinedIn(scf::ForOp loop, Value v) {
  return loop.getRegion().isAncestor(v.getParentRegion());
}

/// The new bounds for the loop, or failure if it cannot drop iterations.
LogicalResult tightenBounds(scf::ForOp loop,
                            DenseMap<Operation *, bool> &finiteCache) {
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  // The new bounds are affine.min/max, of index type.
  if (!step || *step != 1 || loop.getNumRegionIterArgs() == 0 ||
      !loop.getInductionVar().getType().isIndex() || !isMemoryEffectFree(loop))
    return failure();
  Value iv = loop.getInductionVar();
  MLIRContext *ctx = loop.getContext();

  // Every read of a zero-padded buffer in the loop, with the dims along
  // which its index moves with the iv (and otherwise with values defined
  // outside the loop only).
  SmallVector<Value> atoms;
  auto atomExpr = [&](Value v) {
    auto it = llvm::find(atoms, v);
    unsigned pos = it - atoms.begin();
    if (it == atoms.end())
      atoms.push_back(v);
    return getAffineDimExpr(pos, ctx);
  };
  // Reads bounded along one dim only are grouped by what differs only in
  // a constant (a row of pixels read one by one), keeping the span.
  struct Span {
    int64_t first, last;
  };
  llvm::MapVector<std::tuple<Operation *, unsigned, AffineExpr, int64_t>, Span>
      spans;
  SmallVector<ReadRange> ranges;
  DenseSet<Operation *> zeroReads;
  loop.getBody()->walk([&](Operation *op) {
    if (!isa<tensor::ExtractOp, vector::TransferReadOp>(op))
      return WalkResult::advance();
    std::optional<TracedRead> read = traceRead(op);
    tensor::InsertSliceOp padded =
        read ? getZeroPadded(read->root) : tensor::InsertSliceOp();
    // Reads not known to be zeros count as anything but zero or finite
    // constants: if one reaches an accumulator, the loop stays as it is.
    if (!padded)
      return WalkResult::advance();
    ArrayRef<int64_t> offsets = padded.getStaticOffsets(),
                      sizes = padded.getStaticSizes(),
                      shape = padded.getDestType().getShape();
    ReadRange range;
    SmallVector<std::tuple<unsigned, AffineExpr, int64_t, Span>> bounded;
    for (auto [d, first] : llvm::enumerate(read->first)) {
      if (offsets[d] == 0 && sizes[d] == shape[d])
        continue;
      int64_t a = first.coefficient(iv);
      if (a <= 0 || llvm::any_of(first.terms, [&](auto term) {
            return term.first != iv && isDefinedIn(loop, term.first);
          }))
        continue;
      AffineExpr rest = getAffineConstantExpr(0, ctx);
      for (auto [v, c] : first.terms)
        if (v != iv)
          rest = rest + atomExpr(v) * c;
      bounded.emplace_back(
          d, rest, a,
          Span{first.constant, first.constant + read->extent[d] - 1});
    }
    if (bounded.empty())
      return WalkResult::advance();
    zeroReads.insert(op);
    if (bounded.size() == 1) {
      auto [d, rest, a, span] = bounded.front();
      auto [it, inserted] = spans.try_emplace({padded, d, rest, a}, span);
      if (!inserted) {
        it->second.first = std::min(it->second.first, span.first);
        it->second.last = std::max(it->second.last, span.last);
      }
      return WalkResult::advance();
    }
    for (auto [d, rest, a, span] : bounded) {
      // a*iv + rest + [first, last] meets [offset, offset + size).
      range.lo.push_back((offsets[d] - span.last - rest).ceilDiv(a));
      range.hi.push_back(
          (offsets[d] + sizes[d] - 1 - span.first - rest).floorDiv(a) + 1);
    }
    ranges.push_back(std::move(range));
    return WalkResult::advance();
  });
  if (zeroReads.empty())
    return failure();
  for (auto &[key, span] : spans) {
    auto [op, d, rest, a] = key;
    auto padded = cast<tensor::InsertSliceOp>(op);
    int64_t offset = padded.getStaticOffsets()[d],
            size = padded.getStaticSizes()[d];
    ReadRange range;
    range.lo.push_back((offset - span.last - rest).ceilDiv(a));
    range.hi.push_back((offset + size - 1 - span.first - rest).floorDiv(a) + 1);
    ranges.push_back(std::move(range));
  }
  if (!ZeroIterationCheck(loop, zeroReads, finiteCache).yieldsItsIterArgs())
    return failure();

  // lb' = max(lb, min over reads of max(lo)), ub' = min(ub, max over
  // reads of min(hi)).
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  auto minOrMax = [&](bool max, AffineMap map,
                      ArrayRef<OpFoldResult> operands) {
    if (map.getNumResults() == 1)
      return affine::makeComposedFoldedAffineApply(b, loc, map, operands);
    return max ? affine::makeComposedFoldedAffineMax(b, loc, map, operands)
               : affine::makeComposedFoldedAffineMin(b, loc, map, operands);
  };
  auto ofValues = [&](bool max, ArrayRef<OpFoldResult> values) {
    return minOrMax(max, AffineMap::getMultiDimIdentityMap(values.size(), ctx),
                    values);
  };
  SmallVector<OpFoldResult> atomOperands(atoms.begin(), atoms.end());
  SmallVector<OpFoldResult> los, his;
  for (const ReadRange &range : ranges) {
    los.push_back(minOrMax(true, AffineMap::get(atoms.size(), 0, range.lo, ctx),
                           atomOperands));
    his.push_back(minOrMax(
        false, AffineMap::get(atoms.size(), 0, range.hi, ctx), atomOperands));
  }
  OpFoldResult lb =
      ofValues(true, {loop.getLowerBound(), ofValues(false, los)});
  OpFoldResult ub =
      ofValues(false, {loop.getUpperBound(), ofValues(true, his)});
  loop.setLowerBound(getValueOrCreateConstantIndexOp(b, loc, lb));
  loop.setUpperBound(getValueOrCreateConstantIndexOp(b, loc, ub));
  return success();
}

struct SkipPaddingTaps : tdc::impl::SkipPaddingTapsBase<SkipPaddingTaps> {
  void runOnOperation() override {
    DenseMap<Operation *, bool> finiteCache;
    SmallVector<scf::ForOp> loops;
    getOperation()->walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops)
      (void)tightenBounds(loop, finiteCache);
  }
};

} // namespace
