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
