//===- GraphDialect.td - tdc tensor graph dialect ----------*- tablegen -*-===//
//
// The `tg` dialect mirrors ONNX: one op per operator kind, static shapes,
// attributes normalized across opset versions by the importer (constant
// "shape-like" inputs such as Reshape's shape or Slice's starts become
// attributes), result types inferred by the ops themselves.
//
//===----------------------------------------------------------------------===//

#ifndef TDC_DIALECT_GRAPH_IR_GRAPHDIALECT_TD
#define TDC_DIALECT_GRAPH_IR_GRAPHDIALECT_TD

include "mlir/IR/OpBase.td"

def Graph_Dialect : Dialect {
  let name = "tg";
  let summary = "Tensor graph: ONNX operators with normalized attributes";
  let cppNamespace = "::tdc::tg";
}

class TG_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

#endif
