// RUN: tdc-opt %s --convert-tg-to-tx --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// RUN: tdc-opt %s --convert-tg-to-tx=anchorless=true | FileCheck %s --check-prefix=ANCHORLESS

// Conv with stride, padding and a constant weight and bias: one program
// whose conv scope (weight marked constant) is read by the bias scope, at
// the node.
// CHECK-LABEL: func.func @conv
// CHECK: %[[P:.+]] = tx.program(%arg0, %[[W:.+]], %arg1) names ["X", "K", "Bias"] constant [false, true, false]
// CHECK: %[[S:.+]] = tx.scope loops [n: 0:1, f: 0:4, h: 0:3, w: 0:3] sums [c: 0:3, r: 0:3, s: 0:3]
// CHECK: tx.read %{{.+}}[%n, %c, %h * 2 + %r - 1, %w * 2 + %s - 1] : tensor<1x3x5x5xf32>
// CHECK: tx.read %{{.+}}[%f, %c, %r, %s] : tensor<4x3x3x3xf32>
// CHECK: arith.mulf
// CHECK: } loc("c1 (Conv)")
// CHECK: tx.scope loops [e0: 0:1, e1: 0:4, e2: 0:3, e3: 0:3] (%[[S]], %Bias)
// CHECK: tx.read %{{.+}}[%e0, %e1, %e2, %e3] : tensor<1x4x3x3xf32>
// CHECK: tx.read %{{.+}}[%e1] : tensor<4xf32>
// CHECK: arith.addf
// CHECK: } loc("c1 (Conv)")
// CHECK: } loc("c1 (Conv)")
// CHECK: return %[[P]]
// CHECK-NOT: tg.conv
func.func @conv(%x: tensor<1x3x5x5xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  %w = tg.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = tg.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32> loc("c1 (Conv)")
  return %0 : tensor<1x4x3x3xf32>
}

