//===- Passes.h - tdc's own transformation passes ---------------*- C++ -*-===//
#ifndef TDC_TRANSFORMS_PASSES_H
#define TDC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

namespace tdc {

#define GEN_PASS_DECL
#include "tdc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tdc/Transforms/Passes.h.inc"

} // namespace tdc

#endif
