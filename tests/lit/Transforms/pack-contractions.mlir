// RUN: tdc-opt %s --tdc-pack-contractions | FileCheck %s
// RUN: tdc-opt %s --tdc-pack-contractions=vector-bits=256 | FileCheck %s --check-prefix=AVX2

// CHECK: #[[READ:.*]] = affine_map<(d0, d1, d2) -> (d0 * 32 + d2, d1)>

// A constant B is packed at compile time into [N/Nr, K, Nr] panels, N
// padded with zeros (3 columns -> one panel of 8 lanes, half a 512-bit
// register); the output is padded, split into (panel, lane) and sliced back.
// CHECK-LABEL: func.func @const_b
// CHECK: %[[P:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]> : tensor<1x2x8xf32>
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0] high[0, 5]
// CHECK: %[[E:.*]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2]] output_shape [5, 1, 8]
// CHECK: %[[R:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%{{.*}}, %[[P]] : tensor<5x2xf32>, tensor<1x2x8xf32>) outs(%[[E]] : tensor<5x1x8xf32>) attrs = {tdc.packed}
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[R]]
// CHECK: tensor.extract_slice %[[C]][0, 0] [5, 3] [1, 1] : tensor<5x8xf32> to tensor<5x3xf32>
func.func @const_b(%a: tensor<5x2xf32>) -> tensor<5x3xf32> {
  %b = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<5x3xf32>) -> tensor<5x3xf32>
  %r = linalg.matmul ins(%a, %b : tensor<5x2xf32>, tensor<2x3xf32>) outs(%f : tensor<5x3xf32>) -> tensor<5x3xf32>
  return %r : tensor<5x3xf32>
}

// A collapsed constant (a derived matmul's weight, [k, f, tap] merged to
// [k, f*tap]) is packed at compile time from the constant's row-major
// elements, not copied at run time.
// CHECK-LABEL: func.func @collapsed_const_b
// CHECK: %[[P:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]> : tensor<1x2x8xf32>
// CHECK-NOT: linalg.generic {{.*}}ins(%{{.*}} : tensor<2x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[P]] : tensor<5x2xf32>, tensor<1x2x8xf32>) {{.*}}attrs = {tdc.packed}
func.func @collapsed_const_b(%a: tensor<5x2xf32>) -> tensor<5x4xf32> {
  %w = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]> : tensor<2x2x2xf32>
  %b = tensor.collapse_shape %w [[0], [1, 2]] : tensor<2x2x2xf32> into tensor<2x4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<5x4xf32>) -> tensor<5x4xf32>
  %r = linalg.matmul ins(%a, %b : tensor<5x2xf32>, tensor<2x4xf32>) outs(%f : tensor<5x4xf32>) -> tensor<5x4xf32>
  return %r : tensor<5x4xf32>
}

// A B computed at run time, here transposed (B[n, k], Gemm's transB), is
// packed by a copy loop reading lane j of panel p at n = p * 32 + j; two
// 512-bit registers per panel, 16 lanes (two 256-bit ones) for AVX2.
// CHECK-LABEL: func.func @trans_b
// CHECK: %[[BP:.*]] = linalg.generic {indexing_maps = [#[[READ]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<64x16xf32>) outs(%{{.*}} : tensor<2x16x32xf32>)
// CHECK: tensor.expand_shape %{{.*}} output_shape [8, 2, 32]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[BP]] : tensor<8x16xf32>, tensor<2x16x32xf32>) outs(%{{.*}} : tensor<8x2x32xf32>) attrs = {tdc.packed}
// CHECK-NOT: tensor.extract_slice
// AVX2-LABEL: func.func @trans_b
// AVX2: tensor<4x16x16xf32>
#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @trans_b(%a: tensor<8x16xf32>, %b: tensor<64x16xf32>, %c: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mBt, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x16xf32>, tensor<64x16xf32>) outs(%c : tensor<8x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// Two matmuls that start from one (CSE-shared) fill each get a fill of
// their own, so that each one's tiling can fuse it into its tasks.
// CHECK-LABEL: func.func @shared_fill
// CHECK: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<8x2x32xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[F1]] : tensor<8x2x32xf32>) attrs = {tdc.packed}
// CHECK: %[[F2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<8x2x32xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[F2]] : tensor<8x2x32xf32>) attrs = {tdc.packed}
func.func @shared_fill(%a: tensor<8x16xf32>, %b: tensor<16x64xf32>, %c: tensor<8x16xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r1 = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r2 = linalg.matmul ins(%c, %b : tensor<8x16xf32>, tensor<16x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %r1, %r2 : tensor<8x64xf32>, tensor<8x64xf32>
}

// Batch dims of B stay in front of its panels.
// CHECK-LABEL: func.func @batch
// CHECK: tensor.pad %{{.*}} low[0, 0, 0] high[0, 0, 4]
// CHECK: : tensor<2x8x12xf32> to tensor<2x8x16xf32>
// CHECK: outs(%{{.*}} : tensor<2x1x8x16xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x4x8xf32>, tensor<2x1x8x16xf32>) outs(%{{.*}} : tensor<2x4x1x16xf32>) attrs = {tdc.packed}
func.func @batch(%a: tensor<2x4x8xf32>, %b: tensor<2x8x12xf32>, %c: tensor<2x4x12xf32>) -> tensor<2x4x12xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<2x4x8xf32>, tensor<2x8x12xf32>) outs(%c : tensor<2x4x12xf32>) -> tensor<2x4x12xf32>
  return %r : tensor<2x4x12xf32>
}

// Reductions over two dims (a convolution as a contraction) are left alone.
// CHECK-LABEL: func.func @two_reductions
// CHECK-NOT: tdc.packed
#m2A = affine_map<(m, n, k, l) -> (m, k, l)>
#m2B = affine_map<(m, n, k, l) -> (k, l, n)>
#m2C = affine_map<(m, n, k, l) -> (m, n)>
func.func @two_reductions(%a: tensor<4x3x3xf32>, %b: tensor<3x3x32xf32>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %r = linalg.generic {indexing_maps = [#m2A, #m2B, #m2C], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : tensor<4x3x3xf32>, tensor<3x3x32xf32>) outs(%c : tensor<4x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}
