"""Build the small models of the models-vs-ONNX-Runtime test with
onnx.helper: random weights from a fixed seed, opset 13 (the transformer
encoder uses opset 17 for LayerNormalization).

Usage: make_models.py OUTDIR [--resnet50] [--only NAME ...]

--resnet50 writes only resnet50.onnx: the standard ResNet-50 (bottleneck
layers 3-4-6-3, 224x224 input, ~25.6M parameters) made by the same ResNet
generator as resnet_block_cnn; it is meant for compile-time measurements and
is not part of the default set.
"""
import argparse
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20240601


class GraphBuilder:
    """Collects nodes, initializers and graph inputs/outputs; names every
    node and tensor uniquely so that compiler errors point at a node."""

    def __init__(self, name, seed=SEED):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.inputs = []
        self.outputs = []
        self.counts = {}
        self.metadata = {}

    def fresh(self, base):
        n = self.counts.get(base, 0)
        self.counts[base] = n + 1
        return f"{base}_{n}"

    def input(self, name, shape, elem=TensorProto.FLOAT):
        self.inputs.append(helper.make_tensor_value_info(name, elem, shape))
        return name

    def output(self, value, name, shape, elem=TensorProto.FLOAT):
        self.op("Identity", [value], name=f"{name}_out", out=name)
        self.outputs.append(helper.make_tensor_value_info(name, elem, shape))

    def const(self, base, array):
        name = self.fresh(base)
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def weight(self, base, shape, fan_in):
        # He-style scaling keeps activations O(1) through deep stacks.
        std = math.sqrt(2.0 / fan_in)
        a = self.rng.standard_normal(shape).astype(np.float32) * std
        return self.const(base, a)

    def bias(self, base, n, scale=0.1):
        return self.const(base, (self.rng.standard_normal(n) * scale).astype(np.float32))

    def op(self, kind, inputs, name=None, out=None, **attrs):
        node_name = name or self.fresh(kind.lower())
        out = out or f"{node_name}_y"
        self.nodes.append(helper.make_node(kind, inputs, [out], name=node_name, **attrs))
        return out

    # Layers ---------------------------------------------------------------

    def conv(self, x, cin, cout, k, stride=1, pad=None, dilation=1, group=1,
             bias=True):
        pad = (k // 2) * dilation if pad is None else pad
        w = self.weight("conv_w", (cout, cin // group, k, k), cin // group * k * k)
        ins = [x, w] + ([self.bias("conv_b", cout)] if bias else [])
        return self.op("Conv", ins, kernel_shape=[k, k], strides=[stride, stride],
                       pads=[pad] * 4, dilations=[dilation, dilation], group=group)

    def conv_transpose(self, x, cin, cout, k, stride, pad):
        w = self.weight("convt_w", (cin, cout, k, k), cin * k * k // (stride * stride))
        return self.op("ConvTranspose", [x, w, self.bias("convt_b", cout)],
                       kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4)

    def batch_norm(self, x, c):
        r = self.rng
        scale = self.const("bn_scale", (0.5 + r.random(c)).astype(np.float32))
        b = self.const("bn_bias", (r.standard_normal(c) * 0.1).astype(np.float32))
        mean = self.const("bn_mean", (r.standard_normal(c) * 0.1).astype(np.float32))
        var = self.const("bn_var", (0.5 + r.random(c)).astype(np.float32))
        return self.op("BatchNormalization", [x, scale, b, mean, var], epsilon=1e-5)

    def relu(self, x):
        return self.op("Relu", [x])

    def gemm(self, x, nin, nout, trans_b=False):
        shape = (nout, nin) if trans_b else (nin, nout)
        w = self.weight("gemm_w", shape, nin)
        return self.op("Gemm", [x, w, self.bias("gemm_b", nout)], transB=int(trans_b))

    def matmul_add(self, x, nin, nout):
        y = self.op("MatMul", [x, self.weight("mm_w", (nin, nout), nin)])
        return self.op("Add", [y, self.bias("mm_b", nout)])

    def head(self, x, c, classes):
        x = self.op("GlobalAveragePool", [x])
        x = self.op("Flatten", [x], axis=1)
        return self.gemm(x, c, classes, trans_b=True)

    def model(self, opset=13):
        g = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs,
                              initializer=self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="tdc-tests")
        # Match the IR version to the opset so that older runtimes load it.
        m.ir_version = 8 if opset >= 15 else 7
        for k, v in self.metadata.items():
            m.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
        return m


# ResNet ---------------------------------------------------------------------

def basic_block(b, x, cin, cout, stride):
    y = b.relu(b.batch_norm(b.conv(x, cin, cout, 3, stride, bias=False), cout))
    y = b.batch_norm(b.conv(y, cout, cout, 3, bias=False), cout)
    return y, cout


def bottleneck_block(b, x, cin, width, stride):
    # torchvision ResNet v1.5: the stride sits on the 3x3 convolution.
    cout = width * 4
    y = b.relu(b.batch_norm(b.conv(x, cin, width, 1, bias=False), width))
    y = b.relu(b.batch_norm(b.conv(y, width, width, 3, stride, bias=False), width))
    y = b.batch_norm(b.conv(y, width, cout, 1, bias=False), cout)
    return y, cout


def resnet(name, block, layers, widths, stem, stem_kernel, image, classes):
    """layers[i] residual blocks of width widths[i]; every stage but the
    first halves the resolution; shortcuts are identities or 1x1 strided
    projections (conv + BN) where the shape changes."""
    b = GraphBuilder(name)
    x = b.input("image", [1, 3, image, image])
    x = b.relu(b.batch_norm(b.conv(x, 3, stem, stem_kernel, 2, bias=False), stem))
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4)
    c = stem
    for stage, (n, width) in enumerate(zip(layers, widths)):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            y, cout = block(b, x, c, width, stride)
            if stride != 1 or cout != c:
                short = b.batch_norm(b.conv(x, c, cout, 1, stride, pad=0, bias=False), cout)
            else:
                short = x
            x = b.relu(b.op("Add", [y, short]))
            c = cout
    b.output(b.head(x, c, classes), "logits", [1, classes])
    return b.model()


def resnet_block_cnn():
    return resnet("resnet_block_cnn", basic_block, layers=[1, 1], widths=[16, 32],
                  stem=16, stem_kernel=3, image=32, classes=10)


def resnet50():
    return resnet("resnet50", bottleneck_block, layers=[3, 4, 6, 3],
                  widths=[64, 128, 256, 512], stem=64, stem_kernel=7, image=224,
                  classes=1000)


# Other CNNs -------------------------------------------------------------------

def dcgan_generator():
    b = GraphBuilder("dcgan_generator")
    x = b.input("latent", [1, 32, 1, 1])
    x = b.relu(b.batch_norm(b.conv_transpose(x, 32, 64, 4, 1, 0), 64))  # 4x4
    x = b.relu(b.batch_norm(b.conv_transpose(x, 64, 32, 4, 2, 1), 32))  # 8x8
    x = b.relu(b.batch_norm(b.conv_transpose(x, 32, 16, 4, 2, 1), 16))  # 16x16
    x = b.op("Tanh", [b.conv_transpose(x, 16, 3, 4, 2, 1)])  # 32x32
    b.output(x, "generated", [1, 3, 32, 32])
    return b.model()


def dilated_convs():
    # CSRNet back end: 3x3 convolutions with dilation 2 and 4 that keep the
    # resolution (pad = dilation), then a 1x1 density-map head. The
    # dilation-8 conv has whole taps in the padding at the border rows and
    # columns (which tdc-skip-padding-taps drops).
    b = GraphBuilder("dilated_convs")
    x = b.input("image", [1, 3, 32, 32])
    x = b.relu(b.conv(x, 3, 16, 3))
    x = b.relu(b.conv(x, 16, 16, 3, dilation=2))
    x = b.relu(b.conv(x, 16, 16, 3, dilation=2))
    x = b.relu(b.conv(x, 16, 16, 3, dilation=8))
    x = b.relu(b.conv(x, 16, 8, 3, dilation=4))
    x = b.relu(b.conv(x, 8, 8, 3, dilation=4))
    x = b.conv(x, 8, 1, 1, pad=0)
    b.output(x, "density", [1, 1, 32, 32])
    return b.model()


def strided_convs():
    # ResNet's strided convolutions at sizes that take the vectorized
    # schedule and its parallel tasks: the 7x7/2 stem, a 3x3/2 conv next to
    # the 1x1/2 projection shortcut, and a 3x3/2 without padding on an even
    # image (7 outputs per row: a partial, masked vector).
    b = GraphBuilder("strided_convs")
    x = b.input("image", [1, 3, 64, 64])
    x = b.relu(b.batch_norm(b.conv(x, 3, 64, 7, 2, bias=False), 64))  # 32x32
    y = b.relu(b.conv(x, 64, 64, 3, 2))  # 16x16
    short = b.conv(x, 64, 64, 1, 2, pad=0)  # 16x16
    x = b.relu(b.op("Add", [y, short]))
    x = b.relu(b.conv(x, 64, 32, 3, 2, pad=0))  # 7x7
    b.output(x, "features", [1, 32, 7, 7])
    return b.model()


def mobilenet_block():
    b = GraphBuilder("mobilenet_block")
    lo = b.const("clip_min", np.array(0.0, np.float32))
    hi = b.const("clip_max", np.array(6.0, np.float32))

    def relu6(v):
        return b.op("Clip", [v, lo, hi])

    x = b.input("image", [1, 3, 32, 32])
    x = relu6(b.batch_norm(b.conv(x, 3, 16, 3, 2, bias=False), 16))  # 16x16
    # Depthwise-separable block, stride 1.
    x = relu6(b.batch_norm(b.conv(x, 16, 16, 3, group=16, bias=False), 16))
    x = relu6(b.batch_norm(b.conv(x, 16, 32, 1, pad=0, bias=False), 32))
    # Depthwise-separable block, stride 2.
    x = relu6(b.batch_norm(b.conv(x, 32, 32, 3, 2, group=32, bias=False), 32))  # 8x8
    x = relu6(b.batch_norm(b.conv(x, 32, 64, 1, pad=0, bias=False), 64))
    b.output(b.head(x, 64, 10), "logits", [1, 10])
    return b.model()


def depthwise_convs():
    """Depthwise convolutions in the shapes their channels-last lowering
    meets: odd image sizes, stride 1 and 2, with and without padding,
    dilation, 5x5 (per-tap form) and 7x7 (reduction form) kernels, channel
    counts that are not a multiple of 16 (and one, 20, that is not of 8),
    Clip / BN + Relu / residual Add after them."""
    b = GraphBuilder("depthwise_convs")
    lo = b.const("clip_min", np.array(0.0, np.float32))
    hi = b.const("clip_max", np.array(6.0, np.float32))
    x = b.input("image", [1, 24, 13, 11])
    x = b.op("Clip", [b.conv(x, 24, 24, 3, group=24), lo, hi])
    x = b.relu(b.batch_norm(b.conv(x, 24, 24, 3, 2, group=24, bias=False), 24))  # 7x6
    x = b.conv(x, 24, 40, 1, pad=0)
    x = b.op("Add", [x, b.conv(x, 40, 40, 5, dilation=2, group=40)])
    x = b.relu(b.conv(x, 40, 40, 3, 2, pad=0, group=40))  # 3x2
    y = b.conv(x, 40, 40, 7, group=40)
    x = b.conv(b.op("Add", [x, y]), 40, 20, 1, pad=0)
    x = b.conv(x, 20, 20, 3, group=20)
    b.output(x, "features", [1, 20, 3, 2])
    return b.model()


def max_pools():
    """Max pooling channels-last between convolutions: 3x3 stride 2 pad 1
    after Conv + Relu (ResNet's stem), 2x2 stride 2 with ceil_mode on an odd
    map, 3x3 dilation 2 on 24 channels, and one on a network input."""
    b = GraphBuilder("max_pools")
    x = b.input("image", [1, 3, 19, 17])
    x = b.op("MaxPool", [x], kernel_shape=[2, 2], strides=[1, 1])  # 18x16
    x = b.relu(b.conv(x, 3, 24, 3, 2))  # 9x8
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4)  # 5x4
    x = b.conv(x, 24, 24, 3)
    x = b.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)  # 3x2
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], dilations=[2, 2], pads=[2] * 4)  # 3x2
    b.output(b.conv(x, 24, 16, 1, pad=0), "features", [1, 16, 3, 2])
    return b.model()


