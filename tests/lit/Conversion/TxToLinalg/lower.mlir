// RUN: tdc-opt %s --convert-tx-to-linalg | FileCheck %s

// A matmul-shaped scope is a real contraction (operands through indexing
// maps, no tensor.extract); the eOperator that reads the intermediate
// tensor at shifted subscripts reads with clamped tensor.extract and a
// select that gives zero outside (padding).

// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[O:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[KM:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[KN:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[MN:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @matmul_then_shift
// CHECK: %[[FILL:.+]] = linalg.fill
// CHECK: %[[MM:.+]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<6x8xf32>, tensor<4x8xf32>) outs(%[[FILL]] : tensor<6x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpi sge
// CHECK: tensor.extract %[[MM]]
// CHECK: arith.select
// CHECK-NOT: tx.
func.func @matmul_then_shift(%a: tensor<6x8xf32>, %b: tensor<4x8xf32>) -> tensor<6x4xf32> {
  %0 = tx.program(%a, %b) names ["A", "B"] constant [false, true] : (tensor<6x8xf32>, tensor<4x8xf32>) -> tensor<6x4xf32> {
  ^bb0(%A: tensor<6x8xf32>, %B: tensor<4x8xf32>):
    %t = tx.scope loops [i: 0:6, j: 0:4] sums [k: 0:8] (%A, %B) : (tensor<6x8xf32>, tensor<4x8xf32>) -> tensor<6x4xf32> {
    ^bb0(%i: index, %j: index, %k: index, %aa: tensor<6x8xf32>, %bb: tensor<4x8xf32>):
      %x = tx.read %aa[%i, %k] : tensor<6x8xf32>
      %y = tx.read %bb[%j, %k] : tensor<4x8xf32>
      %m = arith.mulf %x, %y : f32
      tx.yield %m : f32
    }
    %s = tx.scope loops [h: 0:6, f: 0:4] sums [r: 0:3] (%t) : (tensor<6x4xf32>) -> tensor<6x4xf32> {
    ^bb0(%h: index, %f: index, %r: index, %tt: tensor<6x4xf32>):
      %v = tx.read %tt[%h + %r - 1, %f] : tensor<6x4xf32>
      tx.yield %v : f32
    }
    tx.return %s : tensor<6x4xf32>
  }
  return %0 : tensor<6x4xf32>
}

// A nested matmul whose constant operand (W) comes first in its loops is
// stored [other's dims, constant's dims], so that the weight is the
// contraction's innermost (packed) operand; the reader reads it transposed
// through its indexing map, with no transpose op.
// CHECK-LABEL: func.func @constant_operand_innermost
// CHECK-NOT: linalg.transpose
// CHECK: %[[T:.+]] = linalg.generic {indexing_maps = [#[[KM]], #[[KN]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<8x6xf32>, tensor<8x4xf32>) outs(%{{.+}} : tensor<6x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[MN]], #{{.+}}], {{.*}} ins(%[[T]] : tensor<6x4xf32>) outs(%{{.+}} : tensor<4x6xf32>)
// CHECK-NOT: linalg.transpose
func.func @constant_operand_innermost(%x: tensor<8x6xf32>, %w: tensor<8x4xf32>) -> tensor<4x6xf32> {
  %0 = tx.program(%x, %w) names ["X", "W"] constant [false, true] : (tensor<8x6xf32>, tensor<8x4xf32>) -> tensor<4x6xf32> {
  ^bb0(%X: tensor<8x6xf32>, %W: tensor<8x4xf32>):
    %t = tx.scope loops [f: 0:4, p: 0:6] sums [c: 0:8] (%X, %W) : (tensor<8x6xf32>, tensor<8x4xf32>) -> tensor<4x6xf32> {
    ^bb0(%f: index, %p: index, %c: index, %xx: tensor<8x6xf32>, %ww: tensor<8x4xf32>):
      %a = tx.read %xx[%c, %p] : tensor<8x6xf32>
      %b = tx.read %ww[%c, %f] : tensor<8x4xf32>
      %m = arith.mulf %a, %b : f32
      tx.yield %m : f32
    }
    %s = tx.scope loops [f: 0:4, p: 0:6] (%t) : (tensor<4x6xf32>) -> tensor<4x6xf32> {
    ^bb0(%f: index, %p: index, %tt: tensor<4x6xf32>):
      %v = tx.read %tt[%f, %p] : tensor<4x6xf32>
      %r = tx.relu %v : f32
      tx.yield %r : f32
    }
    tx.return %s : tensor<4x6xf32>
  }
  return %0 : tensor<4x6xf32>
}

