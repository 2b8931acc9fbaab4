#!/usr/bin/env bash
# Models vs ONNX Runtime: build the small models of make_models.py, run each
# with tdc and with ONNX Runtime on the same inputs, and compare the outputs.
# Usage: run.sh <tdc-binary> <workdir>
set -euo pipefail
TDC=$1; OUT=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$SRC/tests/models"
mkdir -p "$OUT"
# The venv's python is the last line of python-env.sh's stdout; the rest
# (creation, install progress) goes to stderr.
env_log=$("$SRC/scripts/python-env.sh")
PY=$(printf '%s\n' "$env_log" | tail -n 1)
printf '%s\n' "$env_log" | head -n -1 >&2
rm -rf "$OUT/models"
"$PY" "$HERE/make_models.py" "$OUT/models" >&2
"$PY" "$HERE/check_vs_ort.py" "$TDC" "$OUT"
