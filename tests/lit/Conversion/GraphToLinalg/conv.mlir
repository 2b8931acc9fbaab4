// RUN: tdc-opt %s --convert-tg-to-linalg | FileCheck %s

// Affine maps are printed at the top of the module.
// CHECK-DAG: #[[$CX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5 * 2)>
// CHECK-DAG: #[[$FLIP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 2, -d4 + 2)>

// CHECK-LABEL: func.func @conv2d
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.broadcast ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<1x4x3x3xf32>) dimensions = [0, 2, 3]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: -> tensor<1x4x3x3xf32>
func.func @conv2d(%x: tensor<1x3x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  %0 = tg.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// CHECK-LABEL: func.func @conv2d_group
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 4, 1, 5, 5]
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x4x2x4x4xf32> into tensor<1x8x4x4xf32>
func.func @conv2d_group(%x: tensor<1x4x5x5xf32>, %w: tensor<8x1x2x2xf32>) -> tensor<1x8x4x4xf32> {
  %0 = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 4} : (tensor<1x4x5x5xf32>, tensor<8x1x2x2xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// Grouped 1-D conv has no named op: a generic over (n, g, f, o, c, k).
// CHECK-LABEL: func.func @conv1d_group
// CHECK: linalg.generic {indexing_maps = [#[[$CX]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x6x2xf32>
func.func @conv1d_group(%x: tensor<1x4x7xf32>, %w: tensor<6x2x3xf32>) -> tensor<1x6x2xf32> {
  %0 = tg.conv %x, %w {strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 2>, group = 2} : (tensor<1x4x7xf32>, tensor<6x2x3xf32>) -> tensor<1x6x2xf32>
  return %0 : tensor<1x6x2xf32>
}

// Transposed conv: spread the input by the stride, flip/transpose the
// kernel, then a stride-1 conv.
// CHECK-LABEL: func.func @conv_transpose
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 2, 2] : tensor<1x2x3x3xf32> into tensor<1x2x8x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$FLIP]]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>)
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x3x6x6xf32> {
  %0 = tg.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, group = 1} : (tensor<1x2x3x3xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x6x6xf32>
  return %0 : tensor<1x3x6x6xf32>
}

// 2-D float max pooling runs channels-last: the input transposed into an
// NHWC buffer filled with -inf (here the ceil_mode window runs past the
// input), the max over one slice per tap (strided by the stride), the
// result transposed back.
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<1x6x6x1xf32>)
// CHECK: %[[XP:.*]] = tensor.insert_slice %{{.*}} into %[[P]][0, 0, 0, 0] [1, 5, 5, 1] [1, 1, 1, 1]
// CHECK: %[[T0:.*]] = tensor.extract_slice %[[XP]][0, 0, 0, 0] [1, 3, 3, 1] [1, 2, 2, 1]
// CHECK: %[[T1:.*]] = tensor.extract_slice %[[XP]][0, 0, 1, 0] [1, 3, 3, 1] [1, 2, 2, 1]
// CHECK: %[[T2:.*]] = tensor.extract_slice %[[XP]][0, 1, 0, 0] [1, 3, 3, 1] [1, 2, 2, 1]
// CHECK: %[[T3:.*]] = tensor.extract_slice %[[XP]][0, 1, 1, 0] [1, 3, 3, 1] [1, 2, 2, 1]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[T0]], %[[T1]], %[[T2]], %[[T3]] : {{.*}}) outs(%{{.*}} : tensor<1x3x3x1xf32>)
// CHECK-COUNT-3: arith.maximumf
// CHECK: linalg.generic {{.*}} ins(%[[Y]] : tensor<1x3x3x1xf32>) outs(%{{.*}} : tensor<1x1x3x3xf32>)
func.func @max_pool(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = tg.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true, count_include_pad = false} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// Integer max pooling stays NCHW: the input padded with the lowest value,
// linalg.pooling_nchw_max.
// CHECK-LABEL: func.func @max_pool_i32
// CHECK: %[[LOW:.*]] = arith.constant -2147483648 : i32
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[LOW]]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @max_pool_i32(%x: tensor<1x1x5x5xi32>) -> tensor<1x1x3x3xi32> {
  %0 = tg.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true, count_include_pad = false} : (tensor<1x1x5x5xi32>) -> tensor<1x1x3x3xi32>
  return %0 : tensor<1x1x3x3xi32>
}

