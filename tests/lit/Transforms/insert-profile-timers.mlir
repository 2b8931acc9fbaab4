// RUN: tdc-opt %s --tdc-insert-profile-timers | FileCheck %s

// Each top-level nest (the fill, the loop) is bracketed by two clock reads
// whose difference goes to its slot; views and allocations are not timed.
// The labels name the ONNX node and what the nest is.
// CHECK: module attributes {tdc.profile_labels = ["node 'c0' (Conv)\09fill", "node 'r0' (Relu)\09loops"]}
// CHECK: memref.global "private" @tdc_profile_ns : memref<2xi64> = dense<0>
// CHECK: func.func private @tdc_profile_now() -> i64
// CHECK-LABEL: func.func @graph
// CHECK: %[[T0:.*]] = call @tdc_profile_now()
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: %[[T1:.*]] = call @tdc_profile_now()
// CHECK-NEXT: %[[G:.*]] = memref.get_global @tdc_profile_ns
// CHECK: %[[OLD:.*]] = memref.load %[[G]][%{{.*}}]
// CHECK-NEXT: %[[D:.*]] = arith.subi %[[T1]], %[[T0]]
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[OLD]], %[[D]]
// CHECK-NEXT: memref.store %[[S]], %[[G]][%{{.*}}]
// CHECK: call @tdc_profile_now()
// CHECK-NEXT: scf.for
// CHECK: call @tdc_profile_now()
func.func @graph(%out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<16xf32>) loc("c0 (Conv)")
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %out[%i] : memref<16xf32>
    %r = arith.maximumf %v, %zero : f32
    memref.store %r, %out[%i] : memref<16xf32>
  } loc("r0 (Relu)")
  return
}
