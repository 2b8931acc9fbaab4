// RUN: tdc-opt %s --split-input-file --tdc-plan-buffers | FileCheck %s

// A padded buffer: zero fills of its border, the image written into its
// interior, read whole. It gets bytes of its own after the shared ones
// (%t, 1024 bytes; the total is 64-byte aligned), and the border fills go: the zeros persist.
// CHECK: module attributes {tdc.workspace_bytes = 1472 : i64, tdc.workspace_zeroed_from = 1024 : i64}
// CHECK-LABEL: func.func @tdc_graph(
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<1472xi8> to memref<256xf32>
// CHECK: %[[OP:.*]] = arith.constant 1024 : index
// CHECK: %[[P:.*]] = memref.view %{{.*}}[%[[OP]]][] : memref<1472xi8> to memref<10x10xf32>
// CHECK-NOT: linalg.fill
// CHECK: %[[IN:.*]] = memref.subview %[[P]][1, 1] [8, 8] [1, 1]
// CHECK-NEXT: linalg.copy ins(%{{.*}} : memref<8x8xf32>) outs(%[[IN]]
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @tdc_graph(%img: memref<8x8xf32>, %out: memref<10x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<256xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<256xf32>)
  %p = memref.alloc() : memref<10x10xf32>
  %top = memref.subview %p[0, 0] [1, 10] [1, 1] : memref<10x10xf32> to memref<1x10xf32, strided<[10, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x10xf32, strided<[10, 1]>>)
  %bottom = memref.subview %p[9, 0] [1, 10] [1, 1] : memref<10x10xf32> to memref<1x10xf32, strided<[10, 1], offset: 90>>
  linalg.fill ins(%zero : f32) outs(%bottom : memref<1x10xf32, strided<[10, 1], offset: 90>>)
  %left = memref.subview %p[1, 0] [8, 1] [1, 1] : memref<10x10xf32> to memref<8x1xf32, strided<[10, 1], offset: 10>>
  linalg.fill ins(%zero : f32) outs(%left : memref<8x1xf32, strided<[10, 1], offset: 10>>)
  %right = memref.subview %p[1, 9] [8, 1] [1, 1] : memref<10x10xf32> to memref<8x1xf32, strided<[10, 1], offset: 19>>
  linalg.fill ins(%zero : f32) outs(%right : memref<8x1xf32, strided<[10, 1], offset: 19>>)
  %interior = memref.subview %p[1, 1] [8, 8] [1, 1] : memref<10x10xf32> to memref<8x8xf32, strided<[10, 1], offset: 11>>
  linalg.copy ins(%img : memref<8x8xf32>) outs(%interior : memref<8x8xf32, strided<[10, 1], offset: 11>>)
  linalg.copy ins(%p : memref<10x10xf32>) outs(%out : memref<10x10xf32>)
  memref.dealloc %t : memref<256xf32>
  memref.dealloc %p : memref<10x10xf32>
  return
}

// -----

// The same buffer, but a write that may reach the border (a dynamic
// subview, a -inf fill, a copy overlapping a slab): the fills stay and the
// buffer is shared as usual.
// CHECK-NOT: tdc.workspace_zeroed_from
// CHECK-LABEL: func.func @tdc_graph(
// CHECK-COUNT-3: linalg.fill
// CHECK: return
func.func @tdc_graph(%img: memref<8x8xf32>, %out: memref<10x10xf32>, %i: index) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %a = memref.alloc() : memref<10x10xf32>
  %a0 = memref.subview %a[0, 0] [1, 10] [1, 1] : memref<10x10xf32> to memref<1x10xf32, strided<[10, 1]>>
  linalg.fill ins(%zero : f32) outs(%a0 : memref<1x10xf32, strided<[10, 1]>>)
  %a1 = memref.subview %a[%i, 1] [8, 8] [1, 1] : memref<10x10xf32> to memref<8x8xf32, strided<[10, 1], offset: ?>>
  linalg.copy ins(%img : memref<8x8xf32>) outs(%a1 : memref<8x8xf32, strided<[10, 1], offset: ?>>)
  linalg.copy ins(%a : memref<10x10xf32>) outs(%out : memref<10x10xf32>)
  %b = memref.alloc() : memref<10x10xf32>
  %b0 = memref.subview %b[0, 0] [1, 10] [1, 1] : memref<10x10xf32> to memref<1x10xf32, strided<[10, 1]>>
  linalg.fill ins(%ninf : f32) outs(%b0 : memref<1x10xf32, strided<[10, 1]>>)
  linalg.copy ins(%b : memref<10x10xf32>) outs(%out : memref<10x10xf32>)
  %c = memref.alloc() : memref<10x10xf32>
  %c0 = memref.subview %c[0, 0] [2, 10] [1, 1] : memref<10x10xf32> to memref<2x10xf32, strided<[10, 1]>>
  linalg.fill ins(%zero : f32) outs(%c0 : memref<2x10xf32, strided<[10, 1]>>)
  %c1 = memref.subview %c[1, 1] [8, 8] [1, 1] : memref<10x10xf32> to memref<8x8xf32, strided<[10, 1], offset: 11>>
  linalg.copy ins(%img : memref<8x8xf32>) outs(%c1 : memref<8x8xf32, strided<[10, 1], offset: 11>>)
  linalg.copy ins(%c : memref<10x10xf32>) outs(%out : memref<10x10xf32>)
  memref.dealloc %a : memref<10x10xf32>
  memref.dealloc %b : memref<10x10xf32>
  memref.dealloc %c : memref<10x10xf32>
  return
}