# Dense models -------------------------------------------------------------

def mlp():
    b = GraphBuilder("mlp")
    x = b.input("features", [4, 64])
    x = b.relu(b.gemm(x, 64, 128))
    x = b.op("Sigmoid", [b.matmul_add(x, 128, 64)])
    x = b.relu(b.gemm(x, 64, 32, trans_b=True))
    x = b.op("Softmax", [b.gemm(x, 32, 10)], axis=-1)
    b.output(x, "probs", [4, 10])
    return b.model()


def gcn_matmul_chain():
    n, f, hidden, classes = 512, 64, 32, 16
    b = GraphBuilder("gcn_matmul_chain")
    # Random graph with ~8 neighbours per node plus self loops, symmetrically
    # normalized: D^-1/2 (A + I) D^-1/2.
    adj = (b.rng.random((n, n)) < 8.0 / n).astype(np.float32)
    adj = np.maximum(adj, adj.T) + np.eye(n, dtype=np.float32)
    adj = np.minimum(adj, 1.0)
    d = 1.0 / np.sqrt(adj.sum(axis=1))
    a = b.const("adjacency", (adj * d[:, None] * d[None, :]).astype(np.float32))
    x = b.input("features", [n, f])
    h = b.relu(b.op("MatMul", [a, b.op("MatMul", [x, b.weight("w1", (f, hidden), f)])]))
    y = b.op("MatMul", [a, b.op("MatMul", [h, b.weight("w2", (hidden, classes), hidden)])])
    b.output(y, "node_logits", [n, classes])
    return b.model()


