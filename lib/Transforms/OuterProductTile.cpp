//===- OuterProductTile.cpp - a register tile as vector FMAs --------------===//
//
// The register block of tdc-tile-and-vectorize-contractions as vector code:
// per reduction step, Mr broadcasts of A, Nr/VL loads of B and Mr*Nr/VL
// FMAs into accumulators read and written on the output tile, which
// loop-invariant subset hoisting then keeps in registers.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/ContractionTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace tdc {

/// (offset, width) vectors covering `n` lanes: power-of-two widths down to 8
/// (other widths become loop-carried values that LLVM legalizes through the
/// stack), then one vector for a remainder under 8, which LLVM widens.
SmallVector<std::pair<int64_t, int64_t>> vectorChunks(int64_t n, int64_t vl) {
  SmallVector<std::pair<int64_t, int64_t>> chunks;
  int64_t off = 0;
  for (int64_t w = vl; w >= 8; w /= 2)
    for (; off + w <= n; off += w)
      chunks.push_back({off, w});
  if (off < n)
    chunks.push_back({off, n - off});
  return chunks;
}

/// `expr` with every dim but `keep` set to 0: on a tile where all other
/// loops have one iteration, this is how the operand index moves with `keep`.
AffineExpr alongDim(AffineExpr expr, unsigned numDims, unsigned keep) {
  MLIRContext *ctx = expr.getContext();
  SmallVector<AffineExpr> dims(numDims, getAffineConstantExpr(0, ctx));
  dims[keep] = getAffineDimExpr(keep, ctx);
  return simplifyAffineExpr(expr.replaceDims(dims), numDims, 0);
}

/// Largest convolution stride vectorized: a vector of Nr outputs loads
/// stride x Nr contiguous inputs and keeps every stride-th lane.
static constexpr int64_t kMaxStride = 4;

/// The s in 1..kMaxStride for which `expr` moves by s * d along dim `d`
/// (all other dims fixed).
std::optional<int64_t> strideAlong(AffineExpr expr, unsigned numDims,
                                   unsigned d) {
  AffineExpr along = alongDim(expr, numDims, d);
  AffineExpr dim = getAffineDimExpr(d, expr.getContext());
  for (int64_t s = 1; s <= kMaxStride; ++s)
    if (along == simplifyAffineExpr(dim * s, numDims, 0))
      return s;
  return std::nullopt;
}

/// `value` (a static tensor whose only non-unit dim, if any, is `keep`) as
/// a rank-reduced tensor that keeps `keep` and the innermost dim.
static Value reduceRank(RewriterBase &rewriter, Location loc, Value value,
                        std::optional<unsigned> keep) {
  auto type = cast<RankedTensorType>(value.getType());
  unsigned rank = type.getRank();
  SmallVector<int64_t> shape;
  for (unsigned d = 0; d < rank; ++d) {
    if ((keep && d == *keep) || d == rank - 1)
      shape.push_back(type.getDimSize(d));
    else if (type.getDimSize(d) != 1)
      return {};
  }
  auto reduced = RankedTensorType::get(shape, type.getElementType());
  SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(rewriter.getContext(), type.getShape());
  return tensor::ExtractSliceOp::create(rewriter, loc, reduced, value, offsets,
                                        sizes, strides);
}

