// RUN: tdc-opt %s --tdc-tile-and-vectorize-contractions --loop-invariant-subset-hoisting --canonicalize --cse | FileCheck %s
#cl_img = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 + d5, d2 + d6, d7)>
#cl_fil = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
#cl_out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>

// A matmul becomes 8x32 register blocks: the k loop is innermost and
// carries 16 accumulators (8 rows x 2 vectors of 16); each step broadcasts
// an element of A and does an FMA with a row of B. The 64 rows make two
// parallel tasks of 32.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall (%[[M:.*]]) = (0) to (64) step (32) shared_outs
// CHECK: scf.for {{.*}} to %c32 step %c8
// CHECK: scf.for {{.*}} step %c32
// CHECK-COUNT-16: vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} to %c512 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-8: tensor.extract {{.*}} : tensor<8x1xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<32xf32>, vector<16xf32>
// CHECK: vector.broadcast {{.*}} : f32 to vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK-COUNT-16: vector.transfer_write {{.*}} : vector<16xf32>, tensor<8x32xf32>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice {{.*}} into {{.*}}[%[[M]], 0] [32, 128]
func.func @matmul(%a: tensor<64x512xf32>, %b: tensor<512x128xf32>) -> tensor<64x128xf32> {
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<64x128xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<64x128xf32>) -> tensor<64x128xf32>
  %2 = linalg.matmul ins(%a, %b : tensor<64x512xf32>, tensor<512x128xf32>) outs(%1 : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %2 : tensor<64x128xf32>
}

// A matrix-vector product has one row: its tasks are the 256-wide blocks
// of n, each running all of k.
// CHECK-LABEL: func.func @gemv
// CHECK: scf.forall (%[[N:.*]]) = (0) to (1024) step (256)
// CHECK: scf.for {{.*}} to %c1024 step %c256
// CHECK: scf.for {{.*}} to %c256 step %c32
// CHECK: scf.for {{.*}} to %c256 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>)
// CHECK: tensor.parallel_insert_slice {{.*}}[0, %[[N]]] [1, 256]
func.func @gemv(%a: tensor<1x1024xf32>, %b: tensor<1024x1024xf32>, %c: tensor<1x1024xf32>) -> tensor<1x1024xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<1x1024xf32>, tensor<1024x1024xf32>) outs(%c : tensor<1x1024xf32>) -> tensor<1x1024xf32>
  return %0 : tensor<1x1024xf32>
}

// A stride-1 NCHW conv: rows are output channels, vectors run along ow
// (28 = 16 + 8 + 4 lanes); c, kh and kw loop around the FMAs. Tasks are the
// blocks of 8 output channels by output rows.
// CHECK-LABEL: func.func @conv
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (32, 28) step (8, 1)
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<28xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<28xf32>, vector<8xf32>
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<28xf32>, vector<4xf32>
// CHECK: vector.fma {{.*}} : vector<4xf32>
func.func @conv(%in: tensor<1x16x30x30xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x28x28xf32> {
  %cst = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1x32x28x28xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1x32x28x28xf32>) -> tensor<1x32x28x28xf32>
  %2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x16x30x30xf32>, tensor<32x16x3x3xf32>) outs(%1 : tensor<1x32x28x28xf32>) -> tensor<1x32x28x28xf32>
  return %2 : tensor<1x32x28x28xf32>
}

// A stride-2 conv: each vector of 8 outputs loads 16 contiguous inputs and
// keeps the even lanes; the last one (7 outputs) reads past the 29-wide row
// window, so its load is masked (not in_bounds).
// CHECK-LABEL: func.func @strided
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 15) step (8, 1)
// CHECK: vector.transfer_read {{.*}}[%c0], %cst {in_bounds = [true]} : tensor<29xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14] : vector<16xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: vector.transfer_read {{.*}}[%c16], %cst : tensor<29xf32>, vector<14xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12] : vector<14xf32>, vector<14xf32>
// CHECK: vector.fma {{.*}} : vector<7xf32>

