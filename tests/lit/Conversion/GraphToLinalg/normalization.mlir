// RUN: tdc-opt %s --convert-tg-to-linalg | FileCheck %s

// Per-channel factor scale / sqrt(var + eps), then one pass over x with the
// [C] parameters viewed as [C, 1, 1].
// CHECK-LABEL: func.func @batch_norm
// CHECK: %[[F:.*]] = linalg.generic
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: -> tensor<3xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [3, 1, 1]
// CHECK: linalg.generic
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: -> tensor<2x3x4x5xf32>
// CHECK-NOT: tg.
func.func @batch_norm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %0 = tg.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// Mean over the spatial dims, then the mean of squared deviations.
// CHECK-LABEL: func.func @instance_norm
// CHECK: linalg.reduce { arith.addf {fastmath = #arith.fastmath<reassoc>} } ins(%{{.*}} : tensor<2x3x4x5xf32>) outs(%{{.*}} : tensor<2x3xf32>) dimensions = [2, 3]
// CHECK: arith.divf
// CHECK: arith.subf
// CHECK: linalg.reduce ins(%{{.*}} : tensor<2x3x4x5xf32>) outs(%{{.*}} : tensor<2x3xf32>) dimensions = [2, 3]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.sqrt
// CHECK: -> tensor<2x3x4x5xf32>
func.func @instance_norm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %0 = tg.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f64} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// LayerNorm over dims [1, 3) yields Y, Mean and InvStdDev ([2, 1, 1]); its
// sums are reassociable (LLVM vectorizes them).
// CHECK-LABEL: func.func @layer_norm
// CHECK: linalg.reduce { arith.addf {fastmath = #arith.fastmath<reassoc>} } ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2xf32>) dimensions = [1, 2]
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK: arith.divf
// CHECK: arith.subf
// CHECK: linalg.reduce
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc>
// CHECK: %[[INV:.*]] = linalg.generic
// CHECK: math.sqrt
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[INV]], %{{.*}} : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<3x4xf32>)
// CHECK: return %[[Y]], %[[MEAN]], %[[INV]]
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>) {
  %0:3 = tg.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>
}

// f16 statistics are computed in f32 and the result truncated back.
// CHECK-LABEL: func.func @layer_norm_f16
// CHECK: arith.extf
// CHECK: linalg.reduce
// CHECK: arith.truncf
// CHECK: -> tensor<4x8xf16>
func.func @layer_norm_f16(%x: tensor<4x8xf16>, %s: tensor<8xf16>, %b: tensor<8xf16>) -> (tensor<4x8xf16>, tensor<4x1xf16>, tensor<4x1xf16>) {
  %0:3 = tg.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<4x8xf16>, tensor<8xf16>, tensor<8xf16>) -> (tensor<4x8xf16>, tensor<4x1xf16>, tensor<4x1xf16>)
  return %0#0, %0#1, %0#2 : tensor<4x8xf16>, tensor<4x1xf16>, tensor<4x1xf16>
}
