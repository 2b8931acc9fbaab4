//===- Passes.td - tdc conversion passes -------------------*- tablegen -*-===//
#ifndef TDC_CONVERSION_PASSES_TD
#define TDC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertGraphToLinalg : Pass<"convert-tg-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower tg ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Each tg op becomes linalg named ops or linalg.generic over tensors, with
    numpy broadcasting expressed in indexing maps (no materialized
    broadcasts) and padding through tensor.pad. Ops that cannot be lowered
    are reported at their ONNX node's location.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect"
  ];
}

def ConvertGraphToTx : Pass<"convert-tg-to-tx", "mlir::ModuleOp"> {
  let summary = "Turn tg compute ops (conv, conv_transpose, matmul, gemm) "
                "into tx programs";
  let description = [{
    Each static f32 tg.conv, tg.conv_transpose, tg.matmul and tg.gemm whose
    form has an expression (lib/Conversion/GraphToTx/GraphToExpr.cpp)
    becomes a tx.program; a conv bias or Gemm's alpha/beta/C becomes a
    second program reading the first one's result, so that derivation
    searches the compute op alone. Operands defined by constants are marked
    constant. Every new op keeps the tg op's location (the ONNX node). Ops
    without an expression stay tg ops and take the convert-tg-to-linalg
    path.

    With `keep-original`, the tg op stays next to its programs, both tagged
    with the same `tdc.node` id: tdc-derive-tx then keeps whichever computes
    the node -- the derived programs when derivation replaced the compute
    program, else the tg op, whose direct lowering (named convs and
    matmuls in the scheduler's vector schedules) is what an underived node
    should get.
  }];
  let options = [
    Option<"keepOriginal", "keep-original", "bool", /*default=*/"false",
           "Keep each tg op, linked to its programs by a tdc.node id">,
  ];
  let dependentDialects = [
    "tdc::tx::TxDialect", "mlir::arith::ArithDialect",
    "mlir::math::MathDialect"
  ];
}

def ConvertTxToLinalg : Pass<"convert-tx-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower tx programs to linalg on tensors";
  let description = [{
    Each tx.program becomes one linalg.generic per scope
    (lib/Conversion/DeriveToLinalg): reads whose subscripts are plain
    iterators inside the source are indexing maps, so matmul-shaped scopes
    are real contractions; other reads are clamped tensor.extract with a
    select for the zero outside the source.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect"
  ];
}

#endif
