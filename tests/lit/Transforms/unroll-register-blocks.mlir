// RUN: tdc-opt %s --tdc-unroll-register-blocks | FileCheck %s

// A register block's reduction loop (vector accumulators only, innermost,
// 64 steps) is unrolled by 4: a step of 4 and four copies of the body.
// CHECK-LABEL: func.func @register_block
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c4
// CHECK-COUNT-8: vector.fma
// CHECK-NOT: vector.fma
// CHECK: scf.yield
func.func @register_block(%a: tensor<64x16xf32>, %b: tensor<64x16xf32>, %init: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  %r:4 = scf.for %k = %c0 to %c64 step %c1 iter_args(%x0 = %init, %x1 = %init, %x2 = %init, %x3 = %init) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
    %va = vector.transfer_read %a[%k, %c0], %zero {in_bounds = [true]} : tensor<64x16xf32>, vector<16xf32>
    %vb = vector.transfer_read %b[%k, %c0], %zero {in_bounds = [true]} : tensor<64x16xf32>, vector<16xf32>
    %y0 = vector.fma %va, %vb, %x0 : vector<16xf32>
    %y1 = vector.fma %vb, %va, %x1 : vector<16xf32>
    scf.yield %y0, %y1, %x2, %x3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
  }
  return %r#0, %r#1, %r#2, %r#3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// A trip count of 6 takes the largest factor up to 4 that divides it (3),
// so that no remainder loop is left.
// CHECK-LABEL: func.func @six_steps
// CHECK: scf.for %{{.*}} = %c0 to %c6 step %c3
// CHECK-COUNT-3: vector.fma
// CHECK-NOT: scf.for
func.func @six_steps(%a: tensor<6x16xf32>, %init: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  %r:4 = scf.for %k = %c0 to %c6 step %c1 iter_args(%x0 = %init, %x1 = %init, %x2 = %init, %x3 = %init) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
    %va = vector.transfer_read %a[%k, %c0], %zero {in_bounds = [true]} : tensor<6x16xf32>, vector<16xf32>
    %y0 = vector.fma %va, %va, %x0 : vector<16xf32>
    scf.yield %y0, %x1, %x2, %x3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
  }
  return %r#0, %r#1, %r#2, %r#3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// Left alone: a loop with a nested loop (the tap loops around the
// register block's), fewer than 4 accumulators, a non-vector iter_arg,
// and a trip count that is not a constant.
// CHECK-LABEL: func.func @left_alone
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %[[N:.*]] step %c1
func.func @left_alone(%a: tensor<64x16xf32>, %init: vector<16xf32>, %n: index) -> (vector<16xf32>, f32, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  %t:4 = scf.for %i = %c0 to %c3 step %c1 iter_args(%x0 = %init, %x1 = %init, %x2 = %init, %x3 = %init) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
    %r:4 = scf.for %k = %c0 to %c64 step %c1 iter_args(%y0 = %x0, %y1 = %x1, %y2 = %x2, %y3 = %x3) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
      %va = vector.transfer_read %a[%k, %c0], %zero {in_bounds = [true]} : tensor<64x16xf32>, vector<16xf32>
      %z = vector.fma %va, %va, %y0 : vector<16xf32>
      scf.yield %z, %y1, %y2, %y3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
    }
    scf.yield %r#0, %r#1, %r#2, %r#3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
  }
  %two:2 = scf.for %k = %c0 to %c64 step %c1 iter_args(%x0 = %init, %x1 = %init) -> (vector<16xf32>, vector<16xf32>) {
    %va = vector.transfer_read %a[%k, %c0], %zero {in_bounds = [true]} : tensor<64x16xf32>, vector<16xf32>
    %z = vector.fma %va, %va, %x0 : vector<16xf32>
    scf.yield %z, %x1 : vector<16xf32>, vector<16xf32>
  }
  %s:5 = scf.for %k = %c0 to %c64 step %c1 iter_args(%x0 = %init, %x1 = %init, %x2 = %init, %x3 = %init, %f = %zero) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, f32) {
    %e = tensor.extract %a[%k, %c0] : tensor<64x16xf32>
    %g = arith.addf %f, %e : f32
    scf.yield %x0, %x1, %x2, %x3, %g : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, f32
  }
  %d:4 = scf.for %k = %c0 to %n step %c1 iter_args(%x0 = %init, %x1 = %init, %x2 = %init, %x3 = %init) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
    %va = vector.transfer_read %a[%k, %c0], %zero {in_bounds = [true]} : tensor<64x16xf32>, vector<16xf32>
    %z = vector.fma %va, %va, %x0 : vector<16xf32>
    scf.yield %z, %x1, %x2, %x3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
  }
  return %t#0, %s#4, %d#0 : vector<16xf32>, f32, vector<16xf32>
}
