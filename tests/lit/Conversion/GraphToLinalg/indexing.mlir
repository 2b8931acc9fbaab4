// RUN: tdc-opt %s --convert-tg-to-linalg | FileCheck %s

// Affine maps are printed at the top of the module.
// CHECK-DAG: #[[$BA:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$BB:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[$DIAG:.*]] = affine_map<(d0, d1) -> (d0, d1, d1)>

// Unsigned element types are lowered with unsigned arith ops, then made
// signless (signatures and constants included).

// CHECK-LABEL: func.func @unsigned_ops
// CHECK-SAME: (%{{.*}}: tensor<3xi8>, %{{.*}}: tensor<3xi8>, %{{.*}}: tensor<3xi32>)
// CHECK: arith.divui %{{.*}}, %{{.*}} : i8
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i8
// CHECK: arith.maxui %{{.*}}, %{{.*}} : i8
// CHECK: arith.uitofp %{{.*}} : i32 to f32
// CHECK: arith.cmpi uge
// CHECK: arith.shrui
// CHECK: arith.constant dense<[-56, 1, -1]> : tensor<3xi8>
// CHECK: arith.remui %{{.*}}, %{{.*}} : i8
// CHECK-NOT: ui8
func.func @unsigned_ops(%a: tensor<3xui8>, %b: tensor<3xui8>, %c: tensor<3xui32>) -> (tensor<3xui8>, tensor<3xi1>, tensor<3xui8>, tensor<3xf32>, tensor<3xui8>, tensor<3xui8>) {
  %0 = tg.div %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  %1 = tg.less %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xi1>
  %2 = tg.max %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  %3 = tg.cast %c {to = f32} : (tensor<3xui32>) -> tensor<3xf32>
  %4 = tg.bitshift_right %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  %k = tg.constant dense<[200, 1, 255]> : tensor<3xui8>
  %5 = tg.mod %a, %k {fmod = false} : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %0, %1, %2, %3, %4, %5 : tensor<3xui8>, tensor<3xi1>, tensor<3xui8>, tensor<3xf32>, tensor<3xui8>, tensor<3xui8>
}

// CHECK-LABEL: func.func @reduce_max_unsigned
// CHECK: arith.constant 0 : i16
// CHECK: linalg.generic
// CHECK: arith.maxui %{{.*}}, %{{.*}} : i16
func.func @reduce_max_unsigned(%x: tensor<2x3xui16>) -> tensor<2xui16> {
  %0 = tg.reduce_max %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xui16>) -> tensor<2xui16>
  return %0 : tensor<2xui16>
}

// CHECK-LABEL: func.func @top_k
// Ranks: how many elements of the slice come first.
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: arith.extui %{{.*}} : i1 to i64
// The element of rank j goes to position j.
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK: arith.cmpi eq
func.func @top_k(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %v, %i = tg.top_k %x {k = 2 : i64, axis = 1 : i64, largest = true} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// CHECK-LABEL: func.func @einsum_batch_matmul
// CHECK: linalg.generic {indexing_maps = [#[[$BA]], #[[$BB]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @einsum_batch_matmul(%x: tensor<5x2x3xf32>, %y: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = tg.einsum %x, %y {equation = "bij,bjk->bik"} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// CHECK-LABEL: func.func @einsum_diagonal
// CHECK: linalg.generic {indexing_maps = [#[[$DIAG]], #{{.*}}], iterator_types = ["parallel", "parallel"]}
func.func @einsum_diagonal(%x: tensor<3x5x5xf32>) -> tensor<3x5xf32> {
  %0 = tg.einsum %x {equation = "Aii->Ai"} : (tensor<3x5x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @gather_nd
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<2x1xi64>
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}} : tensor<2x2x2xf32>
func.func @gather_nd(%x: tensor<2x2x2xf32>, %i: tensor<2x1xi64>) -> tensor<2x2xf32> {
  %0 = tg.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x2x2xf32>, tensor<2x1xi64>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// CHECK-LABEL: func.func @scatter_elements_add
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract %{{.*}} : tensor<1x2xi64>
// CHECK: arith.addf
// CHECK: tensor.insert
func.func @scatter_elements_add(%x: tensor<1x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) -> tensor<1x5xf32> {
  %0 = tg.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// CHECK-LABEL: func.func @scatter_nd_mul
// CHECK-COUNT-3: scf.for
// CHECK: arith.mulf
// CHECK: tensor.insert
func.func @scatter_nd_mul(%x: tensor<4x4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4x4xf32>) -> tensor<4x4x4xf32> {
  %0 = tg.scatter_nd %x, %i, %u {reduction = "mul"} : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  return %0 : tensor<4x4x4xf32>
}
