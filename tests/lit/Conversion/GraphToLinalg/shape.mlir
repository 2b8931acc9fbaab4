// RUN: tdc-opt %s --convert-tg-to-linalg | FileCheck %s

// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (-d0 + 4, d1)>

// CHECK-LABEL: func @reshape
// CHECK: tensor.collapse_shape
// CHECK: tensor.expand_shape
// CHECK-NOT: tg.
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = tg.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// CHECK-LABEL: func @transpose
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = tg.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// CHECK-LABEL: func @concat
// CHECK: tensor.empty() : tensor<2x5xi64>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [2, 2] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 2] [2, 3] [1, 1]
func.func @concat(%a: tensor<2x2xi64>, %b: tensor<2x3xi64>) -> tensor<2x5xi64> {
  %0 = tg.concat %a, %b {axis = 1 : i64} : (tensor<2x2xi64>, tensor<2x3xi64>) -> tensor<2x5xi64>
  return %0 : tensor<2x5xi64>
}

// CHECK-LABEL: func @split
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [2, 2] [1, 1]
// CHECK: tensor.extract_slice %{{.*}}[2, 0] [4, 2] [1, 1]
func.func @split(%x: tensor<6x2xf32>) -> (tensor<2x2xf32>, tensor<4x2xf32>) {
  %0:2 = tg.split %x {axis = 0 : i64, sizes = array<i64: 2, 4>} : (tensor<6x2xf32>) -> (tensor<2x2xf32>, tensor<4x2xf32>)
  return %0#0, %0#1 : tensor<2x2xf32>, tensor<4x2xf32>
}

// CHECK-LABEL: func @slice
// CHECK: tensor.extract_slice %{{.*}}[1, 0] [2, 3] [2, 1]
func.func @slice(%x: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %0 = tg.slice %x {starts = array<i64: 1, 0>, sizes = array<i64: 2, 3>, steps = array<i64: 2, 1>} : (tensor<5x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Negative steps read through a strided affine map.
// CHECK-LABEL: func @slice_reverse
// CHECK: linalg.generic {{.*}}indexing_maps = [#[[REV]], #{{.*}}]
func.func @slice_reverse(%x: tensor<5x3xf32>) -> tensor<5x3xf32> {
  %0 = tg.slice %x {starts = array<i64: 4, 0>, sizes = array<i64: 5, 3>, steps = array<i64: -1, 1>} : (tensor<5x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// CHECK-LABEL: func @gather
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}} : tensor<5x4xf32>
func.func @gather(%x: tensor<5x4xf32>, %i: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %0 = tg.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK-LABEL: func @gather_elements
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<3x3xf32>
func.func @gather_elements(%x: tensor<3x3xf32>, %i: tensor<2x3xi32>) -> tensor<2x3xf32> {
  %0 = tg.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Constant pad: negative pads crop, positive pads insert into a fill.
// CHECK-LABEL: func @pad_constant
// CHECK: tensor.extract_slice %{{.*}}[1, 0] [2, 4] [1, 1]
// CHECK: linalg.fill
// CHECK: tensor.insert_slice %{{.*}}[0, 2] [2, 4] [1, 1]
func.func @pad_constant(%x: tensor<3x4xf32>) -> tensor<2x7xf32> {
  %0 = tg.pad %x {pads = array<i64: -1, 2, 0, 1>, mode = "constant", value = 1.5 : f64} : (tensor<3x4xf32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// CHECK-LABEL: func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: tensor.extract
func.func @pad_reflect(%x: tensor<3x4xf32>) -> tensor<3x8xf32> {
  %0 = tg.pad %x {pads = array<i64: 0, 2, 0, 2>, mode = "reflect", value = 0.0 : f64} : (tensor<3x4xf32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// CHECK-LABEL: func @pad_edge
// CHECK: linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
func.func @pad_edge(%x: tensor<3x4xi64>) -> tensor<5x4xi64> {
  %0 = tg.pad %x {pads = array<i64: 1, 0, 1, 0>, mode = "edge", value = 0.0 : f64} : (tensor<3x4xi64>) -> tensor<5x4xi64>
  return %0 : tensor<5x4xi64>
}

// CHECK-LABEL: func @expand
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = tg.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK-LABEL: func @tile
// CHECK: linalg.generic
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<2x3x1x4xf32> into tensor<6x4xf32>
func.func @tile(%x: tensor<3x4xf32>) -> tensor<6x4xf32> {
  %0 = tg.tile %x {repeats = array<i64: 2, 1>} : (tensor<3x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}
