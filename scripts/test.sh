#!/usr/bin/env bash
# Build tdc and run every test (unit, lit, end-to-end, ONNX conformance).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
