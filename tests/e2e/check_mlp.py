"""Compare run_mlp's printed probabilities with a numpy evaluation of the
model's own weights (x[i] = sin(i))."""
import sys
import numpy as np
import onnx
from onnx import numpy_helper

model = onnx.load(sys.argv[1])
w = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
x = np.sin(np.arange(64, dtype=np.float32)).reshape(1, 64)
h = np.maximum(x @ w["w1"] + w["b1"], 0)
logits = h @ w["w2"] + w["b2"]
e = np.exp(logits - logits.max())
ref = (e / e.sum()).ravel()
lines = open(sys.argv[2]).read().split("\n")
got = np.array([float(v) for v in lines[1:11]])
if not np.allclose(got, ref, rtol=1e-3, atol=1e-5):
    print("mismatch:\n got", got, "\n ref", ref)
    sys.exit(1)
print("example output matches the numpy reference")