// The constant's dims that every reader reads as its own traversal
// iterator (f) go last, the weight re-laid out at compile time into a new
// constant (no linalg.transpose); the reader that reads one tensor runs
// along the same innermost dim (its result [h, f]), and the root reads that
// transposed through its indexing map.
// CHECK-LABEL: func.func @weight_relaid_at_compile_time
// CHECK-NOT: linalg.transpose
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00, 9.000000e+00, 1.100000e+01, 1.300000e+01, 1.500000e+01], [2.000000e+00, 4.000000e+00{{.*}} : tensor<2x2x8xf32>
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2]] : tensor<2x2x8xf32> into tensor<2x16xf32>
// CHECK: %[[T:.+]] = linalg.generic {indexing_maps = [#[[KM]], #[[KN]], #[[O]]], {{.*}} ins(%arg0, %[[C]] : tensor<2x3xf32>, tensor<2x16xf32>) outs(%{{.+}} : tensor<3x16xf32>)
// CHECK: %[[E:.+]] = tensor.expand_shape %[[T]] {{.*}} into tensor<3x2x8xf32>
// CHECK: %[[S:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<4x8xf32>)
// CHECK: tensor.extract %[[E]]
// CHECK: linalg.generic {indexing_maps = [#[[MN]], #{{.+}}], {{.*}} ins(%[[S]] : tensor<4x8xf32>) outs(%{{.+}} : tensor<8x4xf32>)
// CHECK-NOT: linalg.transpose
func.func @weight_relaid_at_compile_time(%x: tensor<2x3xf32>) -> tensor<8x4xf32> {
  %w = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0], [11.0, 12.0], [13.0, 14.0], [15.0, 16.0]], [[17.0, 18.0], [19.0, 20.0], [21.0, 22.0], [23.0, 24.0], [25.0, 26.0], [27.0, 28.0], [29.0, 30.0], [31.0, 32.0]]]> : tensor<2x8x2xf32>
  %0 = tx.program(%x, %w) names ["X", "W"] constant [false, true] : (tensor<2x3xf32>, tensor<2x8x2xf32>) -> tensor<8x4xf32> {
  ^bb0(%X: tensor<2x3xf32>, %W: tensor<2x8x2xf32>):
    %t = tx.scope loops [f: 0:8, r: 0:2, p: 0:3] sums [c: 0:2] (%X, %W) : (tensor<2x3xf32>, tensor<2x8x2xf32>) -> tensor<8x2x3xf32> {
    ^bb0(%f: index, %r: index, %p: index, %c: index, %xx: tensor<2x3xf32>, %ww: tensor<2x8x2xf32>):
      %a = tx.read %xx[%c, %p] : tensor<2x3xf32>
      %b = tx.read %ww[%c, %f, %r] : tensor<2x8x2xf32>
      %m = arith.mulf %a, %b : f32
      tx.yield %m : f32
    }
    %s = tx.scope loops [f: 0:8, h: 0:4] sums [r: 0:2] (%t) : (tensor<8x2x3xf32>) -> tensor<8x4xf32> {
    ^bb0(%f: index, %h: index, %r: index, %tt: tensor<8x2x3xf32>):
      %v = tx.read %tt[%f, %r, %h - %r] : tensor<8x2x3xf32>
      tx.yield %v : f32
    }
    %u = tx.scope loops [f: 0:8, h: 0:4] (%s) : (tensor<8x4xf32>) -> tensor<8x4xf32> {
    ^bb0(%f: index, %h: index, %ss: tensor<8x4xf32>):
      %v = tx.read %ss[%f, %h] : tensor<8x4xf32>
      %y = tx.relu %v : f32
      tx.yield %y : f32
    }
    tx.return %u : tensor<8x4xf32>
  }
  return %0 : tensor<8x4xf32>
}

