// RUN: tdc-opt %s --tdc-memref-copy-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<2x2xf32, strided<[4, 1], offset: 1>>) outs(%{{.*}} : memref<2x2xf32>)
func.func @strided_copy(%src: memref<4x4xf32>, %dst: memref<2x2xf32>) {
  %s = memref.subview %src[0, 1] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1], offset: 1>>
  memref.copy %s, %dst : memref<2x2xf32, strided<[4, 1], offset: 1>> to memref<2x2xf32>
  return
}

// A copy of 256 KiB or more is split over its outermost dim of extent > 1
// (here 16, after a unit dim) into the tasks of an scf.forall.
// CHECK-LABEL: func.func @large_copy
// CHECK-NOT: memref.copy
// CHECK: scf.forall (%[[I:.*]]) in (16)
// CHECK: %[[S:.*]] = memref.subview %arg0[0, %[[I]], 0, 0] [1, 1, 64, 64] [1, 1, 1, 1]
// CHECK: %[[D:.*]] = memref.subview %arg1[0, %[[I]], 0, 0] [1, 1, 64, 64] [1, 1, 1, 1]
// CHECK: linalg.copy ins(%[[S]] : {{.*}}) outs(%[[D]] : {{.*}})
func.func @large_copy(%src: memref<1x16x64x64xf32>, %dst: memref<1x16x64x64xf32, strided<[100000, 5000, 70, 1], offset: 71>>) {
  memref.copy %src, %dst : memref<1x16x64x64xf32> to memref<1x16x64x64xf32, strided<[100000, 5000, 70, 1], offset: 71>>
  return
}

// Inside a parallel task a large copy stays serial.
// CHECK-LABEL: func.func @copy_in_task
// CHECK: scf.forall
// CHECK-NOT: scf.forall
// CHECK: linalg.copy ins(%arg0 : memref<1x16x64x64xf32>)
func.func @copy_in_task(%src: memref<1x16x64x64xf32>, %dst: memref<2x1x16x64x64xf32>) {
  scf.forall (%t) in (2) {
    %d = memref.subview %dst[%t, 0, 0, 0, 0] [1, 1, 16, 64, 64] [1, 1, 1, 1, 1] : memref<2x1x16x64x64xf32> to memref<1x16x64x64xf32, strided<[65536, 4096, 64, 1], offset: ?>>
    memref.copy %src, %d : memref<1x16x64x64xf32> to memref<1x16x64x64xf32, strided<[65536, 4096, 64, 1], offset: ?>>
  }
  return
}