// Matmuls whose n dim is not a multiple of 8 are left to the
// loop-interchange schedule.
// CHECK-LABEL: func.func @narrow
// CHECK: linalg.matmul
func.func @strided(%in: tensor<1x16x31x31xf32>, %w: tensor<64x16x3x3xf32>, %o: tensor<1x64x15x15xf32>) -> tensor<1x64x15x15xf32> {
  %2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %w : tensor<1x16x31x31xf32>, tensor<64x16x3x3xf32>) outs(%o : tensor<1x64x15x15xf32>) -> tensor<1x64x15x15xf32>
  return %2 : tensor<1x64x15x15xf32>
}
func.func @narrow(%a: tensor<4x8xf32>, %b: tensor<8x6xf32>, %c: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x6xf32>) outs(%c : tensor<4x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// A packed contraction (tdc-pack-contractions: B as [panels, k, 32 lanes],
// the output as [m, panels, lanes]): the 129th row is split off so that the
// other 128 keep 8-row register blocks. Tasks split rows and panels (4 x 2);
// in a task the register blocks walk rows, then panels, each streaming its
// panel of B along k with 16 accumulators. The last row is one 1 x 32 block
// per panel.
// CHECK-LABEL: func.func @packed
// CHECK: tensor.extract_slice %arg0[0, 0] [128, 256]
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (128, 4) step (32, 2)
// CHECK: scf.for {{.*}} to %c32 step %c8
// CHECK: scf.for {{.*}} to %c2 step %c1
// CHECK: scf.for {{.*}} to %c256 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: tensor.extract_slice {{.*}} [1, 1, 32] [1, 1, 1] : tensor<2x256x32xf32> to tensor<1x1x32xf32>
// CHECK-COUNT-16: vector.fma
// CHECK: scf.forall.in_parallel
// CHECK: tensor.extract_slice %arg0[128, 0] [1, 256]
// CHECK: scf.for {{.*}} to %c4 step %c1
// CHECK: scf.for {{.*}} to %c256 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-2: vector.fma
#pA = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
#pB = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
#pC = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
func.func @packed(%a: tensor<129x256xf32>, %b: tensor<4x256x32xf32>, %c: tensor<129x4x32xf32>) -> tensor<129x4x32xf32> {
  %r = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<129x256xf32>, tensor<4x256x32xf32>) outs(%c : tensor<129x4x32xf32>) attrs = {tdc.packed} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<129x4x32xf32>
  return %r : tensor<129x4x32xf32>
}

// A packed matrix-vector product (1x512 by 512x1024, a classifier): only
// 512K multiply-adds, but a pass over 2 MB of B, which its tasks (8 of 4
// panels each) share between threads.
// CHECK-LABEL: func.func @packed_gemv
// CHECK: scf.forall (%{{.*}}) = (0) to (32) step (4)
// CHECK: scf.for {{.*}} to %c512 step %c1 iter_args
// CHECK: scf.forall.in_parallel
func.func @packed_gemv(%a: tensor<1x512xf32>, %b: tensor<32x512x32xf32>, %c: tensor<1x32x32xf32>) -> tensor<1x32x32xf32> {
  %r = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<1x512xf32>, tensor<32x512x32xf32>) outs(%c : tensor<1x32x32xf32>) attrs = {tdc.packed} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x32x32xf32>
  return %r : tensor<1x32x32xf32>
}

// A tall packed contraction (32 row blocks per task, 2 panels): panels
// outer, so one panel of B serves every row block of the task.
// CHECK-LABEL: func.func @packed_tall
// CHECK: scf.forall (%{{.*}}) = (0) to (2048) step (256)
// CHECK: scf.for {{.*}} to %c2 step %c1
// CHECK: scf.for {{.*}} to %c256 step %c8
// CHECK: scf.for {{.*}} to %c64 step %c1 iter_args
func.func @packed_tall(%a: tensor<2048x64xf32>, %b: tensor<2x64x32xf32>, %c: tensor<2048x2x32xf32>) -> tensor<2048x2x32xf32> {
  %r = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<2048x64xf32>, tensor<2x64x32xf32>) outs(%c : tensor<2048x2x32xf32>) attrs = {tdc.packed} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2048x2x32xf32>
  return %r : tensor<2048x2x32xf32>
}

