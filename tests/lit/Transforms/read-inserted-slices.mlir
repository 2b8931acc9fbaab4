// RUN: tdc-opt %s --tdc-read-inserted-slices | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>

// The value inserted into the padded buffer is read after the insert (the
// center tap of a depthwise convolution): that read takes the slice of the
// buffer. The read before the insert keeps the value.
// CHECK-LABEL: func.func @center_tap
// CHECK: %[[V:.*]] = linalg.generic
// CHECK: %[[BEFORE:.*]] = arith.addf
// CHECK-NOT: %[[V]]
// CHECK: %[[P:.*]] = tensor.insert_slice %[[V]] into %arg1[1, 1] [4, 4] [1, 1]
// CHECK: %[[S:.*]] = tensor.extract_slice %[[P]][1, 1] [4, 4] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[S]], %{{.*}} : tensor<4x4xf32>, tensor<4x4xf32>)
func.func @center_tap(%x: tensor<4x4xf32>, %pad: tensor<6x6xf32>, %s: f32) -> tensor<4x4xf32> {
  %e = tensor.empty() : tensor<4x4xf32>
  %v = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<4x4xf32>
  %c0 = arith.constant 0 : index
  %first = tensor.extract %v[%c0, %c0] : tensor<4x4xf32>
  %before = arith.addf %first, %s : f32
  %p = tensor.insert_slice %v into %pad[1, 1] [4, 4] [1, 1] : tensor<4x4xf32> into tensor<6x6xf32>
  %tap = tensor.extract_slice %p[0, 0] [4, 4] [1, 1] : tensor<6x6xf32> to tensor<4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%v, %tap : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %b : f32
    %u = arith.addf %t, %before : f32
    linalg.yield %u : f32
  } -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

// A value in channel blocks inserted through the reshape that merges them
// (a convolution's result into the next padded buffer), read after the
// insert in its blocked shape (the next residual Add): that read takes the
// slice of the buffer, expanded back to the blocks.
// CHECK-LABEL: func.func @blocked_residual
// CHECK: %[[P:.*]] = tensor.insert_slice %{{.*}} into %arg1[1, 1, 0] [4, 4, 16] [1, 1, 1]
// CHECK: %[[S:.*]] = tensor.extract_slice %[[P]][1, 1, 0] [4, 4, 16] [1, 1, 1]
// CHECK: %[[B:.*]] = tensor.expand_shape %[[S]] {{\[\[}}0], [1], [2, 3]] output_shape [4, 4, 2, 8]
// CHECK: linalg.generic {{.*}} ins(%[[B]] : tensor<4x4x2x8xf32>)
func.func @blocked_residual(%x: tensor<4x4x2x8xf32>, %pad: tensor<6x6x16xf32>, %s: f32) -> (tensor<6x6x16xf32>, tensor<4x4x2x8xf32>) {
  %e = tensor.empty() : tensor<4x4x2x8xf32>
  %v = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<4x4x2x8xf32>) outs(%e : tensor<4x4x2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<4x4x2x8xf32>
  %c = tensor.collapse_shape %v [[0], [1], [2, 3]] : tensor<4x4x2x8xf32> into tensor<4x4x16xf32>
  %p = tensor.insert_slice %c into %pad[1, 1, 0] [4, 4, 16] [1, 1, 1] : tensor<4x4x16xf32> into tensor<6x6x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%v : tensor<4x4x2x8xf32>) outs(%e : tensor<4x4x2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %s : f32
    linalg.yield %t : f32
  } -> tensor<4x4x2x8xf32>
  return %p, %r : tensor<6x6x16xf32>, tensor<4x4x2x8xf32>
}
