//===- Passes.td - tdc's own transformation passes ---------*- tablegen -*-===//
#ifndef TDC_TRANSFORMS_PASSES_TD
#define TDC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MemRefCopyToLinalg : Pass<"tdc-memref-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    memref.copy between strided memrefs lowers to a call into MLIR's C
    runner library, which a self-contained artifact must not need. As a
    linalg.copy it becomes plain loops (which LLVM turns into memcpy where
    the data is contiguous). A copy of 256 KiB or more outside parallel
    loops is split over its outermost dim of extent > 1 into an scf.forall
    (one task per index), which the pipeline then runs on the thread team.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect"];
}

def FlattenConstantGlobals : Pass<"tdc-flatten-constant-globals", "mlir::ModuleOp"> {
  let summary = "Store constant memref globals as 1-D arrays";
  let description = [{
    A rank-4 weight becomes nested LLVM arrays, and LLVM builds one constant
    per innermost row: a 1x1-conv weight costs one constant per float, which
    makes large models take minutes to compile. Each constant global of rank
    > 1 is replaced by a 1-D global over the same data (dense resources keep
    their blob), read through memref.expand_shape.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def InterchangeForVectorization : Pass<"tdc-interchange-for-vectorization"> {
  let summary = "Put a unit-stride output dim innermost in contractions";
  let description = [{
    Until loop scheduling lands, contractions and convolutions are plain
    loop nests. Their natural order (output dims, then reduction dims) ends
    in a reduction over a strided input, which LLVM cannot vectorize. This
    pass generalizes them and moves the reduction loops outside the
    innermost output dim (matmul i-k-j, conv n-f-oh-c-kh-kw-ow), so the
    innermost loop streams the output and the input with unit stride.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def FoldReadsOfBroadcasts : Pass<"tdc-fold-reads-of-broadcasts"> {
  let summary = "Read a linalg.broadcast's input instead of its result";
  let description = [{
    A 1-D vector.transfer_read (in bounds, unmasked, along the innermost
    dim) of a linalg.broadcast's result, possibly through unit-stride
    tensor.extract_slice ops, reads the broadcast's input at the matching
    indices instead, when the broadcast takes that innermost dim from its
    input; a read of a linalg.fill's result is a splat of its value. After loop-invariant-subset-hoisting this is how a convolution's
    register block starts its accumulators from the bias itself rather
    than from a tile of the output filled with it first.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect"];
}

def SkipPaddingTaps : Pass<"tdc-skip-padding-taps"> {
  let summary = "Drop loop iterations that only multiply padding zeros in";
  let description = [{
    An scf.for (unit step, iter_args, no side effects) whose body reads a
    zero-padded buffer (tensor.insert_slice into a linalg.fill of 0.0),
    through unit-stride tensor.extract_slice ops, at a*iv + (values defined
    outside the loop) along a padded dim, and whose iter_args only get
    products of those reads with finite constants added to them
    (vector.fma, arith.mulf/addf, through nested loops), gets its bounds
    tightened to the hull of the iterations where some read may touch the
    interior: the others would add 0 * w to each accumulator. This is how
    a dilated convolution skips its taps that fall in the padding.
  }];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def UnrollRegisterBlocks : Pass<"tdc-unroll-register-blocks"> {
  let summary = "Unroll the reduction loop of each register block";
  let description = [{
    The innermost scf.for that carries only vectors, at least
    `min-accumulators` of them (a register block's accumulators: one
    reduction step of a convolution or packed matmul per iteration), with a
    constant trip count, is unrolled by the largest factor up to `factor`
    that divides its trip count. LLVM leaves these loops rolled (their
    bodies exceed its unrolling threshold), which costs the loop control
    and address updates of every step.
  }];
  let options = [
    Option<"factor", "factor", "unsigned", /*default=*/"4",
           "Largest unroll factor">,
    Option<"minAccumulators", "min-accumulators", "unsigned", /*default=*/"4",
           "Fewest vector iter_args of a register block loop">,
  ];
}

def VectorizeElementwise : Pass<"tdc-vectorize-elementwise"> {
  let summary = "Vectorize elementwise nests in blocks of rows x one vector";
  let description = [{
    Static elementwise linalg.generic ops (all loops parallel, identity
    output map, projected-permutation inputs that read the innermost dim
    only as their last index, arith/math bodies) are tiled into blocks of
    up to 8 rows of the second innermost dim by one vector of the innermost
    dim, and each block is vectorized. Operands broadcast along the rows (a
    depthwise convolution's tap weights, a bias) are then read once per
    block instead of once per point, and the block's reads precede its
    writes so that LLVM merges loads of equal addresses (overlapping tap
    slices). Ops whose innermost dim is not a multiple of 4 lanes are left
    to LLVM's loop vectorizer.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's vector registers (512 AVX-512, 256 AVX2)">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def ApplyScheduleRecords : Pass<"tdc-apply-schedule-records", "mlir::ModuleOp"> {
  let summary = "Mark ops with the schedule choices `tdc tune` recorded";
  let description = [{
    Every op the scheduler plans with knobs (static linalg ops with a
    reduction and two inputs) whose signature (name, loop ranges, iterator
    types, indexing maps, element type: include/tdc/Transforms/
    ScheduleKnobs.h) has a record in `records` gets a `tdc.schedule`
    attribute {rows, kc, nc, tasks} that tdc-tile-and-vectorize-contractions
    follows instead of its analytic choice. `list-keys` writes the
    signatures of the module, with their multiply-adds and op counts, one
    JSON object per line (what `tdc tune` tunes).
  }];
  let options = [
    Option<"recordsFile", "records", "std::string", /*default=*/"\"\"",
           "Records file written by tdc tune">,
    Option<"listKeys", "list-keys", "std::string", /*default=*/"\"\"",
           "Write the module's op signatures to this file">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def TileAndVectorizeContractions : Pass<"tdc-tile-and-vectorize-contractions"> {
  let summary = "Tile matmul-like ops into register blocks and vectorize them";
  let description = [{
    Static f32/f64 contractions (matmul, batch_matmul, MatMul generics)
    whose output's innermost dim n is unit-stride in one input, and
    convolutions whose output's innermost dim moves only the image's
    innermost index, by a stride of at most 4 (NCHW convs: n = ow, rows =
    output channels; a strided row is loaded contiguously and every s-th
    lane kept), are tiled with
    TilingInterface into an Mr x Nr register block (matmuls first into a
    cache block of n and k) with every reduction loop innermost. The block
    becomes explicit vector code: per reduction step, Mr scalar broadcasts
    of the row operand, one load of the n operand per vector and Mr FMAs
    per vector, on one accumulator vector per (row, vector). After
    loop-invariant-subset-hoisting the accumulators are loop-carried
    vectors, i.e. registers. Ops whose dims don't tile into full static
    blocks are left alone. Around the blocks, the independent tiles become
    scf.forall tasks for the runtime's threads (never splitting a
    reduction), when the op has at least 2^20 multiply-adds. Contractions
    packed by tdc-pack-contractions (attribute `tdc.packed`) get a schedule
    of their own: tasks over batch, row chunks and panel chunks, cache
    blocks of panels and k, register blocks of up to 8 rows x one panel;
    rows that don't fill a register block are split off first.
    A convolution's only user, when it is elementwise (Relu, Clip, a
    residual Add; after it is expanded onto the convolution's blocked
    shape, its other operands read at the same or broadcast indices), is
    applied to each register tile after its reductions, as vector code on
    the accumulators, and the convolution's result becomes its result.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's vector registers (512 AVX-512, 256 AVX2)">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def FuseRowReductions : Pass<"tdc-fuse-row-reductions"> {
  let summary = "Compute a row's reductions and the passes that read them in one task";
  let description = [{
    An all-parallel linalg.generic at the top of a function that reads the
    result of a row reduction (a static reduction over its trailing loops,
    one value per row, e.g. Softmax's max and sum, LayerNormalization's mean
    and variance) is tiled with TilingInterface into one scf.forall over
    its rows (tile size 1 on the row dims), and fused into each task are:
    the row reductions over the same loops, the fills of their inits, and
    all-parallel generics over the same loops with only arith ops in their
    body (a residual Add, Softmax's scale and mask), each only when every
    user of its result is fused too (tileConsumerAndFuseProducersUsingSCF;
    a producer with several users is computed once per user). Every op of
    a task is then vectorized whole (linalg::vectorize) and reads of what an
    earlier step wrote forward the written vector, so a row is read from
    memory once and its steps pass it on in registers; CSE (later) merges
    the steps' equal reads and recomputations. Rows with more than
    `max-row-elements` elements are left alone (a task holds its row in
    registers or spills it to the stack).
  }];
  let options = [
    Option<"maxRowElements", "max-row-elements", "int64_t",
           /*default=*/"1024", "Largest row held by one task">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def ParallelizeOuterLoops : Pass<"tdc-parallelize-outer-loops"> {
  let summary = "Tile the leading parallel loops of large linalg ops into scf.forall";
  let description = [{
    Each linalg op at the top level of a function with static shapes, at
    least `min-work` points in its iteration space times its inputs
    (operands read per point), and leading parallel
    loops (in loop order, the innermost loop excepted) is tiled with
    TilingInterface into one scf.forall: tile size 1 on leading parallel
    loops until they make `min-tasks` tasks. The forall becomes a parallel
    loop of the runtime's thread team (scf-forall-to-parallel,
    convert-scf-to-openmp); each task computes the same values whatever the
    thread count, so results do not depend on it. Run it after loop
    interchange so that "leading" means outermost in the final nest.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"1 << 17",
           "Smallest iteration space worth a fork/join">,
    Option<"minTasks", "min-tasks", "int64_t", /*default=*/"16",
           "Tile leading loops until there are this many tasks">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def FoldBiasIntoPackedInit : Pass<"tdc-fold-bias-into-packed-init"> {
  let summary = "Start a packed matmul from the bias its consumer adds";
  let description = [{
    A packed contraction (tdc.packed) whose init is a zero fill and whose
    only user, through the collapse_shape of its panels, is an elementwise
    linalg.generic that adds another of its inputs to it (an arith.addf of
    the two block arguments, that input's map a broadcast without
    transposes: Gemm's C, MatMul + Add's bias) starts from that input
    broadcast to the packed output instead (linalg.broadcast, n split into
    panels and lanes), and the add is dropped from the consumer. The tiling
    pass then broadcasts each task's tile in cache; the consumer keeps its
    other operations (a Relu, a residual add) or folds away.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def PackContractions : Pass<"tdc-pack-contractions"> {
  let summary = "Pack the streamed operand of matmul-like ops into register panels";
  let description = [{
    A static f32/f64 contraction with one reduction dim k (matmul, batch
    matmul, transposed layouts) reads its n operand B, in the register
    block, as Nr contiguous lanes per k step. Read in place, those rows lie
    N elements apart (every k step a new page at N = 1024), which defeats
    the L1 cache, the TLB and the prefetchers. This pass repacks B into
    panels [batch.., N/Nr, K, Nr] (Nr = two vector registers when N allows),
    so that one register block streams one contiguous panel: a constant B
    is packed at compile time (a new constant), any other B by a copy loop
    before the op. N is padded to a multiple of Nr with zeros and the
    output is computed as [.., M, N/Nr, Nr] (expand_shape; padded and
    sliced when N % Nr != 0). The op becomes a linalg.generic with the
    panel dim p and the lane dim marked by the `tdc.packed` attribute,
    which tdc-tile-and-vectorize-contractions schedules (cache blocks of
    panels and k, Mr x Nr register blocks, tasks over rows or panels).
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's vector registers (512 AVX-512, 256 AVX2)">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def FoldBatchNormIntoConv : Pass<"tdc-fold-batch-norm-into-conv"> {
  let summary = "Fold inference BatchNormalization into the preceding Conv";
  let description = [{
    A tg.batch_norm whose input is a tg.conv used only there, with constant
    f32 weights, bias and normalization parameters, becomes one tg.conv
    with weights W * s (per output channel) and bias (B - mean) * s + beta,
    s = scale / sqrt(var + epsilon), computed at compile time: one pass
    over the activation less per BatchNormalization.
  }];
}

def SinkLayoutTransposes : Pass<"tdc-sink-layout-transposes"> {
  let summary = "Move permutation copies below elementwise ops and cancel them";
  let description = [{
    Channels-last convolutions transpose their input to NHWC and their
    result back to NCHW (linalg.generic permutation copies). An elementwise
    generic (all loops parallel, identity output map) reading a permutation
    copy whole is rewritten to iterate in the copy's source layout (every
    operand's map composed with the permutation) and is followed by the
    copy instead; two consecutive permutation copies compose into one, and
    disappear when they cancel into a fresh tensor. Chains of channels-last
    convolutions with bias, activation and residual adds between them then
    stay NHWC.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def FuseElementwiseChains : Pass<"tdc-fuse-elementwise-chains"> {
  let summary = "Fuse chains of elementwise linalg.generics";
  let description = [{
    Upstream elementwise fusion (linalg::populateElementwiseOpsFusionPatterns)
    restricted to a producer and a consumer that are both all-parallel
    generics on tensors, the producer with a single use: each chain of
    elementwise ops (GELU, the steps of a normalization, Add + ReLU, Clip
    before a padded copy) becomes one pass over memory, no work is
    duplicated, and contractions keep the bodies their schedules match.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def FuseWinogradEpilogues : Pass<"tdc-fuse-winograd-epilogues"> {
  let summary = "Apply an elementwise op to a Winograd output transform's vectors";
  let description = [{
    The output transform of a Winograd convolution (an scf.forall marked
    `tdc.winograd_output`, from convert-tg-to-linalg) writes each output
    vector once. An all-parallel linalg.generic that is its only user and
    reads it with the identity map (ReLU, Clip, a residual Add + ReLU) is
    applied to each vector before it is written instead of as a pass of its
    own: its other operands are read at the same points (identity maps) or
    channels (maps to the last dim), its body is cloned on vectors, and its
    result is replaced by the transform's. Outputs cut from whole tiles (an
    extract_slice between) are left alone.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect"];
}

def BalanceParallelLoops : Pass<"tdc-balance-parallel-loops"> {
  let summary = "Schedule every OpenMP worksharing loop dynamically";
  let description = [{
    Sets `schedule(dynamic)` on each `omp.wsloop` that names no schedule
    (those `convert-scf-to-openmp` makes from tdc's parallel tasks). The
    runtime then hands out chunks of the loop as threads ask for them
    (guided: a 1/(4 x threads) share of what is left), so a thread that
    loses its core to another process no longer holds up the loop, as an
    equal static split does. Tasks never split a reduction, so results are
    the same for any assignment of iterations to threads.
  }];
  let dependentDialects = ["mlir::omp::OpenMPDialect"];
}

def InsertProfileTimers : Pass<"tdc-insert-profile-timers", "mlir::ModuleOp"> {
  let summary = "Time every top-level loop nest of each function";
  let description = [{
    For `--profile` builds, after bufferization: each top-level op of a
    function that does work (a linalg op, a copy, a loop nest or parallel
    task) is bracketed by two calls of `tdc_profile_now()` (nanoseconds,
    implemented by the runtime), and the difference is added to its slot of
    the i64 global `tdc_profile_ns`. The module attribute
    `tdc.profile_labels` lists one label per slot: the ONNX node and op
    type, a tab, and what the nest is (its linalg op, whether it is vector
    code and parallel).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
}

def FillBordersOnly : Pass<"tdc-fill-borders-only"> {
  let summary = "Fill only the border of a padded buffer, one buffer per insert";
  let description = [{
    A padded buffer is tensor.insert_slice %image into linalg.fill(%pad,
    tensor.empty) (channels-last convolutions and pooling). The fill writes
    the interior only for the insert to overwrite it, and CSE shares one
    fill among same-shaped buffers (MobileNet's repeated blocks), so that
    bufferization copies the filled buffer for all but one insert. Each such
    insert (static, unit strides) instead writes into a tensor.empty of its
    own, and one fill per slab around the interior fills the border. A
    static tensor.pad with a constant value (derived programs' padded
    intermediates) is first decomposed into that form (upstream
    DecomposePadOpPattern); bufferized as is, it filled the whole buffer
    and copied the source in. Runs before tdc-parallelize-outer-loops
    (which hides a fill in a loop) and after the last CSE before
    bufferization.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def ReadInsertedSlices : Pass<"tdc-read-inserted-slices"> {
  let summary = "Read an inserted value from the tensor it was inserted into";
  let description = [{
    Canonicalization folds extract_slice(insert_slice %x) to %x, so ops
    after an insert (a depthwise convolution's center tap) read %x itself.
    %x must then outlive the insert, and its producer cannot compute into
    the destination in place (eliminate-empty-tensors): bufferization
    computes it into a temporary and copies it in, and out. Run just before
    eliminate-empty-tensors, this pass makes every use of %x that the insert
    dominates read the inserted slice instead.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def EmptyTensorsThroughReshapes : Pass<"tdc-empty-tensors-through-reshapes"> {
  let summary = "Compute a reshaped value inserted into a tensor in place";
  let description = [{
    insert_slice(collapse_shape(%x)) into %dst, %x a result of an scf.forall
    or destination-style op whose init is a tensor.empty (shared or not):
    the init becomes expand_shape(extract_slice %dst), so that %x is
    computed in the destination (eliminate-empty-tensors does not look
    through reshapes). Blocked channels-last convolution results inserted
    into the next padded buffer are the case.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def UnshareFreshTensors : Pass<"tdc-unshare-fresh-tensors"> {
  let summary = "Recompute a shared initial tensor for each op computing into it";
  let description = [{
    CSE merges identical tensor.empty ops and the zero fills (scf.forall
    of linalg.fill after tiling) that matmuls of one shape accumulate
    into. One-shot bufferization then copies the shared tensor for every
    op that computes into it. A tensor computed from an empty one and
    scalars only (an empty, a reshape or fill of one, an effect-free
    forall over such outputs reading no other tensor) gets a clone per
    destination use (DPS init, forall shared_outs, insert_slice dest):
    every use of an empty; readers keep the original. Run it after the
    last CSE before bufferization.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def InlineCallOnlyAllocaScopes : Pass<"tdc-inline-call-only-alloca-scopes"> {
  let summary = "Inline memref.alloca_scope ops that allocate nothing but calls";
  let description = [{
    convert-scf-to-openmp wraps each parallel loop's body in a
    memref.alloca_scope, which must be gone before the loops inside become
    blocks. Canonicalization inlines a scope only when every op in it is
    known not to allocate on the stack, and counts any call as one that
    might. A call's stack allocations are its callee's, freed at its
    return: a scope with no stack allocation of its own besides calls is
    inlined here.
  }];
}

def TaskScratch : Pass<"tdc-task-scratch", "mlir::ModuleOp"> {
  let summary = "A parallel task's own temporaries in its thread's scratch";
  let description = [{
    A temporary that a task of a top-level scf.forall allocates and frees
    for itself (statically shaped; a fused Winograd convolution's V and M)
    would be a malloc and free per task and per run. Instead the task asks
    the runtime for its thread's scratch buffer once
    (`tdc_rt_task_scratch(bytes)`, declared here: a buffer per thread, kept
    across tasks and runs, grown on demand) and its temporaries become
    memref.views of it at 64-byte aligned offsets; their deallocs go.
    Loops with a parallel loop inside are left alone (its tasks would run
    in the same thread and share the scratch).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
}

def PlanBuffers : Pass<"tdc-plan-buffers", "mlir::ModuleOp"> {
  let summary = "Place a function's temporaries in one workspace by liveness";
  let description = [{
    After bufferization every temporary of the graph function is a
    memref.alloc, and ownership-based deallocation frees them all at the
    end of the function: a run holds the sum of its temporaries and mallocs
    (and the kernel page-faults) each of them on every call. This pass
    computes each statically shaped temporary's live range over the ops of
    the function's body (an op that uses it or any alias of it, at any
    nesting depth), packs the buffers into one byte array by offset
    (largest first, lowest offset whose live ranges do not overlap), and
    rewrites each alloc as a memref.view of a new last function argument
    `memref<Nxi8>`; its deallocs go. N is recorded as the module attribute
    `tdc.workspace_bytes`: the code generator gives the function a
    workspace that persists across calls. Temporaries with dynamic shapes,
    allocated in nested regions, freed anywhere but in the function's body
    or escaping it keep their malloc/free.

    A buffer part of which only zero fills write (static subviews filled
    with +0; every other write goes through a static subview disjoint from
    them, as with the border of a padded convolution input) is placed after
    the shared buffers, in bytes of its own, and those fills are erased.
    The offset of that tail is `tdc.workspace_zeroed_from`: the code
    generator's workspace must be zero there when a call starts (its static
    workspace is; one allocated per call is zeroed there), and the zeros
    then stay. Only writes through ops that declare their memory effects
    are understood; any other use that may write disqualifies the buffer.
  }];
  let options = [
    Option<"functionName", "function", "std::string", /*default=*/"\"tdc_graph\"",
           "Function whose temporaries are planned">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def ApproximateMath : Pass<"tdc-approximate-math"> {
  let summary = "Expand f32 erf, exp and tanh into polynomial approximations";
  let description = [{
    math.erf, math.exp and math.tanh on f32 otherwise become calls of
    libm's erff, expf and tanhf (or an LLVM intrinsic that the backend
    scalarizes into them): a call per element that the loop vectorizer
    cannot widen, so GELU's erf and Softmax's exp ran at tens of ns per
    element. MLIR's polynomial approximations
    (math/Transforms/PolynomialApproximation) rewrite them into
    arith/math.fma code, a few ulp from libm (erf: rational fits on three
    intervals, saturating at +-1; exp: range reduction by ln 2 and a
    polynomial, overflow to +inf and underflow to 0 kept; tanh: a rational
    fit on [-7.99, 7.99], +-1 beyond), which LLVM vectorizes with the rest
    of the loop. Other types keep libm.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

#endif
