//===- Parser.h - reading expressions in the docs notation ------*- C++ -*-===//
//
// The inverse of print(): reads
//
//   L<n:0:1, f:0:4, h:0:7, w:0:7> Sum<c:0:3, r:0:3, s:0:3>
//     { X[n, c, h+r-1, w+s-1] * K[f, c, r, s] }
//
// so that tests, lit files and --explain output can state programs as text.
// Grammar:
//
//   scope     := 'L<' iters? '>' ('Sum<' iters? '>')? '{' scalar '}'
//   iters     := name ':' int ':' int (',' name ':' int ':' int)*
//   scalar    := term (('+' | '-') term)*
//   term      := unary (('*' | '/') unary)*
//   unary     := '-' unary | primary
//   primary   := number | 'inf' | 'nan' | '(' scalar ')'
//              | fn '(' scalar ')' | ('max' | 'min') '(' scalar ',' scalar ')'
//              | Name '[' subs? ']' | '{' scope '}' '[' subs? ']'
//   fn        := relu | exp | log | sqrt | tanh | sigmoid | abs | neg
//   subs      := index (',' index)*
//   index     := affine over the iterators of the innermost scope: + and -,
//                products with an integer, (index)/int floor division and
//                (index)%int modulo, parentheses
//
// Names read as tensors must be in `inputShapes`. Iterators are looked up in
// the innermost enclosing scope only (nested scopes are closed). Textually
// identical nested scopes become one node, as in the printed program.
// Iterators are created so that the linear subscripts print their terms in
// the order of the text, hence print(parse(print(e))) == print(e).
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_PARSER_H
#define TDC_DERIVE_PARSER_H

#include "tdc/Derive/Expr.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tdc::derive {

/// The scope that `text` denotes, built in `ctx`; null on malformed text,
/// with `error` set to "column N: what was expected" (N counts from 1).
Expr parse(ExprContext &ctx, const std::string &text,
           const std::map<std::string, std::vector<int64_t>> &inputShapes,
           std::string &error);

} // namespace tdc::derive

#endif
