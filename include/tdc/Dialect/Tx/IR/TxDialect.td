//===- TxDialect.td - tdc tensor expression dialect --------*- tablegen -*-===//
//
// The `tx` dialect is the MLIR form of the derivation engine's programs
// (include/tdc/Derive/Expr.h): a tx.program holds tx.scope ops, each one a
// tensor defined element by element by a scalar body summed over summation
// iterators. Derivation rewrites tx programs; convert-tx-to-linalg lowers
// them. docs/derivation.md describes the dialect with examples.
//
//===----------------------------------------------------------------------===//

#ifndef TDC_DIALECT_TX_IR_TXDIALECT_TD
#define TDC_DIALECT_TX_IR_TXDIALECT_TD

include "mlir/IR/OpBase.td"

def Tx_Dialect : Dialect {
  let name = "tx";
  let summary = "Tensor expressions: derivation programs (scopes, affine "
                "reads with zero outside, scalar bodies)";
  let cppNamespace = "::tdc::tx";
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
}

class Tx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tx_Dialect, mnemonic, traits>;

#endif