// count_include_pad = 0 divides by the in-bounds taps of each window.
// CHECK-LABEL: func.func @average_pool
// CHECK: tensor.pad %{{.*}} low[0, 0, 1] high[0, 0, 1]
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.constant dense<[2.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK: linalg.generic
// CHECK: arith.divf
func.func @average_pool(%x: tensor<1x1x5xf32>) -> tensor<1x1x3xf32> {
  %0 = tg.average_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 1>, dilations = array<i64: 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x1x5xf32>) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// CHECK-LABEL: func.func @average_pool_full
// CHECK: linalg.pooling_nchw_sum
// CHECK: %[[FOUR:.*]] = arith.constant 4.000000e+00 : f32
// CHECK: arith.divf %{{.*}}, %[[FOUR]]
func.func @average_pool_full(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = tg.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// CHECK-LABEL: func.func @lp_pool
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.sqrt
func.func @lp_pool(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x4x4xf32> {
  %0 = tg.lp_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false, p = 2} : (tensor<1x1x5x5xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// f16 convolutions accumulate in f32 and truncate at the end.
// CHECK-LABEL: func.func @conv_f16
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x4x4xf16>, tensor<3x2x3x3xf16>) outs(%{{.*}} : tensor<1x3x2x2xf32>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @conv_f16(%x: tensor<1x2x4x4xf16>, %w: tensor<3x2x3x3xf16>) -> tensor<1x3x2x2xf16> {
  %0 = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x2x4x4xf16>, tensor<3x2x3x3xf16>) -> tensor<1x3x2x2xf16>
  return %0 : tensor<1x3x2x2xf16>
}

// Indices: one generic with two outputs; padding taps never win.
// CHECK-LABEL: func.func @max_pool_with_indices
// CHECK: linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
// CHECK: linalg.index 0
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: arith.select
func.func @max_pool_with_indices(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) {
  %0:2 = tg.max_pool_with_indices %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false, storage_order = 0} : (tensor<1x2x4x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
  return %0#0, %0#1 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>
}

// A 2-D f32 conv with constant filters runs channels-last: the input is
// transposed into a zero-filled padded NHWC buffer, the filters are packed
// at compile time as [F/16, KH, KW, C, 16] blocks, the bias (split into
// blocks too) is broadcast into the NHWC result viewed with F split into
// blocks, which is transposed back.
// CHECK-LABEL: func.func @conv_channels_last
// CHECK: %[[P:.*]] = linalg.fill {{.*}} -> tensor<1x7x7x2xf32>
// CHECK: %[[S:.*]] = tensor.empty() : tensor<1x5x5x2xf32>
// CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x2x5x5xf32>) outs(%[[S]] : tensor<1x5x5x2xf32>)
// CHECK: %[[XP:.*]] = tensor.insert_slice %[[T]] into %[[P]][0, 1, 1, 0] [1, 5, 5, 2]
// CHECK: %[[W:.*]] = arith.constant dense_resource<tdc_packed_filter{{.*}}> : tensor<1x3x3x2x16xf32>
// CHECK: %[[BB:.*]] = tensor.expand_shape %arg1 {{.*}} into tensor<1x16xf32>
// CHECK: %[[E:.*]] = linalg.broadcast ins(%[[BB]] : tensor<1x16xf32>) outs(%{{.*}} : tensor<1x3x3x1x16xf32>) dimensions = [0, 1, 2]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XP]], %[[W]] : tensor<1x7x7x2xf32>, tensor<1x3x3x2x16xf32>) outs(%[[E]] : tensor<1x3x3x1x16xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[Y]] {{.*}} into tensor<1x3x3x16xf32>
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x3x3x16xf32>) outs(%{{.*}} : tensor<1x16x3x3xf32>)
func.func @conv_channels_last(%x: tensor<1x2x5x5xf32>, %b: tensor<16xf32>) -> tensor<1x16x3x3xf32> {
  %w = tg.constant dense<1.0> : tensor<16x2x3x3xf32>
  %0 = tg.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x2x5x5xf32>, tensor<16x2x3x3xf32>, tensor<16xf32>) -> tensor<1x16x3x3xf32>
  return %0 : tensor<1x16x3x3xf32>
}

// Depthwise (group = channels, one filter each), up to 25 taps: one
// all-parallel op over the output, one term per tap (its window of the
// image, strided by the stride, and its row of the [KH, KW, C] filters),
// the bias the first term; no padding, so no fill of the NHWC input buffer.
// CHECK-LABEL: func.func @depthwise_channels_last
// CHECK-NOT: linalg.fill
// CHECK: %[[X:.*]] = tensor.insert_slice {{.*}} into {{.*}} : tensor<1x7x7x8xf32> into tensor<1x7x7x8xf32>
// CHECK: %[[W:.*]] = arith.constant dense_resource<tdc_packed_filter{{.*}}> : tensor<3x3x8xf32>
// CHECK: %[[X00:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 2, 8] [1, 2, 2, 1]
// CHECK: %[[X01:.*]] = tensor.extract_slice %[[X]][0, 0, 2, 0] [1, 2, 2, 8] [1, 2, 2, 1]
// CHECK: %[[X22:.*]] = tensor.extract_slice %[[X]][0, 4, 4, 0] [1, 2, 2, 8] [1, 2, 2, 1]
// CHECK: %[[W00:.*]] = tensor.extract_slice %[[W]][0, 0, 0] [1, 1, 8] [1, 1, 1]
// CHECK: %[[W22:.*]] = tensor.extract_slice %[[W]][2, 2, 0] [1, 1, 8] [1, 1, 1]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X00]], %[[X01]], {{.*}}, %[[X22]], %[[W00]], {{.*}}, %[[W22]], %arg1 : {{.*}}) outs(%{{.*}} : tensor<1x2x2x8xf32>)
// CHECK-NEXT: ^bb0(%[[A0:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %[[B0:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %[[BIAS:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: math.fma %[[A0]], %[[B0]], %[[BIAS]] : f32
// CHECK-COUNT-8: math.fma
// CHECK-NEXT: linalg.yield
func.func @depthwise_channels_last(%x: tensor<1x8x7x7xf32>, %b: tensor<8xf32>) -> tensor<1x8x2x2xf32> {
  %w = tg.constant dense<1.0> : tensor<8x1x3x3xf32>
  %0 = tg.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, group = 8} : (tensor<1x8x7x7xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x2x2xf32>
  return %0 : tensor<1x8x2x2xf32>
}

// More taps (7x7): a reduction over the filter window, loops n, oh, ow,
// kh, kw, c with the channels innermost.
// CHECK-LABEL: func.func @depthwise_channels_last_7x7
// CHECK: %[[W:.*]] = arith.constant dense_resource<tdc_packed_filter{{.*}}> : tensor<7x7x8xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%{{.*}}, %[[W]] : tensor<1x10x10x8xf32>, tensor<7x7x8xf32>) outs(%{{.*}} : tensor<1x4x4x8xf32>)
func.func @depthwise_channels_last_7x7(%x: tensor<1x8x10x10xf32>) -> tensor<1x8x4x4xf32> {
  %w = tg.constant dense<1.0> : tensor<8x1x7x7xf32>
  %0 = tg.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 8} : (tensor<1x8x10x10xf32>, tensor<8x1x7x7xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// Output channels that are not a multiple of 8 (a 3-class head): the filters
// are padded with zero filters to 8 (the packed constant's last 5 lanes of
// each row are 0), the bias with zeros, and the NHWC result is cut back to
// 3 channels before the transpose.
// CHECK-LABEL: func.func @conv_padded_filters
// CHECK: %[[W:.*]] = arith.constant dense_resource<tdc_packed_filter{{.*}}> : tensor<1x1x1x8x8xf32>
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<8xf32>
// CHECK: %[[B:.*]] = tensor.insert_slice %arg1 into %[[Z]][0] [3] [1] : tensor<3xf32> into tensor<8xf32>
// CHECK: linalg.broadcast
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : tensor<1x4x4x8xf32>, tensor<1x1x1x8x8xf32>) outs(%{{.*}} : tensor<1x4x4x1x8xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[Y]] {{.*}} into tensor<1x4x4x8xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[C]][0, 0, 0, 0] [1, 4, 4, 3] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x4x4x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<1x4x4x3xf32>) outs(%{{.*}} : tensor<1x3x4x4xf32>)
// CHECK: tdc_packed_filter{{.*}}: "0x400000000000803F0000803F0000803F0000000000000000000000000000000000000000
func.func @conv_padded_filters(%x: tensor<1x8x4x4xf32>, %b: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %w = tg.constant dense<1.0> : tensor<3x8x1x1xf32>
  %0 = tg.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x8x4x4xf32>, tensor<3x8x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}
