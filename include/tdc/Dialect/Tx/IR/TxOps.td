//===- TxOps.td - tx operations -----------------------------*- tablegen -*-===//
//
// A derivation program (derive::Expr, a Scope with nested scopes) is one
// tx.program op. Its region holds one tx.scope per scope of the program
// (nested scopes first, each shared scope once) and returns the root scope:
//
//   %y = tx.program(%x, %w) names ["X", "K"] constant [false, true]
//       : (tensor<1x3x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x5xf32> {
//   ^bb0(%X: tensor<1x3x5x5xf32>, %K: tensor<4x3x3x3xf32>):
//     %0 = tx.scope loops [n: 0:1, f: 0:4, h: 0:5, w: 0:5]
//                   sums [c: 0:3, r: 0:3, s: 0:3] (%X, %K) : ... {
//     ^bb0(%n: index, ..., %s: index, %X_: tensor<...>, %K_: tensor<...>):
//       %a = tx.read %X_[%n, %c, %h + %r - 1, %w + %s - 1] : tensor<1x3x5x5xf32>
//       %b = tx.read %K_[%f, %c, %r, %s] : tensor<4x3x3x3xf32>
//       %m = arith.mulf %a, %b : f32
//       tx.yield %m : f32
//     }
//     tx.return %0 : tensor<1x4x5x5xf32>
//   }
//
//===----------------------------------------------------------------------===//

#ifndef TDC_DIALECT_TX_IR_TXOPS_TD
#define TDC_DIALECT_TX_IR_TXOPS_TD

include "tdc/Dialect/Tx/IR/TxDialect.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Tx_ProgramOp : Tx_Op<"program", [Pure, IsolatedFromAbove,
    SingleBlock, DeclareOpInterfaceMethods<OpAsmOpInterface,
                                           ["getAsmBlockArgumentNames"]>]> {
  let summary = "A derivation program: tx.scope ops returning the root scope";
  let description = [{
    The unit the derivation search works on (one per compute op and its
    epilogue). The entry block's arguments are the program's inputs, bound
    to the operands; `names` gives each input its name in the expression
    (unique within the program) and `constant` marks inputs known at compile
    time (weights), which the cost model may re-lay out for free. The body
    holds only tx.scope ops and a tx.return of the root scope, whose result
    is the program's result.

    A program that the derivation pass replaced carries a `derivation`
    dictionary: the rules applied (`rules`), the kernel of each scope in
    execution order (`kernels`), and the estimated seconds before and after
    (`cost_before`, `cost_after`).
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                   StrArrayAttr:$names, DenseBoolArrayAttr:$constant,
                   OptionalAttr<DictionaryAttr>:$derivation);
  let results = (outs AnyRankedTensor:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $inputs `)` `names` $names `constant` $constant attr-dict `:`
    functional-type($inputs, $result) $body
  }];
  let extraClassDeclaration = [{
    /// The tx.scope whose result the program returns.
    ScopeOp getRoot();
  }];
  let hasVerifier = 1;
}