def matmul_odd_shapes():
    """MatMuls whose M, K, N are not multiples of any register block (1, 7,
    17, 33, 129), with constant B (packed at compile time) and with B an
    input (packed at run time); batched and broadcast-batched MatMuls and
    Gemms with transA and transB, so that every remainder path of the packed schedule
    is compared with ONNX Runtime."""
    b = GraphBuilder("matmul_odd_shapes")
    shapes = [(1, 17, 33), (7, 33, 17), (17, 129, 7), (33, 7, 129),
              (129, 17, 1), (129, 129, 129), (17, 1, 33), (49, 64, 47)]
    for i, (m, k, n) in enumerate(shapes):
        a = b.input(f"a{i}", [m, k])
        w = b.weight("mm_w", (k, n), k)
        b.output(b.op("MatMul", [a, w]), f"const_b{i}", [m, n])
        x = b.input(f"b{i}", [k, n])
        b.output(b.op("MatMul", [a, x]), f"input_b{i}", [m, n])
    a = b.input("batch_a", [3, 33, 17])
    x = b.input("batch_b", [3, 17, 129])
    b.output(b.op("MatMul", [a, x]), "batched", [3, 33, 129])
    w = b.weight("mm_w", (17, 65), 17)
    b.output(b.op("MatMul", [a, w]), "broadcast_batched", [3, 33, 65])
    a = b.input("gemm_a", [33, 65])
    b.output(b.gemm(a, 65, 47, trans_b=True), "gemm_trans_b", [33, 47])
    at = b.input("gemm_at", [65, 33])
    w = b.weight("gemm_w", (65, 47), 65)
    b.output(b.op("Gemm", [at, w, b.bias("gemm_b", 47)], transA=1), "gemm_trans_a", [33, 47])
    return b.model()


