// RUN: tdc-opt %s --convert-tg-to-linalg | FileCheck %s

// CumSum is a scf.for over the axis adding one slice to the previous one.
// CHECK-LABEL: func.func @cumsum
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<2x3xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, %{{.*}}] [2, 1] [1, 1] : tensor<2x3xf32> to tensor<2x1xf32>
// CHECK: arith.addf
// CHECK: tensor.insert_slice
// CHECK: scf.yield
func.func @cumsum(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tg.cumsum %x {axis = 1 : i64, exclusive = false, reverse = false} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Exclusive starts from a zero slice at the end of the axis when reversed.
// CHECK-LABEL: func.func @cumsum_exclusive_reverse
// CHECK: linalg.fill
// CHECK: %[[P:.*]] = arith.subi %c4, %c0 : index
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%[[P]]] [1] [1] : tensor<1xi32> into tensor<5xi32>
// CHECK: scf.for
// CHECK: arith.addi
func.func @cumsum_exclusive_reverse(%x: tensor<5xi32>) -> tensor<5xi32> {
  %0 = tg.cumsum %x {axis = 0 : i64, exclusive = true, reverse = true} : tensor<5xi32>
  return %0 : tensor<5xi32>
}

// Nearest resize: one generic per resized dim (the unchanged N and C dims
// are skipped), reading the source through a constant index table.
// CHECK-LABEL: func.func @resize_nearest
// CHECK: arith.constant dense<[0, 0, 0, 1, 1, 1]> : tensor<6xi64>
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<1x1x2x2xf32>
// CHECK: -> tensor<1x1x2x6xf32>
// CHECK: arith.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK: linalg.generic
// CHECK: -> tensor<1x1x4x6xf32>
// CHECK-NOT: linalg.generic
func.func @resize_nearest(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x6xf32> {
  %0 = tg.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "simple", cubic_coeff_a = -0.75, exclude_outside = false, extrapolation_value = 0.0, scales = array<f64: 1.0, 1.0, 2.0, 3.0>, roi = array<f64>, sizes = array<i64: 1, 1, 4, 6>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// Linear: two taps with weights from constant tables.
// CHECK-LABEL: func.func @resize_linear
// CHECK: arith.constant dense<[0, 0, 0, 1]> : tensor<4xi64>
// CHECK: arith.constant dense<[2.500000e-01, 7.500000e-01, 2.500000e-01, 7.500000e-01]> : tensor<4xf32>
// CHECK: arith.constant dense<[0, 1, 1, 1]> : tensor<4xi64>
// CHECK: linalg.generic
// CHECK-COUNT-2: tensor.extract
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @resize_linear(%x: tensor<2xf32>) -> tensor<4xf32> {
  %0 = tg.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75, exclude_outside = false, extrapolation_value = 0.0, scales = array<f64: 2.0>, roi = array<f64>, sizes = array<i64: 4>} : (tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// tf_crop_and_resize selects the extrapolation value outside the input.
// CHECK-LABEL: func.func @resize_crop
// CHECK: arith.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK: linalg.generic
// CHECK: arith.constant 1.000000e+01 : f32
// CHECK: arith.select
func.func @resize_crop(%x: tensor<4xf32>) -> tensor<3xf32> {
  %0 = tg.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75, exclude_outside = false, extrapolation_value = 10.0, scales = array<f64: 0.75>, roi = array<f64: 0.4, 1.2>, sizes = array<i64: 3>} : (tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
