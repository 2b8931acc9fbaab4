// RUN: tdc-opt %s --convert-tg-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @reduce_sum
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x4xf32>
// CHECK-NOT: tg.
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = tg.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// CHECK-LABEL: func.func @reduce_mean_int
// CHECK: arith.addi
// CHECK: arith.divsi
func.func @reduce_mean_int(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  %0 = tg.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// CHECK-LABEL: func.func @reduce_max_all
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.maximumf
func.func @reduce_max_all(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  %0 = tg.reduce_max %x {axes = array<i64>, keepdims = true} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// CHECK-LABEL: func.func @reduce_l2
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.sqrt
func.func @reduce_l2(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = tg.reduce_l2 %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// The max is subtracted before exp and added back after log.
// CHECK-LABEL: func.func @reduce_log_sum_exp
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: math.log
// CHECK: arith.addf
func.func @reduce_log_sum_exp(%x: tensor<2x3xf32>) -> tensor<f32> {
  %0 = tg.reduce_log_sum_exp %x {axes = array<i64>, keepdims = false} : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @arg_max_last
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}}outs({{.*}} : tensor<2xf32>, tensor<2xi64>)
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpi sgt
// CHECK: linalg.yield
func.func @arg_max_last(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %0 = tg.arg_max %x {axis = 1 : i64, keepdims = false, select_last_index = true} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// CHECK-LABEL: func.func @arg_min_first
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi slt
// CHECK: tensor.expand_shape {{.*}} into tensor<1x3xi64>
func.func @arg_min_first(%x: tensor<2x3xi32>) -> tensor<1x3xi64> {
  %0 = tg.arg_min %x {axis = 0 : i64, keepdims = true, select_last_index = false} : (tensor<2x3xi32>) -> tensor<1x3xi64>
  return %0 : tensor<1x3xi64>
}

// Softmax's sum of exponentials is reassociable (LLVM vectorizes it).
// CHECK-LABEL: func.func @softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tg.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @log_softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.log
// CHECK: arith.subf
func.func @log_softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tg.log_softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @hardmax
// CHECK: linalg.index 0
// CHECK: arith.cmpi slt
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @hardmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tg.hardmax %x {axis = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
