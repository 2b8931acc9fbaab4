//===- PanelPadding.h - a dim padded with zeros to whole panels -*- C++ -*-===//
//
// A packed matmul's n dim is padded to a multiple of the panel width: its
// B operand, its output and (folded in) its bias get zero columns that the
// register blocks compute and a slice drops.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TRANSFORMS_PANELPADDING_H
#define TDC_TRANSFORMS_PANELPADDING_H

#include "mlir/IR/Builders.h"

namespace tdc {

/// `value` (a static tensor) with zeros appended along `dim` up to `size`
/// elements: a tensor.pad, or `value` itself when it already has them.
mlir::Value padWithZeros(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, unsigned dim, int64_t size);

} // namespace tdc

#endif // TDC_TRANSFORMS_PANELPADDING_H
