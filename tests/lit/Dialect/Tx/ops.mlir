// RUN: tdc-opt %s | tdc-opt | FileCheck %s

// Round trip of the tx assembly: a padded 3x3 conv as a matmul on the
// unpadded input plus an eOperator summing shifted slices (the derivation
// of docs/derivation.md), with floor division, modulo, a nested scope whose
// range does not start at 0, every scalar op, and a constant input.

// CHECK-LABEL: func.func @conv_derived
// CHECK: tx.program(%{{.*}}, %{{.*}}) names ["X", "K"] constant [false, true] : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
// CHECK: ^bb0(%X: tensor<1x4x5x5xf32>, %K: tensor<4x4x3x3xf32>):
// CHECK: %[[T:.+]] = tx.scope loops [t1: 0:5, t2: 0:5, r: 0:3, s: 0:3, f: 0:4] sums [c: 0:4] (%X, %K)
// CHECK: ^bb0(%t1: index, %t2: index, %r: index, %s: index, %f: index, %c: index, %[[XA:.+]]: tensor<1x4x5x5xf32>, %[[KA:.+]]: tensor<4x4x3x3xf32>):
// CHECK: tx.read %[[XA]][0, %c, %t1, %t2] : tensor<1x4x5x5xf32>
// CHECK: tx.read %[[KA]][%f, %c, %r, %s] : tensor<4x4x3x3xf32>
// CHECK: tx.scope loops [n: 0:1, f: 0:4, h: 0:5, w: 0:5] sums [r: 0:3, s: 0:3] (%[[T]])
// CHECK: tx.read %{{.+}}[%h + %r - 1, %w + %s - 1, %r, %s, %f]
// CHECK: tx.return
func.func @conv_derived(%x: tensor<1x4x5x5xf32>, %k: tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %0 = tx.program(%x, %k) names ["X", "K"] constant [false, true] : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%X: tensor<1x4x5x5xf32>, %K: tensor<4x4x3x3xf32>):
    %t = tx.scope loops [t1: 0:5, t2: 0:5, r: 0:3, s: 0:3, f: 0:4] sums [c: 0:4] (%X, %K) : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<5x5x3x3x4xf32> {
    ^bb0(%t1: index, %t2: index, %r: index, %s: index, %f: index, %c: index, %xa: tensor<1x4x5x5xf32>, %ka: tensor<4x4x3x3xf32>):
      %a = tx.read %xa[0, %c, %t1, %t2] : tensor<1x4x5x5xf32>
      %b = tx.read %ka[%f, %c, %r, %s] : tensor<4x4x3x3xf32>
      %m = arith.mulf %a, %b : f32
      tx.yield %m : f32
    }
    %y = tx.scope loops [n: 0:1, f: 0:4, h: 0:5, w: 0:5] sums [r: 0:3, s: 0:3] (%t) : (tensor<5x5x3x3x4xf32>) -> tensor<1x4x5x5xf32> {
    ^bb0(%n: index, %f: index, %h: index, %w: index, %r: index, %s: index, %ta: tensor<5x5x3x3x4xf32>):
      %v = tx.read %ta[%h + %r - 1, %w + %s - 1, %r, %s, %f] : tensor<5x5x3x3x4xf32>
      tx.yield %v : f32
    }
    tx.return %y : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// CHECK-LABEL: func.func @scalars
// CHECK: tx.scope loops [i: -1:3] (%A)
// CHECK: tx.read %{{.+}}[%i floordiv 2, %i mod 3]
// CHECK: tx.relu
// CHECK: tx.scope loops [j: 0:4] sums [k: -1:2] (%{{.+}}, %A)
// CHECK: tx.read %{{.+}}[%j + %k]
// CHECK: tx.sigmoid
// CHECK: tx.max
// CHECK: tx.min
// CHECK: math.tanh
// CHECK: arith.divf
func.func @scalars(%a: tensor<3x3xf32>) -> tensor<4xf32> {
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<3x3xf32>) -> tensor<4xf32> {
  ^bb0(%A: tensor<3x3xf32>):
    %n = tx.scope loops [i: -1:3] (%A) : (tensor<3x3xf32>) -> tensor<4xf32> {
    ^bb0(%i: index, %aa: tensor<3x3xf32>):
      %v = tx.read %aa[%i floordiv 2, %i mod 3] : tensor<3x3xf32>
      %r = tx.relu %v : f32
      tx.yield %r : f32
    }
    %y = tx.scope loops [j: 0:4] sums [k: -1:2] (%n, %A) : (tensor<4xf32>, tensor<3x3xf32>) -> tensor<4xf32> {
    ^bb0(%j: index, %k: index, %na: tensor<4xf32>, %aa: tensor<3x3xf32>):
      %u = tx.read %na[%j + %k] : tensor<4xf32>
      %w = tx.read %aa[%k, 1] : tensor<3x3xf32>
      %s = tx.sigmoid %u : f32
      %mx = tx.max %s, %w : f32
      %mn = tx.min %mx, %u : f32
      %t = math.tanh %mn : f32
      %c = arith.constant 2.5 : f32
      %d = arith.divf %t, %c : f32
      tx.yield %d : f32
    }
    tx.return %y : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}
