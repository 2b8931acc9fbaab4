//===- GraphToTx.h - tg ops as derivation expressions ------------*- C++
//-*-===//
//
// The one place that knows what tg ops compute as tensor-algebra
// expressions: convert-tg-to-tx builds tx programs from these expressions,
// and `tdc derive` searches them directly.
//
// The graph is partitioned into regions: a compute op (conv, conv_transpose,
// matmul, gemm) together with the chain of memory-bound ops after it (bias,
// BatchNormalization, activations, elementwise ops with broadcast operands,
// average pooling, sum/mean reductions), each the only user of the one
// before. A region is one expression, so that derivation searches the
// compute op with its neighbours and fuses its eOperators with them.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_CONVERSION_GRAPHTOTX_GRAPHTOTX_H
#define TDC_CONVERSION_GRAPHTOTX_GRAPHTOTX_H

#include "tdc/Derive/Expr.h"

#include "mlir/IR/Operation.h"

#include <map>
#include <string>
#include <vector>

namespace tdc {

/// The tensor-algebra expression of a tg compute op (conv, conv_transpose,
/// matmul, gemm) without its epilogue (bias, alpha, beta), its operands
/// named "X"/"K" (conv) or "A"/"B" (matmul), or null with `why` set when
/// the op (or this form of it) has none yet.
derive::Expr exprFromGraphOp(derive::ExprContext &ctx, mlir::Operation *op,
                             std::string &why);

/// Static-shaped f32 tensor: what the tx path handles today.
bool isStaticF32(mlir::Value v);

/// Ops computed by one program, and that program's expression.
struct ProgramRegion {
  /// The compute op (when `anchored`) first, then the memory-bound ops in
  /// order; each op's result is used only by the next one.
  std::vector<mlir::Operation *> ops;
  bool anchored = false;
  /// Computes the result of ops.back().
  derive::Expr expr = nullptr;
  /// What each input of `expr` is bound to, by name.
  std::map<std::string, mlir::Value> inputs;
  /// Values to materialize as constants before the program (per-position
  /// divisors of padded average pools), by input name.
  std::map<std::string, std::vector<float>> constants;
};

struct PartitionOptions {
  /// Also make regions of memory-bound chains that follow no compute op
  /// (derivation has nothing to gain there; used to test the conversions).
  bool anchorless = false;
};

/// The regions of the ops nested in `root`, in program order. An op is in
/// at most one region; ops without an expression are in none.
std::vector<ProgramRegion> partitionRegions(derive::ExprContext &ctx,
                                            mlir::Operation *root,
                                            const PartitionOptions &options);

/// Build `region`'s expression, inputs and constants again in `ctx` (each
/// search may want a context of its own). False if the ops no longer form
/// a region.
bool rebuildRegion(derive::ExprContext &ctx, ProgramRegion &region);

} // namespace tdc

#endif
