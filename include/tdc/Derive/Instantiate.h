//===- Instantiate.h - match scopes to compute-bound kernels -----*- C++
//-*-===//
//
// A scope is *instantiated* when it has the shape of a kernel tdc has a fast
// implementation for; every other scope is an *eOperator*, compiled as a
// memory-bound loop nest. Matching looks only at the iterator table (which
// iterators index which operand), never at where the expression came from.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_INSTANTIATE_H
#define TDC_DERIVE_INSTANTIATE_H

#include "tdc/Derive/Expr.h"
#include "tdc/Schedule/Winograd.h"

#include <optional>
#include <string>
#include <vector>

namespace tdc::derive {

enum class KernelKind { Matmul, Conv, G2BMM, GBMM, EOperator };
const char *kernelName(KernelKind k);

/// How a scope is computed and what it costs to move and compute.
struct Kernel {
  KernelKind kind = KernelKind::EOperator;
  // Matmul: batch x [m, k] * [k, n]; Conv: the conv's sizes in flops only.
  int64_t batch = 1, m = 1, n = 1, k = 1;
  double flops = 0;     // multiply-adds * 2 (or scalar ops for eOperators)
  double bytesRead = 0; // from inputs and intermediate tensors
  double bytesWritten = 0;
  /// Operand re-layouts the kernel needs, and the bytes they copy.
  int relayouts = 0;
  /// Whether the scheduler's register tiles apply: its vector dim is the
  /// output's innermost dim (a matmul's innermost group of merged dims once
  /// DeriveToLinalg collapses them), which must be a multiple of 8 lanes.
  /// Otherwise the kernel runs as scalar loops.
  bool vectorized = true;
  double relayoutBytes = 0;
  /// A convolution the graph lowering computes with Winograd F(4x4, 3x3)
  /// (schedule::winogradApplies): 3x3, stride 1, constant filters, in the
  /// direct layouts. Only an underived node is lowered that way.
  std::optional<schedule::WinogradShape> winograd;
  std::string detail;
};

/// Matmul / batch matmul: body = A[...] * B[...], every subscript a single
/// iterator, summation iterators in both operands, each traversal iterator
/// in at least one, nothing read out of range.
std::optional<Kernel> matchMatmul(Expr scope);
/// The role of iterator `i` in a scope matchMatmul accepts: 3 (k) if summed,
/// else 0 (batch) if both operands read it, 1 (m) if only the left one,
/// 2 (n) if only the right one. DeriveToLinalg lays operands out by it.
int matmulRole(Expr scope, Iter i);
/// Direct convolution: X[n, c, h*st + r*dl + p, w*st + s*dl + p] * K[f.., c,
/// r, s] -- the weight read with plain iterators, its traversal iterators
/// (the output channels, possibly several) not in X; any order of the
/// weight's dims (a non-constant weight in another order pays a re-layout).
std::optional<Kernel> matchConv(Expr scope);
/// Band matmuls (EinNet's G2BMM and GBMM), batched over iterators read
/// plainly by both operands:
///   g2bmm: C[b, i, w] = Sum<k> A[b, i, k] * B[b, i + w + c, k]
///   gbmm:  C[b, i, j] = Sum<w> A[b, i, w] * B[b, i + w + c, j]
/// The window subscript i + w + c may leave B's range (zero there); every
/// other subscript is a plain iterator inside its source.
std::optional<Kernel> matchG2bmm(Expr scope);
std::optional<Kernel> matchGbmm(Expr scope);
/// The memory-bound implementation, always available.
Kernel eOperator(Expr scope);

/// Per traversal point, how many values of summation iterator `sum` can
/// give a non-zero term: a factor of the body that reads a*sum + (traversal
/// iterators) + c from a dim of extent D is zero for all but ceil(D/|a|) of
/// them (the overlap-add of a transposed convolution reads 2 of 16). The
/// range size when no factor bounds it. DeriveToLinalg lowers such sums as
/// loops over exactly those values, and the cost model counts only them.
int64_t effectiveSumExtent(Expr scope, size_t sum);

/// A read that bounds a summation iterator: `access` reads a*sum + rest
/// (rest over traversal iterators only) at dim `dim`.
struct SumBound {
  Expr access;
  size_t dim;
  int64_t coef;
};
std::vector<SumBound> sumBounds(Expr scope, size_t sum);

/// The cheapest available kernel for a scope under `cost` (see Cost.h).
struct CostModel;
Kernel bestKernel(Expr scope, const CostModel &cost);

} // namespace tdc::derive

#endif
