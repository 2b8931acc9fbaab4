// RUN: tdc-opt %s --convert-tg-to-tx --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s

// Conv with stride, padding and a constant weight and bias: one program for
// the conv (weight marked constant), one for the bias, both at the node.
// CHECK-LABEL: func.func @conv
// CHECK: %[[P:.+]] = tx.program(%arg0, %[[W:.+]]) names ["X", "K"] constant [false, true]
// CHECK: tx.scope loops [n: 0:1, f: 0:4, h: 0:3, w: 0:3] sums [c: 0:3, r: 0:3, s: 0:3]
// CHECK: tx.read %{{.+}}[%n, %c, %h * 2 + %r - 1, %w * 2 + %s - 1] : tensor<1x3x5x5xf32>
// CHECK: tx.read %{{.+}}[%f, %c, %r, %s] : tensor<4x3x3x3xf32>
// CHECK: arith.mulf
// CHECK: } loc("c1 (Conv)")
// CHECK: } loc("c1 (Conv)")
// CHECK: %[[E:.+]] = tx.program(%[[P]], %arg1) names ["P", "Bias"] constant [false, false]
// CHECK: tx.scope loops [e0: 0:1, e1: 0:4, e2: 0:3, e3: 0:3]
// CHECK: tx.read %{{.+}}[%e1] : tensor<4xf32>
// CHECK: arith.addf
// CHECK: } loc("c1 (Conv)")
// CHECK: } loc("c1 (Conv)")
// CHECK: return %[[E]]
// CHECK-NOT: tg.conv
func.func @conv(%x: tensor<1x3x5x5xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  %w = tg.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = tg.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32> loc("c1 (Conv)")
  return %0 : tensor<1x4x3x3xf32>
}

// Groups read the channel f / (F/g) * C/g + c.
// CHECK-LABEL: func.func @conv_group
// CHECK: tx.read %{{.+}}[%n, (%f floordiv 2) * 2 + %c, %h + %r, %w + %s]
func.func @conv_group(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x2x2xf32>) -> tensor<1x4x4x4xf32> {
  %0 = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2} : (tensor<1x4x5x5xf32>, tensor<4x2x2x2xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// ConvTranspose: the kernel tap o + pad - stride * i connects input i to
// output o; reads outside the kernel are zero.
// CHECK-LABEL: func.func @conv_transpose
// CHECK: tx.scope loops [n: 0:1, f: 0:2, h: 0:6] sums [c: 0:3, p: 0:3]
// CHECK: tx.read %{{.+}}[%n, %c, %p]
// CHECK: tx.read %{{.+}}[%c, %f, %h - %p * 2]
func.func @conv_transpose(%x: tensor<1x3x3xf32>, %w: tensor<3x2x2xf32>) -> tensor<1x2x6xf32> {
  %0 = tg.conv_transpose %x, %w {strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, group = 1} : (tensor<1x3x3xf32>, tensor<3x2x2xf32>) -> tensor<1x2x6xf32>
  return %0 : tensor<1x2x6xf32>
}

// Gemm: transposed operands are subscript orders; alpha * P + beta * C with
// C broadcast from 1x5 (its size-1 dim reads at 0).
// CHECK-LABEL: func.func @gemm
// CHECK: tx.program(%arg0, %arg1) names ["A", "B"]
// CHECK: tx.scope loops [i: 0:3, j: 0:5] sums [k: 0:4]
// CHECK: tx.read %{{.+}}[%k, %i] : tensor<4x3xf32>
// CHECK: tx.read %{{.+}}[%j, %k] : tensor<5x4xf32>
// CHECK: tx.program(%{{.+}}, %arg2) names ["P", "Bias"]
// CHECK: %[[ALPHA:.+]] = arith.constant 2.500000e-01 : f32
// CHECK: %[[PR:.+]] = tx.read %{{.+}}[%e0, %e1] : tensor<3x5xf32>
// CHECK: arith.mulf %[[ALPHA]], %[[PR]]
// CHECK: %[[BETA:.+]] = arith.constant 3.500000e-01 : f32
// CHECK: %[[C:.+]] = tx.read %{{.+}}[0, %e1] : tensor<1x5xf32>
// CHECK: arith.mulf %[[BETA]], %[[C]]
// CHECK: arith.addf
func.func @gemm(%a: tensor<4x3xf32>, %b: tensor<5x4xf32>, %c: tensor<1x5xf32>) -> tensor<3x5xf32> {
  %0 = tg.gemm %a, %b, %c {alpha = 0.25 : f64, beta = 0.35 : f64, transA = true, transB = true} : (tensor<4x3xf32>, tensor<5x4xf32>, tensor<1x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// Batched matmul: batch dims are shared traversal iterators.
// CHECK-LABEL: func.func @matmul_batched
// CHECK: tx.scope loops [b0: 0:2, i: 0:3, j: 0:5] sums [k: 0:4]
// CHECK: tx.read %{{.+}}[%b0, %i, %k]
// CHECK: tx.read %{{.+}}[%b0, %k, %j]
func.func @matmul_batched(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = tg.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// Forms without an expression stay tg ops (convert-tg-to-linalg lowers
// them): broadcast batch dims, non-f32 types.
// CHECK-LABEL: func.func @kept
// CHECK: tg.matmul
// CHECK: tg.matmul
// CHECK-NOT: tx.program
func.func @kept(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>, %c: tensor<3x4xf64>, %d: tensor<4x2xf64>) -> (tensor<2x5x3x6xf32>, tensor<3x2xf64>) {
  %0 = tg.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  %1 = tg.matmul %c, %d : (tensor<3x4xf64>, tensor<4x2xf64>) -> tensor<3x2xf64>
  return %0, %1 : tensor<2x5x3x6xf32>, tensor<3x2xf64>
}
