// RUN: tdc-opt %s --tdc-fuse-task-epilogues | FileCheck %s

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// The Clip after the tasks of a convolution (through the reshape that
// merges the channel blocks) is applied by each task to its tile before
// the insert; the Clip's users read the reshaped tasks' result.
// CHECK-LABEL: func.func @clip_in_tasks
// CHECK: %[[F:.*]] = scf.forall
// CHECK:   %[[T:.*]] = linalg.fill
// CHECK:   %[[C:.*]] = linalg.generic {{.*}} ins(%[[T]] : tensor<1x2x1x8xf32>) outs(%[[T]] : tensor<1x2x1x8xf32>)
// CHECK:     arith.maximumf
// CHECK:     arith.minimumf
// CHECK:   tensor.parallel_insert_slice %[[C]]
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[F]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @clip_in_tasks(%v: f32) -> tensor<1x2x2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<1x2x2x1x8xf32>
  %f = scf.forall (%i) in (2) shared_outs(%o = %e) -> (tensor<1x2x2x1x8xf32>) {
    %s = tensor.extract_slice %o[0, 0, %i, 0, 0] [1, 2, 1, 1, 8] [1, 1, 1, 1, 1] : tensor<1x2x2x1x8xf32> to tensor<1x2x1x8xf32>
    %t = linalg.fill ins(%v : f32) outs(%s : tensor<1x2x1x8xf32>) -> tensor<1x2x1x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[0, 0, %i, 0, 0] [1, 2, 1, 1, 8] [1, 1, 1, 1, 1] : tensor<1x2x1x8xf32> into tensor<1x2x2x1x8xf32>
    }
  }
  %c = tensor.collapse_shape %f [[0], [1], [2], [3, 4]] : tensor<1x2x2x1x8xf32> into tensor<1x2x2x8xf32>
  %e2 = tensor.empty() : tensor<1x2x2x8xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x2x2x8xf32>) outs(%e2 : tensor<1x2x2x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maximumf %a, %zero : f32
    %n = arith.minimumf %m, %six : f32
    linalg.yield %n : f32
  } -> tensor<1x2x2x8xf32>
  return %r : tensor<1x2x2x8xf32>
}

// Not when the tasks' result has another reader (it would see the Clip).
// CHECK-LABEL: func.func @other_reader
// CHECK: scf.forall
// CHECK-NOT: arith.maximumf
// CHECK: tensor.parallel_insert_slice
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func @other_reader(%v: f32) -> (tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x8xf32>
  %f = scf.forall (%i) in (2) shared_outs(%o = %e) -> (tensor<1x2x2x8xf32>) {
    %s = tensor.extract_slice %o[0, 0, %i, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x2x8xf32> to tensor<1x2x1x8xf32>
    %t = linalg.fill ins(%v : f32) outs(%s : tensor<1x2x1x8xf32>) -> tensor<1x2x1x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[0, 0, %i, 0] [1, 2, 1, 8] [1, 1, 1, 1] : tensor<1x2x1x8xf32> into tensor<1x2x2x8xf32>
    }
  }
  %e2 = tensor.empty() : tensor<1x2x2x8xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%f : tensor<1x2x2x8xf32>) outs(%e2 : tensor<1x2x2x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x2x8xf32>
  return %r, %f : tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>
}