def tx_forms():
    """The forms the tg -> tx conversion handles beyond plain convs and
    matmuls (ctest models-vs-ort-tx runs them through tx): a grouped strided
    ConvTranspose and a dilated one, MatMuls with broadcast batch dims and
    1-D operands, and memory-bound chains after compute ops (BN, LeakyRelu,
    HardSigmoid, Clip, a padded AveragePool, a residual Sub with broadcasting,
    ReduceMean)."""
    b = GraphBuilder("tx_forms")
    x = b.input("x", [1, 4, 5, 5])
    w = b.weight("ct_w", (4, 3, 3, 3), 4 * 9)  # group 2: [C, F/g, k, k]
    y = b.op("ConvTranspose", [x, w, b.bias("ct_b", 6)], strides=[2, 2],
             pads=[1, 1, 1, 1], group=2)
    y = b.batch_norm(y, 6)
    y = b.op("LeakyRelu", [y], alpha=0.2)
    y = b.op("AveragePool", [y], kernel_shape=[3, 3], strides=[2, 2],
             pads=[1, 1, 1, 1], count_include_pad=0)
    b.output(y, "grouped_ct", [1, 6, 5, 5])
    w = b.weight("dct_w", (4, 2, 3, 3), 4 * 9)
    y = b.op("ConvTranspose", [x, w], dilations=[2, 2], pads=[1, 0, 1, 0])
    y = b.op("HardSigmoid", [y], alpha=0.3, beta=0.4)
    b.output(y, "dilated_ct", [1, 2, 7, 9])
    a = b.input("a4", [2, 1, 3, 4])
    m = b.op("MatMul", [a, b.weight("bc_w", (5, 4, 6), 4)])
    m = b.op("Sub", [m, b.const("bc_s", np.linspace(-1, 1, 6, dtype=np.float32))])
    m = b.op("Clip", [m, b.const("lo", np.array(-0.5, np.float32)),
                      b.const("hi", np.array(0.5, np.float32))])
    b.output(m, "broadcast_mm", [2, 5, 3, 6])
    v = b.input("v", [4])
    m = b.op("MatMul", [v, b.weight("row_w", (2, 4, 3), 4)])
    b.output(b.op("ReduceMean", [m], axes=[1], keepdims=0), "row_mm", [2])
    m = b.op("MatMul", [b.input("a3", [2, 3, 4]), v])
    b.output(b.op("Sigmoid", [m]), "col_mm", [2, 3])
    return b.model()


