#!/usr/bin/env bash
# Builds what the browser tests need (the release relay, www/dist with the
# wasm package) and runs every tests/browser/*.test.mjs in headless
# Chromium and then in headless Firefox ESR, one test after the other
# (with both browsers, locators.check.mjs first compares the Firefox
# adapter's locators with Playwright's). Fails when any test fails.
#
#   tests/browser/run.sh [--browser chromium|firefox] [NAME...]
#       e.g. tests/browser/run.sh vote embed
#            tests/browser/run.sh --browser firefox survey
#
# SOTTO_BROWSERS (default "chromium firefox") also picks the browsers.
# Screenshots go to target/screenshots/ (Chromium) and
# target/screenshots/firefox/ (docs/web.md lists them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

read -r -a browsers <<<"${SOTTO_BROWSERS:-chromium firefox}"
names=()
while (( $# )); do
    case "$1" in
        --browser) [[ $# -ge 2 ]] || { echo "browser tests: --browser needs chromium or firefox" >&2; exit 2; }
                   browsers=("$2"); shift 2 ;;
        *) names+=("$1"); shift ;;
    esac
done
for b in "${browsers[@]}"; do
    case "$b" in
        chromium)
            [[ -x /usr/bin/chromium || -n "${CHROMIUM:-}" ]] || { echo "browser tests: Chromium missing: run scripts/setup.sh --browser" >&2; exit 1; }
            [[ -d www/node_modules/playwright-core ]] || { echo "browser tests: playwright-core missing: run scripts/setup.sh --node" >&2; exit 1; } ;;
        firefox)
            [[ -x /usr/bin/firefox-esr || -n "${FIREFOX:-}" ]] || { echo "browser tests: Firefox ESR missing: run scripts/setup.sh --browser" >&2; exit 1; }
            [[ -d www/node_modules/puppeteer-core ]] || { echo "browser tests: puppeteer-core missing: run scripts/setup.sh --node" >&2; exit 1; } ;;
        *) echo "browser tests: unknown browser '$b' (chromium or firefox)" >&2; exit 2 ;;
    esac
done

echo "[browser] building sotto-relay and the sotto CLI (release)"
cargo build --release --quiet -p sotto-relay -p sotto-cli
scripts/build-www.sh

if (( ${#names[@]} )); then
    tests=()
    for name in "${names[@]}"; do tests+=("tests/browser/$name.test.mjs"); done
else
    tests=(tests/browser/*.test.mjs)
fi

rm -rf target/screenshots
failed=()
timings=()
# With both browsers: first the adapter's locators against Playwright's on
# the real pages (locators.check.mjs), so that both runs mean the same.
if [[ " ${browsers[*]} " == *" chromium "* && " ${browsers[*]} " == *" firefox "* ]]; then
    echo "[browser] node tests/browser/locators.check.mjs"
    t0=$EPOCHREALTIME
    node tests/browser/locators.check.mjs || failed+=("locators")
    timings+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%6.1f", b - a }')s  both  locators (adapter = Playwright)")
fi
for b in "${browsers[@]}"; do
    t_browser=$EPOCHREALTIME
    for t in "${tests[@]}"; do
        echo "[browser] SOTTO_BROWSER=$b node $t"
        t0=$EPOCHREALTIME
        if ! SOTTO_BROWSER="$b" node "$t"; then
            failed+=("$b:$(basename "$t" .test.mjs)")
        fi
        timings+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%6.1f", b - a }')s  $b  $(basename "$t" .test.mjs)")
    done
    timings+=("$(awk -v a="$t_browser" -v b="$EPOCHREALTIME" 'BEGIN { printf "%6.1f", b - a }')s  $b  (all)")
done

echo "[browser] times:"
printf '[browser]   %s\n' "${timings[@]}"
echo "[browser] screenshots: target/screenshots/ ($(find target/screenshots -name '*.png' 2>/dev/null | wc -l) files)"
if (( ${#failed[@]} )); then
    echo "[browser] FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "[browser] all ${#tests[@]} browser tests passed in ${browsers[*]}"
