//===- ConvertGraphToTx.cpp - the convert-tg-to-tx pass -------------------===//
#include "tdc/Conversion/GraphToTx/GraphToTx.h"
#include "tdc/Conversion/Passes.h"
#include "tdc/Dialect/Graph/IR/GraphOps.h"
#include "tdc/Dialect/Tx/IR/TxExpr.h"

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

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<tg::ConvOp, tg::ConvTransposeOp, tg::MatMulOp, tg::GemmOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      if (failed(convert(op)))
        return signalPassFailure();
  }

  /// Replaces `op` by its tx program(s); leaves it alone when it has no
  /// expression (it then lowers through convert-tg-to-linalg).
  LogicalResult convert(Operation *op) {
    bool typesOk = isStaticF32(op->getResult(0));
    for (Value v : op->getOperands())
      typesOk &= isStaticF32(v);
    if (!typesOk)
      return success();
    derive::ExprContext ctx;
    std::string why;
    derive::Expr e = exprFromGraphOp(ctx, op, why);
    if (!e)
      return success();
    derive::Expr epilogue = epilogueExpr(ctx, op, why);
    if (!epilogue && !why.empty())
      return success();
    std::map<std::string, Value> inputs;
    if (isa<tg::ConvOp, tg::ConvTransposeOp>(op)) {
      inputs["X"] = op->getOperand(0);
      inputs["K"] = op->getOperand(1);
    } else {
      inputs["A"] = op->getOperand(0);
      inputs["B"] = op->getOperand(1);
    }
    OpBuilder b(op);
    Type f32 = b.getF32Type();
    tx::ProgramOp program =
        tx::buildProgram(b, op->getLoc(), e, inputs, f32, why);
    if (!program)
      return op->emitError("cannot build its tx program: ") << why;
    Value result = program.getResult();
    if (epilogue) {
      std::map<std::string, Value> einputs = {{"P", result}};
      if (op->getNumOperands() > 2)
        einputs["Bias"] = op->getOperand(2);
      tx::ProgramOp ep =
          tx::buildProgram(b, op->getLoc(), epilogue, einputs, f32, why);
      if (!ep)
        return op->emitError("cannot build its epilogue program: ") << why;
      result = ep.getResult();
    }
    if (result.getType() != op->getResult(0).getType())
      return op->emitError("its tx program computes ")
             << result.getType() << " instead of "
             << op->getResult(0).getType();
    if (keepOriginal) {
      // tdc-derive-tx decides which of the two computes the node.
      auto id = b.getI64IntegerAttr(nextId++);
      op->setAttr("tdc.node", id);
      result.getDefiningOp()->setAttr("tdc.node", id);
      return success();
    }
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
    return success();
  }
};

} // namespace
