// RUN: tdc-opt %s --tdc-fill-borders-only | FileCheck %s

// A padded buffer: an empty tensor whose border slabs alone are filled
// (rows above and below, then the columns left and right of the interior
// rows), the image inserted last.
// CHECK-LABEL: func.func @border
// CHECK-NOT: linalg.fill {{.*}} -> tensor<1x6x7x3xf32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x6x7x3xf32>
// CHECK: %[[T:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x7x3xf32>)
// CHECK: %[[B1:.*]] = tensor.insert_slice %[[T]] into %[[E]][0, 0, 0, 0] [1, 1, 7, 3]
// CHECK: %[[D:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x7x3xf32>)
// CHECK: %[[B2:.*]] = tensor.insert_slice %[[D]] into %[[B1]][0, 5, 0, 0] [1, 1, 7, 3]
// CHECK: %[[L:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x1x3xf32>)
// CHECK: %[[B3:.*]] = tensor.insert_slice %[[L]] into %[[B2]][0, 1, 0, 0] [1, 4, 1, 3]
// CHECK: %[[R:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x4x2x3xf32>)
// CHECK: %[[B4:.*]] = tensor.insert_slice %[[R]] into %[[B3]][0, 1, 5, 0] [1, 4, 2, 3]
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[B4]][0, 1, 1, 0] [1, 4, 4, 3]
// CHECK: return %[[A]]
func.func @border(%x: tensor<1x4x4x3xf32>) -> tensor<1x6x7x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x7x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x7x3xf32>) -> tensor<1x6x7x3xf32>
  %a = tensor.insert_slice %x into %f[0, 1, 1, 0] [1, 4, 4, 3] [1, 1, 1, 1] : tensor<1x4x4x3xf32> into tensor<1x6x7x3xf32>
  return %a : tensor<1x6x7x3xf32>
}

// Two buffers that share one fill (as after CSE) get a buffer each.
// CHECK-LABEL: func.func @shared
// CHECK-NOT: linalg.fill {{.*}} -> tensor<1x6x7x3xf32>
// CHECK-DAG: %[[A:.*]] = tensor.insert_slice %arg0 into %[[BA:.*]][0, 1, 1, 0]
// CHECK-DAG: %[[B:.*]] = tensor.insert_slice %arg1 into %[[BB:.*]][0, 1, 1, 0]
// CHECK-DAG: %[[BA]] = tensor.insert_slice {{.*}}[0, 1, 5, 0] [1, 4, 2, 3]
// CHECK-DAG: %[[BB]] = tensor.insert_slice {{.*}}[0, 1, 5, 0] [1, 4, 2, 3]
// CHECK: return %[[A]], %[[B]]
func.func @shared(%x: tensor<1x4x4x3xf32>, %y: tensor<1x4x4x3xf32>) -> (tensor<1x6x7x3xf32>, tensor<1x6x7x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x7x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x7x3xf32>) -> tensor<1x6x7x3xf32>
  %a = tensor.insert_slice %x into %f[0, 1, 1, 0] [1, 4, 4, 3] [1, 1, 1, 1] : tensor<1x4x4x3xf32> into tensor<1x6x7x3xf32>
  %b = tensor.insert_slice %y into %f[0, 1, 1, 0] [1, 4, 4, 3] [1, 1, 1, 1] : tensor<1x4x4x3xf32> into tensor<1x6x7x3xf32>
  return %a, %b : tensor<1x6x7x3xf32>, tensor<1x6x7x3xf32>
}

// Strided inserts (a transposed convolution's spread input) keep the fill.
// CHECK-LABEL: func.func @strided
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: tensor.insert_slice %arg0 into %[[F]][0, 1] [1, 3] [1, 2]
func.func @strided(%x: tensor<1x3xf32>) -> tensor<1x7xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x7xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x7xf32>) -> tensor<1x7xf32>
  %a = tensor.insert_slice %x into %f[0, 1] [1, 3] [1, 2] : tensor<1x3xf32> into tensor<1x7xf32>
  return %a : tensor<1x7xf32>
}

// A static tensor.pad with a constant value (a derived program's padded
// intermediate) takes the same form: its border alone is filled, the
// source inserted into an empty buffer.
// CHECK-LABEL: func.func @pad_op
// CHECK-NOT: tensor.pad
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x6x8xf32>)
// CHECK-NOT: linalg.fill {{.*}} -> tensor<1x6x6x8xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 1, 1, 0] [1, 4, 4, 8]
// CHECK: return %[[A]]
func.func @pad_op(%x: tensor<1x4x4x8xf32>) -> tensor<1x6x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %p : tensor<1x6x6x8xf32>
}
