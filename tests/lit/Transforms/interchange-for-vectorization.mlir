// RUN: tdc-opt %s --tdc-interchange-for-vectorization | FileCheck %s

// matmul i-j-k becomes i-k-j: the innermost loop walks C and B with unit
// stride.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// (The maps of @global_pool_nhwc, below.)
// CHECK-DAG: #[[IMG:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4, d5)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
// CHECK-DAG: #[[SUM:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d5, d1, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]}
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// Elementwise ops are left alone.
// CHECK-LABEL: func.func @add
// CHECK: linalg.add
func.func @add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.add ins(%a, %b : tensor<4xf32>, tensor<4xf32>) outs(%a : tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A global average pool's sum of a channels-last image into [N, C, 1, 1]:
// the output's last dims have extent 1, and C, the last of extent > 1, is
// the image's innermost index. C becomes the innermost loop (unit stride
// in both), after the window's reductions.
// CHECK-LABEL: func.func @global_pool_nhwc
// CHECK: linalg.generic {indexing_maps = [#[[IMG]], #[[WIN]], #[[SUM]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
#img = affine_map<(n, c, oh, kh, kw, ow) -> (n, oh + kh, kw + ow, c)>
#win = affine_map<(n, c, oh, kh, kw, ow) -> (kh, kw)>
#sum = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh, ow)>
func.func @global_pool_nhwc(%x: tensor<1x7x7x64xf32>, %acc: tensor<1x64x1x1xf32>) -> tensor<1x64x1x1xf32> {
  %w = tensor.empty() : tensor<7x7xf32>
  %0 = linalg.generic {indexing_maps = [#img, #win, #sum], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%x, %w : tensor<1x7x7x64xf32>, tensor<7x7xf32>) outs(%acc : tensor<1x64x1x1xf32>) {
  ^bb0(%in: f32, %unused: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<1x64x1x1xf32>
  return %0 : tensor<1x64x1x1xf32>
}

// A row product-sum with keepdims ([M, K] x [K] -> [M, 1]): M is no
// input's innermost index, so the loops stay (M, K, 1), K walking A with
// unit stride.
// CHECK-LABEL: func.func @row_sum_keepdims
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "reduction", "parallel"]}
#rowA = affine_map<(m, k, one) -> (m, k)>
#rowV = affine_map<(m, k, one) -> (k)>
#rowOut = affine_map<(m, k, one) -> (m, one)>
func.func @row_sum_keepdims(%a: tensor<4x8xf32>, %v: tensor<8xf32>, %acc: tensor<4x1xf32>) -> tensor<4x1xf32> {
  %0 = linalg.generic {indexing_maps = [#rowA, #rowV, #rowOut], iterator_types = ["parallel", "reduction", "parallel"]} ins(%a, %v : tensor<4x8xf32>, tensor<8xf32>) outs(%acc : tensor<4x1xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}
