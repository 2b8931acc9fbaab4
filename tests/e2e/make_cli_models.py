"""Small models for the CLI tests: one with an unsupported op, one with a
shape error, and a valid one whose input is fed from a .npy file."""
import sys
import numpy as np
import onnx
from onnx import helper, TensorProto

out = sys.argv[1]

def save(nodes, inputs, outputs, name, opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]),
              f"{out}/{name}.onnx")

f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
save([helper.make_node("Relu", ["x"], ["y"], name="act"),
      helper.make_node("Det", ["y"], ["z"], name="determinant")],
     [f("x", [3, 3])], [f("z", [])], "unsupported")
save([helper.make_node("Add", ["a", "b"], ["c"], name="bad_add")],
     [f("a", [2, 3]), f("b", [4])], [f("c", [2, 3])], "badshape")
save([helper.make_node("Mul", ["a", "a"], ["sq"], name="square"),
      helper.make_node("Tanh", ["sq"], ["t"], name="tanh")],
     [f("a", [2, 3])], [f("t", [2, 3]), f("sq", [2, 3])], "valid")
np.save(f"{out}/a.npy", np.arange(6, dtype=np.float32).reshape(2, 3) / 6)
