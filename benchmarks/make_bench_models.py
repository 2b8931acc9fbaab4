"""Build the benchmark model set with onnx.helper and numpy (random weights
from a fixed seed), reusing the layer helpers of tests/models/make_models.py.

Usage: make_bench_models.py OUTDIR [--only NAME ...] [--list]

Models (batch 1 unless stated; BatchNormalization is left unfolded, as in
the test models, so that compilers must fold it themselves):
  resnet18         torchvision ResNet-18 layout, 224x224, 1000 classes
  resnet50         ResNet-50 v1.5 (bottlenecks 3-4-6-3), 224x224
  mobilenet_v2     MobileNetV2 1.0, 224x224: inverted residuals, depthwise 3x3
                   convolutions, ReLU6 as Clip(0, 6)
  dcgan            DCGAN generator (nz 100, ngf 64): ConvTranspose stack
                   1x1 -> 64x64x3, BN + ReLU, Tanh
  dilated_context  3x3 stride-2 stem, then the context module of Yu & Koltun
                   (3x3 convs with dilations 1,1,2,4,8,16,1, 64 channels at
                   64x64), 1x1 head to 21 classes
  bert             BERT-base-sized encoder: sequence 128, hidden 768, 12 heads,
                   FFN 3072, BERT_LAYERS (4) layers, additive attention mask;
                   MatMul/Softmax/LayerNormalization/Erf-GELU (opset 17)
  mlp              batch 64: 1024 -> 2048 -> 2048 -> 1000, ReLU, Softmax
  gemm_MxKxN       one MatMul of an [M,K] input by a constant [K,N] matrix:
                   256^3, 1024^3, 2048^3, 49x4608x512 (ResNet-50's last 3x3
                   convolution as a GEMM), 3136x576x64 (its first)

A model file is rewritten only when it is missing or when this script or
make_models.py changed (OUTDIR/models.stamp holds their hash).
"""
import argparse
import hashlib
import os
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "models"))
import make_models as mm  # noqa: E402
from make_models import GraphBuilder  # noqa: E402

BERT_LAYERS = 4

# (M, K, N) of the GEMM models.
GEMMS = [(256, 256, 256), (1024, 1024, 1024), (2048, 2048, 2048),
         (49, 4608, 512), (3136, 576, 64)]


def gemm_name(m, k, n):
    return f"gemm_{m}x{k}x{n}"


def resnet18():
    return mm.resnet("resnet18", mm.basic_block, layers=[2, 2, 2, 2],
                     widths=[64, 128, 256, 512], stem=64, stem_kernel=7,
                     image=224, classes=1000)


