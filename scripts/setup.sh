#!/usr/bin/env bash
# Install tdc's build dependencies (Debian packages) and build it.
# Idempotent: packages already present are not reinstalled, the build is
# incremental (and uses ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libfmt-dev
      libcli11-dev libgtest-dev libonnx-dev libprotobuf-dev protobuf-compiler
      libonnx-testdata ccache cmake ninja-build g++ python3-onnx python3-numpy)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ccache keys on paths relative to the checkout, so fresh clones (CI) reuse
# earlier compiles.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
