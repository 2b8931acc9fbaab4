//===- FuseTaskEpilogues.cpp - elementwise epilogues in parallel tasks ----===//
//
// A convolution's tasks (the scf.forall of tdc-tile-and-vectorize-
// contractions) each finish a tile of the output, which is then a pass of
// its own over memory for the Clip / Relu after it. An elementwise op that
// reads only the tasks' result (through a reshape, the channel blocks
// merged) is applied by each task to its tile instead, while the tile is
// in cache, before the task inserts it.
//
//===----------------------------------------------------------------------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace tdc {
#define GEN_PASS_DEF_FUSETASKEPILOGUES
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// An all-parallel generic with one input and one output, both read and
/// written with identity maps, whose body reads only the input element
/// (and values defined outside): f(x) elementwise.
bool isUnaryElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.hasIndexSemantics() ||
      !llvm::all_of(op.getIteratorTypesArray(),
                    [](utils::IteratorType t) {
                      return t == utils::IteratorType::parallel;
                    }) ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  return op.getDpsInputOperand(0)->get().getType() ==
             op.getResult(0).getType() &&
         op.getRegion().front().getArgument(1).use_empty();
}

/// The scf.forall (directly in a function, so that no loop around it
/// splits a reduction: each task's tile is final) whose only result is
/// `v`, possibly through a collapse_shape; each used once.
scf::ForallOp finishedTasks(Value v) {
  if (!v.hasOneUse())
    return {};
  if (auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>())
    v = collapse.getSrc();
  auto forall = v.getDefiningOp<scf::ForallOp>();
  if (!forall || !v.hasOneUse() || forall->getNumResults() != 1 ||
      !isa<func::FuncOp>(forall->getParentOp()))
    return {};
  return forall;
}

void fuse(RewriterBase &rewriter, linalg::GenericOp epilogue,
          scf::ForallOp forall) {
  scf::InParallelOp terminator = forall.getTerminator();
  SmallVector<tensor::ParallelInsertSliceOp> inserts;
  for (Operation &op : terminator.getYieldingOps())
    if (auto insert = dyn_cast<tensor::ParallelInsertSliceOp>(op))
      inserts.push_back(insert);
  if (inserts.size() != 1)
    return;
  tensor::ParallelInsertSliceOp insert = inserts.front();
  Value tile = insert.getSource();
  auto type = cast<RankedTensorType>(tile.getType());
  rewriter.setInsertionPoint(terminator);
  AffineMap id = rewriter.getMultiDimIdentityMap(type.getRank());
  Block &body = epilogue.getRegion().front();
  auto applied = linalg::GenericOp::create(
      rewriter, epilogue.getLoc(), TypeRange{type}, ValueRange{tile},
      ValueRange{tile}, SmallVector<AffineMap>{id, id},
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        IRMapping map;
        map.map(body.getArgument(0), args[0]);
        map.map(body.getArgument(1), args[1]);
        for (Operation &op : body)
          b.clone(op, map);
      });
  rewriter.modifyOpInPlace(
      insert, [&] { insert.getSourceMutable().assign(applied.getResult(0)); });
  rewriter.replaceOp(epilogue, epilogue.getDpsInputOperand(0)->get());
}

struct FuseTaskEpilogues : tdc::impl::FuseTaskEpiloguesBase<FuseTaskEpilogues> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<std::pair<linalg::GenericOp, scf::ForallOp>> work;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (!isUnaryElementwise(op))
        return;
      if (scf::ForallOp forall = finishedTasks(op.getDpsInputOperand(0)->get()))
        work.push_back({op, forall});
    });
    for (auto [epilogue, forall] : work)
      fuse(rewriter, epilogue, forall);
  }
};

} // namespace
