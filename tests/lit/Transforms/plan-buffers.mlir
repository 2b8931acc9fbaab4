// RUN: tdc-opt %s --tdc-plan-buffers | FileCheck %s
// RUN: tdc-opt %s --tdc-plan-buffers=function=other | FileCheck %s --check-prefix=OTHER

// %a (and its alias %a2) dies when %b is born, so they share offset 0; %c
// is live together with %b and goes after it (1024 bytes, 64-aligned). The
// dynamically shaped and the nested allocations keep malloc/free.
// CHECK: module attributes {tdc.workspace_bytes = 2048 : i64}
// CHECK: func.func private @tdc_rt_opaque_pointer(memref<2048xi8>) -> memref<2048xi8>
// CHECK-LABEL: func.func @tdc_graph(
// CHECK-SAME: %[[IN:.*]]: memref<256xf32>, %[[OUT:.*]]: memref<256xf32>, %[[N:.*]]: index, %[[WS:.*]]: memref<2048xi8> {tdc.workspace})
// CHECK: %[[BA:.*]] = call @tdc_rt_opaque_pointer(%[[WS]])
// CHECK: %[[OA:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[BA]][%[[OA]]][] : memref<2048xi8> to memref<256xf32>
// CHECK: linalg.copy ins(%[[IN]] : {{.*}}) outs(%[[A]] :
// CHECK: %[[BB:.*]] = call @tdc_rt_opaque_pointer(%[[WS]])
// CHECK: %[[OB:.*]] = arith.constant 0 : index
// CHECK: %[[B:.*]] = memref.view %[[BB]][%[[OB]]][] : memref<2048xi8> to memref<16x16xf32>
// CHECK: %[[BC:.*]] = call @tdc_rt_opaque_pointer(%[[WS]])
// CHECK: %[[OC:.*]] = arith.constant 1024 : index
// CHECK: %[[C:.*]] = memref.view %[[BC]][%[[OC]]][] : memref<2048xi8> to memref<250xf32>
// CHECK: %[[D:.*]] = memref.alloc(%[[N]]) : memref<?xf32>
// CHECK: scf.for
// CHECK:   memref.alloc() : memref<8xf32>
// CHECK:   memref.dealloc
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[D]]
// CHECK-NEXT: return

// OTHER-NOT: tdc.workspace_bytes
// OTHER: func.func @tdc_graph(%{{.*}}: memref<256xf32>, %{{.*}}: memref<256xf32>, %{{.*}}: index) {

func.func @tdc_graph(%in: memref<256xf32>, %out: memref<256xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  linalg.copy ins(%in : memref<256xf32>) outs(%a : memref<256xf32>)
  %a2 = memref.expand_shape %a [[0, 1]] output_shape [16, 16] : memref<256xf32> into memref<16x16xf32>
  %x = memref.load %a2[%c0, %c1] : memref<16x16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
  linalg.fill ins(%x : f32) outs(%b : memref<16x16xf32>)
  %c = memref.alloc() : memref<250xf32>
  linalg.fill ins(%x : f32) outs(%c : memref<250xf32>)
  %d = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<8xf32>
    %y = memref.load %b[%i, %i] : memref<16x16xf32>
    %z = memref.load %c[%i] : memref<250xf32>
    memref.store %y, %t[%i] : memref<8xf32>
    memref.store %z, %out[%i] : memref<256xf32>
    memref.store %y, %d[%i] : memref<?xf32>
    memref.dealloc %t : memref<8xf32>
  }
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<16x16xf32>
  memref.dealloc %c : memref<250xf32>
  memref.dealloc %d : memref<?xf32>
  return
}
