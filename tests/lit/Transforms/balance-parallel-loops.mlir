// RUN: tdc-opt %s --tdc-balance-parallel-loops | FileCheck %s

// A loop that ends its region: dynamic and nowait (the region's end joins).
// CHECK-LABEL: llvm.func @alone
// CHECK: omp.parallel
// CHECK-NEXT: omp.wsloop nowait schedule(dynamic)
llvm.func @alone(%n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : i64 = (%c0) to (%n) step (%c1) {
        omp.yield
      }
    }
    omp.terminator
  }
  llvm.return
}

// Work after the loop in the same region needs the loop's barrier.
// CHECK-LABEL: llvm.func @then_more
// CHECK: omp.wsloop schedule(dynamic) {
// CHECK-NOT: nowait
// CHECK: omp.barrier
llvm.func @then_more(%n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : i64 = (%c0) to (%n) step (%c1) {
        omp.yield
      }
    }
    omp.barrier
    omp.terminator
  }
  llvm.return
}

// A schedule already chosen is kept.
// CHECK-LABEL: llvm.func @chosen
// CHECK: omp.wsloop schedule(static) {
llvm.func @chosen(%n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  omp.parallel {
    omp.wsloop schedule(static) {
      omp.loop_nest (%i) : i64 = (%c0) to (%n) step (%c1) {
        omp.yield
      }
    }
    omp.terminator
  }
  llvm.return
}
