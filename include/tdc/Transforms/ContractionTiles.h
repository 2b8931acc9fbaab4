//===- ContractionTiles.h - register tiles of contractions -----*- C++ -*-===//
//
// What tdc-tile-and-vectorize-contractions shares between its plans and its
// code generation: the tiling plan of one contraction or convolution, the
// convolution plans (ConvolutionPlans.cpp) and the outer-product register
// tile (OuterProductTile.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TRANSFORMS_CONTRACTIONTILES_H
#define TDC_TRANSFORMS_CONTRACTIONTILES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace tdc {

/// Tile sizes for the three levels, one per loop, plus the loop orders:
/// `par` tiles the parallel dims into independent tasks (one scf.forall,
/// run by the thread team), `outer` is the cache block inside a task and
/// `inner` the register block.
struct Plan {
  llvm::SmallVector<int64_t> par, outer, inner;
  llvm::SmallVector<int64_t> parOrder, outerOrder, innerOrder;
  /// Parallel tiles inside the cache block rather than around it.
  bool parInside = false;
  /// The register block's row (m) and vector (n) dims.
  unsigned m = 0, n = 0;
  /// Each parallel task computes its tile of the accumulator's initial
  /// value (a convolution's bias broadcast or zeros) itself, in cache,
  /// instead of a pass over the whole output before the convolution.
  bool fuseInit = false;
};

/// Whether `plan` splits one of `op`'s reductions across its task or cache
/// block loops (a tile smaller than the reduction's range): then no register
/// tile holds final sums, and none may start from the initial value.
bool splitsReduction(mlir::linalg::LinalgOp op, const Plan &plan);

/// The reduction dim that `plan` splits into cache blocks, when it is the
/// only split one (none split by tasks) and the blocks divide it: its first
/// and last blocks can be tiled apart from the others (peeled), the first
/// starting from the initial value, the last holding final sums.
std::optional<unsigned> peeledReduction(mlir::linalg::LinalgOp op,
                                        const Plan &plan);

/// (offset, width) vectors covering `n` lanes: power-of-two widths down to 8
/// (other widths become loop-carried values that LLVM legalizes through the
/// stack), then one vector for a remainder under 8, which LLVM widens.
llvm::SmallVector<std::pair<int64_t, int64_t>> vectorChunks(int64_t n,
                                                            int64_t vl);

/// `expr` with every dim but `keep` set to 0: on a tile where all other
/// loops have one iteration, this is how the operand index moves with `keep`.
mlir::AffineExpr alongDim(mlir::AffineExpr expr, unsigned numDims,
                          unsigned keep);

/// The s in 1..kMaxStride for which `expr` moves by s * d along dim `d`
/// (all other dims fixed).
std::optional<int64_t> strideAlong(mlir::AffineExpr expr, unsigned numDims,
                                   unsigned d);

/// The plan of a convolution whose register block is an outer product
/// (NCHW: output channels x output columns; channels-last: output columns x
/// channels), or none.
std::optional<Plan> planConvolution(mlir::linalg::LinalgOp op,
                                    int64_t vectorBits);

/// Replaces a register tile of a contraction or convolution (every loop but
/// m and n has one iteration) with acc(m, n) += w(m) outer in(n).
mlir::LogicalResult emitOuterProductTile(mlir::RewriterBase &rewriter,
                                         mlir::linalg::LinalgOp op, unsigned m,
                                         unsigned n, int64_t vectorBits);

/// Expands each elementwise op that reads a convolution's or a packed
/// matmul's result through a collapse_shape (channel blocks or panels
/// merged) onto the op's shape, for ops whose plan (`planOf`) splits no
/// reduction, or peels its last block.
void expandConvEpilogues(
    mlir::Operation *root,
    llvm::function_ref<std::optional<Plan>(mlir::linalg::LinalgOp)> planOf);

/// The elementwise op (after expandConvEpilogues) that `conv`, tiled by
/// `plan`, can apply to its register tiles, or null: `conv`'s only user,
/// reading it at the same index, its other operands read at the same or
/// broadcast indices, the reductions all inside the register tile.
mlir::linalg::GenericOp convEpilogue(mlir::linalg::LinalgOp conv,
                                     const Plan &plan);

/// Applies `epilogue` to the register tile `tile` of the convolution it
/// reads (the tile with its reductions whole, inserted into the result),
/// as vector code on the tile's accumulators, and replaces `epilogue`
/// with the convolution's result.
mlir::LogicalResult applyEpilogueToTile(mlir::RewriterBase &rewriter,
                                        mlir::linalg::LinalgOp tile,
                                        mlir::linalg::GenericOp epilogue,
                                        unsigned m, unsigned n,
                                        int64_t vectorBits);

} // namespace tdc

#endif
