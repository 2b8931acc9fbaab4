//===- PackContractions.cpp - B of a matmul in register-width panels ------===//
//
// The register block of a matmul reads Nr lanes of B per reduction step. In
// B's own layout those lanes sit a whole row (N elements) apart from one
// step to the next; packed as [.., N/Nr, K, Nr] a register block streams one
// contiguous panel instead (the mmt4d layout of the n operand). Constant
// weights are packed here, at compile time; other operands by a copy loop
// that costs K*N against the M*K*N multiply-adds.
//
//===----------------------------------------------------------------------===//
#include "tdc/Dialect/Graph/IR/ConstantData.h"
#include "tdc/Schedule/RegisterBlocks.h"
#include "tdc/Transforms/PanelPadding.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"

#include <cstring>

namespace tdc {
#define GEN_PASS_DEF_PACKCONTRACTIONS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// The roles of a packable contraction's loops and operands.
struct Roles {
  unsigned m = 0, n = 0, k = 0;
  unsigned bIdx = 0; // which input carries n (B)
};

std::optional<Roles> matchPackable(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() != 2 || op.hasDynamicShape() ||
      !linalg::isaContractionOpInterface(op) || op->hasAttr("tdc.packed"))
    return std::nullopt;
  Type elem = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  if (!elem.isF32() && !elem.isF64())
    return std::nullopt;
  for (OpOperand *in : op.getDpsInputOperands())
    if (getElementTypeOrSelf(in->get().getType()) != elem)
      return std::nullopt;
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation())
      return std::nullopt;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  Roles r;
  int reductions = 0;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction) {
      r.k = d;
      ++reductions;
    }
  if (reductions != 1)
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() < 2)
    return std::nullopt;
  r.n = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  AffineMap in0 = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap in1 = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  if (in0.isFunctionOfDim(r.n) == in1.isFunctionOfDim(r.n))
    return std::nullopt;
  r.bIdx = in0.isFunctionOfDim(r.n) ? 0 : 1;
  AffineMap a = r.bIdx == 0 ? in1 : in0;
  AffineMap b = r.bIdx == 0 ? in0 : in1;
  if (!a.isFunctionOfDim(r.k) || !b.isFunctionOfDim(r.k))
    return std::nullopt;
  // m: the innermost output dim that only A carries (the register rows).
  std::optional<unsigned> m;
  for (AffineExpr e : out.getResults().drop_back()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (a.isFunctionOfDim(d) && !b.isFunctionOfDim(d))
      m = d;
  }
  if (!m)
    return std::nullopt;
  r.m = *m;
  return r;
}

using tdc::schedule::panelWidth;

/// For each dim of the packed panel tensor [batch.., N/Nr, K, Nr], how an
/// element's index there maps back to B: B's result i reads packed dim
/// `src[i]`, except n, which is p * Nr + lane.
struct PanelLayout {
  SmallVector<int64_t> shape;      // packed shape
  SmallVector<unsigned> bToPacked; // B result -> packed dim (n -> p)
  unsigned nResult = 0;            // B's result that is n
  int64_t nr = 0, n = 0;
};

PanelLayout panelLayout(AffineMap bMap, ArrayRef<int64_t> bShape,
                        const Roles &r, int64_t nr) {
  PanelLayout l;
  l.nr = nr;
  l.bToPacked.assign(bMap.getNumResults(), 0);
  unsigned kResult = 0;
  for (auto [i, e] : llvm::enumerate(bMap.getResults())) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (d == r.n) {
      l.nResult = i;
    } else if (d == r.k) {
      kResult = i;
    } else {
      l.bToPacked[i] = l.shape.size();
      l.shape.push_back(bShape[i]);
    }
  }
  l.n = bShape[l.nResult];
  l.bToPacked[l.nResult] = l.shape.size();
  l.shape.push_back(llvm::divideCeil(l.n, nr));
  l.bToPacked[kResult] = l.shape.size();
  l.shape.push_back(bShape[kResult]);
  l.shape.push_back(nr);
  return l;
}

