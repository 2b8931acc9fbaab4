// RUN: tdc-opt %s --tdc-fuse-row-reductions --cse | FileCheck %s
// RUN: tdc-opt %s --tdc-fuse-row-reductions="max-row-elements=64" | FileCheck %s --check-prefix=SMALL

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d1)>
#mask = affine_map<(d0, d1, d2) -> (0, 0, d2)>
#scalar = affine_map<(d0, d1, d2) -> ()>

// Softmax after a scale and a mask add (as lowered): one task per row that
// reads the row once, computes max, exp-sum and the result in registers
// (one exp, CSE'd between the sum and the result) and divides once per row.
// CHECK-LABEL: func.func @softmax
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) in (4, 8) shared_outs
// CHECK: %[[X:.*]] = vector.transfer_read {{.*}} : tensor<1x1x128xf32>, vector<128xf32>
// CHECK: %[[M:.*]] = vector.transfer_read {{.*}} : tensor<1x1x128xf32>, vector<128xf32>
// CHECK: %[[S:.*]] = arith.mulf %[[X]], %{{.*}} : vector<128xf32>
// CHECK: %[[U:.*]] = arith.addf %[[S]], %[[M]] : vector<128xf32>
// CHECK: vector.reduction <maximumf>, %[[U]]
// CHECK: %[[E:.*]] = math.exp %{{.*}} : vector<128xf32>
// CHECK: vector.reduction <add>, %[[E]], %{{.*}} fastmath<reassoc> : vector<128xf32> into f32
// CHECK: %[[INV:.*]] = arith.divf %{{.*}}, %{{.*}} : vector<128xf32>
// CHECK: %[[R:.*]] = arith.mulf %[[E]], %[[INV]] : vector<128xf32>
// CHECK: vector.transfer_write %[[R]]
// CHECK-NOT: math.exp
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.
// CHECK: return
// SMALL-LABEL: func.func @softmax
// SMALL-NOT: scf.forall
// SMALL: return
func.func @softmax(%x: tensor<4x8x128xf32>, %m: tensor<1x1x128xf32>) -> tensor<4x8x128xf32> {
  %scale = arith.constant dense<0.125> : tensor<f32>
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8x128xf32>
  %u = linalg.generic {indexing_maps = [#id, #scalar, #mask, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %scale, %m : tensor<4x8x128xf32>, tensor<f32>, tensor<1x1x128xf32>) outs(%e : tensor<4x8x128xf32>) {
  ^bb0(%a: f32, %s: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %s : f32
    %q = arith.addf %p, %b : f32
    linalg.yield %q : f32
  } -> tensor<4x8x128xf32>
  %er = tensor.empty() : tensor<4x8xf32>
  %f0 = linalg.fill ins(%ninf : f32) outs(%er : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%u : tensor<4x8x128xf32>) outs(%f0 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%er : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%u, %max : tensor<4x8x128xf32>, tensor<4x8xf32>) outs(%f1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %mx: f32, %o: f32):
    %d = arith.subf %a, %mx : f32
    %x1 = math.exp %d : f32
    %r = arith.addf %x1, %o fastmath<reassoc> : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%u, %max, %sum : tensor<4x8x128xf32>, tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8x128xf32>) {
  ^bb0(%a: f32, %mx: f32, %s: f32, %o: f32):
    %d = arith.subf %a, %mx : f32
    %x1 = math.exp %d : f32
    %r = arith.divf %x1, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x8x128xf32>
  return %y : tensor<4x8x128xf32>
}

// LayerNormalization's mean, read back through an expand_shape to
// [.., 1]: the operand is read at the reduction instead, and the mean's
// reduction (with the residual add before it) joins the row's task.
// CHECK-LABEL: func.func @centered
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 16) shared_outs
// CHECK: arith.addf {{.*}} : vector<64xf32>
// CHECK: vector.reduction <add>, {{.*}} fastmath<reassoc> : vector<64xf32> into f32
// CHECK: arith.subf {{.*}} : vector<64xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK-NOT: linalg.
// CHECK: return
func.func @centered(%x: tensor<2x16x64xf32>, %res: tensor<2x16x64xf32>) -> tensor<2x16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 64.0 : f32
  %e = tensor.empty() : tensor<2x16x64xf32>
  %t = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %res : tensor<2x16x64xf32>, tensor<2x16x64xf32>) outs(%e : tensor<2x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x16x64xf32>
  %er = tensor.empty() : tensor<2x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%er : tensor<2x16xf32>) -> tensor<2x16xf32>
  %sum = linalg.reduce { arith.addf {fastmath = #arith.fastmath<reassoc>} } ins(%t : tensor<2x16x64xf32>) outs(%f : tensor<2x16xf32>) dimensions = [2]
  %ex = tensor.expand_shape %sum [[0], [1, 2]] output_shape [2, 16, 1] : tensor<2x16xf32> into tensor<2x16x1xf32>
  %c = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%t, %ex : tensor<2x16x64xf32>, tensor<2x16x1xf32>) outs(%e : tensor<2x16x64xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %m = arith.divf %s, %n : f32
    %d = arith.subf %a, %m : f32
    linalg.yield %d : f32
  } -> tensor<2x16x64xf32>
  return %c : tensor<2x16x64xf32>
}

// Not fused: a sum without `reassoc` (its order would change), and an
// elementwise producer that something else reads too (it stays a pass, the
// reduction and the consumer read its result).
// CHECK-LABEL: func.func @ordered_sum
// CHECK-NOT: scf.forall
// CHECK: return
func.func @ordered_sum(%x: tensor<2x16x64xf32>) -> tensor<2x16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x64xf32>
  %er = tensor.empty() : tensor<2x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%er : tensor<2x16xf32>) -> tensor<2x16xf32>
  %sum = linalg.reduce { arith.addf } ins(%x : tensor<2x16x64xf32>) outs(%f : tensor<2x16xf32>) dimensions = [2]
  %c = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %sum : tensor<2x16x64xf32>, tensor<2x16xf32>) outs(%e : tensor<2x16x64xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %d = arith.subf %a, %s : f32
    linalg.yield %d : f32
  } -> tensor<2x16x64xf32>
  return %c : tensor<2x16x64xf32>
}

// CHECK-LABEL: func.func @shared_producer
// CHECK: %[[T:.*]] = linalg.generic
// CHECK: scf.forall
// CHECK: tensor.extract_slice %[[T]]
// CHECK: vector.reduction <add>
// CHECK: return %{{.*}}, %[[T]]
func.func @shared_producer(%x: tensor<2x16x64xf32>) -> (tensor<2x16x64xf32>, tensor<2x16x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x64xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x16x64xf32>) outs(%e : tensor<2x16x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<2x16x64xf32>
  %er = tensor.empty() : tensor<2x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%er : tensor<2x16xf32>) -> tensor<2x16xf32>
  %sum = linalg.reduce { arith.addf {fastmath = #arith.fastmath<reassoc>} } ins(%t : tensor<2x16x64xf32>) outs(%f : tensor<2x16xf32>) dimensions = [2]
  %c = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%t, %sum : tensor<2x16x64xf32>, tensor<2x16xf32>) outs(%e : tensor<2x16x64xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %d = arith.subf %a, %s : f32
    linalg.yield %d : f32
  } -> tensor<2x16x64xf32>
  return %c, %t : tensor<2x16x64xf32>, tensor<2x16x64xf32>
}
