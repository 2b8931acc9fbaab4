// RUN: tdc-opt %s --tdc-task-scratch | FileCheck %s

// Each task allocates and frees two buffers (9216 and 100 bytes): one call
// per task gets its thread's scratch of 9216 + 128 bytes (64-byte aligned
// offsets), the buffers are views of it, the frees go. The declaration is
// typed with the largest request of the module.
// CHECK: func.func private @tdc_rt_task_scratch(i64) -> memref<9344xi8>
// CHECK-LABEL: func.func @task_scratch
// CHECK: scf.forall
// CHECK: %[[N:.*]] = arith.constant 9344 : i64
// CHECK: %[[S:.*]] = func.call @tdc_rt_task_scratch(%[[N]]) : (i64) -> memref<9344xi8>
// CHECK: %[[V:.*]] = memref.view %[[S]][%{{.*}}][] : memref<9344xi8> to memref<36x4x16xf32>
// CHECK: %[[W:.*]] = memref.view %[[S]][%{{.*}}][] : memref<9344xi8> to memref<25xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @task_scratch(%out: memref<2x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  scf.forall (%i, %j) in (2, 3) {
    %v = memref.alloc() {alignment = 64 : i64} : memref<36x4x16xf32>
    %w = memref.alloc() : memref<25xf32>
    linalg.fill ins(%zero : f32) outs(%v : memref<36x4x16xf32>)
    linalg.fill ins(%zero : f32) outs(%w : memref<25xf32>)
    %x = memref.load %v[%c0, %c0, %c0] : memref<36x4x16xf32>
    %y = memref.load %w[%c0] : memref<25xf32>
    %z = arith.addf %x, %y : f32
    memref.store %z, %out[%i, %j] : memref<2x3xf32>
    memref.dealloc %v : memref<36x4x16xf32>
    memref.dealloc %w : memref<25xf32>
  }
  return
}

// Left alone: a buffer its task does not free (it may outlive the task), a
// dynamic shape, and a loop with a parallel loop inside (whose tasks would
// run in the same thread and share its scratch).
// CHECK-LABEL: func.func @left_alone
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.alloc() : memref<8xf32>
func.func @left_alone(%n: index, %keep: memref<8xf32>, %dyn: memref<?xf32>) {
  scf.forall (%i) in (4) {
    %a = memref.alloc() : memref<8xf32>
    memref.copy %keep, %a : memref<8xf32> to memref<8xf32>
    memref.copy %a, %keep : memref<8xf32> to memref<8xf32>
    %d = memref.alloc(%n) : memref<?xf32>
    memref.copy %dyn, %d : memref<?xf32> to memref<?xf32>
    memref.copy %d, %dyn : memref<?xf32> to memref<?xf32>
    memref.dealloc %d : memref<?xf32>
  }
  scf.forall (%i) in (4) {
    %a = memref.alloc() : memref<8xf32>
    memref.copy %keep, %a : memref<8xf32> to memref<8xf32>
    scf.forall (%j) in (2) {
      memref.copy %a, %keep : memref<8xf32> to memref<8xf32>
    }
    memref.dealloc %a : memref<8xf32>
  }
  return
}
