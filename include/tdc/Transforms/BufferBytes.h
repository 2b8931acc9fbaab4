//===- BufferBytes.h - the size of a static buffer ----------------*- C++
//-*-===//
//
// Shared by the passes that place buffers (tdc-plan-buffers,
// tdc-task-scratch): the bytes of a buffer they can place by offset.
//
//===----------------------------------------------------------------------===//
#ifndef TDC_TRANSFORMS_BUFFERBYTES_H
#define TDC_TRANSFORMS_BUFFERBYTES_H

#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace tdc {

/// Bytes of a statically shaped, identity-layout memref of whole-byte
/// elements in the default memory space; nullopt for anything else.
inline std::optional<int64_t> staticBufferBytes(mlir::MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return std::nullopt;
  mlir::Type elem = type.getElementType();
  if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return type.getNumElements() * (elem.getIntOrFloatBitWidth() / 8);
}

} // namespace tdc

#endif
