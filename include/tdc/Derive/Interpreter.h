//===- Interpreter.h - reference evaluation of expressions -------*- C++
//-*-===//
//
// The oracle for every rule test and for --verify: evaluates any expression
// on given inputs, accumulating in double. Nested scopes are evaluated
// lazily, element by element with a cache, so that sampled checks of large
// expressions only compute what they read.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_INTERPRETER_H
#define TDC_DERIVE_INTERPRETER_H

#include "tdc/Derive/Expr.h"

#include <map>
#include <string>
#include <vector>

namespace tdc::derive {

struct TensorValue {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

class Interpreter {
public:
  explicit Interpreter(std::map<std::string, TensorValue> inputs);
  ~Interpreter();

  /// Every element of a tensor-valued expression (Scope or Input).
  TensorValue evaluate(Expr tensor);
  /// One element of a tensor at offsets `point` (0-based per dim).
  double element(Expr tensor, const std::vector<int64_t> &point);

private:
  struct Impl;
  Impl *impl;
};

/// Inputs named in `e`, filled with uniform values in [-1, 1) from `seed`.
std::map<std::string, TensorValue> randomInputs(Expr e, uint64_t seed);
/// Every Input node of `e` (deduplicated, in first-use order).
std::vector<Expr> inputsOf(Expr e);

/// Compare two tensor expressions of the same shape on random inputs: all
/// elements when there are at most `maxPoints`, else `maxPoints` sampled ones.
/// Returns an empty string when they agree (rtol, atol), else what differs.
std::string compareExprs(Expr a, Expr b, uint64_t seed, size_t maxPoints = 4096,
                         double rtol = 1e-9, double atol = 1e-9);

} // namespace tdc::derive

#endif
