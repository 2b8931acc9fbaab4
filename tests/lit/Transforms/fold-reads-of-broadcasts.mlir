// RUN: tdc-opt %s --tdc-fold-reads-of-broadcasts --canonicalize | FileCheck %s

// A register block's accumulators read from its tile of the bias broadcast
// (through a rank-reducing slice) read the bias row itself.
// CHECK-LABEL: func.func @accumulators
// CHECK-SAME: (%[[BIAS:.*]]: tensor<4x32xf32>, %[[OUT:.*]]: tensor<2x8x4x32xf32>, %[[K:.*]]: index)
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = vector.transfer_read %[[BIAS]][%[[K]], %[[C0]]]
// CHECK: %[[B:.*]] = vector.transfer_read %[[BIAS]][%[[K]], %[[C16]]]
// CHECK: return %[[A]], %[[B]]
func.func @accumulators(%bias: tensor<4x32xf32>, %out: tensor<2x8x4x32xf32>, %k: index) -> (vector<16xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %pad = arith.constant 0.0 : f32
  %b = linalg.broadcast ins(%bias : tensor<4x32xf32>) outs(%out : tensor<2x8x4x32xf32>) dimensions = [0, 1]
  %tile = tensor.extract_slice %b[1, 0, %k, 0] [1, 8, 1, 32] [1, 1, 1, 1] : tensor<2x8x4x32xf32> to tensor<8x32xf32>
  %r0 = vector.transfer_read %tile[%c3, %c0], %pad {in_bounds = [true]} : tensor<8x32xf32>, vector<16xf32>
  %r1 = vector.transfer_read %tile[%c0, %c16], %pad {in_bounds = [true]} : tensor<8x32xf32>, vector<16xf32>
  return %r0, %r1 : vector<16xf32>, vector<16xf32>
}

// Left alone: a read along a broadcast dim (the lanes would be one bias
// value repeated), and a read of a tensor that is no broadcast.
// CHECK-LABEL: func.func @along_broadcast_dim
// CHECK: linalg.broadcast
// CHECK: vector.transfer_read %{{.*}} : tensor<32x16xf32>, vector<16xf32>
func.func @along_broadcast_dim(%bias: tensor<32xf32>, %out: tensor<32x16xf32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %b = linalg.broadcast ins(%bias : tensor<32xf32>) outs(%out : tensor<32x16xf32>) dimensions = [1]
  %r = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true]} : tensor<32x16xf32>, vector<16xf32>
  return %r : vector<16xf32>
}

// CHECK-LABEL: func.func @not_a_broadcast
// CHECK: vector.transfer_read %{{.*}} : tensor<8x32xf32>, vector<16xf32>
func.func @not_a_broadcast(%x: tensor<2x8x32xf32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %tile = tensor.extract_slice %x[1, 0, 0] [1, 8, 32] [1, 1, 1] : tensor<2x8x32xf32> to tensor<8x32xf32>
  %r = vector.transfer_read %tile[%c0, %c0], %pad {in_bounds = [true]} : tensor<8x32xf32>, vector<16xf32>
  return %r : vector<16xf32>
}

// Zero-initialized accumulators (a fill) read as a splat of the value.
// CHECK-LABEL: func.func @zeros
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: return %[[Z]]
func.func @zeros(%out: tensor<2x8x32xf32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%out : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %tile = tensor.extract_slice %f[1, 0, 0] [1, 8, 32] [1, 1, 1] : tensor<2x8x32xf32> to tensor<8x32xf32>
  %r = vector.transfer_read %tile[%c0, %c0], %zero {in_bounds = [true]} : tensor<8x32xf32>, vector<16xf32>
  return %r : vector<16xf32>
}
