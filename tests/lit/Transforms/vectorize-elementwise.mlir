// RUN: tdc-opt %s --tdc-vectorize-elementwise=vector-bits=512 | FileCheck %s

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#ch = affine_map<(d0, d1, d2) -> (d2)>

// CHECK: #[[BCAST:.*]] = affine_map<(d0) -> (0, d0)>

// Two taps of a depthwise convolution (shifted slices of one image, one
// weight vector per tap) with a bias: blocks of 8 rows x 16 lanes, each
// weight and the bias read once per block (1-D reads broadcast to the
// block), the taps as 8x16 reads.
// CHECK-LABEL: func.func @taps
// CHECK: scf.for {{.*}} = %c0 to %c4 step %c1
// CHECK: scf.for {{.*}} = %c0 to %c24 step %c8
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c16
// CHECK-DAG: %[[T0:.*]] = vector.transfer_read {{.*}} : tensor<1x8x16xf32>, vector<8x16xf32>
// CHECK-DAG: %[[W0:.*]] = vector.transfer_read {{.*}}permutation_map = #[[BCAST]]} : tensor<16xf32>, vector<8x16xf32>
// CHECK-DAG: %[[T1:.*]] = vector.transfer_read {{.*}} : tensor<1x8x16xf32>, vector<8x16xf32>
// CHECK-DAG: %[[W1:.*]] = vector.transfer_read {{.*}}permutation_map = #[[BCAST]]} : tensor<16xf32>, vector<8x16xf32>
// CHECK-DAG: %[[B:.*]] = vector.transfer_read {{.*}}permutation_map = #[[BCAST]]} : tensor<16xf32>, vector<8x16xf32>
// CHECK: %[[P:.*]] = arith.mulf %[[T0]], %[[W0]] : vector<8x16xf32>
// CHECK: %[[Q:.*]] = arith.mulf %[[T1]], %[[W1]] : vector<8x16xf32>
// CHECK: %[[S:.*]] = arith.addf %[[P]], %[[Q]] : vector<8x16xf32>
// CHECK: %[[R:.*]] = arith.addf %[[S]], %[[B]] : vector<8x16xf32>
// CHECK: vector.transfer_write %[[R]], {{.*}} : vector<8x16xf32>, tensor<1x8x16xf32>
// CHECK-NOT: linalg.generic
func.func @taps(%img: tensor<4x25x32xf32>, %w0: tensor<32xf32>, %w1: tensor<32xf32>,
                %bias: tensor<32xf32>) -> tensor<4x24x32xf32> {
  %t0 = tensor.extract_slice %img[0, 0, 0] [4, 24, 32] [1, 1, 1] : tensor<4x25x32xf32> to tensor<4x24x32xf32>
  %t1 = tensor.extract_slice %img[0, 1, 0] [4, 24, 32] [1, 1, 1] : tensor<4x25x32xf32> to tensor<4x24x32xf32>
  %e = tensor.empty() : tensor<4x24x32xf32>
  %0 = linalg.generic {indexing_maps = [#id, #ch, #id, #ch, #ch, #id],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%t0, %w0, %t1, %w1, %bias : tensor<4x24x32xf32>, tensor<32xf32>, tensor<4x24x32xf32>, tensor<32xf32>, tensor<32xf32>)
      outs(%e : tensor<4x24x32xf32>) {
  ^bb0(%a: f32, %wa: f32, %b: f32, %wb: f32, %c: f32, %out: f32):
    %p = arith.mulf %a, %wa : f32
    %q = arith.mulf %b, %wb : f32
    %s = arith.addf %p, %q : f32
    %r = arith.addf %s, %c : f32
    linalg.yield %r : f32
  } -> tensor<4x24x32xf32>
  return %0 : tensor<4x24x32xf32>
}

// Rows that 8 does not divide take the largest divisor (7); an innermost
// dim of 24 lanes takes vectors of 8.
// CHECK-LABEL: func.func @clip
// CHECK: scf.for {{.*}} = %c0 to %c14 step %c7
// CHECK: scf.for {{.*}} = %c0 to %c24 step %c8
// CHECK: arith.maximumf {{.*}} : vector<7x8xf32>
// CHECK: arith.minimumf {{.*}} : vector<7x8xf32>
func.func @clip(%x: tensor<14x24xf32>) -> tensor<14x24xf32> {
  %lo = arith.constant 0.0 : f32
  %hi = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<14x24xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<14x24xf32>) outs(%e : tensor<14x24xf32>) {
  ^bb0(%a: f32, %out: f32):
    %m = arith.maximumf %a, %lo : f32
    %n = arith.minimumf %m, %hi : f32
    linalg.yield %n : f32
  } -> tensor<14x24xf32>
  return %0 : tensor<14x24xf32>
}

// Left to LLVM: a ragged innermost dim (3 lanes), an input read across the
// innermost dim (a layout transpose), and a reduction.
// CHECK-LABEL: func.func @ragged
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @ragged(%x: tensor<8x3xf32>) -> tensor<8x3xf32> {
  %e = tensor.empty() : tensor<8x3xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x3xf32>) outs(%e : tensor<8x3xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// CHECK-LABEL: func.func @transpose
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @transpose(%x: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %e = tensor.empty() : tensor<16x16xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x16xf32>) outs(%e : tensor<16x16xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<16x16xf32>
  return %0 : tensor<16x16xf32>
}

// CHECK-LABEL: func.func @rowsum
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @rowsum(%x: tensor<16x16xf32>, %acc: tensor<16xf32>) -> tensor<16xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<16x16xf32>) outs(%acc : tensor<16xf32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %out : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  return %0 : tensor<16xf32>
}
