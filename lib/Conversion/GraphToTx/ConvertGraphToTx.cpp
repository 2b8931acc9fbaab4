//===- ConvertGraphToTx.cpp - the convert-tg-to-tx pass -------------------===//
#include "tdc/Conversion/GraphToTx/GraphToTx.h"
#include "tdc/Conversion/Passes.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Dialect/Tx/IR/TxExpr.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace tdc {
#define GEN_PASS_DEF_CONVERTGRAPHTOTX
#include "tdc/Conversion/Passes.h.inc"
} // namespace tdc

using namespace mlir;
using namespace tdc;

namespace {

struct ConvertGraphToTx : tdc::impl::ConvertGraphToTxBase<ConvertGraphToTx> {
  using Base::Base;
  int64_t nextId = 0;
  /// Results of converted regions, by the tg value they replaced (later
  /// regions were partitioned before and still name the old value).
  DenseMap<Value, Value> replaced;

  void runOnOperation() override {
    derive::ExprContext ctx;
    PartitionOptions options;
    options.anchorless = anchorless;
    for (ProgramRegion &region : partitionRegions(ctx, getOperation(), options))
      if (failed(convert(region)))
        return signalPassFailure();
  }

  /// Replaces the region's ops by its tx program, built before its last op
  /// (every input is defined by then).
  LogicalResult convert(ProgramRegion &region) {
    Operation *last = region.ops.back();
    // Named after the compute op: it is what derivation rewrites.
    Location loc = region.ops.front()->getLoc();
    OpBuilder b(last);
    std::map<std::string, Value> inputs = region.inputs;
    for (auto &[name, v] : inputs)
      if (Value r = replaced.lookup(v))
        v = r;
    for (auto &[name, data] : region.constants) {
      auto type = RankedTensorType::get({(int64_t)data.size()}, b.getF32Type());
      inputs[name] = tg::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, ArrayRef(data)));
    }
    std::string why;
    tx::ProgramOp program =
        tx::buildProgram(b, loc, region.expr, inputs, b.getF32Type(), why);
    if (!program)
      return last->emitError("cannot build its tx program: ") << why;
    Value result = program.getResult();
    if (result.getType() != last->getResult(0).getType())
      return last->emitError("its tx program computes ")
             << result.getType() << " instead of "
             << last->getResult(0).getType();
    if (keepOriginal) {
      // tdc-derive-tx decides which of the two computes the region.
      auto id = b.getI64IntegerAttr(nextId++);
      for (Operation *op : region.ops)
        op->setAttr("tdc.node", id);
      program->setAttr("tdc.node", id);
      return success();
    }
    last->getResult(0).replaceAllUsesWith(result);
    replaced[last->getResult(0)] = result;
    for (Operation *op : llvm::reverse(region.ops))
      op->erase();
    return success();
  }
};

} // namespace
