// RUN: tdc-opt %s --convert-tg-to-linalg --cse | FileCheck %s

// A 3x3 stride-1 conv with 32 channels on a 16x15 map: Winograd F(4x4, 3x3)
// over 4x4 tiles. The image is padded to whole tiles (18x18: one extra
// zero column on the right). Each task (a row of tiles) transforms 6x6
// windows into 36 points x its 4 tiles x 32 channels (16 lanes at a time),
// multiplies them by the filters transformed at compile time (one batched
// contraction: loops point, tile, filter, channel), and transforms the
// products back, adding the bias, into 4x4 blocks of a 16x16 NHWC map, cut
// to 16x15 and transposed back. The filters (144 KiB) are small enough for
// every task to read them.
// CHECK-LABEL: func.func @winograd
// CHECK: %[[P:.*]] = linalg.fill {{.*}} -> tensor<1x18x18x32xf32>
// CHECK: %[[XP:.*]] = tensor.insert_slice %{{.*}} into %[[P]][0, 1, 1, 0] [1, 16, 15, 32]
// CHECK: %[[Y:.*]] = scf.forall (%{{.*}}, %{{.*}}) in (1, 4) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<1x16x16x32xf32>)
// CHECK: %[[V:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<36x4x32xf32>)
// CHECK-COUNT-36: vector.transfer_read %[[XP]]
// CHECK-COUNT-36: vector.transfer_write
// CHECK: %[[M:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[V]], %[[U:.*]] : tensor<36x4x32xf32>, tensor<36x32x32xf32>) outs(%{{.*}} : tensor<36x4x32xf32>)
// CHECK: scf.for
// CHECK-COUNT-36: vector.transfer_read %[[M]]
// CHECK: vector.transfer_read %arg1
// CHECK-COUNT-16: vector.transfer_write
// CHECK: tensor.parallel_insert_slice
// CHECK: %[[C:.*]] = tensor.extract_slice %[[Y]][0, 0, 0, 0] [1, 16, 15, 32] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x16x15x32xf32>) outs(%{{.*}} : tensor<1x32x16x15xf32>)
func.func @winograd(%x: tensor<1x32x16x15xf32>, %b: tensor<32xf32>) -> tensor<1x32x16x15xf32> {
  %w = tg.constant dense<1.0> : tensor<32x32x3x3xf32>
  %0 = tg.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x32x16x15xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>) -> tensor<1x32x16x15xf32>
  return %0 : tensor<1x32x16x15xf32>
}

// 96 channels: the transformed filters (1.3 MB) would not stay in L2 for
// every task, so the steps run one after the other, each over all tiles: the
// input transform writes V[36, 16 tiles, 96] (one task per row of tiles),
// the 36 products run as one contraction, and the output transform reads
// the products of its row of tiles.
// CHECK-LABEL: func.func @three_steps
// CHECK: %[[V:.*]] = scf.forall (%{{.*}}, %{{.*}}) in (1, 4) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<36x16x96xf32>)
// CHECK-COUNT-36: vector.transfer_write
// CHECK: tensor.parallel_insert_slice
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%[[V]], %{{.*}} : tensor<36x16x96xf32>, tensor<36x96x96xf32>) outs(%{{.*}} : tensor<36x16x96xf32>)
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (1, 4) {{.*}} -> (tensor<1x16x16x96xf32>)
// CHECK-COUNT-36: vector.transfer_read %[[M]]
func.func @three_steps(%x: tensor<1x96x16x16xf32>) -> tensor<1x96x16x16xf32> {
  %w = tg.constant dense<1.0> : tensor<96x96x3x3xf32>
  %0 = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x96x16x16xf32>, tensor<96x96x3x3xf32>) -> tensor<1x96x16x16xf32>
  return %0 : tensor<1x96x16x16xf32>
}

// Dilation 2 on a 16x16 map: a tile's outputs (and inputs) are 2 apart, one
// tile per residue class of rows and columns; the image needs only the
// conv's own padding, and a task writes its 4 rows (2 apart) of the output.
// CHECK-LABEL: func.func @dilated
// CHECK: %[[XP:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 2, 2, 0] [1, 16, 16, 32] [1, 1, 1, 1] : tensor<1x16x16x32xf32> into tensor<1x20x20x32xf32>
// CHECK: arith.constant dense_resource<tdc_winograd_filter{{.*}}> : tensor<36x32x32xf32>
// CHECK: scf.forall (%{{.*}}, %[[TH:.*]]) in (1, 4) {{.*}} -> (tensor<1x16x16x32xf32>)
// CHECK: %[[BLOCK:.*]] = arith.divui %[[TH]], %[[C2:.*]] : index
// CHECK: %[[REST:.*]] = arith.remui %[[TH]], %[[C2]] : index
// CHECK: %[[B8:.*]] = arith.muli %[[BLOCK]], %[[C8:.*]] : index
// CHECK: %[[Y0:.*]] = arith.addi %[[B8]], %[[REST]] : index
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}, %[[Y0]], 0, 0] [1, 4, 16, 32] [1, 2, 1, 1] : tensor<1x16x16x32xf32> to tensor<1x4x16x32xf32>
// CHECK: %[[R0:.*]] = arith.addi %[[Y0]], %{{.*}} : index
// CHECK: vector.transfer_read %[[XP]][%{{.*}}, %[[R0]], %{{.*}}, %{{.*}}]
// CHECK: %[[R1:.*]] = arith.addi %[[Y0]], %[[C2]] : index
// CHECK: vector.transfer_read %[[XP]][%{{.*}}, %[[R1]], %{{.*}}, %{{.*}}]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, %[[Y0]], 0, 0] [1, 4, 16, 32] [1, 2, 1, 1]
func.func @dilated(%x: tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32> {
  %w = tg.constant dense<1.0> : tensor<32x32x3x3xf32>
  %0 = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, group = 1} : (tensor<1x32x16x16xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x16x16xf32>
  return %0 : tensor<1x32x16x16xf32>
}

// Not taken: dilation 2 on a 12x12 map (not whole tiles per residue class),
// 16 channels (too few for the transforms to pay), a 7x7 map (4 tiles, the
// rows of each point's matmul), and a stride.
// CHECK-LABEL: func.func @direct
// CHECK-NOT: tdc_winograd_filter
// CHECK-NOT: scf.forall
// CHECK: return
func.func @direct(%x: tensor<1x32x12x12xf32>, %y: tensor<1x16x8x8xf32>, %z: tensor<1x32x7x7xf32>) -> (tensor<1x32x12x12xf32>, tensor<1x16x8x8xf32>, tensor<1x32x7x7xf32>, tensor<1x32x6x6xf32>) {
  %w = tg.constant dense<1.0> : tensor<32x32x3x3xf32>
  %v = tg.constant dense<1.0> : tensor<16x16x3x3xf32>
  %0 = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, group = 1} : (tensor<1x32x12x12xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x12x12xf32>
  %1 = tg.conv %y, %v {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %2 = tg.conv %z, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x32x7x7xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x7x7xf32>
  %3 = tg.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x32x12x12xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x6x6xf32>
  return %0, %1, %2, %3 : tensor<1x32x12x12xf32>, tensor<1x16x8x8xf32>, tensor<1x32x7x7xf32>, tensor<1x32x6x6xf32>
}
