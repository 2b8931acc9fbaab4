// RUN: tdc-opt %s --tdc-empty-tensors-through-reshapes | FileCheck %s

// Channel blocks computed by tasks, merged by a reshape and inserted into
// a padded buffer: the tasks compute into the buffer's interior, viewed
// with the channels split.
// CHECK-LABEL: func.func @into_padded
// CHECK: %[[S:.*]] = tensor.extract_slice %arg0[0, 1, 1, 0] [1, 2, 2, 16] [1, 1, 1, 1] : tensor<1x4x4x16xf32> to tensor<1x2x2x16xf32>
// CHECK: %[[X:.*]] = tensor.expand_shape %[[S]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 2, 2, 2, 8]
// CHECK: %[[F:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[X]])
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[F]]
// CHECK: tensor.insert_slice %[[C]] into %arg0[0, 1, 1, 0] [1, 2, 2, 16]
func.func @into_padded(%pad: tensor<1x4x4x16xf32>, %v: f32) -> tensor<1x4x4x16xf32> {
  %e = tensor.empty() : tensor<1x2x2x2x8xf32>
  %f = scf.forall (%i) in (2) shared_outs(%o = %e) -> (tensor<1x2x2x2x8xf32>) {
    %s = tensor.extract_slice %o[0, 0, 0, %i, 0] [1, 2, 2, 1, 8] [1, 1, 1, 1, 1] : tensor<1x2x2x2x8xf32> to tensor<1x2x2x1x8xf32>
    %t = linalg.fill ins(%v : f32) outs(%s : tensor<1x2x2x1x8xf32>) -> tensor<1x2x2x1x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[0, 0, 0, %i, 0] [1, 2, 2, 1, 8] [1, 1, 1, 1, 1] : tensor<1x2x2x1x8xf32> into tensor<1x2x2x2x8xf32>
    }
  }
  %c = tensor.collapse_shape %f [[0], [1], [2], [3, 4]] : tensor<1x2x2x2x8xf32> into tensor<1x2x2x16xf32>
  %r = tensor.insert_slice %c into %pad[0, 1, 1, 0] [1, 2, 2, 16] [1, 1, 1, 1] : tensor<1x2x2x16xf32> into tensor<1x4x4x16xf32>
  return %r : tensor<1x4x4x16xf32>
}
