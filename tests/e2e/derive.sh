#!/usr/bin/env bash
# Derivation through the tx dialect, checked numerically: the ONNX backend
# tests of the compute ops (Conv, ConvTranspose, MatMul, Gemm and the
# PyTorch Conv/Linear exports) compiled with --derive=full --verify (every
# compute op goes tg -> tx -> search -> linalg, each applied derivation
# re-checked by the interpreter) and with --derive=guided, run and compared
# with the expected outputs; no regression against tests/conformance/
# expected.txt. Also --emit=tx and "derived" in compile --json.
set -uo pipefail
TDC=$1; DATA=$2; OUT=$3
SRC=$(cd "$(dirname "$0")/../.." && pwd)
EXPECT="$SRC/tests/conformance/expected.txt"
rm -rf "$OUT"; mkdir -p "$OUT"
fails=0
check() { # description, condition...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fails=$((fails+1)); fi
}
NODE=("$DATA"/node/test_conv* "$DATA"/node/test_convtranspose* \
      "$DATA"/node/test_matmul* "$DATA"/node/test_gemm*)
TORCH=("$DATA"/pytorch-converted/test_Conv* "$DATA"/pytorch-converted/test_Linear*)
J=$(nproc)

check "verify --derive=full --verify" "$TDC" verify -q -j "$J" --derive=full \
  --verify --expectations "$EXPECT" "${NODE[@]}" "${TORCH[@]}"
check "verify --derive=guided" "$TDC" verify -q -j "$J" --derive=guided \
  --expectations "$EXPECT" "${NODE[@]}"

# The memory-bound ops with expressions, each forced through tg -> tx ->
# linalg (TDC_DERIVE_ALWAYS=1 also converts chains without a compute op),
# against the ONNX test data.
MB=()
for op in relu leakyrelu elu selu clip sigmoid tanh exp log sqrt abs neg \
          reciprocal softsign hardsigmoid hardswish identity add sub mul div \
          max min batchnorm averagepool globalaveragepool reduce_sum_ \
          reduce_mean; do
  MB+=("$DATA"/node/test_${op}*)
done
check "memory-bound ops through tx (TDC_DERIVE_ALWAYS=1)" env TDC_DERIVE_ALWAYS=1 \
  "$TDC" verify -q -j "$J" --expectations "$EXPECT" "${MB[@]}" \
  "$DATA"/pytorch-operator/test_operator_add_* "$DATA"/pytorch-converted/test_AvgPool*
check "a conv with its bias is one tx program" bash -c \
  "'$TDC' compile '$DATA/pytorch-converted/test_Conv2d/model.onnx' --derive=off --emit=tx -o - | grep -c 'tx.program(' | grep -qx 1"

CT="$DATA/node/test_convtranspose/model.onnx"
check "--emit=tx" "$TDC" compile "$CT" --derive=full --emit=tx -o "$OUT/ct.tx.mlir"
check "--emit=tx has a derived tx program" \
  grep -q 'tx.program.*derivation = {' "$OUT/ct.tx.mlir"
check "--emit=tx keeps the node location" grep -q 'loc("Y (ConvTranspose)")' "$OUT/ct.tx.mlir"
check "--emit=tx with derivation off shows the underived tx form" bash -c \
  "'$TDC' compile '$CT' --derive=off --emit=tx -o - | grep -q 'tx.scope' && \
   ! '$TDC' compile '$CT' --derive=off --emit=tx -o - | grep -q 'derivation = {'"
check "compile --json reports derived programs" bash -c \
  "'$TDC' compile '$CT' --derive=full --verify --json -o '$OUT/ct.so' | grep -q '\"derived\":1'"
check "derivation off derives nothing" bash -c \
  "'$TDC' compile '$CT' --derive=off --json -o '$OUT/ct0.so' | grep -q '\"derived\":0'"
check "derivation is guided by default" bash -c \
  "'$TDC' compile '$CT' --json -o '$OUT/ct1.so' | grep -q '\"derived\":1'"
echo "$fails failed"
[ "$fails" -eq 0 ]
