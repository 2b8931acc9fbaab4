//===- Expr.h - tensor-algebra expressions for derivation --------*- C++
//-*-===//
//
// The expression model of derivation (OLLIE/EinNet): a Scope
//
//   L<i:lo:hi, ...> Sum<s:lo:hi, ...> { body }
//
// is a tensor whose element at traversal point (i, ...) (i in [lo, hi), stored
// at offset i - lo) is the sum over the summation iterators of the scalar
// body. The body reads tensors -- inputs or nested scopes, which stand for
// intermediate tensors -- through affine subscripts (with floor division and
// modulo by constants); a read outside the source's range is zero, which is
// how padding is expressed.
//
// Nodes are immutable and hash-consed in an ExprContext: two nodes built
// from the same parts are the same pointer. Iterators are nodes too; their
// identity is the object, their name is only for printing. A nested scope is
// closed: its body uses only its own iterators.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_EXPR_H
#define TDC_DERIVE_EXPR_H

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tdc::derive {

class ExprContext;

/// A loop variable. Created by ExprContext::iter; identity is the pointer.
struct IterVar {
  std::string name;
  uint64_t id; // creation order, for deterministic ordering
};
using Iter = const IterVar *;

/// A half-open range [lo, hi).
struct Range {
  int64_t lo = 0, hi = 0;
  int64_t size() const { return hi - lo; }
  bool operator==(const Range &o) const { return lo == o.lo && hi == o.hi; }
};

/// Iterator with its range, as bound by a scope.
struct IterRange {
  Iter iter;
  Range range;
  bool operator==(const IterRange &o) const {
    return iter == o.iter && range == o.range;
  }
};

//===----------------------------------------------------------------------===//
// Subscripts: affine expressions over iterators
//===----------------------------------------------------------------------===//

enum class IndexKind { Iter, Const, Add, Mul, FloorDiv, Mod };

/// An interned subscript expression. Mul, FloorDiv and Mod have a constant
/// right-hand side (`value`); Add has two operands.
struct IndexNode {
  IndexKind kind;
  Iter iter = nullptr; // Iter
  int64_t value = 0;   // Const value, or the constant of Mul/FloorDiv/Mod
  const IndexNode *lhs = nullptr, *rhs = nullptr;
  size_t hash = 0;
};
using Index = const IndexNode *;

/// Linear form sum(coef * iter) + constant of a subscript without div/mod.
struct LinearForm {
  std::vector<std::pair<Iter, int64_t>> terms; // sorted by iter id, coef != 0
  int64_t constant = 0;
};

//===----------------------------------------------------------------------===//
// Scalar and tensor expressions
//===----------------------------------------------------------------------===//

enum class ExprKind { Const, Access, Unary, Binary, Scope, Input };
enum class UnaryFn { Neg, Relu, Exp, Log, Sqrt, Tanh, Sigmoid, Abs };
enum class BinaryOp { Add, Sub, Mul, Div, Max, Min };

struct ExprNode;
using Expr = const ExprNode *;

struct ExprNode {
  ExprKind kind;
  size_t hash = 0;
  // Const
  double constant = 0;
  // Input: a named tensor of the program (domain [0, dim) per dim).
  std::string name;
  std::vector<int64_t> shape;
  bool isConstant = false; // known at compile time (weights): free re-layout
  // Access: source (Input or Scope) read at subscripts.
  Expr source = nullptr;
  std::vector<Index> subscripts;
  // Unary / Binary
  UnaryFn unaryFn = UnaryFn::Neg;
  BinaryOp binaryOp = BinaryOp::Add;
  Expr lhs = nullptr, rhs = nullptr;
  // Scope
  std::vector<IterRange> loops; // traversal iterators
  std::vector<IterRange> sums;  // summation iterators
  Expr body = nullptr;

  bool isTensor() const {
    return kind == ExprKind::Scope || kind == ExprKind::Input;
  }
  /// Shape of a tensor-valued node (Input or Scope).
  std::vector<int64_t> tensorShape() const;
  /// Domain of dim d of a tensor-valued node: [0, dim) for inputs, the
  /// traversal range for scopes.
  Range domain(size_t d) const;
};

/// Owns and interns every node of the expressions built with it.
class ExprContext {
public:
  ExprContext();
  ~ExprContext();
  ExprContext(const ExprContext &) = delete;
  ExprContext &operator=(const ExprContext &) = delete;

  /// A fresh iterator (distinct from every other, whatever its name).
  Iter iter(const std::string &name);

  // Subscripts (simplified on construction: constants folded, sums of
  // linear terms kept in a canonical order).
  Index idx(Iter i);
  Index cst(int64_t c);
  Index add(Index a, Index b);
  Index add(Index a, int64_t c) { return add(a, cst(c)); }
  Index mul(Index a, int64_t c);
  Index floorDiv(Index a, int64_t c);
  Index mod(Index a, int64_t c);
  /// Build a subscript from a linear form.
  Index linear(const LinearForm &f);

  // Scalars and tensors.
  Expr constant(double v);
  Expr input(const std::string &name, std::vector<int64_t> shape,
             bool isConstant = false);
  Expr access(Expr source, std::vector<Index> subscripts);
  Expr unary(UnaryFn fn, Expr a);
  Expr binary(BinaryOp op, Expr a, Expr b);
  Expr scope(std::vector<IterRange> loops, std::vector<IterRange> sums,
             Expr body);

  size_t numNodes() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// The linear form of a subscript, or false if it uses div/mod.
bool toLinear(Index i, LinearForm &out);
/// Iterators a subscript uses.
void collectIters(Index i, std::vector<Iter> &out);
/// Iterators an expression uses freely (not bound by a scope inside it).
std::vector<Iter> freeIters(Expr e);

/// Replace iterators by subscripts everywhere in a scalar expression (not
/// inside nested scopes, which are closed).
Expr substitute(ExprContext &ctx, Expr e,
                const std::unordered_map<Iter, Index> &map);
Index substitute(ExprContext &ctx, Index i,
                 const std::unordered_map<Iter, Index> &map);

/// Check the invariants (subscript counts match source ranks, scopes closed,
/// iterators bound once); returns an empty string when valid.
std::string verify(Expr e);

} // namespace tdc::derive

#endif
