// RUN: tdc-opt %s --convert-tg-to-linalg --split-input-file | FileCheck %s

// Broadcasting lives in the indexing maps: no materialized broadcast.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_bcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK: arith.addf
func.func @add_bcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = tg.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Size-1 dims read index 0.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @mul_col
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[COL]], #{{.*}}]
// CHECK: arith.muli
func.func @mul_col(%a: tensor<2x3xi64>, %b: tensor<2x1xi64>) -> tensor<2x3xi64> {
  %0 = tg.mul %a, %b : (tensor<2x3xi64>, tensor<2x1xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @activations
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: math.erf
// CHECK: arith.cmpf olt
// CHECK: arith.select
func.func @activations(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tg.relu %a : tensor<4xf32>
  %1 = tg.sigmoid %0 : tensor<4xf32>
  %2 = tg.erf %1 : tensor<4xf32>
  %3 = tg.leaky_relu %2 {alpha = 1.000000e-01 : f64} : tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// Comparisons give i1; where selects; cast converts with ONNX rules.
// CHECK-LABEL: func.func @compare_where_cast
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: arith.fptosi
func.func @compare_where_cast(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xi32> {
  %c = tg.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %w = tg.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %i = tg.cast %w {to = i32} : (tensor<4xf32>) -> tensor<4xi32>
  return %i : tensor<4xi32>
}

// -----

// Python-style integer Mod takes the divisor's sign.
// CHECK-LABEL: func.func @mod
// CHECK: arith.remsi
// CHECK: arith.select
func.func @mod(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = tg.mod %a, %b {fmod = false} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @clip
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @clip(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tg.clip %a {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
