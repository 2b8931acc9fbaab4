//===- Printer.h - expressions in the notation of the docs -------*- C++
//-*-===//
//
//   L<n:0:1, f:0:4, h:0:7, w:0:7> Sum<c:0:3, r:0:3, s:0:3>
//     { X[n, c, h+r-1, w+s-1] * K[f, c, r, s] }
//
// Inputs print as their name; a nested scope prints in place, in braces,
// followed by its subscripts. Iterators whose names collide get a suffix.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_PRINTER_H
#define TDC_DERIVE_PRINTER_H

#include "tdc/Derive/Expr.h"

#include <string>

namespace tdc::derive {

std::string print(Expr e);
std::string print(Index i);

} // namespace tdc::derive

#endif
