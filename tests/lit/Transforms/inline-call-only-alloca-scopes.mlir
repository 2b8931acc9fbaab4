// RUN: tdc-opt %s --tdc-inline-call-only-alloca-scopes | FileCheck %s

func.func private @tdc_rt_task_scratch(i64) -> memref<64xi8>

// A scope whose only possible allocation is a call: inlined (the callee's
// stack frame ends with the call).
// CHECK-LABEL: func.func @calls_only
// CHECK-NOT: memref.alloca_scope
// CHECK: call @tdc_rt_task_scratch
// CHECK: memref.store
func.func @calls_only(%out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %n = arith.constant 64 : i64
  %f = arith.constant 1.0 : f32
  memref.alloca_scope {
    %s = func.call @tdc_rt_task_scratch(%n) : (i64) -> memref<64xi8>
    %v = memref.view %s[%c0][] : memref<64xi8> to memref<16xf32>
    memref.store %f, %v[%c0] : memref<16xf32>
    %x = memref.load %v[%c0] : memref<16xf32>
    memref.store %x, %out[%c0] : memref<1xf32>
  }
  return
}

// A scope with a stack allocation of its own stays.
// CHECK-LABEL: func.func @alloca
// CHECK: memref.alloca_scope
// CHECK: memref.alloca
func.func @alloca(%out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  memref.alloca_scope {
    %a = memref.alloca() : memref<4xf32>
    memref.store %f, %a[%c0] : memref<4xf32>
    %x = memref.load %a[%c0] : memref<4xf32>
    memref.store %x, %out[%c0] : memref<1xf32>
  }
  return
}
