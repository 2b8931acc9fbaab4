// RUN: tdc-opt %s --tdc-apply-schedule-records="list-keys=%t.keys" -o /dev/null
// RUN: FileCheck %s --check-prefix=KEYS < %t.keys
// RUN: sed 's/"count":2,/"rows":4,"kc":128,/' %t.keys > %t.records
// RUN: tdc-opt %s --tdc-apply-schedule-records="records=%t.records" | FileCheck %s
// RUN: tdc-opt %s --tdc-apply-schedule-records="records=%t.records" --tdc-tile-and-vectorize-contractions | FileCheck %s --check-prefix=TILED
// RUN: not tdc-opt %s --tdc-apply-schedule-records="records=%t.missing" 2>&1 | FileCheck %s --check-prefix=MISSING

// The signature of a tunable op: name, loop ranges, iterator types,
// indexing maps, element type; ops with equal signatures share a record.
// KEYS: {"count":2,"key":"linalg.matmul [64x128x512] ppr (d0, d1, d2) -> (d0, d2) (d0, d1, d2) -> (d2, d1) (d0, d1, d2) -> (d0, d1) f32","work":4194304}
// KEYS-NOT: linalg.fill

// Both matmuls get the recorded knobs.
// CHECK-LABEL: func.func @matmuls
// CHECK: linalg.matmul {tdc.schedule = {kc = 128 : i64, rows = 4 : i64}}
// CHECK: linalg.matmul {tdc.schedule = {kc = 128 : i64, rows = 4 : i64}}

// The tiling pass follows them: 4-row register blocks (8 is its own
// choice) and a 128-deep cache block of k (it leaves k = 512 whole).
// TILED-LABEL: func.func @matmuls
// TILED: scf.for {{.*}} = %c0 to %c512 step %c128
// TILED: scf.forall
// TILED: scf.for {{.*}} = %c0 to %c32 step %c4
// TILED: scf.for {{.*}} = %c0 to %c128 step %c32
// TILED: scf.for {{.*}} = %c0 to %c128 step %c1

// MISSING: cannot open the records file
func.func @matmuls(%a: tensor<64x512xf32>, %b: tensor<512x128xf32>) -> (tensor<64x128xf32>, tensor<64x128xf32>) {
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<64x128xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<64x512xf32>, tensor<512x128xf32>) outs(%1 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %3 = linalg.matmul ins(%a, %b : tensor<64x512xf32>, tensor<512x128xf32>) outs(%1 : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %2, %3 : tensor<64x128xf32>, tensor<64x128xf32>
}
