#!/usr/bin/env bash
# tdc vs ONNX Runtime baseline benchmark: one command.
#
#   benchmarks/run.sh [--workdir DIR] [--no-readme] [bench_models.py options]
#
# Gets the venv python (scripts/python-env.sh), generates the test model set
# plus resnet50 into DIR (default build/benchmarks), builds and runs the FMA
# peak probe (benchmarks/peak_flops.c), then measures per model: tdc compile
# time, tdc latency (tdc bench), ONNX Runtime latency with 1 and 2 intra-op
# threads, interleaved. Prints the table and rewrites the generated section of
# benchmarks/README.md. Environment: TDC (default build/bin/tdc), CC (cc).
# Extra options go to bench_models.py (--rounds, --round-seconds, --only ...).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CMD="benchmarks/run.sh${*:+ $*}"
WORK="$ROOT/build/benchmarks"
README="$ROOT/benchmarks/README.md"
PASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --workdir) WORK="$2"; shift 2 ;;
    --no-readme) README=""; shift ;;
    *) PASS+=("$1"); shift ;;
  esac
done
TDC="${TDC:-$ROOT/build/bin/tdc}"
[ -x "$TDC" ] || { echo "run.sh: $TDC not found; build tdc first" >&2; exit 1; }

PY="$("$ROOT/scripts/python-env.sh" | tail -n 1)"
mkdir -p "$WORK"
echo "run.sh: generating models into $WORK" >&2
"$PY" "$ROOT/tests/models/make_models.py" "$WORK" >&2
"$PY" "$ROOT/tests/models/make_models.py" "$WORK" --resnet50 >&2

echo "run.sh: FMA peak probe" >&2
PEAK="$WORK/peak_flops.txt"
if "${CC:-cc}" -O3 -march=native "$ROOT/benchmarks/peak_flops.c" \
    -o "$WORK/peak_flops" && "$WORK/peak_flops" >"$PEAK"; then
  cat "$PEAK" >&2
else
  echo "run.sh: peak probe unavailable (no AVX2/AVX-512 FMA?)" >&2
  rm -f "$PEAK"
fi

"$PY" "$ROOT/benchmarks/bench_models.py" "$WORK" --tdc "$TDC" \
  --peak "$PEAK" ${README:+--readme "$README"} --command "$CMD" \
  ${PASS[@]+"${PASS[@]}"}
