// RUN: tdc-opt %s --pass-pipeline='builtin.module(func.func(tdc-approximate-math))' | FileCheck %s

// f32 erf and exp become arithmetic (no call left for LLVM to keep scalar).
// CHECK-LABEL: func.func @gelu_erf
// CHECK-NOT: math.erf
// CHECK: math.fma
// CHECK: return
func.func @gelu_erf(%x: f32) -> f32 {
  %e = math.erf %x : f32
  return %e : f32
}

// Vectors too (an epilogue vectorized with its contraction).
// CHECK-LABEL: func.func @softmax_exp
// CHECK-NOT: math.exp
// CHECK: math.floor %{{.*}} : vector<8xf32>
// CHECK: arith.bitcast %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK: return
func.func @softmax_exp(%x: vector<8xf32>) -> vector<8xf32> {
  %e = math.exp %x : vector<8xf32>
  return %e : vector<8xf32>
}

// tanh too (DCGAN's output), clamped so that it saturates at +-1.
// CHECK-LABEL: func.func @generator_tanh
// CHECK-NOT: math.tanh
// CHECK: arith.constant 7.99881172 : f32
// CHECK: arith.divf
// CHECK: return
func.func @generator_tanh(%x: vector<8xf32>) -> vector<8xf32> {
  %t = math.tanh %x : vector<8xf32>
  return %t : vector<8xf32>
}

// f64 and the functions not selected keep their math ops (libm).
// CHECK-LABEL: func.func @kept
// CHECK: math.erf %{{.*}} : f64
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.tanh %{{.*}} : f64
// CHECK: math.log %{{.*}} : f32
func.func @kept(%x: f64, %y: f32) -> (f64, f64, f64, f32) {
  %e = math.erf %x : f64
  %f = math.exp %x : f64
  %t = math.tanh %x : f64
  %l = math.log %y : f32
  return %e, %f, %t, %l : f64, f64, f64, f32
}
