// RUN: tdc-opt %s --tdc-flatten-constant-globals | FileCheck %s

// CHECK: memref.global "private" constant @w : memref<6xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]>
// CHECK: memref.global "private" constant @v : memref<3xf32>
// CHECK-LABEL: func.func @use
// CHECK: %[[FLAT:.*]] = memref.get_global @w : memref<6xf32>
// CHECK: memref.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2]] output_shape [2, 3, 1] : memref<6xf32> into memref<2x3x1xf32>
// CHECK: memref.get_global @v : memref<3xf32>
memref.global "private" constant @w : memref<2x3x1xf32> = dense<[[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]]]>
memref.global "private" constant @v : memref<3xf32> = dense<[1.0, 2.0, 3.0]>
func.func @use() -> (memref<2x3x1xf32>, memref<3xf32>) {
  %0 = memref.get_global @w : memref<2x3x1xf32>
  %1 = memref.get_global @v : memref<3xf32>
  return %0, %1 : memref<2x3x1xf32>, memref<3xf32>
}
