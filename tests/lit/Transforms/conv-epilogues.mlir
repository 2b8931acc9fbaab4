// RUN: tdc-opt %s --tdc-tile-and-vectorize-contractions --loop-invariant-subset-hoisting --canonicalize --cse | FileCheck %s
#cl_img = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 + d5, d2 + d6, d7)>
#cl_fil = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
#cl_out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>

// A Clip after a channels-last convolution (read through the reshape that
// merges the channel blocks) is applied to each register tile after its
// reductions, on the hoisted accumulators: no pass of its own, no reload
// of the tile; the reshape now follows the convolution's loops.
// CHECK-LABEL: func.func @clip
// CHECK: scf.forall
// CHECK: %[[ACC:.*]]:14 = scf.for {{.*}} -> (vector<16xf32>
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK-NOT: vector.transfer_read
// CHECK: %[[LO:.*]] = arith.maximumf %[[ACC]]#0, %{{.*}} : vector<16xf32>
// CHECK: arith.minimumf %[[LO]], %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_write
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.generic
// CHECK: tensor.collapse_shape
func.func @clip(%in: tensor<1x9x9x64xf32>, %w: tensor<2x3x3x64x32xf32>, %bias: tensor<2x32xf32>) -> tensor<1x7x7x64xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<1x7x7x2x32xf32>
  %o = linalg.broadcast ins(%bias : tensor<2x32xf32>) outs(%e : tensor<1x7x7x2x32xf32>) dimensions = [0, 1, 2]
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x9x9x64xf32>, tensor<2x3x3x64x32xf32>) outs(%o : tensor<1x7x7x2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x7x7x2x32xf32>
  %c = tensor.collapse_shape %0 [[0], [1], [2], [3, 4]] : tensor<1x7x7x2x32xf32> into tensor<1x7x7x64xf32>
  %e2 = tensor.empty() : tensor<1x7x7x64xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x7x7x64xf32>) outs(%e2 : tensor<1x7x7x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %x = arith.maximumf %a, %zero : f32
    %y = arith.minimumf %x, %six : f32
    linalg.yield %y : f32
  } -> tensor<1x7x7x64xf32>
  return %r : tensor<1x7x7x64xf32>
}

// A residual Add + Relu: the residual (computed after the convolution, which
// moves below it) and a per-channel scale, expanded to the blocks, are read
// per tile; the Relu applies to the sum.
// CHECK-LABEL: func.func @residual
// CHECK: %[[RES:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2], [3, 4]]
// CHECK: %[[SCALE:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1]]
// CHECK: scf.forall (%[[F:.*]], %[[R:.*]]) in (2, 7)
// CHECK: %[[ACC:.*]]:14 = scf.for {{.*}} -> (vector<16xf32>
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: %[[RT:.*]] = tensor.extract_slice %[[RES]][0, %[[R]], 0, %[[F]], 0] [1, 1, 7, 1, 32]
// CHECK: %[[ST:.*]] = tensor.extract_slice %[[SCALE]][%[[F]], 0] [1, 32]
// CHECK: %[[RV:.*]] = vector.transfer_read %{{.*}}[%c0, %c0]{{.*}} : tensor<7x32xf32>, vector<16xf32>
// CHECK: %[[SV:.*]] = vector.transfer_read %{{.*}}[%c0]{{.*}} : tensor<32xf32>, vector<16xf32>
// CHECK: %[[P:.*]] = arith.mulf %[[ACC]]#0, %[[SV]] : vector<16xf32>
// CHECK: %[[Q:.*]] = arith.addf %[[P]], %[[RV]] : vector<16xf32>
// CHECK: arith.maximumf %[[Q]], %{{.*}} : vector<16xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.generic
// CHECK: tensor.collapse_shape
func.func @residual(%in: tensor<1x9x9x64xf32>, %w: tensor<2x3x3x64x32xf32>, %x: tensor<1x7x7x64xf32>, %scale: tensor<64xf32>) -> tensor<1x7x7x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x7x7x2x32xf32>
  %o = linalg.fill ins(%zero : f32) outs(%e : tensor<1x7x7x2x32xf32>) -> tensor<1x7x7x2x32xf32>
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x9x9x64xf32>, tensor<2x3x3x64x32xf32>) outs(%o : tensor<1x7x7x2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x7x7x2x32xf32>
  %c = tensor.collapse_shape %0 [[0], [1], [2], [3, 4]] : tensor<1x7x7x2x32xf32> into tensor<1x7x7x64xf32>
  %e1 = tensor.empty() : tensor<1x7x7x64xf32>
  %res = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x7x7x64xf32>) outs(%e1 : tensor<1x7x7x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<1x7x7x64xf32>
  %e2 = tensor.empty() : tensor<1x7x7x64xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4, #ch, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %res, %scale : tensor<1x7x7x64xf32>, tensor<1x7x7x64xf32>, tensor<64xf32>) outs(%e2 : tensor<1x7x7x64xf32>) {
  ^bb0(%a: f32, %b: f32, %s: f32, %d: f32):
    %p = arith.mulf %a, %s : f32
    %q = arith.addf %p, %b : f32
    %y = arith.maximumf %q, %zero : f32
    linalg.yield %y : f32
  } -> tensor<1x7x7x64xf32>
  return %r : tensor<1x7x7x64xf32>
}