def Tx_ReturnOp : Tx_Op<"return", [Pure, Terminator, HasParent<"ProgramOp">]> {
  let summary = "Returns a program's root scope";
  let arguments = (ins AnyRankedTensor:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

def Tx_ScopeOp : Tx_Op<"scope", [Pure, IsolatedFromAbove, SingleBlock,
    HasParent<"ProgramOp">,
    DeclareOpInterfaceMethods<OpAsmOpInterface,
                              ["getAsmBlockArgumentNames"]>]> {
  let summary = "A tensor defined by a scalar body summed over iterators";
  let description = [{
    `loops [i: lo:hi, ...] sums [s: lo:hi, ...]`: traversal iterators (one
    per result dim) and summation iterators, each over the half-open range
    [lo, hi). The result's element at traversal point (i, ...) is stored at
    offset (i - lo, ...) and is the sum over the summation iterators of the
    body's yielded value (no sums: the body's value itself).

    The entry block's arguments are the iterators (index values, loops then
    sums, taking the values of their ranges, not offsets) followed by one
    tensor per operand. Operands are the tensors the body reads: inputs of
    the enclosing tx.program, or results of other tx.scope ops of the same
    program (nested scopes, i.e. intermediate tensors). The domain of an
    operand is [0, dim) per dim for a program input, and the producing
    scope's traversal ranges for a scope result; tx.read subscripts are in
    those coordinates.

    The body is scalar: tx.read, arith.constant, arith.addf/subf/mulf/divf/
    negf, math.exp/log/sqrt/tanh/absf, tx.relu, tx.sigmoid, tx.max, tx.min,
    ending in tx.yield. The iterator names are kept for printing only.
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$sources,
                   DenseI64ArrayAttr:$loops, DenseI64ArrayAttr:$sums,
                   StrArrayAttr:$iterator_names);
  let results = (outs AnyRankedTensor:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    custom<Domain>($loops, $sums, $iterator_names) ` ` `(` $sources `)` attr-dict
    `:` functional-type($sources, $result) $body
  }];
  let extraClassDeclaration = [{
    unsigned getNumLoops() { return getLoops().size() / 2; }
    unsigned getNumSums() { return getSums().size() / 2; }
    unsigned getNumIterators() { return getNumLoops() + getNumSums(); }
    /// [lo, hi) of iterator k (loops, then sums).
    std::pair<int64_t, int64_t> getIteratorRange(unsigned k);
    /// The block argument standing for operand `i` inside the body.
    mlir::BlockArgument getSourceArgument(unsigned i) {
      return getBody().front().getArgument(getNumIterators() + i);
    }
    /// Lower bound of each dim of a tensor operand's domain (its producing
    /// scope's traversal ranges, or 0 for a program input).
    static llvm::SmallVector<int64_t> domainOrigin(mlir::Value tensor);
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def Tx_ReadOp : Tx_Op<"read", [Pure, HasParent<"ScopeOp">]> {
  let summary = "Reads a tensor at affine subscripts; zero outside its domain";
  let description = [{
    `tx.read %t[%i + %r - 1, (%j floordiv 2)]` reads the scope's source
    tensor %t (a block argument of the enclosing tx.scope) at subscripts
    given by an affine map (floordiv and mod by constants allowed) of the
    scope's iterators. A subscript outside the source's domain (see
    tx.scope) reads 0: this is how padding is expressed.
  }];
  let arguments = (ins AnyRankedTensor:$source, Variadic<Index>:$indices,
                   AffineMapAttr:$map);
  let results = (outs AnyFloat:$result);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Tx_YieldOp : Tx_Op<"yield", [Pure, Terminator, HasParent<"ScopeOp">]> {
  let summary = "The scalar a scope's body computes";
  let arguments = (ins AnyFloat:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

class Tx_ScalarOp<string mnemonic> :
    Tx_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let results = (outs AnyFloat:$result);
}

def Tx_ReluOp : Tx_ScalarOp<"relu"> {
  let summary = "x > 0 ? x : 0";
  let arguments = (ins AnyFloat:$x);
  let assemblyFormat = "$x attr-dict `:` type($result)";
}
def Tx_SigmoidOp : Tx_ScalarOp<"sigmoid"> {
  let summary = "1 / (1 + exp(-x))";
  let arguments = (ins AnyFloat:$x);
  let assemblyFormat = "$x attr-dict `:` type($result)";
}
def Tx_MaxOp : Tx_ScalarOp<"max"> {
  let summary = "a > b ? a : b (as the interpreter; not arith.maximumf)";
  let arguments = (ins AnyFloat:$lhs, AnyFloat:$rhs);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}
def Tx_MinOp : Tx_ScalarOp<"min"> {
  let summary = "a < b ? a : b (as the interpreter; not arith.minimumf)";
  let arguments = (ins AnyFloat:$lhs, AnyFloat:$rhs);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

#endif
