//===- ConvertTxToLinalg.cpp - the convert-tx-to-linalg pass --------------===//
#include "tdc/Conversion/DeriveToLinalg/DeriveToLinalg.h"
#include "tdc/Conversion/Passes.h"
#include "tdc/Dialect/Tx/IR/TxExpr.h"

namespace tdc {
#define GEN_PASS_DEF_CONVERTTXTOLINALG
#include "tdc/Conversion/Passes.h.inc"
} // namespace tdc

using namespace mlir;
using namespace tdc;

namespace {

struct ConvertTxToLinalg : tdc::impl::ConvertTxToLinalgBase<ConvertTxToLinalg> {
  void runOnOperation() override {
    SmallVector<tx::ProgramOp> programs;
    getOperation().walk([&](tx::ProgramOp p) { programs.push_back(p); });
    for (tx::ProgramOp p : programs)
      if (failed(lower(p)))
        signalPassFailure();
  }

  LogicalResult lower(tx::ProgramOp program) {
    derive::ExprContext ctx;
    std::string error;
    derive::Expr e = tx::programExpr(ctx, program, error);
    if (!e)
      return program.emitError("cannot lower the tx program: ") << error;
    auto type = cast<RankedTensorType>(program.getResult().getType());
    OpBuilder b(program);
    e = layoutIntermediates(ctx, e);
    Value v = lowerExpr(b, program.getLoc(), e, tx::programInputs(program),
                        type.getElementType());
    if (!v || v.getType() != type)
      return program.emitError("cannot lower the tx program to linalg (empty "
                               "range or unbound input)");
    program.getResult().replaceAllUsesWith(v);
    program->erase();
    return success();
  }
};

} // namespace
