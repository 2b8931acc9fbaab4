// RUN: tdc-opt %s --tdc-parallelize-outer-loops --canonicalize | FileCheck %s
// RUN: tdc-opt %s --tdc-parallelize-outer-loops="min-work=1000000" | FileCheck %s --check-prefix=BIG

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#rowsum = affine_map<(d0, d1) -> (d1)>

// Unit dims are skipped; the channel loop alone makes enough tasks, and each
// task keeps whole 56x56 planes.
// CHECK-LABEL: func.func @relu
// CHECK: scf.forall (%[[C:.*]]) in (64) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x64x56x56xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, %[[C]], 0, 0] [1, 1, 56, 56] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x56x56xf32>)
// CHECK: tensor.parallel_insert_slice {{.*}} into %[[OUT]][0, %[[C]], 0, 0] [1, 1, 56, 56]
// BIG-LABEL: func.func @relu
// BIG-NOT: scf.forall
// BIG-LABEL: func.func @two_leading
func.func @relu(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x56x56xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x64x56x56xf32>) outs(%e : tensor<1x64x56x56xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maximumf %a, %cst : f32
    linalg.yield %m : f32
  } -> tensor<1x64x56x56xf32>
  return %r : tensor<1x64x56x56xf32>
}

// Fewer than min-tasks in the first loop: the next one is tiled too, but
// never the innermost.
// CHECK-LABEL: func.func @two_leading
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (4, 8)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4096xf32>)
func.func @two_leading(%x: tensor<4x8x4096xf32>) -> tensor<4x8x4096xf32> {
  %e = tensor.empty() : tensor<4x8x4096xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<4x8x4096xf32>) outs(%e : tensor<4x8x4096xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = math.exp %a : f32
    linalg.yield %m : f32
  } -> tensor<4x8x4096xf32>
  return %r : tensor<4x8x4096xf32>
}

// A strided convolution (no vector schedule): tasks over output channels.
// CHECK-LABEL: func.func @strided_conv
// CHECK: scf.forall (%{{.*}}) in (32)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} outs(%{{.*}} : tensor<1x1x28x28xf32>)
func.func @strided_conv(%in: tensor<1x16x57x57xf32>, %w: tensor<32x16x3x3xf32>, %o: tensor<1x32x28x28xf32>) -> tensor<1x32x28x28xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %w : tensor<1x16x57x57xf32>, tensor<32x16x3x3xf32>) outs(%o : tensor<1x32x28x28xf32>) -> tensor<1x32x28x28xf32>
  return %r : tensor<1x32x28x28xf32>
}

// Left alone: too little work, and a reduction as the outermost loop.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.forall
// CHECK-LABEL: func.func @reduction_outer
// CHECK-NOT: scf.forall
func.func @small(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %e = tensor.empty() : tensor<64x64xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}
func.func @reduction_outer(%x: tensor<512x512xf32>, %acc: tensor<512xf32>) -> tensor<512xf32> {
  %r = linalg.generic {indexing_maps = [#id2, #rowsum], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<512x512xf32>) outs(%acc : tensor<512xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<512xf32>
  return %r : tensor<512xf32>
}

// A transposed conv's flipped kernel reads 3 - d: the tile's slice would not
// hold what the kept map reads, so it stays a sequential loop nest.
// CHECK-LABEL: func.func @flipped_kernel
// CHECK-NOT: scf.forall
// CHECK: return
func.func @flipped_kernel(%w: tensor<1x256x128x4x4xf32>) -> tensor<1x128x256x4x4xf32> {
  %e = tensor.empty() : tensor<1x128x256x4x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 3, -d4 + 3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%w : tensor<1x256x128x4x4xf32>) outs(%e : tensor<1x128x256x4x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<1x128x256x4x4xf32>
  return %r : tensor<1x128x256x4x4xf32>
}

// Work counts the operands read per point: 16x16x384 points (under
// min-work) with two inputs make a forall, with one input not.
// CHECK-LABEL: func.func @two_inputs
// CHECK: scf.forall
// CHECK-LABEL: func.func @one_input
// CHECK-NOT: scf.forall
// CHECK: return
func.func @two_inputs(%x: tensor<1x16x16x384xf32>, %y: tensor<1x16x16x384xf32>) -> tensor<1x16x16x384xf32> {
  %e = tensor.empty() : tensor<1x16x16x384xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %y : tensor<1x16x16x384xf32>, tensor<1x16x16x384xf32>) outs(%e : tensor<1x16x16x384xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x16x16x384xf32>
  return %r : tensor<1x16x16x384xf32>
}
func.func @one_input(%x: tensor<1x16x16x384xf32>) -> tensor<1x16x16x384xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x16x384xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x16x16x384xf32>) outs(%e : tensor<1x16x16x384xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %cst : f32
    linalg.yield %m : f32
  } -> tensor<1x16x16x384xf32>
  return %r : tensor<1x16x16x384xf32>
}
