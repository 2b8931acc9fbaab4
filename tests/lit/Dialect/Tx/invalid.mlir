// RUN: tdc-opt %s --split-input-file --verify-diagnostics

// The verifier checks what derive::verify checks (ranks of reads, closed
// scopes, ranges) and what the expression model can hold.

func.func @read_rank(%a: tensor<3x3xf32>) -> tensor<3xf32> {
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<3x3xf32>) -> tensor<3xf32> {
  ^bb0(%A: tensor<3x3xf32>):
    %y = tx.scope loops [i: 0:3] (%A) : (tensor<3x3xf32>) -> tensor<3xf32> {
    ^bb0(%i: index, %aa: tensor<3x3xf32>):
      // expected-error@+1 {{has 1 subscripts for a rank-2 tensor}}
      %v = tx.read %aa[%i] : tensor<3x3xf32>
      tx.yield %v : f32
    }
    tx.return %y : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

func.func @shape(%a: tensor<3xf32>) -> tensor<4xf32> {
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<3xf32>) -> tensor<4xf32> {
  ^bb0(%A: tensor<3xf32>):
    // expected-error@+1 {{result dim 0 is 4 but its range [1, 4) has 3 elements}}
    %y = tx.scope loops [i: 1:4] (%A) : (tensor<3xf32>) -> tensor<4xf32> {
    ^bb0(%i: index, %aa: tensor<3xf32>):
      %v = tx.read %aa[%i] : tensor<3xf32>
      tx.yield %v : f32
    }
    tx.return %y : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @negative_range(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%A: tensor<3xf32>):
    // expected-error@+1 {{iterator 1 has a negative range [2, 1)}}
    %y = tx.scope loops [i: 0:3] sums [k: 2:1] (%A) : (tensor<3xf32>) -> tensor<3xf32> {
    ^bb0(%i: index, %k: index, %aa: tensor<3xf32>):
      %v = tx.read %aa[%i + %k] : tensor<3xf32>
      tx.yield %v : f32
    }
    tx.return %y : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

// A scope is closed: it reads only its own arguments.
func.func @not_closed(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%A: tensor<3xf32>):
    %y = tx.scope loops [i: 0:3] () : () -> tensor<3xf32> {
    ^bb0(%i: index):
      // expected-error@+1 {{must read a tensor argument of its tx.scope}}
      %v = tx.read %A[%i] : tensor<3xf32>
      tx.yield %v : f32
    }
    tx.return %y : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

func.func @bad_body(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%A: tensor<3xf32>):
    %y = tx.scope loops [i: 0:3] (%A) : (tensor<3xf32>) -> tensor<3xf32> {
    ^bb0(%i: index, %aa: tensor<3xf32>):
      %v = tx.read %aa[%i] : tensor<3xf32>
      // expected-error@+1 {{is not allowed in a tx.scope body}}
      %w = arith.maximumf %v, %v : f32
      tx.yield %w : f32
    }
    tx.return %y : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

func.func @names(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{input names must be non-empty and unique, got 'A'}}
  %0 = tx.program(%a, %a) names ["A", "A"] constant [false, false] : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%A: tensor<3xf32>, %B: tensor<3xf32>):
    %y = tx.scope loops [i: 0:3] (%A) : (tensor<3xf32>) -> tensor<3xf32> {
    ^bb0(%i: index, %aa: tensor<3xf32>):
      %v = tx.read %aa[%i] : tensor<3xf32>
      tx.yield %v : f32
    }
    tx.return %y : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

func.func @divisor(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%A: tensor<3xf32>):
    %y = tx.scope loops [i: 0:3] (%A) : (tensor<3xf32>) -> tensor<3xf32> {
    ^bb0(%i: index, %aa: tensor<3xf32>):
      // expected-error@+1 {{divides only by positive constants}}
      %v = tx.read %aa[%i floordiv -2] : tensor<3xf32>
      tx.yield %v : f32
    }
    tx.return %y : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

func.func @root(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{must return the result of a tx.scope (the root)}}
  %0 = tx.program(%a) names ["A"] constant [false] : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%A: tensor<3xf32>):
    tx.return %A : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}
