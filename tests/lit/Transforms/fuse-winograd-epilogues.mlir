// RUN: tdc-opt %s --tdc-fuse-winograd-epilogues | FileCheck %s

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>
#tr = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>

// A residual Add, a per-channel bias and a ReLU after an output transform
// (a task writes rows 2*th .. 2*th+1, 2 apart with the stride): each
// written vector gets the residual and the bias read at its own point and
// channels, and the max; the generic is gone.
// CHECK-LABEL: func.func @residual_relu
// CHECK-SAME: (%[[M:.*]]: tensor<2x32xf32>, %[[R:.*]]: tensor<1x4x8x32xf32>, %[[B:.*]]: tensor<32xf32>)
// CHECK: %[[Y:.*]] = scf.forall (%[[TH:.*]]) in (2)
// CHECK: %[[ROW:.*]] = arith.muli %[[TH]]
// CHECK: %[[V:.*]] = vector.transfer_read %[[M]]
// CHECK: %[[G1:.*]] = arith.addi %[[ROW]], %{{.*}} : index
// CHECK: %[[RV:.*]] = vector.transfer_read %[[R]][%{{.*}}, %[[G1]], %{{.*}}, %{{.*}}]
// CHECK: %[[BV:.*]] = vector.transfer_read %[[B]][%{{.*}}]
// CHECK: %[[A:.*]] = arith.addf %[[V]], %[[RV]] : vector<16xf32>
// CHECK: %[[AB:.*]] = arith.addf %[[A]], %[[BV]] : vector<16xf32>
// CHECK: %[[MX:.*]] = arith.maximumf %[[AB]], %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_write %[[MX]]
// CHECK-NOT: tdc.winograd_output
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @residual_relu(%m: tensor<2x32xf32>, %r: tensor<1x4x8x32xf32>, %bias: tensor<32xf32>) -> tensor<1x4x8x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x32xf32>
  %y = scf.forall (%th) in (2) shared_outs(%o = %e) -> (tensor<1x4x8x32xf32>) {
    %row = arith.muli %th, %c1 : index
    %slab = tensor.extract_slice %o[0, %row, 0, 0] [1, 2, 8, 32] [1, 2, 1, 1] : tensor<1x4x8x32xf32> to tensor<1x2x8x32xf32>
    %v = vector.transfer_read %m[%c1, %c16], %zero {in_bounds = [true]} : tensor<2x32xf32>, vector<16xf32>
    %w = vector.transfer_write %v, %slab[%c0, %c1, %c3, %c16] {in_bounds = [true]} : vector<16xf32>, tensor<1x2x8x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %w into %o[0, %row, 0, 0] [1, 2, 8, 32] [1, 2, 1, 1] : tensor<1x2x8x32xf32> into tensor<1x4x8x32xf32>
    }
  } {tdc.winograd_output}
  %e2 = tensor.empty() : tensor<1x4x8x32xf32>
  %z = linalg.generic {indexing_maps = [#id, #id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %r, %bias : tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>, tensor<32xf32>) outs(%e2 : tensor<1x4x8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    %t = arith.addf %s, %c : f32
    %u = arith.maximumf %t, %zero : f32
    linalg.yield %u : f32
  } -> tensor<1x4x8x32xf32>
  return %z : tensor<1x4x8x32xf32>
}

