#!/usr/bin/env bash
# tdc tune and compile --records end to end, on an ONNX backend test with a
# MatMul (no timing is checked): tune writes a valid records file; a
# records file with knobs for the model's op compiles into a library whose
# outputs still match the test data; bad records files are errors that
# name the file and line; nothing is written when tune fails.
set -uo pipefail
TDC=$1; DATA=$2; OUT=$3
rm -rf "$OUT"; mkdir -p "$OUT"
fails=0
check() { # description, condition...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fails=$((fails+1)); fi
}
T=$DATA/node/test_matmul_2d
M=$T/model.onnx

check "tune --json" bash -c "'$TDC' tune '$M' --records '$OUT/r.jsonl' --max-ops 1 --runs 2 --json > '$OUT/tune.json'"
check "tune reports its op and times" /usr/bin/python3 -c "
import json; d = json.load(open('$OUT/tune.json'))
assert d['ops'] and d['ops'][0]['key'] and d['default_ms'] > 0 and d['tuned_ms'] > 0, d"
check "the records file is JSON lines with keys" /usr/bin/python3 -c "
import json
for line in open('$OUT/r.jsonl'):
    assert 'key' in json.loads(line)"

# Knobs the analytic model would not pick, for the model's op.
/usr/bin/python3 -c "
import json; d = json.load(open('$OUT/tune.json'))
print(json.dumps({'key': d['ops'][0]['key'], 'rows': 2, 'kc': 4, 'tasks': 2}))" > "$OUT/knobs.jsonl"
check "compile --records marks the op" bash -c \
  "'$TDC' compile '$M' --records '$OUT/knobs.jsonl' --emit=llvm -o '$OUT/m.ll'"
check "run --records matches the test data" bash -c \
  "'$TDC' run '$M' --records '$OUT/knobs.jsonl' --input a='$T/test_data_set_0/input_0.pb' \
     --input b='$T/test_data_set_0/input_1.pb' --output-dir '$OUT/run' > /dev/null && \
   /usr/bin/python3 -c \"
import numpy as np, onnx, onnx.numpy_helper as nh
ref = nh.to_array(onnx.load_tensor('$T/test_data_set_0/output_0.pb'))
got = np.load('$OUT/run/c.npy')
assert np.allclose(got, ref, rtol=1e-3, atol=1e-6), abs(got - ref).max()\""

# Derivation decisions: a ConvTranspose the cost model derives is measured
# kept and derived; a record saying "keep" overrides the estimate.
CT=$DATA/node/test_convtranspose/model.onnx
check "tune lists the derivation decisions" bash -c \
  "'$TDC' tune '$CT' --records '$OUT/ct.jsonl' --max-ops 1 --runs 2 --json > '$OUT/ct.json' && \
   /usr/bin/python3 -c \"
import json; d = json.load(open('$OUT/ct.json'))
assert d['derivations'] and d['derivations'][0]['key'].startswith('derive '), d\""
/usr/bin/python3 -c "
import json; d = json.load(open('$OUT/ct.json'))
print(json.dumps({'key': d['derivations'][0]['key'], 'derive': False}))" > "$OUT/keep.jsonl"
check "a measured keep overrides the cost model" bash -c \
  "'$TDC' compile '$CT' --json -o '$OUT/ct0.so' | grep -q '\"derived\":1' && \
   '$TDC' compile '$CT' --records '$OUT/keep.jsonl' --json -o '$OUT/ct1.so' | grep -q '\"derived\":0'"

echo '{"key": 3}' > "$OUT/bad.jsonl"
check "a bad records file is an error naming file and line" bash -c \
  "! '$TDC' compile '$M' --records '$OUT/bad.jsonl' -o '$OUT/bad.so' 2> '$OUT/bad.err' && \
   grep -q 'bad.jsonl:1: a record needs a \"key\" string' '$OUT/bad.err' && [ ! -e '$OUT/bad.so' ]"
check "tune of a missing model fails and writes nothing" bash -c \
  "! '$TDC' tune '$OUT/none.onnx' --records '$OUT/none.jsonl' 2>/dev/null && [ ! -e '$OUT/none.jsonl' ]"
echo "$fails failed"
[ "$fails" -eq 0 ]
