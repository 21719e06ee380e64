#!/usr/bin/env bash
# A survey session with member 1 as the wasm member module in headless
# Chromium and members 2 and 3 as native processes, through a release relay
# process, at 1,000 and 10,000 respondents (20 questions, t = 1): close to
# verified result, the browser member's computing time, bytes it sent and
# its memory (see scripts/bench-browser-member.mjs and docs/wasm.md,
# "Benchmark"). Builds the release binaries and the wasm package first.
# Not part of CI: the 10,000-respondent session takes minutes.
#
#   scripts/bench-browser-member.sh [--sizes 1000,10000] [--questions 20] [--latency-ms 0] [--no-baseline]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo build --release -q -p sotto-relay -p sotto-cli
[[ -f target/npm/sotto/member/sotto_bg.wasm ]] || scripts/build-wasm.sh
[[ -x /usr/bin/chromium ]] || { echo "bench-browser-member: /usr/bin/chromium missing: run scripts/setup.sh --browser" >&2; exit 1; }
[[ -d www/node_modules/playwright-core ]] || { echo "bench-browser-member: playwright-core missing: run scripts/setup.sh --node" >&2; exit 1; }
node --no-warnings scripts/bench-browser-member.mjs "$@"
