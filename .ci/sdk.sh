#!/usr/bin/env bash
# Transbank's official Python SDK (transbank-sdk 6.1, from PyPI) against the built
# `stratus webpay-sim`: create, pay, commit, status and refunds (tests/sdk/webpay_plus.py).
# Installs what it needs (python3-venv when missing, a venv beside the build cache) and is
# safe to run again: an existing venv with the SDK is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/stratus-ci-target}"
SDK_VERSION="6.1.*"
VENV="${STRATUS_SDK_VENV:-$CARGO_TARGET_DIR/transbank-sdk-venv}"

if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
if ! "$VENV/bin/python" -c 'import sys, transbank.__version__ as v; sys.exit(not v.__version__.startswith("6.1."))' \
    >/dev/null 2>&1; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "transbank-sdk==$SDK_VERSION"
fi
"$VENV/bin/python" -c 'import transbank.__version__ as v; print("transbank-sdk", v.__version__)'

cargo build --locked --bin stratus
log="$(mktemp)"
"$CARGO_TARGET_DIR/debug/stratus" webpay-sim --addr 127.0.0.1:0 >"$log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; rm -f "$log"' EXIT
base=""
for _ in $(seq 1 100); do
    base="$(sed -n 's/^WebPay simulator on \(http:[^ ]*\).*/\1/p' "$log")"
    [ -n "$base" ] && break
    kill -0 "$sim" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
done
[ -n "$base" ] || { echo "the simulator did not start"; cat "$log"; exit 1; }
"$VENV/bin/python" tests/sdk/webpay_plus.py "$base"
