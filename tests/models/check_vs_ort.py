"""Run each model with `tdc run` and with ONNX Runtime (CPU) on the same
deterministic random inputs and compare every output (numpy.allclose,
rtol 1e-3, atol 1e-4).

Usage: check_vs_ort.py TDC WORKDIR [MODEL.onnx ...]
Without models, checks WORKDIR/models/*.onnx. Per model, inputs, tdc's
outputs and logs go to WORKDIR/<model name>/.
Prints `PASS name (max abs diff D)` or `FAIL name: reason` per model, then
`N passed, N failed`; exits 1 on any failure.
"""
import glob
import os
import shlex
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper

RTOL, ATOL = 1e-3, 1e-4
SEED = 1234
TDC_TIMEOUT_S = 900


def make_inputs(model, seed):
    """One array per runtime graph input (initializers excluded). Inputs
    tagged in the model's metadata as `tdc_test_input.<name>` =
    `additive_mask` get an attention mask of 0 / -1e4 (padding in the last
    quarter of the keys); the rest standard-normal floats or small ints."""
    rng = np.random.default_rng(seed)
    kinds = {p.key[len("tdc_test_input."):]: p.value for p in model.metadata_props
             if p.key.startswith("tdc_test_input.")}
    inits = {t.name for t in model.graph.initializer}
    arrays = {}
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        shape = [d.dim_value for d in tt.shape.dim]
        if any(s <= 0 for s in shape):
            raise ValueError(f"input {vi.name} has a non-static shape {shape}")
        dtype = helper.tensor_dtype_to_np_dtype(tt.elem_type)
        kind = kinds.get(vi.name)
        if kind == "additive_mask":
            keys = shape[-1]
            a = np.zeros(shape, dtype)
            a[..., keys - keys // 4:] = -1e4
        elif kind is not None:
            raise ValueError(f"unknown input kind {kind!r} of {vi.name}")
        elif np.issubdtype(dtype, np.floating):
            a = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            a = rng.random(shape) < 0.5
        else:
            a = rng.integers(0, 8, shape).astype(dtype)
        arrays[vi.name] = a
    return arrays


def tail(text, lines=6):
    return " | ".join(l for l in text.strip().splitlines()[-lines:])


def check(tdc, path, workdir):
    name = os.path.splitext(os.path.basename(path))[0]
    d = os.path.join(workdir, name)
    os.makedirs(os.path.join(d, "inputs"), exist_ok=True)
    out_dir = os.path.join(d, "tdc_outputs")
    for f in glob.glob(os.path.join(out_dir, "*.npy")):
        os.remove(f)
    model = onnx.load(path)
    inputs = make_inputs(model, SEED)
    # Extra flags for every `tdc run` (e.g. --derive=full), from the
    # environment so that ctest can run the same check in several modes.
    args = [tdc, "run", path, "--output-dir", out_dir]
    args += shlex.split(os.environ.get("TDC_RUN_FLAGS", ""))
    for n, a in inputs.items():
        f = os.path.join(d, "inputs", f"{n}.npy")
        np.save(f, a)
        args += ["--input", f"{n}={f}"]
    with open(os.path.join(d, "command.txt"), "w") as f:
        f.write(" ".join(args) + "\n")
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=TDC_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return name, f"tdc run timed out after {TDC_TIMEOUT_S} s"
    with open(os.path.join(d, "tdc.log"), "w") as f:
        f.write(r.stdout + r.stderr)
    if r.returncode != 0:
        return name, f"tdc run exited {r.returncode}: {tail(r.stderr or r.stdout)}"

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    expected = sess.run(names, inputs)

    got = {}
    for n in names:
        f = os.path.join(out_dir, f"{n}.npy")
        if not os.path.exists(f):
            return name, f"tdc wrote no output {n}"
        got[n] = np.load(f)
    return name, compare(dict(zip(names, expected)), got)


def compare(expected, got):
    """Compares output arrays by name (np.isclose with RTOL/ATOL; integers
    and booleans exactly). Returns the largest absolute difference (float)
    or a message (str) describing the first output that differs."""
    worst = 0.0
    for n, want in expected.items():
        if n not in got:
            return f"no output {n}"
        g = got[n]
        if g.shape != want.shape:
            return f"output {n}: shape {g.shape}, expected {want.shape}"
        if g.dtype != want.dtype:
            return f"output {n}: dtype {g.dtype}, expected {want.dtype}"
        if want.dtype == np.bool_ or np.issubdtype(want.dtype, np.integer):
            bad = g != want
            diff = bad.astype(np.float64)
        else:
            diff = np.abs(g.astype(np.float64) - want.astype(np.float64))
            bad = ~np.isclose(g, want, rtol=RTOL, atol=ATOL)
        max_diff = float(np.nanmax(diff)) if diff.size else 0.0
        if np.any(np.isnan(diff)):
            max_diff = float("nan")
        if bad.any():
            i = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(diff, nan=np.inf), -1)),
                                 bad.shape)
            return (f"output {n}: {int(bad.sum())}/{bad.size} elements differ, "
                    f"max abs diff {max_diff:.3g}, e.g. at {tuple(int(k) for k in i)}: "
                    f"got {g[i].item()!r}, expected {want[i].item()!r}")
        worst = max(worst, max_diff)
    return worst


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    tdc, workdir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    models = sys.argv[3:] or sorted(glob.glob(os.path.join(workdir, "models", "*.onnx")))
    if not models:
        print(f"no models given and none in {workdir}/models", file=sys.stderr)
        return 2
    passed = failed = 0
    for path in models:
        try:
            name, result = check(tdc, path, workdir)
        except Exception as e:  # a broken model or runtime error is a failure
            name, result = os.path.basename(path), f"{type(e).__name__}: {e}"
        if isinstance(result, float):
            print(f"PASS {name} (max abs diff {result:.3g})", flush=True)
            passed += 1
        else:
            print(f"FAIL {name}: {result}", flush=True)
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
