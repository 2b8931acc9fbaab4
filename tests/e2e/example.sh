#!/usr/bin/env bash
# The shipped example: compile examples/mlp.onnx, link examples/run_mlp.c
# against the library, run it, and compare its output with a numpy
# reference of the same MLP.
set -euo pipefail
TDC=$1; OUT=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$OUT"; mkdir -p "$OUT"
"$TDC" compile "$SRC/examples/mlp.onnx" -o "$OUT/mlp.so"
test -f "$OUT/mlp.h"
# The library needs nothing beyond libc and libm.
deps=$(readelf -d "$OUT/mlp.so" | grep NEEDED | grep -v -E 'libc\.so|libm\.so' || true)
if [ -n "$deps" ]; then echo "unexpected dependencies: $deps"; exit 1; fi
cc -O2 -I"$OUT" "$SRC/examples/run_mlp.c" "$OUT/mlp.so" -Wl,-rpath,"$OUT" -lm -o "$OUT/run_mlp"
"$OUT/run_mlp" > "$OUT/out.txt"
/usr/bin/python3 "$SRC/tests/e2e/check_mlp.py" "$SRC/examples/mlp.onnx" "$OUT/out.txt"