/// The packed panels of a constant B (of shape `bShape`: `attr` holds its
/// elements in row-major order, possibly in another shape), or null when
/// its data is unreadable.
Value packConstant(RewriterBase &rewriter, Location loc, ElementsAttr attr,
                   ArrayRef<int64_t> bShape, const PanelLayout &l, Type elem) {
  int64_t elemBytes = elem.getIntOrFloatBitWidth() / 8;
  std::vector<char> src = tdc::elementBytes(attr, elemBytes);
  if (src.empty())
    return {};
  SmallVector<int64_t> bStrides(bShape.size(), 1);
  for (int64_t i = (int64_t)bShape.size() - 2; i >= 0; --i)
    bStrides[i] = bStrides[i + 1] * bShape[i + 1];
  int64_t total = 1;
  for (int64_t s : l.shape)
    total *= s;
  std::vector<char> dst(total * elemBytes, 0);
  unsigned rank = l.shape.size();
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t nIdx = idx[rank - 3] * l.nr + idx[rank - 1];
    if (nIdx < l.n) {
      int64_t off = 0;
      for (unsigned i = 0; i < bShape.size(); ++i)
        off += (i == l.nResult ? nIdx : idx[l.bToPacked[i]]) * bStrides[i];
      std::memcpy(dst.data() + flat * elemBytes, src.data() + off * elemBytes,
                  elemBytes);
    }
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < l.shape[d])
        break;
      idx[d] = 0;
    }
  }
  auto type = RankedTensorType::get(l.shape, elem);
  return arith::ConstantOp::create(
      rewriter, loc, type,
      tdc::bytesConstant(type, ArrayRef<char>(dst.data(), dst.size()),
                         "tdc_packed"));
}

