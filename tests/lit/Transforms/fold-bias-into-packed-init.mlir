// RUN: tdc-opt %s --tdc-fold-bias-into-packed-init | FileCheck %s

#a = affine_map<(m, p, k, l) -> (m, k)>
#b = affine_map<(m, p, k, l) -> (p, k, l)>
#c = affine_map<(m, p, k, l) -> (m, p, l)>
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (n)>
#row = affine_map<(m, n) -> (m)>
#tr = affine_map<(m, n) -> (n, m)>

// A packed matmul into zeros, then bias + Relu: the matmul starts from the
// bias, split into (panel, lane) and broadcast along the rows; the Relu
// stays, without the add (and without the bias operand it no longer reads).
// CHECK-LABEL: func.func @bias_relu
// CHECK: %[[B:.*]] = tensor.expand_shape %arg2 {{\[\[}}0, 1]] output_shape [2, 32] : tensor<64xf32> into tensor<2x32xf32>
// CHECK: %[[I:.*]] = linalg.broadcast ins(%[[B]] : tensor<2x32xf32>) outs(%{{.*}} : tensor<8x2x32xf32>) dimensions = [0]
// CHECK: %[[R:.*]] = linalg.generic {{.*}} outs(%[[I]] : tensor<8x2x32xf32>) attrs = {tdc.packed}
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[R]]
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<8x64xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[V]], %{{.*}} : f32
// CHECK-NEXT: linalg.yield %[[M]]
func.func @bias_relu(%a: tensor<8x16xf32>, %b: tensor<2x16x32xf32>,
                     %bias: tensor<64xf32>) -> tensor<8x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %x = tensor.expand_shape %f [[0], [1, 2]] output_shape [8, 2, 32] : tensor<8x64xf32> into tensor<8x2x32xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<2x16x32xf32>) outs(%x : tensor<8x2x32xf32>) attrs = {tdc.packed} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x2x32xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<8x2x32xf32> into tensor<8x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : tensor<8x64xf32>, tensor<64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %s = arith.addf %w, %v : f32
    %m = arith.maximumf %s, %z : f32
    linalg.yield %m : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// A value per row (no n dim) is broadcast along the panels and lanes; the
// consumer, left a copy, folds away.
// CHECK-LABEL: func.func @per_row
// CHECK: %[[I:.*]] = linalg.broadcast ins(%arg2 : tensor<8xf32>) outs(%{{.*}} : tensor<8x2x32xf32>) dimensions = [1, 2]
// CHECK: linalg.generic {{.*}} outs(%[[I]] : tensor<8x2x32xf32>) attrs = {tdc.packed}
// CHECK: %[[C:.*]] = tensor.collapse_shape
// CHECK-NOT: linalg.generic
// CHECK: return %[[C]]
func.func @per_row(%a: tensor<8x16xf32>, %b: tensor<2x16x32xf32>,
                   %v: tensor<8xf32>) -> tensor<8x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x2x32xf32>
  %x = linalg.fill ins(%z : f32) outs(%e : tensor<8x2x32xf32>) -> tensor<8x2x32xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<2x16x32xf32>) outs(%x : tensor<8x2x32xf32>) attrs = {tdc.packed} {
  ^bb0(%u: f32, %w: f32, %acc: f32):
    %p = arith.mulf %u, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x2x32xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<8x2x32xf32> into tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %v : tensor<8x64xf32>, tensor<8xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%s0: f32, %w: f32, %o: f32):
    %s = arith.addf %s0, %w : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// Not folded: the added operand is read transposed, or the matmul's
// result has another user.
// CHECK-LABEL: func.func @not_folded
// CHECK-NOT: linalg.broadcast
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
func.func @not_folded(%a: tensor<8x16xf32>, %b: tensor<2x16x32xf32>,
                      %t: tensor<64x8xf32>, %bias: tensor<64xf32>)
    -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x2x32xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x2x32xf32>
  %x = linalg.fill ins(%z : f32) outs(%e : tensor<8x2x32xf32>) -> tensor<8x2x32xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<2x16x32xf32>) outs(%x : tensor<8x2x32xf32>) attrs = {tdc.packed} {
  ^bb0(%u: f32, %w: f32, %acc: f32):
    %p = arith.mulf %u, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x2x32xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<8x2x32xf32> into tensor<8x64xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %t : tensor<8x64xf32>, tensor<64x8xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%s0: f32, %w: f32, %o: f32):
    %s = arith.addf %s0, %w : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  %r2 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<2x16x32xf32>) outs(%x : tensor<8x2x32xf32>) attrs = {tdc.packed} {
  ^bb0(%u: f32, %w: f32, %acc: f32):
    %p = arith.mulf %u, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x2x32xf32>
  %c2 = tensor.collapse_shape %r2 [[0], [1, 2]] : tensor<8x2x32xf32> into tensor<8x64xf32>
  %y2 = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c2, %bias : tensor<8x64xf32>, tensor<64xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%s0: f32, %w: f32, %o: f32):
    %s = arith.addf %s0, %w : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %y, %y2, %r2 : tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x2x32xf32>
}

