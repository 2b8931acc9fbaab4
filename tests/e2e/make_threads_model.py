"""A model whose loops all run in parallel tasks: a 3x3 conv (vectorized
schedule), ReLU over 128K elements (outer-loop tasks), a MatMul with 128 rows
(row-chunk tasks) and a small elementwise tail that stays sequential."""
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

rng = np.random.default_rng(7)
w = numpy_helper.from_array(
    (rng.standard_normal((32, 16, 3, 3)) * 0.1).astype(np.float32), "w")
b = numpy_helper.from_array(
    (rng.standard_normal(32) * 0.1).astype(np.float32), "b")
m = numpy_helper.from_array(
    (rng.standard_normal((1024, 256)) * 0.04).astype(np.float32), "m")
shape = numpy_helper.from_array(np.array([128, 1024], dtype=np.int64), "shape")
nodes = [
    helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv",
                     kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["r"], name="relu"),
    helper.make_node("Reshape", ["r", "shape"], ["r2"], name="flatten"),
    helper.make_node("MatMul", ["r2", "m"], ["mm"], name="matmul"),
    helper.make_node("Tanh", ["mm"], ["y"], name="tanh"),
]
f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
g = helper.make_graph(nodes, "threads", [f("x", [1, 16, 64, 64])],
                      [f("y", [128, 256])], [w, b, m, shape])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
          sys.argv[1])
