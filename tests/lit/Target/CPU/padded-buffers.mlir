// RUN: tdc-opt %s --tdc-cpu-schedule --tdc-cpu-bufferize | FileCheck %s

// Two zero-padded buffers of one shape (consecutive 3x3 convolutions):
// their border slabs have equal shapes, and a CSE after
// tdc-fill-borders-only would share one fill among them, which
// bufferization then copies slab by slab. The stages as `tdc compile` runs
// them must fill each border slab in place, and copy no slab.
// CHECK-LABEL: func.func @two_padded
// CHECK-COUNT-2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<1x1x10x16xf32
// CHECK-COUNT-2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<1x8x1x16xf32
// CHECK-COUNT-2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<1x1x10x16xf32
// CHECK-COUNT-2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<1x8x1x16xf32
// CHECK-NOT: memref.copy {{.*}} : memref<1x1x10x16xf32
// CHECK-NOT: memref.copy {{.*}} : memref<1x8x1x16xf32
// CHECK: return
func.func @two_padded(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x8x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x10x10x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x10x10x16xf32>) -> tensor<1x10x10x16xf32>
  %p1 = tensor.insert_slice %x into %f[0, 1, 1, 0] [1, 8, 8, 16] [1, 1, 1, 1] : tensor<1x8x8x16xf32> into tensor<1x10x10x16xf32>
  %oe = tensor.empty() : tensor<1x8x8x16xf32>
  %o = linalg.fill ins(%zero : f32) outs(%oe : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %c1 = linalg.conv_2d_nhwc_hwcf ins(%p1, %w : tensor<1x10x10x16xf32>, tensor<3x3x16x16xf32>) outs(%o : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %p2 = tensor.insert_slice %c1 into %f[0, 1, 1, 0] [1, 8, 8, 16] [1, 1, 1, 1] : tensor<1x8x8x16xf32> into tensor<1x10x10x16xf32>
  %c2 = linalg.conv_2d_nhwc_hwcf ins(%p2, %w : tensor<1x10x10x16xf32>, tensor<3x3x16x16xf32>) outs(%o : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %c2 : tensor<1x8x8x16xf32>
}