/// The packed panels of a B computed at run time: B padded along n to a
/// multiple of Nr, then one copy loop reading B[.., p * Nr + lane, ..].
Value packAtRunTime(RewriterBase &rewriter, Location loc, Value b,
                    const PanelLayout &l, Type elem) {
  auto bType = cast<RankedTensorType>(b.getType());
  b = tdc::padWithZeros(rewriter, loc, b, l.nResult,
                        l.shape[l.shape.size() - 3] * l.nr);
  unsigned rank = l.shape.size();
  MLIRContext *ctx = rewriter.getContext();
  SmallVector<AffineExpr> reads;
  for (unsigned i = 0; i < bType.getRank(); ++i) {
    AffineExpr e = getAffineDimExpr(l.bToPacked[i], ctx);
    if (i == l.nResult)
      e = e * l.nr + getAffineDimExpr(rank - 1, ctx);
    reads.push_back(e);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, reads, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  Value init = tensor::EmptyOp::create(rewriter, loc, l.shape, elem);
  auto copy = linalg::GenericOp::create(
      rewriter, loc, init.getType(), ValueRange{b}, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [](OpBuilder &bb, Location l, ValueRange args) {
        linalg::YieldOp::create(bb, l, args[0]);
      });
  return copy.getResult(0);
}

/// Rewrites `op` to read packed panels of B and write [.., M, N/Nr, Nr];
/// `sharedInit`: other ops read its init too (before any was packed).
LogicalResult pack(RewriterBase &rewriter, linalg::LinalgOp op, const Roles &r,
                   int64_t vectorBits, bool sharedInit) {
  Location loc = op.getLoc();
  Type elem = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  int64_t vl = vectorBits / elem.getIntOrFloatBitWidth();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t n = ranges[r.n];
  int64_t nr = panelWidth(n, vl);
  int64_t panels = llvm::divideCeil(n, nr), padded = panels * nr;

  OpOperand *bOperand = op.getDpsInputOperand(r.bIdx);
  AffineMap bMap = op.getMatchingIndexingMap(bOperand);
  Value b = bOperand->get();
  auto bType = cast<RankedTensorType>(b.getType());
  PanelLayout l = panelLayout(bMap, bType.getShape(), r, nr);

  rewriter.setInsertionPoint(op);
  Value packed;
  ElementsAttr constant;
  // A reshape of a constant (the collapsed weight of a derived matmul)
  // keeps its row-major bytes.
  Value source = b;
  while (auto reshape = source.getDefiningOp<tensor::CollapseShapeOp>())
    source = reshape.getSrc();
  if (matchPattern(source, m_Constant(&constant)))
    packed = packConstant(rewriter, loc, constant, bType.getShape(), l, elem);
  if (!packed)
    packed = packAtRunTime(rewriter, loc, b, l, elem);

  // The output with n split into (p, lane), padded first when needed. A
  // shared init that fills an empty tensor becomes a fill of the packed
  // shape that only this op reads: CSE shares the zero fill of same-shaped
  // matmuls (BERT's attention products, one per layer), and the tiling
  // fuses an init into each task only when its op alone reads it. (A fill
  // that only this op reads stays a pass of its own: fused into the tasks
  // of GEMM 1024^3 it made them 7% slower.)
  Value init = op.getDpsInitOperand(0)->get();
  auto initType = cast<RankedTensorType>(init.getType());
  unsigned outRank = initType.getRank();
  SmallVector<ReassociationIndices> reassoc;
  for (unsigned i = 0; i + 1 < outRank; ++i)
    reassoc.push_back({(int64_t)i});
  reassoc.push_back({(int64_t)outRank - 1, (int64_t)outRank});
  SmallVector<int64_t> expandedShape(initType.getShape());
  expandedShape.back() = panels;
  expandedShape.push_back(nr);
  auto expandedType = RankedTensorType::get(expandedShape, elem);
  Value expanded;
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (fill && sharedInit &&
      fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>() &&
      (padded == n || matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))) {
    Value empty = tensor::EmptyOp::create(rewriter, loc, expandedShape, elem);
    expanded = linalg::FillOp::create(rewriter, loc, fill.getInputs()[0], empty)
                   .getResult(0);
  } else {
    init = tdc::padWithZeros(rewriter, loc, init, outRank - 1, padded);
    expanded = tensor::ExpandShapeOp::create(rewriter, loc, expandedType, init,
                                             reassoc);
  }

  // Loops: the old ones (n now counts panels) and the lane dim last.
  unsigned numLoops = op.getNumLoops();
  MLIRContext *ctx = op.getContext();
  AffineExpr lane = getAffineDimExpr(numLoops, ctx);
  SmallVector<AffineMap> maps;
  SmallVector<Value> inputs;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    if (in == bOperand) {
      SmallVector<AffineExpr> results(l.shape.size(), AffineExpr());
      for (auto [i, e] : llvm::enumerate(map.getResults()))
        results[l.bToPacked[i]] = e;
      results.back() = lane;
      maps.push_back(AffineMap::get(numLoops + 1, 0, results, ctx));
      inputs.push_back(packed);
    } else {
      maps.push_back(AffineMap::get(numLoops + 1, 0, map.getResults(), ctx));
      inputs.push_back(in->get());
    }
  }
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  SmallVector<AffineExpr> outResults(outMap.getResults());
  outResults.push_back(lane);
  maps.push_back(AffineMap::get(numLoops + 1, 0, outResults, ctx));
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  iters.push_back(utils::IteratorType::parallel);

  auto generic = linalg::GenericOp::create(rewriter, loc, expandedType, inputs,
                                           ValueRange{expanded}, maps, iters);
  generic->setAttr("tdc.packed", rewriter.getUnitAttr());
  rewriter.cloneRegionBefore(op->getRegion(0), generic.getRegion(),
                             generic.getRegion().end());

  Value result = tensor::CollapseShapeOp::create(rewriter, loc,
                                                 generic.getResult(0), reassoc);
  if (padded != n) {
    SmallVector<OpFoldResult> offsets(outRank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(outRank, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(ctx, initType.getShape());
    result = tensor::ExtractSliceOp::create(rewriter, loc, initType, result,
                                            offsets, sizes, strides);
  }
  rewriter.replaceOp(op, result);
  return success();
}

struct PackContractions : tdc::impl::PackContractionsBase<PackContractions> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<std::tuple<linalg::LinalgOp, Roles, bool>> work;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (std::optional<Roles> r = matchPackable(op)) {
        Value init = op.getDpsInitOperand(0)->get();
        work.push_back({op, *r, !init.hasOneUse()});
      }
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, r, sharedInit] : work) {
      // Named ops keep their body implicit; generalize to clone it.
      linalg::LinalgOp target = op;
      if (!isa<linalg::GenericOp>(op.getOperation())) {
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          continue;
        target = *g;
      }
      if (failed(pack(rewriter, target, r, vectorBits, sharedInit)))
        signalPassFailure();
    }
  }
};

} // namespace
