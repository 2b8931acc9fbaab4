//===- NodeLocation.cpp - locations naming ONNX nodes
//----------------------===//
#include "tdc/Dialect/Graph/IR/NodeLocation.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace tdc::tg {

// Encoded as NameLoc("name (OpType)"): printed IR stays readable.
Location nodeLocation(MLIRContext *ctx, StringRef name, StringRef opType) {
  return NameLoc::get(StringAttr::get(ctx, name + " (" + opType + ")"));
}

std::optional<NodeInfo> nodeInfo(Location loc) {
  std::optional<NodeInfo> found;
  loc->walk([&](Location l) {
    auto named = dyn_cast<NameLoc>(l);
    if (!named)
      return WalkResult::advance();
    StringRef text = named.getName().strref();
    size_t paren = text.rfind(" (");
    if (paren != StringRef::npos && text.ends_with(")"))
      found = NodeInfo{text.take_front(paren).str(),
                       text.drop_front(paren + 2).drop_back().str()};
    else
      found = NodeInfo{text.str(), ""};
    return WalkResult::interrupt();
  });
  return found;
}

std::string describeLocation(Location loc) {
  if (auto node = nodeInfo(loc))
    return "node '" + node->name + "'" +
           (node->opType.empty() ? "" : " (" + node->opType + ")");
  std::string s;
  llvm::raw_string_ostream os(s);
  os << loc;
  return s;
}

} // namespace tdc::tg