// Not when the convolution's result has another reader (it would see the
// epilogue applied).
// CHECK-LABEL: func.func @two_readers
// CHECK: scf.forall
// CHECK-NOT: arith.maximumf
// CHECK: scf.forall.in_parallel
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func @two_readers(%in: tensor<1x9x9x64xf32>, %w: tensor<2x3x3x64x32xf32>) -> (tensor<1x7x7x64xf32>, tensor<1x7x7x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x7x7x2x32xf32>
  %o = linalg.fill ins(%zero : f32) outs(%e : tensor<1x7x7x2x32xf32>) -> tensor<1x7x7x2x32xf32>
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x9x9x64xf32>, tensor<2x3x3x64x32xf32>) outs(%o : tensor<1x7x7x2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x7x7x2x32xf32>
  %c = tensor.collapse_shape %0 [[0], [1], [2], [3, 4]] : tensor<1x7x7x2x32xf32> into tensor<1x7x7x64xf32>
  %e2 = tensor.empty() : tensor<1x7x7x64xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x7x7x64xf32>) outs(%e2 : tensor<1x7x7x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %x = arith.maximumf %a, %zero : f32
    linalg.yield %x : f32
  } -> tensor<1x7x7x64xf32>
  return %r, %c : tensor<1x7x7x64xf32>, tensor<1x7x7x64xf32>
}

// A convolution whose reduction over input channels is cache-blocked (64
// channels in blocks of 16: 8 blocks of filters over 32 KB): its first and
// last blocks are tiled apart from the others. The first block's register
// tiles start from the bias (the broadcast fused into each, no task tile of
// biases written first), the blocks in between run in a loop, and the last
// block's tiles apply the residual Add + Relu to their final sums.
// CHECK-LABEL: func.func @blocked
// CHECK: scf.forall (%[[F:.*]]) in (8) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<1x7x7x8x32xf32>)
// CHECK-NOT: linalg.broadcast
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK: linalg.broadcast
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK: vector.fma
// CHECK-NOT: arith.maximumf
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK-NOT: linalg.broadcast
// CHECK-NOT: arith.maximumf
// CHECK: scf.yield
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK-NOT: linalg.broadcast
// CHECK: %[[ACC:.*]]:14 = scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK: vector.fma
// CHECK: arith.addf %[[ACC]]#0, %{{.*}} : vector<16xf32>
// CHECK: arith.maximumf
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.generic
// CHECK: tensor.collapse_shape
func.func @blocked(%in: tensor<1x9x9x64xf32>, %w: tensor<8x3x3x64x32xf32>, %bias: tensor<8x32xf32>, %x: tensor<1x7x7x256xf32>) -> tensor<1x7x7x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x7x7x8x32xf32>
  %o = linalg.broadcast ins(%bias : tensor<8x32xf32>) outs(%e : tensor<1x7x7x8x32xf32>) dimensions = [0, 1, 2]
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x9x9x64xf32>, tensor<8x3x3x64x32xf32>) outs(%o : tensor<1x7x7x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x7x7x8x32xf32>
  %c = tensor.collapse_shape %0 [[0], [1], [2], [3, 4]] : tensor<1x7x7x8x32xf32> into tensor<1x7x7x256xf32>
  %e2 = tensor.empty() : tensor<1x7x7x256xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %x : tensor<1x7x7x256xf32>, tensor<1x7x7x256xf32>) outs(%e2 : tensor<1x7x7x256xf32>) {
  ^bb0(%a: f32, %b: f32, %d: f32):
    %s = arith.addf %a, %b : f32
    %y = arith.maximumf %s, %zero : f32
    linalg.yield %y : f32
  } -> tensor<1x7x7x256xf32>
  return %r : tensor<1x7x7x256xf32>
}

