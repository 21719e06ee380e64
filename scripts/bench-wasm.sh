#!/usr/bin/env bash
# The wasm package's benchmark in Node and in headless Chromium (see
# scripts/bench-wasm.mjs), beside the native engine figure. Builds the
# release relay and the package first.
#
#   scripts/bench-wasm.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo build --release -q -p sotto-relay -p sotto-cli
[[ -f target/npm/sotto/member/sotto_bg.wasm && -f target/npm/bench/sotto_bg.wasm ]] || scripts/build-wasm.sh --bench
node_major="$(node --version | sed -E 's/^v([0-9]+).*/\1/')"
flags=()
if (( node_major < 22 )); then flags+=(--experimental-websocket); fi
node "${flags[@]}" --no-warnings scripts/bench-wasm.mjs
echo
echo "native (sotto bench engine --op lt --count 1000 --bits 32 --parties 3):"
"${CARGO_TARGET_DIR:-target}/release/sotto" bench engine --op lt --count 1000 --bits 32 --parties 3
