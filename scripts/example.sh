#!/usr/bin/env bash
# Build tdc, compile the shipped example model to a shared library, link the
# C example program against it and run it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
OUT=${OUT:-build/example}
mkdir -p "$OUT"
./build/bin/tdc compile examples/mlp.onnx -o "$OUT/mlp.so"
cc -O2 -I"$OUT" examples/run_mlp.c "$OUT/mlp.so" -Wl,-rpath,"$PWD/$OUT" -lm -o "$OUT/run_mlp"
"$OUT/run_mlp"
