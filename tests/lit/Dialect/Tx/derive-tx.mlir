// RUN: tdc-opt %s --convert-tg-to-tx --tdc-derive-tx="depth=4 budget=60 verify=true" --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=FULL
// RUN: tdc-opt %s --convert-tg-to-tx --tdc-derive-tx="mode=guided depth=4 budget=60" | FileCheck %s --check-prefix=GUIDED
// RUN: tdc-opt %s --convert-tg-to-tx --tdc-derive-tx="depth=0" | FileCheck %s --check-prefix=DEPTH0
// RUN: tdc-opt %s --convert-tg-to-tx --tdc-derive-tx="depth=0 force=true" | FileCheck %s --check-prefix=FORCE
// RUN: not tdc-opt %s --convert-tg-to-tx --tdc-derive-tx="mode=fast" 2>&1 | FileCheck %s --check-prefix=BADMODE
// RUN: tdc-opt %s --convert-tg-to-tx="keep-original=true" --tdc-derive-tx="depth=4 budget=60" | FileCheck %s --check-prefix=KEEPDERIVED
// RUN: tdc-opt %s --convert-tg-to-tx="keep-original=true" --tdc-derive-tx="depth=0" | FileCheck %s --check-prefix=KEEPORIGINAL
// RUN: tdc-opt %s --convert-tg-to-tx="keep-original=true" --tdc-derive-tx="depth=4 budget=60 list-keys=%t.keys" -o /dev/null
// RUN: FileCheck %s --check-prefix=KEYS < %t.keys
// RUN: sed 's/"cost_after"/"derive":false,"cost_after"/' %t.keys > %t.records
// RUN: tdc-opt %s --convert-tg-to-tx="keep-original=true" --tdc-derive-tx="depth=4 budget=60 records=%t.records" | FileCheck %s --check-prefix=KEEPORIGINAL

// list-keys: the programs whose search found a derived program, with the
// cost model's decision; a record of tdc tune saying "derive": false keeps
// the original ops although the cost model would derive.
// KEYS: {"cost_after":{{.+}},"cost_before":{{.+}},"derived":true,"key":"derive {{[0-9a-f]+}}"}

// A small ConvTranspose: the search (exhaustive here, well within the
// budget) finds a cheaper program of two scopes (the product and a sum of
// shifted taps), checked again by the interpreter after it is read back
// from the IR (verify=true). The replaced program records its derivation
// and keeps the node's location.
// FULL: tx.program(%{{.+}}, %{{.+}}) names ["X", "K"] constant [false, false] {derivation = {cost_after = {{.+}} : f64, cost_before = {{.+}} : f64, kernels = ["{{[a-z]+}}", "{{[a-z]+}}"{{.*}}], rules = ["{{.+}}"]}}
// FULL: tx.scope
// FULL: tx.scope
// FULL: tx.return
// FULL-NEXT: } loc("Y (ConvTranspose)")

// The best-first phase alone finds it too.
// GUIDED: tx.program{{.*}}{derivation = {{.*}}rules = ["{{.+}}"]}
// GUIDED-COUNT-2: tx.scope

// Without rule applications nothing is cheaper: the program stays as it is.
// DEPTH0-NOT: derivation
// DEPTH0: tx.program
// DEPTH0-NOT: derivation

// force replaces it by its best program (here itself), for tests of the
// conversions and the lowering.
// FORCE: tx.program{{.*}}{derivation = {{{.*}}kernels = ["eop"], rules = []}}
// FORCE-COUNT-1: tx.scope

// BADMODE: mode must be guided or full, not 'fast'

// keep-original (what tdc compile uses): the tg op and its program are
// linked by a tdc.node id; the derived program wins when the search
// replaced it, the tg op (for its direct lowering) otherwise, and the link
// attribute is gone either way.
// KEEPDERIVED-NOT: tg.conv_transpose
// KEEPDERIVED-NOT: tdc.node
// KEEPDERIVED: tx.program{{.*}}derivation
// KEEPDERIVED-NOT: tdc.node
// KEEPORIGINAL-NOT: tx.program
// KEEPORIGINAL: tg.conv_transpose
// KEEPORIGINAL-NOT: tdc.node
// KEEPORIGINAL-NOT: tx.program
func.func @conv_transpose(%x: tensor<1x1x3x3xf32>, %w: tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %0 = tg.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, group = 1} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> loc("Y (ConvTranspose)")
  return %0 : tensor<1x2x5x5xf32>
}