// A region: the conv with the memory-bound chain after it (batch_norm,
// relu, a residual add, global average pooling), each the only user of the
// one before, composed into one scope that reads the conv's. The chain
// stops at an op whose operand has another user.
// CHECK-LABEL: func.func @region
// The residual operand is the conv's input: one input X, read at 0 in its
// size-1 batch dim (numpy broadcasting).
// CHECK: %[[R:.+]] = tx.program(%arg0, %arg1, %arg2, %arg3, %arg4, %arg5) names ["X", "K", "Mean", "Scale", "Var", "Shift"]
// CHECK: %[[C:.+]] = tx.scope loops [n: 0:1, f: 0:2, h: 0:4, w: 0:4] sums [c: 0:2, r: 0:1, s: 0:1]
// CHECK: tx.scope loops [n: 0:1, c: 0:2, o0: 0:1, o1: 0:1] sums [k0: 0:4, k1: 0:4] (%X, %[[C]], %Mean, %Scale, %Var, %Shift)
// CHECK: %[[RES:.+]] = tx.read %{{.+}}[0, %c, %o0 + %k0, %o1 + %k1]
// CHECK: tx.read %{{.+}}[%n, %c, %o0 + %k0, %o1 + %k1]
// CHECK: math.sqrt
// CHECK: %[[RELU:.+]] = tx.relu
// CHECK: arith.addf %[[RES]], %[[RELU]]
// CHECK: arith.constant 6.250000e-02
// CHECK: } loc("c (Conv)")
// CHECK: tg.exp %[[R]]
// CHECK: tg.neg %[[R]]
func.func @region(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %m: tensor<2xf32>, %s: tensor<2xf32>, %v: tensor<2xf32>, %b: tensor<2xf32>) -> (tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>) {
  %0 = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("c (Conv)")
  %1 = tg.batch_norm %0, %s, %b, %m, %v {epsilon = 1.0e-5 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("bn (BatchNormalization)")
  %2 = tg.relu %1 : tensor<1x2x4x4xf32> loc("r (Relu)")
  %3 = tg.add %x, %2 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("a (Add)")
  %4 = tg.average_pool %3 {kernel_shape = array<i64: 4, 4>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32> loc("p (GlobalAveragePool)")
  %5 = tg.exp %4 : tensor<1x2x1x1xf32>
  %6 = tg.neg %4 : tensor<1x2x1x1xf32>
  return %5, %6 : tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>
}

// A batch_norm with constant parameters folds to x * A[c] + B[c]: A =
// scale / sqrt(var + eps) = 2 / sqrt(4) = 1 and B = bias - mean * A = 3 - 1.
// CHECK-LABEL: func.func @bn_folded
// CHECK: tg.constant dense<4.000000e+00> : tensor<2xf32>
// CHECK-NEXT: %[[A:.+]] = tg.constant dense<1.000000e+00> : tensor<2xf32>
// CHECK-NEXT: %[[B:.+]] = tg.constant dense<2.000000e+00> : tensor<2xf32>
// CHECK: tx.program(%arg0, %arg1, %[[A]], %[[B]]) names ["A", "B", "E0", "E1"] constant [false, false, true, true]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: math.sqrt
func.func @bn_folded(%a: tensor<1x2x3xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x2x4xf32> {
  %s = tg.constant dense<2.0> : tensor<2xf32>
  %c = tg.constant dense<3.0> : tensor<2xf32>
  %m = tg.constant dense<1.0> : tensor<2xf32>
  %v = tg.constant dense<4.0> : tensor<2xf32>
  %0 = tg.matmul %a, %b : (tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  %1 = tg.batch_norm %0, %s, %c, %m, %v {epsilon = 0.0 : f64} : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4xf32>
  return %1 : tensor<1x2x4xf32>
}

// A padded average pool reads a materialized tensor (its padding reads
// zero) and divides by per-position tap counts: constants made for the
// program (count_include_pad = 0: 1/2 at the borders, 1/3 inside).
// CHECK-LABEL: func.func @pool_padded
// CHECK: %[[D:.+]] = tg.constant dense<[5.000000e-01, 0.333333343, 0.333333343, 5.000000e-01]> : tensor<4xf32>
// CHECK: tx.program(%arg0, %arg1, %[[D]]) names ["A", "B", "E0"] constant [false, false, true]
// CHECK: tx.scope loops [e0: 0:1, e1: 0:1, e2: 0:4]
// CHECK: tx.relu
// CHECK: tx.scope loops [n: 0:1, c: 0:1, o0: 0:4] sums [k0: 0:3]
// CHECK: tx.read %{{.+}}[%n, %c, %o0 + %k0 - 1]
// CHECK: tx.read %{{.+}}[%o0] : tensor<4xf32>
func.func @pool_padded(%a: tensor<1x1x2xf32>, %b: tensor<1x2x4xf32>) -> tensor<1x1x4xf32> {
  %0 = tg.matmul %a, %b : (tensor<1x1x2xf32>, tensor<1x2x4xf32>) -> tensor<1x1x4xf32>
  %1 = tg.relu %0 : tensor<1x1x4xf32>
  %2 = tg.average_pool %1 {kernel_shape = array<i64: 3>, strides = array<i64: 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  return %2 : tensor<1x1x4xf32>
}

// Reductions sum over the reduced dims; keepdims traverses a size-1 dim
// that is not read; a mean scales by 1/count.
// CHECK-LABEL: func.func @reduce
// CHECK: tx.scope loops [e0: 0:2, e1: 0:1, e2: 0:1] sums [r1: 0:3, r2: 0:5]
// CHECK: tx.read %{{.+}}[%e0, %r1, %r2]
// CHECK: arith.constant 0.0666666701
// CHECK-NOT: tg.reduce_mean
func.func @reduce(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x1x1xf32> {
  %0 = tg.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %1 = tg.reduce_mean %0 {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x5xf32>) -> tensor<2x1x1xf32>
  return %1 : tensor<2x1x1xf32>
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
// CHECK: tx.program(%arg0, %arg1, %arg2) names ["A", "B", "Bias"]
// CHECK: tx.scope loops [i: 0:3, j: 0:5] sums [k: 0:4]
// CHECK: tx.read %{{.+}}[%k, %i] : tensor<4x3xf32>
// CHECK: tx.read %{{.+}}[%j, %k] : tensor<5x4xf32>
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

// MatMul with numpy semantics: broadcast batch dims read at 0 (size 1) or
// are absent (missing leading dims); a 1-D A is a row whose dim the result
// drops.
// CHECK-LABEL: func.func @matmul_broadcast
// CHECK: tx.scope loops [b0: 0:2, b1: 0:5, i: 0:3, j: 0:6] sums [k: 0:4]
// CHECK: tx.read %{{.+}}[%b0, 0, %i, %k] : tensor<2x1x3x4xf32>
// CHECK: tx.read %{{.+}}[%b1, %k, %j] : tensor<5x4x6xf32>
// CHECK: tx.scope loops [b0: 0:5, j: 0:6] sums [k: 0:4]
// CHECK: tx.read %{{.+}}[%k] : tensor<4xf32>
func.func @matmul_broadcast(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>, %v: tensor<4xf32>) -> (tensor<2x5x3x6xf32>, tensor<5x6xf32>) {
  %0 = tg.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  %1 = tg.matmul %v, %b : (tensor<4xf32>, tensor<5x4x6xf32>) -> tensor<5x6xf32>
  return %0, %1 : tensor<2x5x3x6xf32>, tensor<5x6xf32>
}

// Grouped ConvTranspose: output channel f is in group f / (F/g), input
// channel g*Cg + c, weight [g*Cg + c, f mod (F/g), tap]. A dilated one
// without stride sums over the taps.
// CHECK-LABEL: func.func @conv_transpose_forms
// CHECK: tx.read %{{.+}}[%n, (%f floordiv 3) * 2 + %c, %p]
// CHECK: tx.read %{{.+}}[(%f floordiv 3) * 2 + %c, %f mod 3, %h - %p * 2]
// CHECK: tx.scope loops [n: 0:1, f: 0:2, h: 0:7] sums [c: 0:4, r: 0:3]
// CHECK: tx.read %{{.+}}[%n, %c, %h - %r * 2]
// CHECK: tx.read %{{.+}}[%c, %f, %r]
func.func @conv_transpose_forms(%x: tensor<1x4x3xf32>, %w: tensor<4x3x2xf32>, %d: tensor<4x2x3xf32>) -> (tensor<1x6x6xf32>, tensor<1x2x7xf32>) {
  %0 = tg.conv_transpose %x, %w {strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, output_padding = array<i64: 0>, group = 2} : (tensor<1x4x3xf32>, tensor<4x3x2xf32>) -> tensor<1x6x6xf32>
  %1 = tg.conv_transpose %x, %d {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 2>, output_padding = array<i64: 0>, group = 1} : (tensor<1x4x3xf32>, tensor<4x2x3xf32>) -> tensor<1x2x7xf32>
  return %0, %1 : tensor<1x6x6xf32>, tensor<1x2x7xf32>
}

// Forms without an expression stay tg ops (convert-tg-to-linalg lowers
// them): non-f32 types, dilated and strided ConvTranspose.
// CHECK-LABEL: func.func @kept
// CHECK: tg.matmul
// CHECK: tg.conv_transpose
// CHECK-NOT: tx.program
func.func @kept(%c: tensor<3x4xf64>, %d: tensor<4x2xf64>, %x: tensor<1x4x3xf32>, %w: tensor<4x2x3xf32>) -> (tensor<3x2xf64>, tensor<1x2x9xf32>) {
  %1 = tg.matmul %c, %d : (tensor<3x4xf64>, tensor<4x2xf64>) -> tensor<3x2xf64>
  %2 = tg.conv_transpose %x, %w {strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 2>, output_padding = array<i64: 0>, group = 1} : (tensor<1x4x3xf32>, tensor<4x2x3xf32>) -> tensor<1x2x9xf32>
  return %1, %2 : tensor<3x2xf64>, tensor<1x2x9xf32>
}

// With anchorless, memory-bound chains without a compute op become programs
// too; without it they stay tg ops.
// ANCHORLESS-LABEL: func.func @chain
// ANCHORLESS: tx.program(%arg0, %arg1) names ["X", "E0"]
// ANCHORLESS: tx.scope loops [e0: 0:2, e1: 0:3]
// ANCHORLESS: tx.read %{{.+}}[%e1] : tensor<3xf32>
// ANCHORLESS: arith.subf
// ANCHORLESS: tx.max
// ANCHORLESS: tx.min
// CHECK-LABEL: func.func @chain
// CHECK: tg.sub
// CHECK: tg.clip
func.func @chain(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = tg.sub %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = tg.clip %0 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
