#!/usr/bin/env bash
# tdc vs ONNX Runtime benchmark: one command (see benchmarks/README.md).
#
#   benchmarks/run.sh [--quick] [--models a,b] [--threads N] [--no-readme]
#                     [--no-derive] [--workdir DIR] [--rounds R] ...
#   (all options: benchmarks/README.md, or bench_models.py --help)
#
# Makes the Python virtual environment (scripts/python-env.sh), builds tdc
# with scripts/setup.sh unless TDC names a binary, then runs
# benchmarks/bench_models.py: machine probes (FMA peak, memory bandwidth),
# the GEMMs, the model set next to ONNX Runtime; prints the report and
# rewrites the generated section of benchmarks/README.md (not with
# --no-readme). Exits 1 if a model fails or its outputs differ from ONNX
# Runtime's.
# Environment: TDC (tdc binary; default: build/bin/tdc, built first),
# BUILD_DIR (for setup.sh, default build), CC (C compiler of the probes).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CMD="benchmarks/run.sh${*:+ $*}"
WORK="$ROOT/build/benchmarks"
README="$ROOT/benchmarks/README.md"
PASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --workdir) WORK="$2"; shift 2 ;;
    --workdir=*) WORK="${1#*=}"; shift ;;
    --no-readme) README=""; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) PASS+=("$1"); shift ;;
  esac
done

if [ -z "${TDC:-}" ]; then
  # Incremental: a no-op when the build is up to date, so that the numbers
  # are those of the checked-out sources.
  echo "run.sh: building tdc (scripts/setup.sh)" >&2
  "$ROOT/scripts/setup.sh" >&2
  B="${BUILD_DIR:-build}"
  case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
  TDC="$B/bin/tdc"
fi
[ -x "$TDC" ] || { echo "run.sh: $TDC not found or not executable" >&2; exit 1; }

env_log="$("$ROOT/scripts/python-env.sh")"
PY="$(printf '%s\n' "$env_log" | tail -n 1)"
printf '%s\n' "$env_log" | head -n -1 >&2

mkdir -p "$WORK"
exec "$PY" "$ROOT/benchmarks/bench_models.py" --tdc "$TDC" --workdir "$WORK" \
  ${README:+--readme "$README"} --command "$CMD" ${PASS[@]+"${PASS[@]}"}
