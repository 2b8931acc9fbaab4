// RUN: tdc-opt %s | tdc-opt | FileCheck %s

// Round trip of the custom assembly, with inferred result types checked by
// the verifier.
// CHECK-LABEL: func.func @ops
// CHECK: tg.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: tg.reshape
// CHECK: tg.gemm
// CHECK: tg.softmax
func.func @ops(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %fc: tensor<10x64xf32>) -> tensor<1x10xf32> {
  %0 = tg.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %1 = tg.reshape %0 {shape = array<i64: 1, 64>} : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32>
  %2 = tg.gemm %1, %fc {alpha = 1.0 : f64, beta = 1.0 : f64, transA = false, transB = true} : (tensor<1x64xf32>, tensor<10x64xf32>) -> tensor<1x10xf32>
  %3 = tg.softmax %2 {axis = 1 : i64} : tensor<1x10xf32>
  return %3 : tensor<1x10xf32>
}
