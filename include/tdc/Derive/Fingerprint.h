//===- Fingerprint.h - name-independent hashes of expressions ----*- C++
//-*-===//
//
// Two expressions that differ only in iterator names (or in the order of
// commutative operands) have the same fingerprint, so the search can drop a
// state it has seen. A traversal iterator hashes by its position and range, a
// summation iterator by its range; affine subscripts hash as their sorted
// (iterator, coefficient) pairs plus constant; nested scopes hash through
// their own fingerprint.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_DERIVE_FINGERPRINT_H
#define TDC_DERIVE_FINGERPRINT_H

#include "tdc/Derive/Expr.h"

#include <cstdint>
#include <unordered_map>

namespace tdc::derive {

uint64_t fingerprint(Expr e);

/// Fingerprints of scopes, kept across calls: a scope is closed and
/// interned, so its fingerprint never changes (the search fingerprints
/// states that share most of their scopes).
class FingerprintCache {
public:
  uint64_t operator()(Expr e);

private:
  std::unordered_map<Expr, uint64_t> scopes;
};

} // namespace tdc::derive

#endif
