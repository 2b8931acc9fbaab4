//===- TileAndFuse.h - tile an op and fuse chosen producers -----*- C++ -*-===//
//
// The schedules that tile a consumer and pull some of its producers into
// the tiles (a matmul's zero or bias init, a row reduction's elementwise
// neighbours) differ only in which producers they fuse.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TRANSFORMS_TILEANDFUSE_H
#define TDC_TRANSFORMS_TILEANDFUSE_H

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace tdc {

/// Tiles `op` as `tiling` says, fusing into its tiles each producer result
/// that `fuse(candidate, isDestination)` accepts, and replaces the uses of
/// `op`'s results with the tiled ones (`op` itself stays, dead).
mlir::FailureOr<mlir::scf::SCFTileAndFuseResult>
tileAndFuseProducers(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
                     const mlir::scf::SCFTilingOptions &tiling,
                     llvm::function_ref<bool(mlir::OpResult, bool)> fuse);

} // namespace tdc

#endif
