// RUN: tdc-opt %s --tdc-unshare-fresh-tensors | FileCheck %s

// Two matmuls that CSE left accumulating into one zero-filled tensor, and
// an add whose init is the empty that zero fill started from: each matmul
// gets its own fill (forall included), just before it, and the fill and
// the add their own empties; the add reads the original fill.
// CHECK-LABEL: func.func @shared_zero
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK: %[[F0:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[E1]])
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK: %[[F1:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[E2]])
// CHECK: linalg.fill
// CHECK: %[[M1:.*]] = linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[F1]] :
// CHECK: %[[E3:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK: %[[F2:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[E3]])
// CHECK: linalg.fill
// CHECK: %[[M2:.*]] = linalg.matmul ins(%arg0, %arg2 : {{.*}}) outs(%[[F2]] :
// CHECK: linalg.add ins(%[[M1]], %[[F0]] : {{.*}}) outs(%[[E0]] :
func.func @shared_zero(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>,
                       %c: tensor<8x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = scf.forall (%i) in (4) shared_outs(%o = %e) -> (tensor<4x16xf32>) {
    %s = tensor.extract_slice %o[%i, 0] [1, 16] [1, 1] : tensor<4x16xf32> to tensor<1x16xf32>
    %t = linalg.fill ins(%z : f32) outs(%s : tensor<1x16xf32>) -> tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<4x16xf32>
    }
  }
  %m1 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %m2 = linalg.matmul ins(%a, %c : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %s = linalg.add ins(%m1, %f : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %s, %m2 : tensor<4x16xf32>, tensor<4x16xf32>
}

// A forall that reads a tensor besides its outputs (here a bias row) is
// not recomputed: both matmuls keep sharing it.
// CHECK-LABEL: func.func @reads_a_tensor
// CHECK: %[[F:.*]] = scf.forall
// CHECK-NOT: scf.forall (
// CHECK: linalg.matmul {{.*}} outs(%[[F]] :
// CHECK: linalg.matmul {{.*}} outs(%[[F]] :
func.func @reads_a_tensor(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>,
                          %bias: tensor<1x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %e = tensor.empty() : tensor<4x16xf32>
  %f = scf.forall (%i) in (4) shared_outs(%o = %e) -> (tensor<4x16xf32>) {
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %bias into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<4x16xf32>
    }
  }
  %m1 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %m2 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %m1, %m2 : tensor<4x16xf32>, tensor<4x16xf32>
}