// A large packed contraction (2048^3; tasks of 512 rows by 32 panels, 64
// row blocks each): rows stay outer. Panels outer would stream the task's
// 512 KiB slice of A (read in place, rows 8 KiB apart) once per panel,
// more than L2 keeps next to the panel and the outputs (18% slower).
// The same contraction inside a task (a fused Winograd convolution's
// matmuls): its tiles run in that task's thread, no parallel loop nested in
// the task's.
// CHECK-LABEL: func.func @packed_in_task
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK-NOT: scf.forall
// CHECK: scf.for {{.*}} to %c2 step %c1
// CHECK: scf.for {{.*}} to %c2048 step %c8
// CHECK: scf.for {{.*}} to %c64 step %c1 iter_args
// CHECK: scf.forall.in_parallel
func.func @packed_in_task(%a: tensor<2x2048x64xf32>, %b: tensor<2x64x32xf32>, %c: tensor<2x2048x2x32xf32>) -> tensor<2x2048x2x32xf32> {
  %r = scf.forall (%i) in (2) shared_outs(%o = %c) -> (tensor<2x2048x2x32xf32>) {
    %ai = tensor.extract_slice %a[%i, 0, 0] [1, 2048, 64] [1, 1, 1] : tensor<2x2048x64xf32> to tensor<2048x64xf32>
    %ci = tensor.extract_slice %o[%i, 0, 0, 0] [1, 2048, 2, 32] [1, 1, 1, 1] : tensor<2x2048x2x32xf32> to tensor<2048x2x32xf32>
    %t = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
        ins(%ai, %b : tensor<2048x64xf32>, tensor<2x64x32xf32>) outs(%ci : tensor<2048x2x32xf32>) attrs = {tdc.packed} {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<2048x2x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%i, 0, 0, 0] [1, 2048, 2, 32] [1, 1, 1, 1] : tensor<2048x2x32xf32> into tensor<2x2048x2x32xf32>
    }
  }
  return %r : tensor<2x2048x2x32xf32>
}
// CHECK-LABEL: func.func @packed_wide
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (2048, 64) step (512, 32)
// CHECK: scf.for {{.*}} to %c32 step %c8
// CHECK: scf.for {{.*}} to %c2048 step %c256
// CHECK: scf.for {{.*}} to %c512 step %c8
// CHECK: scf.for {{.*}} to %c8 step %c1
// CHECK: scf.for {{.*}} to %c256 step %c1 iter_args
func.func @packed_wide(%a: tensor<2048x2048xf32>, %b: tensor<64x2048x32xf32>, %c: tensor<2048x64x32xf32>) -> tensor<2048x64x32xf32> {
  %r = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<2048x2048xf32>, tensor<64x2048x32xf32>) outs(%c : tensor<2048x64x32xf32>) attrs = {tdc.packed} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2048x64x32xf32>
  return %r : tensor<2048x64x32xf32>
}

// A channels-last conv (NHWC image, filters packed as [F/32, KH, KW, C, 32]
// blocks, the output viewed as [N, OH, OW, F/32, 32]): vectors run along
// the 32 channels of a block, rows along ow (7). With 16 blocks a task is
// one block over all output rows, and its 590 KB of filters are read in
// cache blocks of 16 input channels, each serving all 7 rows (the first
// and last blocks peeled: the loop runs the 30 in between).
// CHECK-LABEL: func.func @channels_last
// CHECK: scf.forall (%[[FO:.*]]) in (16)
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c480 step %c16
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK-COUNT-14: vector.transfer_read {{.*}} : tensor<7x32xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK-COUNT-7: tensor.extract {{.*}} : tensor<7x1xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<32xf32>, vector<16xf32>
// CHECK-COUNT-7: vector.fma
func.func @channels_last(%in: tensor<1x9x9x512xf32>, %w: tensor<16x3x3x512x32xf32>, %o: tensor<1x7x7x16x32xf32>) -> tensor<1x7x7x16x32xf32> {
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x9x9x512xf32>, tensor<16x3x3x512x32xf32>) outs(%o : tensor<1x7x7x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x7x7x16x32xf32>
  return %0 : tensor<1x7x7x16x32xf32>
}

