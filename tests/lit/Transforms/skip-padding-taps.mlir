// RUN: tdc-opt %s --tdc-skip-padding-taps --canonicalize | FileCheck %s

// A dilation-8 3x3 tap loop nest over a buffer padded by 8: the rows loop
// keeps the taps whose row may be inside, the columns loop those whose
// two pixels may be; the accumulators carry through the inner loop.
// CHECK-DAG: #[[ROWLO:.*]] = affine_map<()[s0] -> (0, (-s0 + 8) ceildiv 8)>
// CHECK-DAG: #[[HI:.*]] = affine_map<()[s0] -> (3, (-s0 + 23) floordiv 8 + 1)>
// CHECK-DAG: #[[COLLO:.*]] = affine_map<()[s0] -> (0, (-s0 + 7) ceildiv 8)>
// CHECK-DAG: #[[SLO:.*]] = affine_map<()[s0] -> (0, (-s0 + 16) ceildiv 16)>
// CHECK-DAG: #[[SHI:.*]] = affine_map<()[s0] -> (3, (-s0 + 31) floordiv 16 + 1)>
// CHECK-LABEL: func.func @dilated_taps
// CHECK-SAME: (%{{.*}}: tensor<16x16x16xf32>, %[[OH:.*]]: index, %[[OW:.*]]: index)
// CHECK: %[[KHLO:.*]] = affine.max #[[ROWLO]]()[%[[OH]]]
// CHECK: %[[KHHI:.*]] = affine.min #[[HI]]()[%[[OH]]]
// CHECK: scf.for %{{.*}} = %[[KHLO]] to %[[KHHI]]
// CHECK: %[[KWLO:.*]] = affine.max #[[COLLO]]()[%[[OW]]]
// CHECK: %[[KWHI:.*]] = affine.min #[[HI]]()[%[[OW]]]
// CHECK: scf.for %{{.*}} = %[[KWLO]] to %[[KWHI]]
func.func @dilated_taps(%image: tensor<16x16x16xf32>, %oh: index, %ow: index) -> (vector<16xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<3x3x16xf32>
  %e = tensor.empty() : tensor<32x32x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32x16xf32>) -> tensor<32x32x16xf32>
  %p = tensor.insert_slice %image into %f[8, 8, 0] [16, 16, 16] [1, 1, 1] : tensor<16x16x16xf32> into tensor<32x32x16xf32>
  %init = vector.broadcast %zero : f32 to vector<16xf32>
  %r:2 = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a0 = %init, %a1 = %init) -> (vector<16xf32>, vector<16xf32>) {
    %s:2 = scf.for %kw = %c0 to %c3 step %c1 iter_args(%b0 = %a0, %b1 = %a1) -> (vector<16xf32>, vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 * 8 + s0)>(%kh)[%oh]
      %col = affine.apply affine_map<(d0)[s0] -> (d0 * 8 + s0)>(%kw)[%ow]
      %win = tensor.extract_slice %p[%row, %col, 0] [1, 2, 16] [1, 1, 1] : tensor<32x32x16xf32> to tensor<2x16xf32>
      %x0 = vector.transfer_read %win[%c0, %c0], %zero {in_bounds = [true]} : tensor<2x16xf32>, vector<16xf32>
      %x1 = vector.transfer_read %win[%c1, %c0], %zero {in_bounds = [true]} : tensor<2x16xf32>, vector<16xf32>
      %wv = vector.transfer_read %w[%kh, %kw, %c0], %zero {in_bounds = [true]} : tensor<3x3x16xf32>, vector<16xf32>
      %n0 = vector.fma %x0, %wv, %b0 : vector<16xf32>
      %n1 = vector.fma %x1, %wv, %b1 : vector<16xf32>
      scf.yield %n0, %n1 : vector<16xf32>, vector<16xf32>
    }
    scf.yield %s#0, %s#1 : vector<16xf32>, vector<16xf32>
  }
  return %r#0, %r#1 : vector<16xf32>, vector<16xf32>
}

