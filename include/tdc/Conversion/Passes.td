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

#endif