// A nested scope whose range starts at -1 is stored from offset 0: a read
// at t is element t + 1.
// CHECK-LABEL: func.func @offset_domain
// CHECK: %[[T:.+]] = linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.addi %{{.+}}, %c-1
// CHECK: arith.select
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: %[[I:.+]] = arith.addi %{{.+}}, %c-1
// CHECK: %[[K:.+]] = arith.subi %[[I]], %c-1
// CHECK: tensor.extract %[[T]][%[[K]]]
// CHECK-NEXT: linalg.yield
// CHECK: return
func.func @offset_domain(%a: tensor<4xf32>) -> tensor<3xf32> {
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<4xf32>) -> tensor<3xf32> {
  ^bb0(%A: tensor<4xf32>):
    %t = tx.scope loops [t: -1:3] (%A) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%t: index, %aa: tensor<4xf32>):
      %v = tx.read %aa[%t] : tensor<4xf32>
      %r = tx.relu %v : f32
      tx.yield %r : f32
    }
    %y = tx.scope loops [i: 0:3] (%t) : (tensor<4xf32>) -> tensor<3xf32> {
    ^bb0(%i: index, %tt: tensor<4xf32>):
      %v = tx.read %tt[%i - 1] : tensor<4xf32>
      tx.yield %v : f32
    }
    tx.return %y : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// The overlap-add of a stride-2 transposed convolution (4 taps, 3 inputs):
// out[o] = sum_i M[o - 2*i + 1, i]. Per residue class of o (o = 2*q + r)
// the sum unrolls into two reads at constant offsets of q from the
// zero-padded M, written through a stride-2 slice of the result: no
// per-point bounds, loops or tensor.extract.
// CHECK-LABEL: func.func @overlap_add
// CHECK: %[[P:.+]] = tensor.pad %arg0 low[0, 1] high[0, 1]
// CHECK: %[[E:.+]] = tensor.empty() : tensor<6xf32>
// CHECK: %[[O0:.+]] = tensor.extract_slice %[[E]][0] [3] [2] : tensor<6xf32> to tensor<3xf32>
// CHECK: %[[R00:.+]] = tensor.extract_slice %[[P]][1, 1] [1, 3] [1, 1]
// CHECK: %[[R01:.+]] = tensor.extract_slice %[[P]][3, 0] [1, 3] [1, 1]
// CHECK: %[[C0:.+]] = linalg.generic {{.*}} ins(%[[R00]], %[[R01]] : tensor<1x3xf32>, tensor<1x3xf32>) outs(%[[O0]] : tensor<3xf32>)
// CHECK: arith.addf
// CHECK: %[[I0:.+]] = tensor.insert_slice %[[C0]] into %[[E]][0] [3] [2]
// CHECK: tensor.extract_slice %[[I0]][1] [3] [2]
// CHECK: %[[C1:.+]] = linalg.generic
// CHECK: tensor.insert_slice %[[C1]] into %{{.+}}[1] [3] [2]
// CHECK-NOT: tensor.extract %
// CHECK-NOT: scf.for
// CHECK: return
func.func @overlap_add(%m: tensor<4x3xf32>) -> tensor<6xf32> {
  %0 = tx.program(%m) names ["M"] constant [false] : (tensor<4x3xf32>) -> tensor<6xf32> {
  ^bb0(%M: tensor<4x3xf32>):
    %s = tx.scope loops [o: 0:6] sums [i: 0:3] (%M) : (tensor<4x3xf32>) -> tensor<6xf32> {
    ^bb0(%o: index, %i: index, %mm: tensor<4x3xf32>):
      %v = tx.read %mm[%o - 2 * %i + 1, %i] : tensor<4x3xf32>
      tx.yield %v : f32
    }
    tx.return %s : tensor<6xf32>
  }
  return %0 : tensor<6xf32>
}