// Scalar reads broadcast into the lanes (a register block's pixels) and a
// product added with mulf + addf count the same.
// CHECK-LABEL: func.func @scalar_reads
// CHECK-SAME: (%{{.*}}: tensor<16x16xf32>, %[[W:.*]]: index)
// CHECK: %[[LO:.*]] = affine.max #[[SLO]]()[%[[W]]]
// CHECK: %[[HI:.*]] = affine.min #[[SHI]]()[%[[W]]]
// CHECK: scf.for %{{.*}} = %[[LO]] to %[[HI]]
func.func @scalar_reads(%image: tensor<16x16xf32>, %ow: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.25> : tensor<3x16xf32>
  %e = tensor.empty() : tensor<48x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<48x16xf32>) -> tensor<48x16xf32>
  %p = tensor.insert_slice %image into %f[16, 0] [16, 16] [1, 1] : tensor<16x16xf32> into tensor<48x16xf32>
  %init = vector.broadcast %zero : f32 to vector<16xf32>
  %r = scf.for %k = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<16xf32>) {
    %i = affine.apply affine_map<(d0)[s0] -> (d0 * 16 + s0)>(%k)[%ow]
    %x = tensor.extract %p[%i, %c0] : tensor<48x16xf32>
    %xv = vector.broadcast %x : f32 to vector<16xf32>
    %wv = vector.transfer_read %w[%k, %c0], %zero {in_bounds = [true]} : tensor<3x16xf32>, vector<16xf32>
    %m = arith.mulf %wv, %xv : vector<16xf32>
    %n = arith.addf %acc, %m : vector<16xf32>
    scf.yield %n : vector<16xf32>
  }
  return %r : vector<16xf32>
}

// Left alone: weights that are not finite constants (0 * inf is NaN, and
// an argument may hold anything), a border that is not zero, and an
// accumulation that is not a sum.
// CHECK-LABEL: func.func @infinite_weight
// CHECK-NOT: affine.max
// CHECK: scf.for %{{.*}} = %c0 to %c3
func.func @infinite_weight(%image: tensor<16x16xf32>, %ow: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %pad = arith.constant 0.0 : f32
  %w = arith.constant dense<0x7F800000> : tensor<3x16xf32>
  %e = tensor.empty() : tensor<48x16xf32>
  %f = linalg.fill ins(%pad : f32) outs(%e : tensor<48x16xf32>) -> tensor<48x16xf32>
  %p = tensor.insert_slice %image into %f[16, 0] [16, 16] [1, 1] : tensor<16x16xf32> into tensor<48x16xf32>
  %init = vector.broadcast %zero : f32 to vector<16xf32>
  %r = scf.for %k = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<16xf32>) {
    %i = affine.apply affine_map<(d0)[s0] -> (d0 * 16 + s0)>(%k)[%ow]
    %x = vector.transfer_read %p[%i, %c0], %zero {in_bounds = [true]} : tensor<48x16xf32>, vector<16xf32>
    %wv = vector.transfer_read %w[%k, %c0], %zero {in_bounds = [true]} : tensor<3x16xf32>, vector<16xf32>
    %n = vector.fma %x, %wv, %acc : vector<16xf32>
    scf.yield %n : vector<16xf32>
  }
  return %r : vector<16xf32>
}

// CHECK-LABEL: func.func @argument_weight
// CHECK-NOT: affine.max
// CHECK: scf.for %{{.*}} = %c0 to %c3
func.func @argument_weight(%image: tensor<16x16xf32>, %ow: index, %w: tensor<3x16xf32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %pad = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<48x16xf32>
  %f = linalg.fill ins(%pad : f32) outs(%e : tensor<48x16xf32>) -> tensor<48x16xf32>
  %p = tensor.insert_slice %image into %f[16, 0] [16, 16] [1, 1] : tensor<16x16xf32> into tensor<48x16xf32>
  %init = vector.broadcast %zero : f32 to vector<16xf32>
  %r = scf.for %k = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<16xf32>) {
    %i = affine.apply affine_map<(d0)[s0] -> (d0 * 16 + s0)>(%k)[%ow]
    %x = vector.transfer_read %p[%i, %c0], %zero {in_bounds = [true]} : tensor<48x16xf32>, vector<16xf32>
    %wv = vector.transfer_read %w[%k, %c0], %zero {in_bounds = [true]} : tensor<3x16xf32>, vector<16xf32>
    %n = vector.fma %x, %wv, %acc : vector<16xf32>
    scf.yield %n : vector<16xf32>
  }
  return %r : vector<16xf32>
}