// A 1x1 channels-last conv whose filters (8 blocks, 64 KiB) fit in L2 and
// whose output has 16 rows: a task is one output row over all channel
// blocks (its outputs contiguous, its input row read once), not one block
// over the whole image.
// CHECK-LABEL: func.func @channels_last_row_tasks
// CHECK: scf.forall (%[[R:.*]]) in (16)
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %[[R]], 0, 0, 0] [1, 1, 16, 8, 32]
func.func @channels_last_row_tasks(%in: tensor<1x16x16x64xf32>, %w: tensor<8x1x1x64x32xf32>, %o: tensor<1x16x16x8x32xf32>) -> tensor<1x16x16x8x32xf32> {
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x16x16x64xf32>, tensor<8x1x1x64x32xf32>) outs(%o : tensor<1x16x16x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x16x16x8x32xf32>
  return %0 : tensor<1x16x16x8x32xf32>
}

// A 1x1 conv with only 2 channel blocks (256 -> 64): tasks are rows over
// both blocks too, so that each input row is read once; without the rule
// they are (block, row) pairs.
// CHECK-LABEL: func.func @pointwise_row_tasks
// CHECK: scf.forall (%[[R:.*]]) in (16)
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %[[R]], 0, 0, 0] [1, 1, 16, 2, 32]
func.func @pointwise_row_tasks(%in: tensor<1x16x16x256xf32>, %w: tensor<2x1x1x256x32xf32>, %o: tensor<1x16x16x2x32xf32>) -> tensor<1x16x16x2x32xf32> {
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x16x16x256xf32>, tensor<2x1x1x256x32xf32>) outs(%o : tensor<1x16x16x2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x16x16x2x32xf32>
  return %0 : tensor<1x16x16x2x32xf32>
}

// The bias broadcast that initializes a convolution's accumulator is
// computed by each task for its own tile (one block of 32 channels over
// all rows), in cache, before the task's sums: no pass over the whole
// output before the convolution. The reduction being cache-blocked, the
// register blocks of the first block of input channels compute it, each
// for its own 7 x 32 outputs.
// CHECK-LABEL: func.func @channels_last_bias
// CHECK-NOT: linalg.broadcast
// CHECK: scf.forall (%[[FO:.*]]) in (16) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x7x7x16x32xf32>)
// CHECK: %[[B:.*]] = tensor.extract_slice %{{.*}}[%[[FO]], 0] [1, 32] [1, 1] : tensor<16x32xf32> to tensor<1x32xf32>
// CHECK: %[[T:.*]] = tensor.extract_slice %[[OUT]][0, 0, 0, %[[FO]], 0] [1, 7, 7, 1, 32]
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1 iter_args(%{{.*}} = %[[T]])
// CHECK: linalg.broadcast ins(%[[B]] : tensor<1x32xf32>) outs(%{{.*}} : tensor<1x1x7x1x32xf32>) dimensions = [0, 1, 2]
// CHECK: vector.fma
// CHECK: scf.for %{{.*}} = %c0 to %c480 step %c16
// CHECK-NOT: linalg.broadcast
// CHECK: scf.forall.in_parallel
func.func @channels_last_bias(%in: tensor<1x9x9x512xf32>, %w: tensor<16x3x3x512x32xf32>, %bias: tensor<16x32xf32>) -> tensor<1x7x7x16x32xf32> {
  %e = tensor.empty() : tensor<1x7x7x16x32xf32>
  %o = linalg.broadcast ins(%bias : tensor<16x32xf32>) outs(%e : tensor<1x7x7x16x32xf32>) dimensions = [0, 1, 2]
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x9x9x512xf32>, tensor<16x3x3x512x32xf32>) outs(%o : tensor<1x7x7x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x7x7x16x32xf32>
  return %0 : tensor<1x7x7x16x32xf32>
}

