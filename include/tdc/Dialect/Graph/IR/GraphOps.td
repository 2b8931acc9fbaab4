//===- GraphOps.td - tg operations --------------------------*- tablegen -*-===//

#ifndef TDC_DIALECT_GRAPH_IR_GRAPHOPS_TD
#define TDC_DIALECT_GRAPH_IR_GRAPHOPS_TD

include "tdc/Dialect/Graph/IR/GraphDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

// Every tg op is pure and infers its result types from operand types and
// attributes (the importer never guesses a shape).
class TG_PureOp<string mnemonic, list<Trait> traits = []>
    : TG_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def TG_ConstantOp : TG_Op<"constant", [Pure, ConstantLike,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "Constant tensor (initializers are dense resources)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let builders = [OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
    build($_builder, $_state, value.getType(), value);
  }]>];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// SameOperandsAndResultType provides the type inference.
class TG_UnaryOp<string mnemonic, dag attrs = (ins)>
    : TG_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let arguments = !con((ins AnyRankedTensor:$input), attrs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

foreach p = [["Neg", "neg"],
     ["Abs", "abs"],
     ["Sqrt", "sqrt"],
     ["Exp", "exp"],
     ["Log", "log"],
     ["Erf", "erf"],
     ["Tanh", "tanh"],
     ["Sigmoid", "sigmoid"],
     ["Relu", "relu"],
     ["Reciprocal", "reciprocal"],
     ["Floor", "floor"],
     ["Ceil", "ceil"],
     ["Round", "round"],
     ["Sin", "sin"],
     ["Cos", "cos"],
     ["Tan", "tan"],
     ["Asin", "asin"],
     ["Acos", "acos"],
     ["Atan", "atan"],
     ["Sinh", "sinh"],
     ["Cosh", "cosh"],
     ["Asinh", "asinh"],
     ["Acosh", "acosh"],
     ["Atanh", "atanh"],
     ["Sign", "sign"],
     ["Softplus", "softplus"],
     ["Softsign", "softsign"],
     ["Not", "not"],
     ["HardSwish", "hard_swish"],
     ["Identity", "identity"]] in
  def TG_ # p[0] # Op : TG_UnaryOp<p[1]>;

def TG_LeakyReluOp : TG_UnaryOp<"leaky_relu", (ins F64Attr:$alpha)>;
def TG_EluOp : TG_UnaryOp<"elu", (ins F64Attr:$alpha)>;
def TG_CeluOp : TG_UnaryOp<"celu", (ins F64Attr:$alpha)>;
def TG_ThresholdedReluOp : TG_UnaryOp<"thresholded_relu", (ins F64Attr:$alpha)>;
def TG_SeluOp : TG_UnaryOp<"selu", (ins F64Attr:$alpha, F64Attr:$gamma)>;
def TG_HardSigmoidOp : TG_UnaryOp<"hard_sigmoid", (ins F64Attr:$alpha, F64Attr:$beta)>;
def TG_ShrinkOp : TG_UnaryOp<"shrink", (ins F64Attr:$bias, F64Attr:$lambd)>;
// Clip bounds are normalized to attributes; an absent bound is unbounded.
def TG_ClipOp : TG_UnaryOp<"clip", (ins OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max)>;

class TG_BinaryOp<string mnemonic, dag attrs = (ins)>
    : TG_PureOp<mnemonic> {
  let summary = "Elementwise binary op with numpy broadcasting";
  let arguments = !con((ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs), attrs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

foreach p = [["Add", "add"],
     ["Sub", "sub"],
     ["Mul", "mul"],
     ["Div", "div"],
     ["Pow", "pow"],
     ["Max", "max"],
     ["Min", "min"],
     ["Prelu", "prelu"],
     ["And", "and"],
     ["Or", "or"],
     ["Xor", "xor"],
     ["BitshiftLeft", "bitshift_left"],
     ["BitshiftRight", "bitshift_right"]] in
  def TG_ # p[0] # Op : TG_BinaryOp<p[1]>;
def TG_ModOp : TG_BinaryOp<"mod", (ins BoolAttr:$fmod)>;

// Comparisons produce i1 tensors.
foreach p = [["Equal", "equal"],
     ["Less", "less"],
     ["Greater", "greater"],
     ["LessOrEqual", "less_or_equal"],
     ["GreaterOrEqual", "greater_or_equal"]] in
  def TG_ # p[0] # Op : TG_BinaryOp<p[1]>;

def TG_WhereOp : TG_PureOp<"where"> {
  let arguments = (ins AnyRankedTensor:$condition, AnyRankedTensor:$x,
                   AnyRankedTensor:$y);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
}

def TG_CastOp : TG_PureOp<"cast"> {
  let arguments = (ins AnyRankedTensor:$input, TypeAttr:$to);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def TG_MatMulOp : TG_PureOp<"matmul"> {
  let summary = "numpy matmul: batched, broadcasting batch dims, 1-D promotion";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def TG_GemmOp : TG_PureOp<"gemm"> {
  let summary = "alpha * op(A) * op(B) + beta * C (C broadcast, optional)";
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b,
                   Optional<AnyRankedTensor>:$c, F64Attr:$alpha, F64Attr:$beta,
                   BoolAttr:$transA, BoolAttr:$transB);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)";
}

// pads are [begin_0, ..., begin_k, end_0, ..., end_k] as in ONNX, with
// auto_pad already resolved by the importer.
def TG_ConvOp : TG_PureOp<"conv"> {
  let summary = "N-d convolution (NC[D]HW, FC/g[K]), groups, dilations";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                   I64Attr:$group);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

// output_shape is resolved by the importer into pads.
def TG_ConvTransposeOp : TG_PureOp<"conv_transpose"> {
  let summary = "N-d transposed convolution (weight C x F/g x K...)";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$output_padding, I64Attr:$group);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def TG_BatchNormOp : TG_PureOp<"batch_norm"> {
  let summary = "Inference-mode batch normalization over dim 1";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                   AnyRankedTensor:$bias, AnyRankedTensor:$mean,
                   AnyRankedTensor:$var, F64Attr:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def TG_InstanceNormOp : TG_PureOp<"instance_norm"> {
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                   AnyRankedTensor:$bias, F64Attr:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def TG_LayerNormOp : TG_PureOp<"layer_norm"> {
  let summary = "Normalize over dims [axis, rank); also yields mean and 1/stddev";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                   Optional<AnyRankedTensor>:$bias, I64Attr:$axis,
                   F64Attr:$epsilon);
  let results = (outs AnyRankedTensor:$output, AnyRankedTensor:$mean,
                 AnyRankedTensor:$inv_std_dev);
  let assemblyFormat = "$input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// pads are [begins..., ends...] with auto_pad resolved by the importer.
// lp_pool additionally carries the norm order p.
class TG_PoolOp<string mnemonic, dag extra = (ins)> : TG_PureOp<mnemonic> {
  let arguments = !con((ins AnyRankedTensor:$input,
                   DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, BoolAttr:$ceil_mode,
                   BoolAttr:$count_include_pad), extra);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def TG_MaxPoolOp : TG_PoolOp<"max_pool">;
def TG_AveragePoolOp : TG_PoolOp<"average_pool">;
def TG_LpPoolOp : TG_PoolOp<"lp_pool", (ins I64Attr:$p)>;
// MaxPool with its Indices output (i64 flat indices into the input, row
// major over N, C and the spatial dims, or column major over the spatial
// dims when storage_order = 1).
def TG_MaxPoolWithIndicesOp
    : TG_PoolOp<"max_pool_with_indices", (ins I64Attr:$storage_order)> {
  let results = (outs AnyRankedTensor:$output, AnyRankedTensor:$indices);
}

//===----------------------------------------------------------------------===//
// Reductions and normalizing activations
//===----------------------------------------------------------------------===//

// axes are normalized (non-negative, sorted); empty means all dims.
class TG_ReduceOp<string mnemonic> : TG_PureOp<mnemonic> {
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                   BoolAttr:$keepdims);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
foreach p = [["ReduceSum", "reduce_sum"],
     ["ReduceMean", "reduce_mean"],
     ["ReduceMax", "reduce_max"],
     ["ReduceMin", "reduce_min"],
     ["ReduceProd", "reduce_prod"],
     ["ReduceL1", "reduce_l1"],
     ["ReduceL2", "reduce_l2"],
     ["ReduceLogSum", "reduce_log_sum"],
     ["ReduceLogSumExp", "reduce_log_sum_exp"],
     ["ReduceSumSquare", "reduce_sum_square"]] in
  def TG_ # p[0] # Op : TG_ReduceOp<p[1]>;

class TG_ArgReduceOp<string mnemonic> : TG_PureOp<mnemonic> {
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                   BoolAttr:$keepdims, BoolAttr:$select_last_index);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def TG_ArgMaxOp : TG_ArgReduceOp<"arg_max">;
def TG_ArgMinOp : TG_ArgReduceOp<"arg_min">;

// axis is non-negative; opset < 13 semantics are rewritten by the importer.
class TG_SoftmaxLikeOp<string mnemonic>
    : TG_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}
def TG_SoftmaxOp : TG_SoftmaxLikeOp<"softmax">;
def TG_LogSoftmaxOp : TG_SoftmaxLikeOp<"log_softmax">;
def TG_HardmaxOp : TG_SoftmaxLikeOp<"hardmax">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def TG_ReshapeOp : TG_PureOp<"reshape"> {
  let summary = "Reshape to a fully resolved static shape";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def TG_TransposeOp : TG_PureOp<"transpose"> {
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def TG_ConcatOp : TG_PureOp<"concat"> {
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def TG_SplitOp : TG_PureOp<"split"> {
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                   DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<AnyRankedTensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

// starts/ends/steps have one entry per dim, normalized: 0 <= start,
// positive or negative step, result size precomputed from them.
def TG_SliceOp : TG_PureOp<"slice"> {
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def TG_GatherOp : TG_PureOp<"gather"> {
  let summary = "Gather along axis; negative indices wrap";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$indices,
                   I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

def TG_GatherElementsOp : TG_PureOp<"gather_elements"> {
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$indices,
                   I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

// mode is "constant", "reflect" or "edge"; pads as in ONNX (begins, ends);
// negative pads crop.
def TG_PadOp : TG_PureOp<"pad"> {
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$pads,
                   StrAttr:$mode, F64Attr:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def TG_ExpandOp : TG_PureOp<"expand"> {
  let summary = "Broadcast the input against `shape` (numpy rules)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def TG_TileOp : TG_PureOp<"tile"> {
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Tensor manipulation
//===----------------------------------------------------------------------===//

// Inclusive or exclusive prefix sum along a non-negative axis, optionally
// from the end of the axis.
def TG_CumSumOp : TG_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                   BoolAttr:$exclusive, BoolAttr:$reverse);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

// Resize (and Upsample) with everything resolved per dim by the importer:
// `sizes` is the output shape, `scales` the per-dim scale used by the
// coordinate transformation (as given, or sizes / input dims), `roi` is
// [starts..., ends...] for tf_crop_and_resize (empty otherwise). mode is
// nearest / linear / cubic; nearest_mode is an ONNX nearest_mode or
// "simple" (opset < 11 and Upsample: floor, ceil when downsampling).
def TG_ResizeOp : TG_PureOp<"resize"> {
  let arguments = (ins AnyRankedTensor:$input, StrAttr:$mode,
                   StrAttr:$coordinate_transformation_mode,
                   StrAttr:$nearest_mode, F64Attr:$cubic_coeff_a,
                   BoolAttr:$exclude_outside, F64Attr:$extrapolation_value,
                   DenseF64ArrayAttr:$scales, DenseF64ArrayAttr:$roi,
                   DenseI64ArrayAttr:$sizes);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Indexing: top-k, einsum, n-d gather and scatters
//===----------------------------------------------------------------------===//

// The k largest (or smallest) elements along a non-negative axis, sorted,
// ties resolved by the lower index; indices are i64.
def TG_TopKOp : TG_PureOp<"top_k"> {
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$k, I64Attr:$axis,
                   BoolAttr:$largest);
  let results = (outs AnyRankedTensor:$values, AnyRankedTensor:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

// Einsum with the equation normalized by the importer: no spaces, no
// ellipsis (expanded into letters), explicit output ("bij,bjk->bik").
// All inputs have one element type.
def TG_EinsumOp : TG_PureOp<"einsum"> {
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, StrAttr:$equation);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

// ONNX GatherND; indices are i64 and may be negative.
def TG_GatherNDOp : TG_PureOp<"gather_nd"> {
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$indices,
                   I64Attr:$batch_dims);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

// ONNX ScatterElements with a non-negative axis; reduction is none, add,
// mul, max or min. Updates are applied in row-major order.
def TG_ScatterElementsOp : TG_PureOp<"scatter_elements"> {
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$indices,
                   AnyRankedTensor:$updates, I64Attr:$axis,
                   StrAttr:$reduction);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
}

// ONNX ScatterND; reduction as for scatter_elements.
def TG_ScatterNDOp : TG_PureOp<"scatter_nd"> {
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$indices,
                   AnyRankedTensor:$updates, StrAttr:$reduction);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
}

#endif