// A ReLU after a packed matmul (Gemm + Relu, read through the reshape that
// merges the panels) is applied to the register tiles of the last cache
// block of k (1024 = 4 blocks of 256: the first and last peeled), on the
// accumulators: no pass of its own.
#pA = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
#pB = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
#pC = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @packed_relu
// CHECK: scf.forall
// CHECK-NOT: arith.maximumf
// CHECK: scf.for {{.*}} to %c512 step %c256
// CHECK-NOT: arith.maximumf
// CHECK: scf.for {{.*}} to %c256 step %c1
// CHECK: %[[ACC:.*]]:16 = scf.for {{.*}} to %c256 step %c1
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: arith.maximumf %[[ACC]]#0, %{{.*}} : vector<16xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.generic
// CHECK: tensor.collapse_shape
func.func @packed_relu(%a: tensor<64x1024xf32>, %b: tensor<16x1024x32xf32>) -> tensor<64x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x16x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x16x32xf32>) -> tensor<64x16x32xf32>
  %0 = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<64x1024xf32>, tensor<16x1024x32xf32>) outs(%f : tensor<64x16x32xf32>) attrs = {tdc.packed} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x16x32xf32>
  %c = tensor.collapse_shape %0 [[0], [1, 2]] : tensor<64x16x32xf32> into tensor<64x512xf32>
  %e2 = tensor.empty() : tensor<64x512xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%c : tensor<64x512xf32>) outs(%e2 : tensor<64x512xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  } -> tensor<64x512xf32>
  return %r : tensor<64x512xf32>
}

// A residual Add after a packed matmul is applied to its register tiles.
// The tile's slice of the residual is offset by the row block (the inner
// loop) and by the panel (the outer loop, within whose tile the inner
// loop's tiles are): with the panel offset missing, every panel added the
// first panel's residual (tests/models transformer_encoder).
// CHECK-LABEL: func.func @packed_residual
// CHECK: %[[RES:.*]] = tensor.expand_shape %arg2
// CHECK: scf.for %[[P:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[M:.*]] = %c0 to %c64 step %c8
// CHECK: vector.fma
// CHECK: tensor.extract_slice %[[RES]][%[[M]], %[[P]], 0] [8, 1, 32]
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @packed_residual(%a: tensor<64x64xf32>, %b: tensor<2x64x32xf32>, %res: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x2x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<64x2x32xf32>) -> tensor<64x2x32xf32>
  %0 = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<64x64xf32>, tensor<2x64x32xf32>) outs(%f : tensor<64x2x32xf32>) attrs = {tdc.packed} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x2x32xf32>
  %c = tensor.collapse_shape %0 [[0], [1, 2]] : tensor<64x2x32xf32> into tensor<64x64xf32>
  %e2 = tensor.empty() : tensor<64x64xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%c, %res : tensor<64x64xf32>, tensor<64x64xf32>) outs(%e2 : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}