// A packed matmul started from its bias (tdc-fold-bias-into-packed-init)
// or from zeros: each task (here 8, of 4 panels each over all 128 rows)
// broadcasts or zeroes its own tile, in cache, before its sums.
// CHECK-LABEL: func.func @packed_bias
// CHECK-NOT: linalg.broadcast
// CHECK: scf.forall (%[[P:.*]]) = (0) to (32) step (4) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<128x32x32xf32>)
// CHECK: %[[B:.*]] = tensor.extract_slice %arg2[%[[P]], 0] [4, 32] [1, 1] : tensor<32x32xf32> to tensor<4x32xf32>
// CHECK: %[[T:.*]] = tensor.extract_slice %[[OUT]][0, %[[P]], 0] [128, 4, 32]
// CHECK: linalg.broadcast ins(%[[B]] : tensor<4x32xf32>) outs(%[[T]] : tensor<128x4x32xf32>) dimensions = [0]
// CHECK: vector.fma
// CHECK-LABEL: func.func @packed_zero
// CHECK-NOT: linalg.fill
// CHECK: scf.forall
// CHECK: linalg.fill {{.*}} -> tensor<128x4x32xf32>
// CHECK: vector.fma
func.func @packed_bias(%a: tensor<128x768xf32>, %b: tensor<32x768x32xf32>, %bias: tensor<32x32xf32>) -> tensor<128x32x32xf32> {
  %e = tensor.empty() : tensor<128x32x32xf32>
  %o = linalg.broadcast ins(%bias : tensor<32x32xf32>) outs(%e : tensor<128x32x32xf32>) dimensions = [0]
  %r = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<128x768xf32>, tensor<32x768x32xf32>) outs(%o : tensor<128x32x32xf32>) attrs = {tdc.packed} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<128x32x32xf32>
  return %r : tensor<128x32x32xf32>
}
func.func @packed_zero(%a: tensor<128x768xf32>, %b: tensor<32x768x32xf32>) -> tensor<128x32x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x32x32xf32>
  %o = linalg.fill ins(%z : f32) outs(%e : tensor<128x32x32xf32>) -> tensor<128x32x32xf32>
  %r = linalg.generic {indexing_maps = [#pA, #pB, #pC], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<128x768xf32>, tensor<32x768x32xf32>) outs(%o : tensor<128x32x32xf32>) attrs = {tdc.packed} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<128x32x32xf32>
  return %r : tensor<128x32x32xf32>
}

// When no reduction is split above the register block (a 1x1 convolution
// with 64 input channels), each register block (8 columns x 32 channels)
// starts from its own broadcast of the bias, inside the loops: the output
// is never filled with biases beforehand (see fold-reads-of-broadcasts.mlir
// for how the accumulators then read the bias itself).
// CHECK-LABEL: func.func @channels_last_bias_per_block
// CHECK-NOT: linalg.broadcast
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[B:.*]] = tensor.extract_slice %{{.*}} [1, 32] [1, 1] : tensor<2x32xf32> to tensor<1x32xf32>
// CHECK: linalg.broadcast ins(%[[B]] : tensor<1x32xf32>) outs(%{{.*}} : tensor<1x1x8x1x32xf32>) dimensions = [0, 1, 2]
// CHECK: scf.for {{.*}} = %c0 to %c64 step %c1
// CHECK: vector.fma
func.func @channels_last_bias_per_block(%in: tensor<1x8x16x64xf32>, %w: tensor<2x1x1x64x32xf32>, %bias: tensor<2x32xf32>) -> tensor<1x8x16x2x32xf32> {
  %e = tensor.empty() : tensor<1x8x16x2x32xf32>
  %o = linalg.broadcast ins(%bias : tensor<2x32xf32>) outs(%e : tensor<1x8x16x2x32xf32>) dimensions = [0, 1, 2]
  %0 = linalg.generic {indexing_maps = [#cl_img, #cl_fil, #cl_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in, %w : tensor<1x8x16x64xf32>, tensor<2x1x1x64x32xf32>) outs(%o : tensor<1x8x16x2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16x2x32xf32>
  return %0 : tensor<1x8x16x2x32xf32>
}
