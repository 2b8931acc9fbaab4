//===- FlattenConstantGlobals.cpp - 1-D storage for constant globals ------===//
#include "tdc/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

namespace tdc {
#define GEN_PASS_DEF_FLATTENCONSTANTGLOBALS
#include "tdc/Transforms/Passes.h.inc"
} // namespace tdc

using namespace mlir;

namespace {

/// The same elements viewed with a 1-D type, or null if not representable.
Attribute flattenInit(Attribute init, RankedTensorType flat) {
  if (auto dense = dyn_cast<DenseElementsAttr>(init))
    return dense.reshape(flat);
  if (auto res = dyn_cast<DenseResourceElementsAttr>(init))
    return DenseResourceElementsAttr::get(flat, res.getRawHandle());
  return {};
}

struct FlattenConstantGlobals
    : tdc::impl::FlattenConstantGlobalsBase<FlattenConstantGlobals> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseMap<StringAttr, memref::GlobalOp> flattened;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      MemRefType type = global.getType();
      if (!global.getConstant() || type.getRank() <= 1 ||
          !type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !global.getInitialValue())
        continue;
      auto flatTensor =
          RankedTensorType::get({type.getNumElements()}, type.getElementType());
      Attribute init = flattenInit(*global.getInitialValue(), flatTensor);
      if (!init)
        continue;
      global.setTypeAttr(TypeAttr::get(
          MemRefType::get({type.getNumElements()}, type.getElementType(),
                          AffineMap(), type.getMemorySpace())));
      global.setInitialValueAttr(init);
      flattened[global.getSymNameAttr()] = global;
    }
    if (flattened.empty())
      return;
    module.walk([&](memref::GetGlobalOp get) {
      auto it = flattened.find(get.getNameAttr().getAttr());
      if (it == flattened.end())
        return;
      MemRefType original = get.getType();
      OpBuilder b(get);
      Value flat = memref::GetGlobalOp::create(
          b, get.getLoc(), it->second.getType(), get.getName());
      ReassociationIndices all;
      for (int64_t d = 0; d < original.getRank(); ++d)
        all.push_back(d);
      Value shaped = memref::ExpandShapeOp::create(
          b, get.getLoc(), original, flat, ArrayRef<ReassociationIndices>{all});
      get.replaceAllUsesWith(shaped);
      get.erase();
    });
  }
};

} // namespace
