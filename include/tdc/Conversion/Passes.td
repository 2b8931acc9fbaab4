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
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"
  ];
}

def ConvertGraphToTx : Pass<"convert-tg-to-tx", "mlir::ModuleOp"> {
  let summary = "Turn each compute op and its memory-bound neighbours into "
                "one tx program";
  let description = [{
    Partitions the graph into regions (lib/Conversion/GraphToTx): each
    static f32 tg.conv, tg.conv_transpose, tg.matmul and tg.gemm whose form
    has an expression, with its epilogue (conv bias, Gemm's alpha/beta/C)
    and the chain of memory-bound ops after it (elementwise ops with
    broadcast operands, activations, batch_norm, average_pool,
    reduce_sum/reduce_mean), each the only user of the one before. Each
    region becomes one tx.program, so that derivation searches the compute
    op together with its neighbours. Operands defined by constants are
    marked constant. The program keeps the location of the region's last op
    (an ONNX node). Ops in no region stay tg ops and take the
    convert-tg-to-linalg path.

    With `keep-original`, the region's tg ops stay next to its program, all
    tagged with the same `tdc.node` id: tdc-derive-tx then keeps whichever
    computes the region -- the derived program when derivation replaced it,
    else the tg ops, whose direct lowering (named convs and matmuls in the
    scheduler's vector schedules) is what an underived region should get.
    With `anchorless`, chains of memory-bound ops that follow no compute op
    become programs too (nothing to derive there; it tests the conversions).
  }];
  let options = [
    Option<"keepOriginal", "keep-original", "bool", /*default=*/"false",
           "Keep the tg ops of each region, linked to its program by a "
           "tdc.node id">,
    Option<"anchorless", "anchorless", "bool", /*default=*/"false",
           "Also convert memory-bound chains without a compute op">,
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
