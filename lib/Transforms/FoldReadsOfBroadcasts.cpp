//===- FoldReadsOfBroadcasts.cpp - read a broadcast's input directly ------===//
//
// A convolution's register block starts from its bias: the block's tile of
// the output is a linalg.broadcast of the bias, and after
// loop-invariant-subset-hoisting its accumulators are vector reads of that
// tile. Reading the bias itself instead gives the same vectors (tensors are
// values) without the round trip through memory that bufferization would
// otherwise make of the broadcast: the broadcast then has no reader and
// goes away, or is left writing a tile that the block overwrites.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tdc {
#define GEN_PASS_DEF_FOLDREADSOFBROADCASTS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// transfer_read(extract_slice* (linalg.broadcast %in)) of a 1-D vector
/// along the innermost dim, which the broadcast takes from %in ->
/// transfer_read %in at the matching indices; transfer_read(extract_slice*
/// (linalg.fill %v)) -> a splat of %v.
struct ReadThroughBroadcast : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    if (read.getVectorType().getRank() != 1 || read.getMask() ||
        !read.getPermutationMap().isMinorIdentity() || !read.getInBounds()[0] ||
        !isa<RankedTensorType>(read.getBase().getType()))
      return failure();
    // The slices between the read and the broadcast, checked before any IR
    // is created (a failed match must leave the IR as it was).
    SmallVector<tensor::ExtractSliceOp> slices;
    Value src = read.getBase();
    while (auto slice = src.getDefiningOp<tensor::ExtractSliceOp>()) {
      llvm::SmallBitVector dropped = slice.getDroppedDims();
      // The vector's dim (the last one read) must stay the last one.
      if (!slice.hasUnitStride() || dropped.test(dropped.size() - 1))
        return failure();
      slices.push_back(slice);
      src = slice.getSource();
    }
    // A fill (zero initial accumulators) reads as its value, splat.
    if (auto fill = src.getDefiningOp<linalg::FillOp>()) {
      rewriter.replaceOpWithNewOp<vector::BroadcastOp>(
          read, read.getVectorType(), fill.getInputs()[0]);
      return success();
    }
    auto broadcast = src.getDefiningOp<linalg::BroadcastOp>();
    if (!broadcast)
      return failure();
    ArrayRef<int64_t> dims = broadcast.getDimensions();
    unsigned rank = broadcast.getInit().getType().getRank();
    if (llvm::is_contained(dims, (int64_t)rank - 1))
      return failure();

    Location loc = read.getLoc();
    // Indices in the space of the value being read, walked up the slices.
    SmallVector<OpFoldResult> idx(read.getIndices().begin(),
                                  read.getIndices().end());
    for (tensor::ExtractSliceOp slice : slices) {
      llvm::SmallBitVector dropped = slice.getDroppedDims();
      SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
      SmallVector<OpFoldResult> up;
      unsigned k = 0;
      for (unsigned d = 0; d < offsets.size(); ++d) {
        if (dropped.test(d)) {
          up.push_back(offsets[d]);
          continue;
        }
        up.push_back(addOffset(rewriter, loc, offsets[d], idx[k++]));
      }
      idx = std::move(up);
    }
    SmallVector<Value> inIdx;
    for (unsigned d = 0; d < rank; ++d)
      if (!llvm::is_contained(dims, (int64_t)d))
        inIdx.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, idx[d]));
    rewriter.replaceOpWithNewOp<vector::TransferReadOp>(
        read, read.getVectorType(), broadcast.getInput(), inIdx,
        read.getPadding(), ArrayRef<bool>{true});
    return success();
  }

  static OpFoldResult addOffset(PatternRewriter &rewriter, Location loc,
                                OpFoldResult a, OpFoldResult b) {
    std::optional<int64_t> ca = getConstantIntValue(a),
                           cb = getConstantIntValue(b);
    if (ca && cb)
      return rewriter.getIndexAttr(*ca + *cb);
    if (ca == 0)
      return b;
    if (cb == 0)
      return a;
    return arith::AddIOp::create(
               rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, a),
               getValueOrCreateConstantIndexOp(rewriter, loc, b))
        .getResult();
  }
};

struct FoldReadsOfBroadcasts
    : tdc::impl::FoldReadsOfBroadcastsBase<FoldReadsOfBroadcasts> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ReadThroughBroadcast>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