// CHECK-LABEL: func.func @nonzero_border
// CHECK-NOT: affine.max
// CHECK: scf.for %{{.*}} = %c0 to %c3
func.func @nonzero_border(%image: tensor<16x16xf32>, %ow: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %pad = arith.constant 1.0 : f32
  %w = arith.constant dense<0.5> : tensor<3x16xf32>
  %e = tensor.empty() : tensor<48x16xf32>
  %f = linalg.fill ins(%pad : f32) outs(%e : tensor<48x16xf32>) -> tensor<48x16xf32>
  %p = tensor.insert_slice %image into %f[16, 0] [16, 16] [1, 1] : tensor<16x16xf32> into tensor<48x16xf32>
  %init = vector.broadcast %zero : f32 to vector<16xf32>
  %r = scf.for %k = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<16xf32>) {
    %i = affine.apply affine_map<(d0)[s0] -> (d0 * 16 + s0)>(%k)[%ow]
    %x = vector.transfer_read %p[%i, %c0], %zero {in_bounds = [true]} : tensor<48x16xf32>, vector<16xf32>
    %wv = vector.transfer_read %w[%k, %c0], %zero {in_bounds = [true]} : tensor<3x16xf32>, vector<16xf32>
    %n = vector.fma %x, %wv, %acc : vector<16xf32>
    scf.yield %n : vector<16xf32>
  }
  return %r : vector<16xf32>
}

// CHECK-LABEL: func.func @max_accumulation
// CHECK-NOT: affine.max
// CHECK: scf.for %{{.*}} = %c0 to %c3
func.func @max_accumulation(%image: tensor<16x16xf32>, %ow: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %pad = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<3x16xf32>
  %e = tensor.empty() : tensor<48x16xf32>
  %f = linalg.fill ins(%pad : f32) outs(%e : tensor<48x16xf32>) -> tensor<48x16xf32>
  %p = tensor.insert_slice %image into %f[16, 0] [16, 16] [1, 1] : tensor<16x16xf32> into tensor<48x16xf32>
  %init = vector.broadcast %zero : f32 to vector<16xf32>
  %r = scf.for %k = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<16xf32>) {
    %i = affine.apply affine_map<(d0)[s0] -> (d0 * 16 + s0)>(%k)[%ow]
    %x = vector.transfer_read %p[%i, %c0], %zero {in_bounds = [true]} : tensor<48x16xf32>, vector<16xf32>
    %wv = vector.transfer_read %w[%k, %c0], %zero {in_bounds = [true]} : tensor<3x16xf32>, vector<16xf32>
    %m = arith.mulf %x, %wv : vector<16xf32>
    %n = arith.maximumf %acc, %m : vector<16xf32>
    scf.yield %n : vector<16xf32>
  }
  return %r : vector<16xf32>
}

// The same loop with finite constant weights, a zero border and a sum.
// CHECK-LABEL: func.func @control
// CHECK: affine.max
// CHECK: scf.for
func.func @control(%image: tensor<16x16xf32>, %ow: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %pad = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<3x16xf32>
  %e = tensor.empty() : tensor<48x16xf32>
  %f = linalg.fill ins(%pad : f32) outs(%e : tensor<48x16xf32>) -> tensor<48x16xf32>
  %p = tensor.insert_slice %image into %f[16, 0] [16, 16] [1, 1] : tensor<16x16xf32> into tensor<48x16xf32>
  %init = vector.broadcast %zero : f32 to vector<16xf32>
  %r = scf.for %k = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<16xf32>) {
    %i = affine.apply affine_map<(d0)[s0] -> (d0 * 16 + s0)>(%k)[%ow]
    %x = vector.transfer_read %p[%i, %c0], %zero {in_bounds = [true]} : tensor<48x16xf32>, vector<16xf32>
    %wv = vector.transfer_read %w[%k, %c0], %zero {in_bounds = [true]} : tensor<3x16xf32>, vector<16xf32>
    %n = vector.fma %x, %wv, %acc : vector<16xf32>
    scf.yield %n : vector<16xf32>
  }
  return %r : vector<16xf32>
}
