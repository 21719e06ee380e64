#!/usr/bin/env bash
# Builds what the browser tests need (the release relay, www/dist with the
# wasm package) and runs every tests/browser/*.test.mjs in headless
# Chromium, one after the other. Fails when any test fails.
#
#   tests/browser/run.sh [NAME...]     e.g. tests/browser/run.sh vote embed
#
# Screenshots go to target/screenshots/ (docs/web.md lists them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

[[ -x /usr/bin/chromium || -n "${CHROMIUM:-}" ]] || { echo "browser tests: Chromium missing: run scripts/setup.sh --browser" >&2; exit 1; }
[[ -d www/node_modules/playwright-core ]] || { echo "browser tests: playwright-core missing: run scripts/setup.sh --node" >&2; exit 1; }

echo "[browser] building sotto-relay (release)"
cargo build --release --quiet -p sotto-relay
scripts/build-www.sh

if (( $# )); then
    tests=()
    for name in "$@"; do tests+=("tests/browser/$name.test.mjs"); done
else
    tests=(tests/browser/*.test.mjs)
fi

rm -rf target/screenshots
failed=()
for t in "${tests[@]}"; do
    echo "[browser] node $t"
    if ! node "$t"; then
        failed+=("$t")
    fi
done

echo "[browser] screenshots: target/screenshots/ ($(find target/screenshots -name '*.png' 2>/dev/null | wc -l) files)"
if (( ${#failed[@]} )); then
    echo "[browser] FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "[browser] all ${#tests[@]} browser tests passed"
