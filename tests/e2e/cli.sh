#!/usr/bin/env bash
# The tdc command line as a user and a build script see it: help, usage
# errors (exit 2), model errors naming the node and op (exit 1, nothing
# written), every --emit stage, run with .npy inputs, bench --json.
set -uo pipefail
TDC=$1; OUT=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$OUT"; mkdir -p "$OUT"
/usr/bin/python3 "$SRC/tests/e2e/make_cli_models.py" "$OUT" || exit 1
fails=0
check() { # description, condition...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fails=$((fails+1)); fi
}
expect_rc() { local want=$1; shift; "$@" > "$OUT/stdout" 2> "$OUT/stderr"; [ $? -eq "$want" ]; }

check "--help exits 0" expect_rc 0 "$TDC" --help
check "compile --help explains --emit" bash -c "'$TDC' compile --help | grep -q -- --emit"
check "no subcommand is a usage error" expect_rc 2 "$TDC"
check "unknown flag is a usage error" expect_rc 2 "$TDC" compile "$OUT/valid.onnx" --bogus
check "bad --emit is a usage error" expect_rc 2 "$TDC" compile "$OUT/valid.onnx" --emit=nope
check "missing file fails" expect_rc 1 "$TDC" compile "$OUT/none.onnx" -o "$OUT/none.so"
check "unsupported op exits 1" expect_rc 1 "$TDC" compile "$OUT/unsupported.onnx" -o "$OUT/u.so"
check "error names file, node and op" grep -q "unsupported.onnx: node 'determinant' (Det)" "$OUT/stderr"
check "nothing written on failure" test ! -e "$OUT/u.so" -a ! -e "$OUT/u.h"
check "shape error exits 1" expect_rc 1 "$TDC" compile "$OUT/badshape.onnx" -o "$OUT/b.so"
check "shape error names the node" grep -q "node 'bad_add' (Add)" "$OUT/stderr"
for e in tg tx linalg llvm-mlir llvm asm obj lib; do
  check "--emit=$e" expect_rc 0 "$TDC" compile "$OUT/valid.onnx" --emit=$e -o "$OUT/valid.$e"
  check "--emit=$e wrote output" test -s "$OUT/valid.$e"
done
check "tg output has tg ops" grep -q "tg.mul" "$OUT/valid.tg"
check "linalg output has linalg" grep -q "linalg.generic" "$OUT/valid.linalg"
check "compile --json" bash -c "'$TDC' compile '$OUT/valid.onnx' -o '$OUT/v2.so' --json | grep -q '\"ok\":true'"
check "run with .npy input" expect_rc 0 "$TDC" run "$OUT/valid.onnx" --input a="$OUT/a.npy" --output-dir "$OUT/run"
check "run wrote every output" test -s "$OUT/run/t.npy" -a -s "$OUT/run/sq.npy"
check "run output values" /usr/bin/python3 -c "
import numpy as np
a = np.load('$OUT/a.npy'); t = np.load('$OUT/run/t.npy'); sq = np.load('$OUT/run/sq.npy')
assert np.allclose(sq, a * a, rtol=1e-6) and np.allclose(t, np.tanh(a * a), rtol=1e-5, atol=1e-7)"
check "run without inputs explains" expect_rc 1 "$TDC" run "$OUT/valid.onnx" --output-dir "$OUT/run2"
check "run --random-inputs" expect_rc 0 "$TDC" run "$OUT/valid.onnx" --random-inputs --seed 3 --output-dir "$OUT/run3"
check "bench --json" bash -c "'$TDC' bench '$OUT/valid.onnx' --runs 3 --json | grep -q median_ms"
echo "$fails failed checks"
[ $fails -eq 0 ]
