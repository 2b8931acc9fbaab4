// RUN: tdc-opt %s --tdc-sink-layout-transposes --canonicalize | FileCheck %s

// The NHWC read of @pool_of_transpose below (map aliases print first).
// CHECK-DAG: #[[GAPIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2 + d4, d3 + d5, d1)>

#nchw_to_nhwc_src = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
#nchw_to_nhwc_dst = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#nhwc_to_nchw_src = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#nhwc_to_nchw_dst = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1)>

// conv result (NHWC) -> back to NCHW -> ReLU with a per-channel bias ->
// NCHW to NHWC for the next conv: the ReLU runs on the NHWC value (its
// bias read along the last dim), and the two copies cancel. The copy back
// stays for the other user (the return).
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$LAST:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @chain
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$LAST]], #[[$ID]]]{{.*}} ins(%arg0, %arg1 : tensor<1x4x4x8xf32>, tensor<8xf32>) outs(%{{.*}} : tensor<1x4x4x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x8x4x4xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]], %[[B]]
func.func @chain(%y: tensor<1x4x4x8xf32>, %bias: tensor<8xf32>) -> (tensor<1x4x4x8xf32>, tensor<1x8x4x4xf32>) {
  %cst = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x8x4x4xf32>
  %back = linalg.generic {indexing_maps = [#nhwc_to_nchw_src, #nhwc_to_nchw_dst], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<1x4x4x8xf32>) outs(%e0 : tensor<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<1x8x4x4xf32>
  %e1 = tensor.empty() : tensor<1x8x4x4xf32>
  %relu = linalg.generic {indexing_maps = [#id, #chan, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%back, %bias : tensor<1x8x4x4xf32>, tensor<8xf32>) outs(%e1 : tensor<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %cst : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x4xf32>
  %e2 = tensor.empty() : tensor<1x4x4x8xf32>
  %next = linalg.generic {indexing_maps = [#nchw_to_nhwc_src, #nchw_to_nhwc_dst], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%relu : tensor<1x8x4x4xf32>) outs(%e2 : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<1x4x4x8xf32>
  return %next, %relu : tensor<1x4x4x8xf32>, tensor<1x8x4x4xf32>
}

// A residual add of two transposed-back values runs on both sources.
// CHECK-LABEL: func.func @residual
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]]{{.*}} ins(%arg0, %arg1 : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>)
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x8x4x4xf32>)
// CHECK: return %[[B]]
func.func @residual(%y: tensor<1x4x4x8xf32>, %z: tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32> {
  %e0 = tensor.empty() : tensor<1x8x4x4xf32>
  %a = linalg.generic {indexing_maps = [#nhwc_to_nchw_src, #nhwc_to_nchw_dst], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<1x4x4x8xf32>) outs(%e0 : tensor<1x8x4x4xf32>) {
  ^bb0(%p: f32, %q: f32):
    linalg.yield %p : f32
  } -> tensor<1x8x4x4xf32>
  %b = linalg.generic {indexing_maps = [#nhwc_to_nchw_src, #nhwc_to_nchw_dst], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%z : tensor<1x4x4x8xf32>) outs(%e0 : tensor<1x8x4x4xf32>) {
  ^bb0(%p: f32, %q: f32):
    linalg.yield %p : f32
  } -> tensor<1x8x4x4xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %b : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) outs(%e0 : tensor<1x8x4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %r: f32):
    %t = arith.addf %p, %q : f32
    linalg.yield %t : f32
  } -> tensor<1x8x4x4xf32>
  return %s : tensor<1x8x4x4xf32>
}

// A pooling reduction of a transposed activation (GlobalAveragePool after
// the last channels-last convolution) reads the NHWC source through the
// permutation; the copy goes away.
// CHECK-LABEL: func.func @pool_of_transpose
// CHECK-NOT: linalg.pooling_nchw_sum
// CHECK: linalg.generic {indexing_maps = [#[[GAPIN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%arg0, %{{.*}} : tensor<1x7x7x64xf32>, tensor<7x7xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @pool_of_transpose(%x: tensor<1x7x7x64xf32>) -> tensor<1x64x1x1xf32> {
  %e = tensor.empty() : tensor<1x64x7x7xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x7x7x64xf32>) outs(%e : tensor<1x64x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x64x7x7xf32>
  %zero = arith.constant 0.0 : f32
  %oe = tensor.empty() : tensor<1x64x1x1xf32>
  %o = linalg.fill ins(%zero : f32) outs(%oe : tensor<1x64x1x1xf32>) -> tensor<1x64x1x1xf32>
  %w = tensor.empty() : tensor<7x7xf32>
  %r = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%t, %w : tensor<1x64x7x7xf32>, tensor<7x7xf32>) outs(%o : tensor<1x64x1x1xf32>) -> tensor<1x64x1x1xf32>
  return %r : tensor<1x64x1x1xf32>
}

// A convolution of a transposed activation keeps reading the copy: its
// schedule wants the layout it was lowered for.
// CHECK-LABEL: func.func @conv_of_transpose
// CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x7x7x64xf32>) outs(%{{.*}} : tensor<1x64x7x7xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[T]], %arg1
func.func @conv_of_transpose(%x: tensor<1x7x7x64xf32>, %w: tensor<8x64x1x1xf32>) -> tensor<1x8x7x7xf32> {
  %e = tensor.empty() : tensor<1x64x7x7xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x7x7x64xf32>) outs(%e : tensor<1x64x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x64x7x7xf32>
  %zero = arith.constant 0.0 : f32
  %oe = tensor.empty() : tensor<1x8x7x7xf32>
  %o = linalg.fill ins(%zero : f32) outs(%oe : tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%t, %w : tensor<1x64x7x7xf32>, tensor<8x64x1x1xf32>) outs(%o : tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32>
  return %r : tensor<1x8x7x7xf32>
}
