//===- VectorizeElementwise.cpp - register tiles for elementwise nests ----===//
//
// LLVM's loop vectorizer sees an elementwise nest one innermost loop at a
// time: every point reloads every operand, those broadcast along the outer
// loops too (a depthwise convolution's per-tap weights, a bias), and the
// shifted slices of one buffer that a depthwise convolution's taps read
// each load the same data again. Here each static elementwise
// linalg.generic is tiled into blocks of up to kMaxRows rows of its second
// innermost dim by one vector of its innermost dim, and every block is
// vectorized (linalg::vectorize). Unrolled, a block reads its broadcast
// operands once, and all its reads come before its writes, so that LLVM
// merges the loads of equal addresses (a tap's row is the next tap's row
// one point further).
//
//===----------------------------------------------------------------------===//
#include "tdc/Schedule/RegisterBlocks.h"
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tdc {
#define GEN_PASS_DEF_VECTORIZEELEMENTWISE
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// Rows of a block: with 2 to 3 input rows per output row and a broadcast
/// operand per row kept in registers, 8 rows of vectors fit the 32 vector
/// registers of AVX-512 (and spill little with 16 on AVX2).
constexpr int64_t kMaxRows = 8;

/// Block sizes (rows, lanes) for `op`, or nothing when the op is not an
/// elementwise nest whose innermost dim is unit-stride in its output and in
/// every operand that reads along it.
std::optional<std::pair<int64_t, int64_t>> blockOf(linalg::GenericOp op,
                                                   int64_t vectorBits) {
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
      op.getNumDpsInits() != 1 || op.getNumDpsInputs() == 0 ||
      op.getNumLoops() < 2 || op.getNumParallelLoops() != op.getNumLoops())
    return std::nullopt;
  Type elem = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  if (!elem.isF32() && !elem.isF64())
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands())
    if (getElementTypeOrSelf(operand.get().getType()) != elem)
      return std::nullopt;
  unsigned inner = op.getNumLoops() - 1;
  if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    if (!map.isProjectedPermutation())
      return std::nullopt;
    // Reading along the innermost dim: only as the operand's last index.
    for (auto [i, e] : llvm::enumerate(map.getResults()))
      if (e.isFunctionOfDim(inner) && i + 1 != map.getNumResults())
        return std::nullopt;
  }
  // The body must be plain scalar arithmetic (no index, no tensor reads).
  for (Operation &bodyOp : op.getBody()->without_terminator())
    if (isa<linalg::IndexOp>(bodyOp) ||
        !isa<arith::ArithDialect, math::MathDialect>(bodyOp.getDialect()))
      return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t lanes = vectorBits / elem.getIntOrFloatBitWidth();
  int64_t n = ranges[inner];
  // Whole vectors only; a ragged innermost dim stays with LLVM.
  while (lanes > 4 && n % lanes)
    lanes /= 2;
  if (n % lanes)
    return std::nullopt;
  int64_t rows = tdc::schedule::largestDivisor(ranges[inner - 1], kMaxRows);
  return std::make_pair(rows, lanes);
}

struct VectorizeElementwise
    : tdc::impl::VectorizeElementwiseBase<VectorizeElementwise> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, std::pair<int64_t, int64_t>>> work;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (auto block = blockOf(op, vectorBits))
        work.push_back({op, *block});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, block] : work) {
      unsigned numLoops = op.getNumLoops();
      SmallVector<int64_t> sizes(numLoops, 1);
      sizes[numLoops - 2] = block.first;
      sizes[numLoops - 1] = block.second;
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      Operation *tile = tiled->tiledOps.back();
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vec =
          linalg::vectorize(rewriter, tile);
      if (failed(vec))
        continue;
      rewriter.replaceOp(tile, vec->replacements);
    }
    if (work.empty())
      return;
    // Unit dims of the blocks' vectors go away, so that each block row is
    // one 1-D transfer; slices of slices fold.
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    tensor::ExtractSliceOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
