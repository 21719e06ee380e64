#!/usr/bin/env bash
# Load budgets of the web app in Chromium and Firefox ESR (see
# scripts/bench-load.mjs): bytes on the wire per page cold and warm, time to
# an interactive participant form (loopback; Chromium also 150 ms at
# 1.6 Mbit/s), time to prepare a 20-question answer. Builds the release
# relay and www/dist first unless DIST names another build.
#
#   scripts/bench-load.sh [DIST]
#
# SOTTO_BROWSERS (default "chromium firefox") picks the browsers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cargo build --release -q -p sotto-relay
if (( $# == 0 )); then scripts/build-www.sh; fi
node_major="$(node --version | sed -E 's/^v([0-9]+).*/\1/')"
flags=()
if (( node_major < 22 )); then flags+=(--experimental-websocket); fi
node "${flags[@]}" --no-warnings scripts/bench-load.mjs "$@"
