#!/usr/bin/env bash
# Run the ONNX backend test suite (node, pytorch-converted, pytorch-operator,
# simple) against tests/conformance/expected.txt. Fails on any regression
# (an expected PASS that no longer passes); lists newly passing tests.
set -euo pipefail
TDC=$1; DATA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
"$TDC" verify -j "$(nproc)" --timeout 300 --expectations "$HERE/expected.txt" \
  "$DATA"/node/* "$DATA"/pytorch-converted/* "$DATA"/pytorch-operator/* "$DATA"/simple/*
