//===- Passes.td - tx dialect passes -------------------------*- tablegen -*-===//
#ifndef TDC_DIALECT_TX_TRANSFORMS_PASSES_TD
#define TDC_DIALECT_TX_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DeriveTx : Pass<"tdc-derive-tx", "mlir::ModuleOp"> {
  let summary = "Replace each tx.program by the cheapest equivalent program "
                "the derivation search finds";
  let description = [{
    Each tx.program is converted to a derivation expression, searched
    (lib/Derive/Search.cpp: rules, fingerprint dedup, cost model), and
    replaced by the best program when that program was verified by the
    search's interpreter check and is estimated cheaper than the original.
    A replaced program carries a `derivation` dictionary (rules, kernels,
    cost_before, cost_after). With `verify`, each replacement is converted
    back from the IR and compared with the original on random inputs by the
    interpreter; a mismatch is an error at the program's (ONNX node's)
    location. Programs with the same expression (the same operator on the
    same shapes, as in the repeated blocks of a CNN) are searched once.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"full\"",
           "guided (the search's guided phase only) or full (guided, then "
           "explorative to the depth bound)">,
    Option<"depth", "depth", "int", /*default=*/"4",
           "Maximum number of rule applications">,
    Option<"states", "states", "int64_t", /*default=*/"20000",
           "Search states per program: the budget that keeps compiles "
           "deterministic (the same model gives the same program)">,
    Option<"budget", "budget", "double", /*default=*/"60.0",
           "Search seconds per program, a safety net behind `states` (a "
           "search stopped by time may differ between runs)">,
    Option<"minGain", "min-gain", "double", /*default=*/"1.25",
           "Replace a program only when the derived one is estimated this "
           "many times faster: the cost model's errors are of the order of "
           "25% (derived convs estimated 10% faster measured slower on "
           "ResNet), while the derivations that pay (ConvTranspose -> matmul "
           "+ overlap-add) are estimated 10x faster or more">,
    Option<"verify", "verify", "bool", /*default=*/"false",
           "Re-check each applied derivation with the interpreter">,
    Option<"force", "force", "bool", /*default=*/"false",
           "Replace every program by its best one even when not cheaper "
           "(the program itself when the search found nothing): tests the "
           "conversions and the lowering">,
    Option<"log", "log", "bool", /*default=*/"false",
           "Report each decision on stderr">,
    Option<"peakGflops", "peak-gflops", "double", /*default=*/"0",
           "The cost model's fp32 FMA peak in GFLOP/s (0: its default)">,
    Option<"bandwidthGBs", "bandwidth", "double", /*default=*/"0",
           "The cost model's memory bandwidth in GB/s (0: its default)">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "The target's vector width, which sizes the register blocks the "
           "cost model estimates instantiated kernels with">,
    Option<"recordsFile", "records", "std::string", /*default=*/"\"\"",
           "tdc tune records: measured decisions (derive or keep) per "
           "program fingerprint replace the cost model's">,
    Option<"listKeys", "list-keys", "std::string", /*default=*/"\"\"",
           "Write each program's records key and whether its search found "
           "a derived program (for tdc tune)">,
  ];
  let dependentDialects = ["tdc::tx::TxDialect"];
}

#endif
