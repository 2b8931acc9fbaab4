"""Generate examples/mlp.onnx: a small MLP (Gemm, Relu, Gemm, Softmax) with
fixed random weights. Run with a Python that has onnx and numpy."""
import os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

rng = np.random.default_rng(0)
w1 = (rng.standard_normal((64, 128)) * 0.1).astype(np.float32)
b1 = (rng.standard_normal(128) * 0.1).astype(np.float32)
w2 = (rng.standard_normal((128, 10)) * 0.1).astype(np.float32)
b2 = (rng.standard_normal(10) * 0.1).astype(np.float32)
nodes = [
    helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1"),
    helper.make_node("Relu", ["h"], ["r"], name="relu1"),
    helper.make_node("Gemm", ["r", "w2", "b2"], ["logits"], name="fc2"),
    helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
]
graph = helper.make_graph(
    nodes, "mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
    [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])],
    [numpy_helper.from_array(a, n) for a, n in
     [(w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2")]])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(os.path.dirname(__file__), "mlp.onnx"))