// A bias add whose value another op reads twice (GELU: x * erf(x)): the add
// folds away, and the reader's two operands, now both the matmul's result,
// become one (so that it can be the matmul's epilogue).
// CHECK-LABEL: func.func @read_twice
// CHECK: %[[C:.*]] = tensor.collapse_shape
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<8x64xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: math.erf %[[V]]
// CHECK-NEXT: arith.mulf %[[V]]
func.func @read_twice(%a: tensor<8x16xf32>, %b: tensor<2x16x32xf32>,
                      %bias: tensor<64xf32>) -> tensor<8x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %x = tensor.expand_shape %f [[0], [1, 2]] output_shape [8, 2, 32] : tensor<8x64xf32> into tensor<8x2x32xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<2x16x32xf32>) outs(%x : tensor<8x2x32xf32>) attrs = {tdc.packed} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x2x32xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<8x2x32xf32> into tensor<8x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : tensor<8x64xf32>, tensor<64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  %g = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %y : tensor<8x64xf32>, tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %t = math.erf %v : f32
    %m = arith.mulf %u, %t : f32
    linalg.yield %m : f32
  } -> tensor<8x64xf32>
  return %g : tensor<8x64xf32>
}

// n = 40 padded to two panels of 32: the zero init is padded, the result
// sliced back to 40 columns. A constant bias is padded with zeros at
// compile time (a constant of 64, here folded with the split into
// panels), the add folds, and the slice is what
// the consumer returned.
// CHECK-LABEL: func.func @padded_n
// CHECK: %[[B:.*]] = arith.constant dense<{{\[\[}}1.500000e+00, {{.*}}, 1.500000e+00], [1.500000e+00, {{.*}}, 1.500000e+00, 0.000000e+00, {{.*}}, 0.000000e+00]]> : tensor<2x32xf32>
// CHECK-NOT: tensor.pad
// CHECK: %[[I:.*]] = linalg.broadcast ins(%[[B]] : tensor<2x32xf32>) outs(%{{.*}} : tensor<8x2x32xf32>) dimensions = [0]
// CHECK: linalg.generic {{.*}} outs(%[[I]] : tensor<8x2x32xf32>) attrs = {tdc.packed}
// CHECK: %[[C:.*]] = tensor.collapse_shape
// CHECK: %[[S:.*]] = tensor.extract_slice %[[C]][0, 0] [8, 40] [1, 1]
// CHECK-NOT: linalg.generic
// CHECK: return %[[S]]
func.func @padded_n(%a: tensor<8x16xf32>, %b: tensor<2x16x32xf32>) -> tensor<8x40xf32> {
  %z = arith.constant 0.0 : f32
  %bias = arith.constant dense<1.5> : tensor<40xf32>
  %e = tensor.empty() : tensor<8x40xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x40xf32>) -> tensor<8x40xf32>
  %p = tensor.pad %f low[0, 0] high[0, 24] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<8x40xf32> to tensor<8x64xf32>
  %x = tensor.expand_shape %p [[0], [1, 2]] output_shape [8, 2, 32] : tensor<8x64xf32> into tensor<8x2x32xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<2x16x32xf32>) outs(%x : tensor<8x2x32xf32>) attrs = {tdc.packed} {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %m = arith.mulf %u, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x2x32xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2]] : tensor<8x2x32xf32> into tensor<8x64xf32>
  %s = tensor.extract_slice %c[0, 0] [8, 40] [1, 1] : tensor<8x64xf32> to tensor<8x40xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s, %bias : tensor<8x40xf32>, tensor<40xf32>) outs(%e : tensor<8x40xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %t = arith.addf %v, %w : f32
    linalg.yield %t : f32
  } -> tensor<8x40xf32>
  return %y : tensor<8x40xf32>
}
