#!/usr/bin/env bash
# Create (once) the Python virtual environment used by the model tests and
# print its python interpreter path as the last line of stdout.
# Location: $TDC_VENV, default <repo>/.venv. Idempotent: the install is
# skipped when the pinned packages already import at the pinned versions.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${TDC_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

# Versions known to install and work together on CPython 3.11.
NUMPY_VERSION=2.3.5
ONNX_VERSION=1.20.1
ORT_VERSION=1.23.2

# Tests run in parallel (ctest -j) may all call this on a fresh clone: one
# creates and installs while the others wait (pip installs into one venv
# at a time).
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9

PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  echo "python-env: creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi

check='
import sys, numpy, onnx, onnxruntime
want = dict(numpy=sys.argv[1], onnx=sys.argv[2], onnxruntime=sys.argv[3])
have = dict(numpy=numpy.__version__, onnx=onnx.__version__,
            onnxruntime=onnxruntime.__version__)
sys.exit(0 if want == have else 1)
'
if ! "$PY" -c "$check" "$NUMPY_VERSION" "$ONNX_VERSION" "$ORT_VERSION" \
    >/dev/null 2>&1; then
  echo "python-env: installing numpy==$NUMPY_VERSION onnx==$ONNX_VERSION" \
    "onnxruntime==$ORT_VERSION"
  "$PY" -m pip install --quiet --disable-pip-version-check \
    "numpy==$NUMPY_VERSION" "onnx==$ONNX_VERSION" \
    "onnxruntime==$ORT_VERSION"
  "$PY" -c "$check" "$NUMPY_VERSION" "$ONNX_VERSION" "$ORT_VERSION"
fi
echo "$PY"
