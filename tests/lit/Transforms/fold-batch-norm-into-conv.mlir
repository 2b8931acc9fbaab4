// RUN: tdc-opt %s --tdc-fold-batch-norm-into-conv | FileCheck %s

// s = scale / sqrt(var + eps) = [2, 0.5]: filter 0 doubles, filter 1
// halves; bias = (b - mean) * s + beta = [(1 - 1) * 2 + 3, (2 - 0) * 0.5 - 1].
// CHECK-LABEL: func.func @fold
// CHECK-DAG: %[[W:.*]] = tg.constant dense_resource<tdc_folded_weight{{.*}}> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = tg.constant dense_resource<tdc_folded_bias{{.*}}> : tensor<2xf32>
// CHECK: %[[C:.*]] = tg.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: tg.batch_norm
// CHECK: return %[[C]]
func.func @fold(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = tg.constant dense<[[[[2.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = tg.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scale = tg.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = tg.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %mean = tg.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = tg.constant dense<[4.0, 4.0]> : tensor<2xf32>
  %c = tg.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %y = tg.batch_norm %c, %scale, %beta, %mean, %var {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// A conv whose result is used elsewhere too stays as it is.
// CHECK-LABEL: func.func @shared
// CHECK: tg.conv
// CHECK: tg.batch_norm
func.func @shared(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = tg.constant dense<2.0> : tensor<2x1x1x1xf32>
  %p = tg.constant dense<1.0> : tensor<2xf32>
  %c = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = tg.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %c, %y : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// The folded values (after the 64-byte alignment word): weights 4, 1;
// bias 3, 0.
// CHECK: tdc_folded_weight{{.*}}: "0x40000000000080400000803F"
// CHECK: tdc_folded_bias{{.*}}: "0x400000000000404000000000"