def mobilenet_v2():
    b = GraphBuilder("mobilenet_v2")
    lo = b.const("clip_min", np.array(0.0, np.float32))
    hi = b.const("clip_max", np.array(6.0, np.float32))

    def conv_bn(x, cin, cout, k, stride=1, group=1, act=True):
        y = b.batch_norm(b.conv(x, cin, cout, k, stride, group=group, bias=False), cout)
        return b.op("Clip", [y, lo, hi]) if act else y

    x = b.input("image", [1, 3, 224, 224])
    x = conv_bn(x, 3, 32, 3, 2)
    c = 32
    # (expansion t, output channels c, repeats n, first stride s)
    for t, cout, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                          (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = c * t
            y = conv_bn(x, c, hidden, 1) if t != 1 else x
            y = conv_bn(y, hidden, hidden, 3, stride, group=hidden)
            y = conv_bn(y, hidden, cout, 1, act=False)  # linear bottleneck
            x = b.op("Add", [x, y]) if stride == 1 and c == cout else y
            c = cout
    x = conv_bn(x, c, 1280, 1)
    b.output(b.head(x, 1280, 1000), "logits", [1, 1000])
    return b.model()


def dcgan():
    b = GraphBuilder("dcgan")
    x = b.input("latent", [1, 100, 1, 1])
    c = 100
    for cout, stride, pad in [(512, 1, 0), (256, 2, 1), (128, 2, 1), (64, 2, 1)]:
        x = b.relu(b.batch_norm(b.conv_transpose(x, c, cout, 4, stride, pad), cout))
        c = cout
    x = b.op("Tanh", [b.conv_transpose(x, c, 3, 4, 2, 1)])  # 64x64
    b.output(x, "generated", [1, 3, 64, 64])
    return b.model()


def dilated_context():
    b = GraphBuilder("dilated_context")
    x = b.input("image", [1, 3, 128, 128])
    x = b.relu(b.conv(x, 3, 64, 3, 2))  # 64x64
    for d in [1, 1, 2, 4, 8, 16, 1]:
        x = b.relu(b.conv(x, 64, 64, 3, dilation=d))  # pad = dilation: same size
    x = b.conv(x, 64, 21, 1, pad=0)
    b.output(x, "scores", [1, 21, 64, 64])
    return b.model()


def bert(layers=BERT_LAYERS):
    seq, hidden, heads = 128, 768, 12
    b = GraphBuilder("bert")
    x = b.input("hidden_states", [1, seq, hidden])
    mask = b.input("attention_mask", [1, 1, seq, seq])
    b.metadata["tdc_test_input.attention_mask"] = "additive_mask"
    for _ in range(layers):
        x = mm.encoder_layer(b, x, mask, seq, hidden, heads, 4 * hidden)
    b.output(x, "encoded", [1, seq, hidden])
    return b.model(opset=17)


def mlp():
    b = GraphBuilder("mlp")
    x = b.input("features", [64, 1024])
    x = b.relu(b.gemm(x, 1024, 2048))
    x = b.relu(b.gemm(x, 2048, 2048))
    x = b.op("Softmax", [b.gemm(x, 2048, 1000)], axis=-1)
    b.output(x, "probs", [64, 1000])
    return b.model()


def gemm(m, k, n):
    def build():
        b = GraphBuilder(gemm_name(m, k, n))
        a = b.input("a", [m, k])
        w = b.const("b", (b.rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32))
        b.output(b.op("MatMul", [a, w]), "c", [m, n])
        return b.model()
    return build


MODELS = {
    "resnet18": resnet18,
    "resnet50": mm.resnet50,
    "mobilenet_v2": mobilenet_v2,
    "dcgan": dcgan,
    "dilated_context": dilated_context,
    "bert": bert,
    "mlp": mlp,
}
GEMM_MODELS = {gemm_name(*s): gemm(*s) for s in GEMMS}
ALL = {**MODELS, **GEMM_MODELS}


def sources_hash():
    h = hashlib.sha256()
    for f in [os.path.abspath(__file__), mm.__file__]:
        with open(f, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("outdir")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(ALL),
                   help="write only these models")
    p.add_argument("--list", action="store_true", help="print the model names and exit")
    args = p.parse_args()
    if args.list:
        print("\n".join(ALL))
        return 0
    os.makedirs(args.outdir, exist_ok=True)
    stamp = os.path.join(args.outdir, "models.stamp")
    digest = sources_hash()
    fresh = os.path.exists(stamp) and open(stamp).read().strip() == digest
    if not fresh:  # generators changed: every cached model is stale
        for name in ALL:
            path = os.path.join(args.outdir, f"{name}.onnx")
            if os.path.exists(path):
                os.remove(path)
        with open(stamp, "w") as f:
            f.write(digest + "\n")
    for name in args.only or list(ALL):
        path = os.path.join(args.outdir, f"{name}.onnx")
        if os.path.exists(path):
            continue
        m = ALL[name]()
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, path + ".tmp")
        os.replace(path + ".tmp", path)  # no half-written model on interrupt
        params = sum(int(np.prod(t.dims)) for t in m.graph.initializer)
        print(f"wrote {path} ({len(m.graph.node)} nodes, {params} parameters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
