//===- RegionValue.h - the value a region computes so far -------*- C++ -*-===//
//
// Building a region's expression op by op: elementwise ops compose into the
// scalar that computes one element (no intermediate tensor), ops that read
// several elements (pooling, reductions) read a tensor -- the region's value
// materialized as a scope when it is not one already.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_LIB_CONVERSION_GRAPHTOTX_REGIONVALUE_H
#define TDC_LIB_CONVERSION_GRAPHTOTX_REGIONVALUE_H

#include "tdc/Conversion/GraphToTx/GraphToTx.h"

#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"

#include <functional>

namespace tdc {

/// The inputs of a region's expression: one Input per distinct value.
class RegionInputs {
public:
  RegionInputs(derive::ExprContext &ctx, ProgramRegion &region)
      : ctx(ctx), region(region) {}
  /// The Input bound to `v`, named `role` if new (a unique "E<k>" when
  /// `role` is empty).
  derive::Expr get(mlir::Value v, const std::string &role = "");
  /// A new constant Input holding `data`, materialized by the conversion.
  derive::Expr constant(std::vector<int64_t> shape, std::vector<float> data);

private:
  derive::ExprContext &ctx;
  ProgramRegion &region;
  llvm::DenseMap<mlir::Value, derive::Expr> byValue;
  int next = 0;
};

/// Element `sub` of the region's value so far, a tensor of `shape`.
struct RegionValue {
  std::vector<int64_t> shape;
  std::function<derive::Expr(const std::vector<derive::Index> &)> at;
  /// The tensor `at` reads unchanged, when it does (then reads outside its
  /// domain are zero, as padding wants).
  derive::Expr tensor = nullptr;

  static RegionValue of(derive::ExprContext &ctx, derive::Expr tensor);
  /// Make `tensor` hold the value (a scope of `at`), if it does not yet.
  void materialize(derive::ExprContext &ctx);
  /// The value's expression as a program root.
  derive::Expr expr(derive::ExprContext &ctx) {
    materialize(ctx);
    return tensor;
  }
};

/// Apply a compute op's epilogue (conv bias; Gemm's alpha, beta and C) to
/// its product. False, with `why` set, for a form without an expression.
bool applyEpilogue(derive::ExprContext &ctx, mlir::Operation *op,
                   RegionValue &value, RegionInputs &inputs, std::string &why);

/// Whether `op` is a memory-bound op with an expression, taking its first
/// operand (or either operand of a binary op) from a region.
bool isMemoryBound(mlir::Operation *op);

/// Apply the memory-bound `op` to `value`, which is its operand `operand`.
/// False, with `why` set, when this form of the op has no expression (the
/// region then ends before it).
bool applyMemoryBound(derive::ExprContext &ctx, mlir::Operation *op,
                      unsigned operand, RegionValue &value,
                      RegionInputs &inputs, std::string &why);

} // namespace tdc

#endif
