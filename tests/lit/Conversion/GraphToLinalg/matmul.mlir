// RUN: tdc-opt %s --convert-tg-to-linalg | FileCheck %s

// Indexing maps are printed at the top of the module.
// CHECK-DAG: #[[BL:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[BR:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[BO:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[VL:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[VR:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[TA:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[TB:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>

// CHECK-LABEL: func.func @matmul_2d
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<4x5xf32>) outs(%[[FILL]] : tensor<3x5xf32>)
// CHECK-NOT: tg.
func.func @matmul_2d(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = tg.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// Batch dims broadcast: [2,1,3,4] x [5,4,6] -> [2,5,3,6].
// CHECK-LABEL: func.func @matmul_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[BL]], #[[BR]], #[[BO]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: -> tensor<2x5x3x6xf32>
func.func @matmul_broadcast(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32> {
  %0 = tg.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  return %0 : tensor<2x5x3x6xf32>
}

// A 1-D lhs is promoted to [1, K] and the promoted dim dropped.
// CHECK-LABEL: func.func @matmul_vec_i32
// CHECK: linalg.generic {indexing_maps = [#[[VL]], #[[VR]], #{{.*}}]
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: -> tensor<2x6xi32>
func.func @matmul_vec_i32(%a: tensor<4xi32>, %b: tensor<2x4x6xi32>) -> tensor<2x6xi32> {
  %0 = tg.matmul %a, %b : (tensor<4xi32>, tensor<2x4x6xi32>) -> tensor<2x6xi32>
  return %0 : tensor<2x6xi32>
}

// CHECK-LABEL: func.func @gemm_plain
// CHECK: linalg.matmul
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @gemm_plain(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = tg.gemm %a, %b {alpha = 1.0 : f64, beta = 1.0 : f64, transA = false, transB = false} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// Transposes live in the contraction maps; C is broadcast from [N].
// CHECK-LABEL: func.func @gemm_trans_bias
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[TA]], #[[TB]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %{{.*}} : tensor<3x5xf32>, tensor<5xf32>)
// CHECK: arith.constant 5.000000e-01
// CHECK: arith.mulf
// CHECK: arith.constant 2.000000e+00
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm_trans_bias(%a: tensor<4x3xf32>, %b: tensor<5x4xf32>, %c: tensor<5xf32>) -> tensor<3x5xf32> {
  %0 = tg.gemm %a, %b, %c {alpha = 0.5 : f64, beta = 2.0 : f64, transA = true, transB = true} : (tensor<4x3xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
