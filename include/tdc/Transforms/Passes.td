//===- Passes.td - tdc's own transformation passes ---------*- tablegen -*-===//
#ifndef TDC_TRANSFORMS_PASSES_TD
#define TDC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MemRefCopyToLinalg : Pass<"tdc-memref-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    memref.copy between strided memrefs lowers to a call into MLIR's C
    runner library, which a self-contained artifact must not need. As a
    linalg.copy it becomes plain loops (which LLVM turns into memcpy where
    the data is contiguous).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif
