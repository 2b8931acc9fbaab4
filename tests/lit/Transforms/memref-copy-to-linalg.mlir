// RUN: tdc-opt %s --tdc-memref-copy-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<2x2xf32, strided<[4, 1], offset: 1>>) outs(%{{.*}} : memref<2x2xf32>)
func.func @strided_copy(%src: memref<4x4xf32>, %dst: memref<2x2xf32>) {
  %s = memref.subview %src[0, 1] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1], offset: 1>>
  memref.copy %s, %dst : memref<2x2xf32, strided<[4, 1], offset: 1>> to memref<2x2xf32>
  return
}
