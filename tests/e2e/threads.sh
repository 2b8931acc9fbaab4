#!/usr/bin/env bash
# The thread team of compiled models: TDC_NUM_THREADS and the
# set_num_threads API choose the count, one thread creates no thread,
# dynamic schedules and elastic regions stay correct on busy cores,
# outputs are bit-identical across counts, the library stays
# self-contained, and tdc run/bench honor --threads.
set -uo pipefail
TDC=$1; OUT=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$OUT"; mkdir -p "$OUT"
/usr/bin/python3 "$SRC/tests/e2e/make_threads_model.py" "$OUT/threads.onnx" || exit 1
fails=0
check() { # description, condition...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fails=$((fails+1)); fi
}
"$TDC" compile "$OUT/threads.onnx" -O3 -o "$OUT/threads.so" || exit 1
check "header declares set_num_threads" grep -q "void tdc_model_set_num_threads(int n);" "$OUT/threads.h"
deps=$(readelf -d "$OUT/threads.so" | grep NEEDED | grep -v -E 'libc\.so|libm\.so' || true)
check "needs only libc and libm" test -z "$deps"
check "runtime symbols are not exported" bash -c "! nm -D --defined-only '$OUT/threads.so' | grep -q kmpc"
# The parallel loops really are parallel loops of the runtime.
check "the library forks" bash -c "nm '$OUT/threads.so' | grep -q tdc_kmpc_fork_call"
cc -O2 -pthread -I"$OUT" "$SRC/tests/e2e/threads_main.c" "$OUT/threads.so" \
  -Wl,-rpath,"$OUT" -o "$OUT/threads_main" || exit 1
# Temporaries live in a planned workspace (docs/artifacts.md, Memory).
check "compile --json reports the workspace" bash -c "'$TDC' compile '$OUT/threads.onnx' -O3 -o '$OUT/ws.so' --json | grep -q '\"workspace_bytes\":[1-9]'"
check "4 threads running the model at once: same outputs as alone" \
  "$OUT/threads_main" --concurrent
# Dynamic schedules: regions that only claim loop chunks are elastic (late
# workers skip them); outputs never depend on who ran which chunk. The
# runtime alone: elastic and ordinary regions alternating on busy cores.
cc -O2 -pthread "$SRC/tests/e2e/runtime_stress.c" "$SRC/runtime/tdc_runtime.c" \
  -o "$OUT/runtime_stress" || exit 1
check "runtime: 2000 regions on busy cores, every iteration once" \
  timeout 300 "$OUT/runtime_stress"
check "parallel loops are elastic regions" bash -c "nm '$OUT/threads.so' | grep -q tdc_rt_fork_call_elastic"
check "4 threads on busy cores, 200 runs: same outputs as alone" \
  timeout 300 "$OUT/threads_main" --contended

run() { # expected "threads T tasks K", then env assignments and command
  local want=$1; shift
  local got
  got=$(env "$@") || { echo "run failed: $*"; return 1; }
  [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }
}
check "TDC_NUM_THREADS=1: one thread, none created" \
  run "threads 1 tasks 1" TDC_NUM_THREADS=1 "$OUT/threads_main" "$OUT/y1.bin"
check "TDC_NUM_THREADS=2: a worker" \
  run "threads 2 tasks 2" TDC_NUM_THREADS=2 "$OUT/threads_main" "$OUT/y2.bin"
check "API overrides the environment" \
  run "threads 3 tasks 3" TDC_NUM_THREADS=1 "$OUT/threads_main" "$OUT/y3.bin" 3
check "set_num_threads(1) creates none" \
  run "threads 1 tasks 1" TDC_NUM_THREADS=4 "$OUT/threads_main" "$OUT/y4.bin" 1
check "1 and 2 threads: identical outputs" cmp "$OUT/y1.bin" "$OUT/y2.bin"
check "1 and 3 threads: identical outputs" cmp "$OUT/y1.bin" "$OUT/y3.bin"
check "TDC_SCHEDULE=static: a run" \
  run "threads 2 tasks 2" TDC_SCHEDULE=static TDC_NUM_THREADS=2 "$OUT/threads_main" "$OUT/ys.bin"
check "static and dynamic schedules: identical outputs" cmp "$OUT/y1.bin" "$OUT/ys.bin"

# The CLI: tdc run --threads and tdc bench --threads / --json.
for n in 1 2; do
  check "tdc run --threads $n" bash -c "'$TDC' run '$OUT/threads.onnx' -O3 --threads $n --random-inputs --output-dir '$OUT/run$n' > /dev/null"
done
check "tdc run: identical outputs for 1 and 2 threads" cmp "$OUT/run1/y.npy" "$OUT/run2/y.npy"
check "tdc bench --json reports threads" bash -c "'$TDC' bench '$OUT/threads.onnx' --runs 2 --warmup 0 --threads 2 --json | grep -q '\"threads\": 2'"
check "TDC_NUM_THREADS sets bench's default" bash -c "TDC_NUM_THREADS=1 '$TDC' bench '$OUT/threads.onnx' --runs 1 --warmup 0 | grep -q '(threads: 1)'"

# --emit=obj: the model object and the runtime object link by hand.
"$TDC" compile "$OUT/threads.onnx" -O3 --emit=obj -o "$OUT/obj.o" || exit 1
check "--emit=obj writes the runtime object" test -s "$OUT/obj.runtime.o"
check "object + runtime link into a library" \
  cc -shared -o "$OUT/obj.so" "$OUT/obj.o" "$OUT/obj.runtime.o" -Wl,--no-undefined -lm
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all threads checks passed"