// A fused transform: the task first writes its own buffer (the input
// transform's V), which keeps its values; only the writes threaded through
// the loop into the slab get the ReLU.
// CHECK-LABEL: func.func @fused_task
// CHECK: scf.forall
// CHECK: %[[NEG:.*]] = vector.transfer_read
// CHECK-NEXT: %[[V:.*]] = vector.transfer_write %[[NEG]], %{{.*}}[%{{.*}}, %{{.*}}] {{.*}} : vector<16xf32>, tensor<2x32xf32>
// CHECK: scf.for {{.*}} iter_args(%[[S:.*]] = %{{.*}})
// CHECK: %[[X:.*]] = vector.transfer_read %[[V]]
// CHECK: %[[MX:.*]] = arith.maximumf %[[X]], %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_write %[[MX]], %[[S]]
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @fused_task(%m: tensor<2x32xf32>) -> tensor<1x4x8x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x32xf32>
  %y = scf.forall (%th) in (2) shared_outs(%o = %e) -> (tensor<1x4x8x32xf32>) {
    %row = arith.muli %th, %c2 : index
    %slab = tensor.extract_slice %o[0, %row, 0, 0] [1, 2, 8, 32] [1, 1, 1, 1] : tensor<1x4x8x32xf32> to tensor<1x2x8x32xf32>
    %local = tensor.empty() : tensor<2x32xf32>
    %neg = vector.transfer_read %m[%c0, %c0], %zero {in_bounds = [true]} : tensor<2x32xf32>, vector<16xf32>
    %v = vector.transfer_write %neg, %local[%c1, %c16] {in_bounds = [true]} : vector<16xf32>, tensor<2x32xf32>
    %w = scf.for %i = %c0 to %c2 step %c1 iter_args(%s = %slab) -> (tensor<1x2x8x32xf32>) {
      %x = vector.transfer_read %v[%c1, %c16], %zero {in_bounds = [true]} : tensor<2x32xf32>, vector<16xf32>
      %s2 = vector.transfer_write %x, %s[%c0, %i, %c1, %c16] {in_bounds = [true]} : vector<16xf32>, tensor<1x2x8x32xf32>
      scf.yield %s2 : tensor<1x2x8x32xf32>
    }
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %w into %o[0, %row, 0, 0] [1, 2, 8, 32] [1, 1, 1, 1] : tensor<1x2x8x32xf32> into tensor<1x4x8x32xf32>
    }
  } {tdc.winograd_output}
  %e2 = tensor.empty() : tensor<1x4x8x32xf32>
  %z = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<1x4x8x32xf32>) outs(%e2 : tensor<1x4x8x32xf32>) {
  ^bb0(%a: f32, %out: f32):
    %u = arith.maximumf %a, %zero : f32
    linalg.yield %u : f32
  } -> tensor<1x4x8x32xf32>
  return %z : tensor<1x4x8x32xf32>
}

// Left alone: an epilogue that transposes (back to NCHW), and one of an
// unmarked loop.
// CHECK-LABEL: func.func @not_fused
// CHECK: scf.forall
// CHECK: } {tdc.winograd_output}
// CHECK: linalg.generic
// CHECK: scf.forall
// CHECK: linalg.generic
func.func @not_fused(%m: tensor<2x32xf32>) -> (tensor<1x32x4x8xf32>, tensor<1x4x8x32xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x32xf32>
  %y = scf.forall (%th) in (2) shared_outs(%o = %e) -> (tensor<1x4x8x32xf32>) {
    %slab = tensor.extract_slice %o[0, %th, 0, 0] [1, 2, 8, 32] [1, 2, 1, 1] : tensor<1x4x8x32xf32> to tensor<1x2x8x32xf32>
    %v = vector.transfer_read %m[%c0, %c0], %zero {in_bounds = [true]} : tensor<2x32xf32>, vector<16xf32>
    %w = vector.transfer_write %v, %slab[%c0, %c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x2x8x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %w into %o[0, %th, 0, 0] [1, 2, 8, 32] [1, 2, 1, 1] : tensor<1x2x8x32xf32> into tensor<1x4x8x32xf32>
    }
  } {tdc.winograd_output}
  %e2 = tensor.empty() : tensor<1x32x4x8xf32>
  %z = linalg.generic {indexing_maps = [#id, #tr], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<1x4x8x32xf32>) outs(%e2 : tensor<1x32x4x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %u = arith.maximumf %a, %zero : f32
    linalg.yield %u : f32
  } -> tensor<1x32x4x8xf32>
  %y2 = scf.forall (%th) in (2) shared_outs(%o = %e) -> (tensor<1x4x8x32xf32>) {
    %slab = tensor.extract_slice %o[0, %th, 0, 0] [1, 2, 8, 32] [1, 2, 1, 1] : tensor<1x4x8x32xf32> to tensor<1x2x8x32xf32>
    %v = vector.transfer_read %m[%c0, %c0], %zero {in_bounds = [true]} : tensor<2x32xf32>, vector<16xf32>
    %w = vector.transfer_write %v, %slab[%c0, %c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x2x8x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %w into %o[0, %th, 0, 0] [1, 2, 8, 32] [1, 2, 1, 1] : tensor<1x2x8x32xf32> into tensor<1x4x8x32xf32>
    }
  }
  %z2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y2 : tensor<1x4x8x32xf32>) outs(%e : tensor<1x4x8x32xf32>) {
  ^bb0(%a: f32, %out: f32):
    %u = arith.maximumf %a, %zero : f32
    linalg.yield %u : f32
  } -> tensor<1x4x8x32xf32>
  return %z, %z2 : tensor<1x32x4x8xf32>, tensor<1x4x8x32xf32>
}
