//===- RandomExpr.h - random expressions for rule tests ----------*- C++
//-*-===//
//
// Small random programs that exercise what rules must preserve: affine
// subscripts of several iterators (so reads go out of range and hit the
// zero padding), ranges not starting at 0, summations, nested scopes, and
// the scalar operators.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TESTS_UNIT_DERIVE_RANDOMEXPR_H
#define TDC_TESTS_UNIT_DERIVE_RANDOMEXPR_H

#include "tdc/Derive/Expr.h"

#include <random>

namespace tdc::derive::testing {

struct RandomExprOptions {
  int maxLoops = 3, maxSums = 3, maxExtent = 4;
  int maxTerms = 2;        // accesses multiplied/added in a body
  double nestedProb = 0.3; // probability that an access reads a nested scope
  int maxDepth = 2;        // nesting depth of scopes
};

/// A random closed scope (a whole program) drawn from `rng`.
Expr randomScope(ExprContext &ctx, std::mt19937_64 &rng,
                 const RandomExprOptions &options = {});

/// A random conv-like program: L<n,f,h,w> Sum<c,r,s> { X[n,c,h*sh+r*dh-p,
/// w*sw+s*dw-p] * K[f,c,r,s] } with small random sizes, strides, dilations
/// and padding (the shapes derivation cares most about).
Expr randomConv(ExprContext &ctx, std::mt19937_64 &rng);

/// A random matmul-like program L<i,j> Sum<k> { A[i,k] * B[k,j] } with
/// operands possibly transposed or batched.
Expr randomMatmul(ExprContext &ctx, std::mt19937_64 &rng);

/// The k-th program of the usual test mix: a flat random scope, one with
/// many nested scopes, a conv, a matmul (cycling on k).
Expr randomProgram(ExprContext &ctx, std::mt19937_64 &rng, int k);

} // namespace tdc::derive::testing

#endif