def encoder_layer(b, x, mask, seq, hidden, heads, ffn):
    """One post-norm transformer encoder layer (BERT): multi-head
    self-attention with an additive mask, residual + LayerNormalization, an
    FFN with the exact (Erf) GELU, residual + LayerNormalization. x is
    [1, seq, hidden]; mask is [1, 1, seq, seq]. Needs opset >= 17."""
    dh = hidden // heads
    split = b.const("heads_shape", np.array([1, seq, heads, dh], np.int64))
    merge = b.const("hidden_shape", np.array([1, seq, hidden], np.int64))

    def to_heads(v, perm):
        return b.op("Transpose", [b.op("Reshape", [v, split])], perm=perm)

    q = to_heads(b.matmul_add(x, hidden, hidden), [0, 2, 1, 3])  # [1,h,s,d]
    kt = to_heads(b.matmul_add(x, hidden, hidden), [0, 2, 3, 1])  # [1,h,d,s]
    v = to_heads(b.matmul_add(x, hidden, hidden), [0, 2, 1, 3])  # [1,h,s,d]
    scores = b.op("MatMul", [q, kt])
    scores = b.op("Div", [scores, b.const("sqrt_dh", np.array(math.sqrt(dh), np.float32))])
    scores = b.op("Add", [scores, mask])
    probs = b.op("Softmax", [scores], axis=-1)
    ctx = b.op("Transpose", [b.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
    ctx = b.op("Reshape", [ctx, merge])
    attn = b.matmul_add(ctx, hidden, hidden)

    def layer_norm(v):
        gamma = b.const("ln_gamma", (1 + 0.1 * b.rng.standard_normal(hidden)).astype(np.float32))
        beta = b.const("ln_beta", (0.1 * b.rng.standard_normal(hidden)).astype(np.float32))
        return b.op("LayerNormalization", [v, gamma, beta], axis=-1, epsilon=1e-5)

    h = layer_norm(b.op("Add", [x, attn]))
    # FFN with the exact (Erf) GELU: x * 0.5 * (1 + erf(x / sqrt(2))).
    u = b.matmul_add(h, hidden, ffn)
    e = b.op("Erf", [b.op("Div", [u, b.const("sqrt2", np.array(math.sqrt(2), np.float32))])])
    e = b.op("Add", [e, b.const("one", np.array(1.0, np.float32))])
    g = b.op("Mul", [b.op("Mul", [u, b.const("half", np.array(0.5, np.float32))]), e])
    out = b.matmul_add(g, ffn, hidden)
    return layer_norm(b.op("Add", [h, out]))


def transformer_encoder():
    seq, hidden, heads = 32, 64, 4
    b = GraphBuilder("transformer_encoder")
    x = b.input("tokens", [1, seq, hidden])
    mask = b.input("attention_mask", [1, 1, seq, seq])
    b.metadata["tdc_test_input.attention_mask"] = "additive_mask"
    y = encoder_layer(b, x, mask, seq, hidden, heads, 4 * hidden)
    b.output(y, "encoded", [1, seq, hidden])
    return b.model(opset=17)


def math_ranges():
    """Erf, Exp, Sigmoid, Softmax and Tanh over wide input ranges: tdc
    expands f32 erf, exp and tanh into polynomial approximations
    (tdc-approximate-math), which must saturate (erf, tanh -> +-1), overflow
    (exp -> inf) and underflow (-> 0) as libm does. 64 x 257: vectorized loops with a remainder."""
    b = GraphBuilder("math_ranges")
    x = b.input("x", [64, 257])

    def scaled(s):
        return b.op("Mul", [x, b.const("scale", np.array(s, np.float32))])

    b.output(b.op("Erf", [scaled(3.0)]), "erf", [64, 257])
    b.output(b.op("Exp", [scaled(40.0)]), "exp", [64, 257])
    b.output(b.op("Sigmoid", [scaled(40.0)]), "sigmoid", [64, 257])
    b.output(b.op("Softmax", [scaled(20.0)], axis=-1), "softmax", [64, 257])
    b.output(b.op("Tanh", [scaled(12.0)]), "tanh", [64, 257])
    return b.model()


def strided_conv_transposes():
    """ConvTransposes whose derived form is matmul + overlap-add, lowered
    per residue class of the stride (DeriveToLinalg residueClasses): strides
    2 and 3, unequal per axis, kernels smaller, equal and larger than the
    stride, asymmetric pads, output_padding, ragged sizes."""
    b = GraphBuilder("strided_conv_transposes")
    x = b.input("x", [1, 8, 5, 6])
    cases = [  # name, cout, kernel, strides, pads, output_padding, out HxW
        ("s3x2", 6, (5, 5), [3, 2], [1, 2, 2, 0], [1, 1], (15, 14)),
        ("k3s2", 4, (3, 3), [2, 2], [0, 0, 0, 0], [0, 0], (11, 13)),
        ("k2s2", 4, (2, 2), [2, 2], [0, 0, 0, 0], [0, 0], (10, 12)),
        ("k4s3", 5, (4, 4), [3, 3], [2, 1, 0, 3], [0, 0], (14, 15)),
    ]
    for name, cout, k, strides, pads, opad, hw in cases:
        w = b.weight(name + "_w", (8, cout) + k, 8 * k[0] * k[1])
        y = b.op("ConvTranspose", [x, w, b.bias(name + "_b", cout)],
                 strides=strides, pads=pads, output_padding=opad)
        b.output(b.relu(y), name, [1, cout, *hw])
    return b.model()


def conv_epilogues():
    """Clip and Relu applied to the register tiles of channels-last
    convolutions (tdc-tile-and-vectorize-contractions) and their results
    computed into the next padded buffer through the channel-block reshape: output channels in one
    block (40), in blocks of 8 (56) and of 32 (96), strides, pads, dilation,
    a result read by a later Add as well as by the next convolution."""
    b = GraphBuilder("conv_epilogues")
    lo = b.const("clip_min", np.array(0.0, np.float32))
    hi = b.const("clip_max", np.array(6.0, np.float32))
    # Large enough that every convolution runs as parallel tasks.
    x = b.input("image", [1, 16, 40, 37])
    x = b.op("Clip", [b.conv(x, 16, 40, 3, 2), lo, hi])  # 20x19
    x = b.relu(b.conv(x, 40, 56, 3))
    y = b.op("Clip", [b.conv(x, 56, 96, 1, pad=0), lo, hi])
    z = b.relu(b.conv(y, 96, 96, 3, dilation=2, pad=2))
    x = b.relu(b.op("Add", [y, z]))
    x = b.relu(b.conv(x, 96, 56, 3, 2, pad=0))  # 9x9
    b.output(x, "features", [1, 56, 9, 9])
    return b.model()


def conv_epilogue_forms():
    """Elementwise ops applied to a convolution's register tiles: a residual
    Add + Relu whose residual is a later strided 1x1 conv, a Sigmoid, a
    per-channel scale and shift (broadcast operands), and a convolution with
    two elementwise readers (not fused)."""
    b = GraphBuilder("conv_epilogue_forms")
    lo = b.const("clip_min", np.array(0.0, np.float32))
    hi = b.const("clip_max", np.array(6.0, np.float32))
    x = b.input("image", [1, 16, 24, 23])
    y = b.conv(x, 16, 64, 3, 2)  # 12x12
    short = b.conv(x, 16, 64, 1, 2, pad=0)
    x = b.relu(b.op("Add", [y, short]))
    x = b.op("Sigmoid", [b.conv(x, 64, 48, 3)])
    c = b.conv(x, 48, 32, 1, pad=0)
    x = b.op("Add", [b.relu(c), b.op("Clip", [c, lo, hi])])
    scale = b.const("scale", np.random.RandomState(5).uniform(0.5, 1.5, [1, 32, 1, 1]).astype(np.float32))
    shift = b.const("shift", np.random.RandomState(6).uniform(-1, 1, [1, 32, 1, 1]).astype(np.float32))
    x = b.op("Add", [b.op("Mul", [b.conv(x, 32, 32, 3), scale]), shift])
    b.output(x, "features", [1, 32, 12, 12])
    return b.model()


def blocked_conv_epilogues():
    """Convolutions whose reduction over input channels is cache-blocked
    (>= 8 blocks of output channels, filters over 32 KB): the first block
    starts from the bias, the last applies the epilogue (Relu, a residual
    Add + Relu whose sum feeds the next convolution, a Clip), with one block
    in between (C = 64 in blocks of 16, AVX-512), none (C = 40, blocks of
    20) and many (C = 256). The AVX2 variant blocks with other sizes."""
    b = GraphBuilder("blocked_conv_epilogues")
    lo = b.const("clip_min", np.array(0.0, np.float32))
    hi = b.const("clip_max", np.array(6.0, np.float32))
    x = b.input("image", [1, 64, 11, 10])
    x = b.relu(b.conv(x, 64, 256, 3))
    y = b.conv(x, 256, 256, 3)
    x = b.relu(b.op("Add", [y, x]))
    x = b.op("Clip", [b.conv(x, 256, 40, 1, pad=0), lo, hi])
    x = b.relu(b.op("Add", [b.conv(x, 40, 256, 3), b.conv(x, 40, 256, 1, pad=0)]))
    x = b.relu(b.conv(x, 256, 256, 3, 2))  # 6x5
    b.output(x, "features", [1, 256, 6, 5])
    return b.model()


def winograd_convs():
    """3x3 stride-1 convolutions computed with Winograd F(4x4, 3x3): a batch
    of 2, outputs that are not whole 4x4 tiles (30x29, then 29x28),
    asymmetric padding, a convolution without bias whose BatchNormalization
    folds into its filters, and channel counts of 32 and 48; dilations 2, 3
    and 6, the first with asymmetric padding. These are fused (a task
    transforms, multiplies and transforms back its row of tiles); a
    96-channel convolution is not."""
    b = GraphBuilder("winograd_convs")
    x = b.input("image", [2, 32, 30, 29])
    x = b.relu(b.conv(x, 32, 48, 3))
    w = b.weight("conv_w", (32, 48, 3, 3), 48 * 9)
    x = b.op("Conv", [x, w], kernel_shape=[3, 3], pads=[0, 1, 1, 0])
    x = b.batch_norm(x, 32)
    b.output(x, "features", [2, 32, 29, 28])
    # Dilated: tiles of outputs d apart (whole tiles per residue class).
    y = b.input("context", [1, 32, 24, 24])
    w = b.weight("conv_w", (32, 32, 3, 3), 32 * 9)
    y = b.relu(b.op("Conv", [y, w, b.bias("conv_b", 32)], kernel_shape=[3, 3],
                    pads=[1, 2, 3, 2], dilations=[2, 2]))
    y = b.relu(b.conv(y, 32, 32, 3, dilation=3))
    y = b.conv(y, 32, 32, 3, dilation=6)
    b.output(y, "context_features", [1, 32, 24, 24])
    # 96 channels: the transformed filters (1.3 MB) are too large for every
    # task to read them, so the three steps run one after the other.
    z = b.input("wide", [1, 96, 18, 17])
    z = b.relu(b.conv(z, 96, 96, 3))
    b.output(z, "wide_features", [1, 96, 18, 17])
    return b.model()


MODELS = {
    "resnet_block_cnn": resnet_block_cnn,
    "dcgan_generator": dcgan_generator,
    "dilated_convs": dilated_convs,
    "strided_convs": strided_convs,
    "mobilenet_block": mobilenet_block,
    "depthwise_convs": depthwise_convs,
    "conv_epilogues": conv_epilogues,
    "conv_epilogue_forms": conv_epilogue_forms,
    "blocked_conv_epilogues": blocked_conv_epilogues,
    "winograd_convs": winograd_convs,
    "max_pools": max_pools,
    "mlp": mlp,
    "gcn_matmul_chain": gcn_matmul_chain,
    "transformer_encoder": transformer_encoder,
    "matmul_odd_shapes": matmul_odd_shapes,
    "tx_forms": tx_forms,
    "math_ranges": math_ranges,
    "strided_conv_transposes": strided_conv_transposes,
}


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("outdir")
    p.add_argument("--resnet50", action="store_true",
                   help="write only resnet50.onnx (not in the default set)")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(MODELS),
                   help="write only these models")
    args = p.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    builders = {"resnet50": resnet50} if args.resnet50 else MODELS
    if args.only and not args.resnet50:
        builders = {n: MODELS[n] for n in args.only}
    for name, build in builders.items():
        m = build()
        onnx.checker.check_model(m, full_check=True)
        path = os.path.join(args.outdir, f"{name}.onnx")
        onnx.save(m, path)
        params = sum(int(np.prod(t.dims)) for t in m.graph.initializer)
        print(f"wrote {path} ({len(m.graph.node)} nodes, {params} parameters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