/// Replaces a register tile of a contraction or convolution (every loop but
/// m and n has one iteration) with acc(m, n) += w(m) outer in(n).
LogicalResult emitOuterProductTile(RewriterBase &rewriter, linalg::LinalgOp op,
                                   unsigned m, unsigned n, int64_t vectorBits) {
  unsigned numLoops = op.getNumLoops();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (unsigned d = 0; d < numLoops; ++d)
    if (d != m && d != n && ranges[d] != 1)
      return failure();
  MLIRContext *ctx = op.getContext();
  AffineExpr mExpr = getAffineDimExpr(m, ctx), nExpr = getAffineDimExpr(n, ctx);
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  // Position of the dim that moves with `d` in `map` (all others fixed);
  // fails unless exactly one result moves and by exactly d.
  auto position = [&](AffineMap map, unsigned d,
                      AffineExpr want) -> FailureOr<std::optional<unsigned>> {
    std::optional<unsigned> found;
    for (auto [i, e] : llvm::enumerate(map.getResults())) {
      AffineExpr along = alongDim(e, numLoops, d);
      if (along == zero)
        continue;
      if (along != want || found)
        return failure();
      found = i;
    }
    return found;
  };
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  // `in` streams along n (B of a matmul, the image of a conv), `w` is
  // broadcast along it (A, the filter).
  unsigned inIdx =
      op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isFunctionOfDim(n)
          ? 0
          : 1;
  AffineMap inMap = op.getMatchingIndexingMap(op.getDpsInputOperand(inIdx));
  AffineMap wMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1 - inIdx));
  // The input may move by a stride along n (a strided convolution).
  std::optional<int64_t> stride;
  if (!inMap.getResults().empty())
    stride = strideAlong(inMap.getResults().back(), numLoops, n);
  if (!stride)
    return failure();
  // The broadcast operand may move by a stride along m too (the image of a
  // strided channels-last convolution): its values are read one by one.
  int64_t wStride = 1;
  for (AffineExpr e : wMap.getResults())
    if (auto s = strideAlong(e, numLoops, m))
      wStride = *s;
  auto outM = position(outMap, m, mExpr), outN = position(outMap, n, nExpr);
  auto inM = position(inMap, m, mExpr),
       inN = position(inMap, n, nExpr * *stride);
  auto wM = position(wMap, m, mExpr * wStride), wN = position(wMap, n, nExpr);
  if (failed(outM) || failed(outN) || failed(inM) || failed(inN) ||
      failed(wM) || failed(wN) || !*outM || !*outN || *inM || !*inN || !*wM ||
      *wN || **outN != outMap.getNumResults() - 1 ||
      **inN != inMap.getNumResults() - 1)
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value input = op.getDpsInputOperand(inIdx)->get();
  Value filter = op.getDpsInputOperand(1 - inIdx)->get();
  Value init = op.getDpsInitOperand(0)->get();
  auto initType = cast<RankedTensorType>(init.getType());
  Type elem = initType.getElementType();
  int64_t mr = ranges[m], nr = ranges[n];
  // Static sizes: the operand slices have exactly these extents (the input
  // row covers the strided window of the nr outputs).
  int64_t inLen = cast<RankedTensorType>(input.getType()).getShape().back();
  if (inLen != *stride * (nr - 1) + 1)
    return failure();

  Value in1 = reduceRank(rewriter, loc, input, std::nullopt);
  Value w2 = reduceRank(rewriter, loc, filter, **wM);
  Value out2 = reduceRank(rewriter, loc, init, **outM);
  if (!in1 || !w2 || !out2)
    return failure();
  Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value pad =
      arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(elem));

  // The n extent is covered by vectorChunks (28 = 16 + 8 + 4). One accumulator
  // vector per row and chunk, each read and written on its own, so they hoist
  // into separate loop-carried vectors.
  SmallVector<std::pair<int64_t, int64_t>> chunks =
      vectorChunks(nr, vectorBits / elem.getIntOrFloatBitWidth());
  Value written = out2;
  bool wIs1D = cast<RankedTensorType>(w2.getType()).getRank() == 1;
  SmallVector<Value> ws;
  for (int64_t i = 0; i < mr; ++i) {
    Value row = arith::ConstantIndexOp::create(rewriter, loc, i * wStride);
    SmallVector<Value> wIdx =
        wIs1D ? SmallVector<Value>{row} : SmallVector<Value>{row, c0};
    ws.push_back(tensor::ExtractOp::create(rewriter, loc, w2, wIdx));
  }
  for (auto [off, width] : chunks) {
    VectorType type = VectorType::get({width}, elem);
    Value col = arith::ConstantIndexOp::create(rewriter, loc, off);
    Value vin;
    if (*stride == 1) {
      vin = vector::TransferReadOp::create(
          rewriter, loc, type, in1, ValueRange{col}, pad, ArrayRef<bool>{true});
    } else {
      // stride x width contiguous inputs (the last chunk's tail past the
      // row is masked off), then every stride-th lane.
      int64_t s = *stride;
      VectorType wide = VectorType::get({s * width}, elem);
      Value start = arith::ConstantIndexOp::create(rewriter, loc, s * off);
      bool inBounds = s * (off + width) <= inLen;
      Value all = vector::TransferReadOp::create(rewriter, loc, wide, in1,
                                                 ValueRange{start}, pad,
                                                 ArrayRef<bool>{inBounds});
      SmallVector<int64_t> lanes;
      for (int64_t j = 0; j < width; ++j)
        lanes.push_back(s * j);
      vin = vector::ShuffleOp::create(rewriter, loc, all, all, lanes);
    }
    for (int64_t i = 0; i < mr; ++i) {
      Value row = arith::ConstantIndexOp::create(rewriter, loc, i);
      Value wv = vector::BroadcastOp::create(rewriter, loc, type, ws[i]);
      Value acc = vector::TransferReadOp::create(rewriter, loc, type, written,
                                                 ValueRange{row, col}, pad,
                                                 ArrayRef<bool>{true});
      Value sum = vector::FMAOp::create(rewriter, loc, wv, vin, acc);
      written = vector::TransferWriteOp::create(rewriter, loc, sum, written,
                                                ValueRange{row, col},
                                                ArrayRef<bool>{true})
                    .getResult();
    }
  }
  auto insert = tensor::InsertSliceOp::create(
      rewriter, loc, written, init,
      SmallVector<OpFoldResult>(initType.getRank(), rewriter.getIndexAttr(0)),
      getAsIndexOpFoldResult(ctx, initType.getShape()),
      SmallVector<OpFoldResult>(initType.getRank(), rewriter.getIndexAttr(1)));
  rewriter.replaceOp(op, insert.getResult());
  return success();
}

} // namespace tdc
