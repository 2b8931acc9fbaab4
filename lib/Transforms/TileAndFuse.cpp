//===- TileAndFuse.cpp - tile an op and fuse chosen producers -------------===//
#include "tdc/Transforms/TileAndFuse.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace tdc {

FailureOr<scf::SCFTileAndFuseResult>
tileAndFuseProducers(RewriterBase &rewriter, linalg::LinalgOp op,
                     const scf::SCFTilingOptions &tiling,
                     llvm::function_ref<bool(OpResult, bool)> fuse) {
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  using ControlFnResult = scf::SCFTileAndFuseOptions::ControlFnResult;
  options.setFusionControlFn(
      [fuse](tensor::ExtractSliceOp, OpResult candidate,
             bool isDestination) -> std::optional<ControlFnResult> {
        if (fuse(candidate, isDestination))
          return ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  for (OpResult r : op->getResults())
    rewriter.replaceAllUsesWith(r, tiled->replacements.lookup(r));
  return tiled;
}

} // namespace tdc
