#!/usr/bin/env bash
# Sets up the tools (scripts/setup.sh) and runs every check and test of the
# repository, stopping at the first failure. Ends with a timing summary.
#
#   scripts/test.sh
#
# Sections: formatting, clippy (native and wasm32), the JavaScript's lints
# (eslint, prettier --check, tsc --checkJs: www/package.json's scripts), the
# wasm32 build, the wasm package and whether a clone at another path with
# another Cargo home builds it the same (scripts/check-reproducible.sh),
# the native tests of the whole workspace, the core's tests under wasm32
# in Node (wasm-bindgen-test-runner, configured in .cargo/config.toml) and
# in headless Chromium and Firefox, the browser
# tests of the web app in both browsers (tests/browser/run.sh), the docs
# with warnings denied, the dependency policy (cargo deny: licenses, bans,
# sources) and a fuzzing smoke run (scripts/fuzz.sh: 10 s per target).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Flags for setup.sh. --node is a no-op until www/package.json exists.
# --browser installs Chromium, Firefox ESR and their drivers for the wasm
# tests in the browsers and the browser tests of the web app. --fuzz and --deny install
# nightly, cargo-fuzz and cargo-deny when missing. --postgres installs
# Debian's postgresql for the tests of relays sharing one PostgreSQL
# (tests/tests/postgres.rs starts a private cluster in a temporary folder).
SETUP_FLAGS=(--node --browser --fuzz --deny --postgres)

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
    *":$CARGO_BIN:"*) ;;
    *) export PATH="$CARGO_BIN:$PATH" ;;
esac

# Node 20 has no global WebSocket; wasm-bindgen-test-runner passes NODE_ARGS
# to node, so wasm tests that open a WebSocket work on Node 20 and 21 too.
node_major="$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)"
if [[ -z "${NODE_ARGS:-}" && "$node_major" =~ ^(20|21)$ ]]; then
    export NODE_ARGS=--experimental-websocket
fi

names=()
times=()
results=()
start_all=$EPOCHREALTIME

summary() {
    local total i
    total="$(awk -v a="$start_all" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
    printf '\n==> Summary\n'
    for i in "${!names[@]}"; do
        printf '  %-4s %7ss  %s\n' "${results[$i]}" "${times[$i]}" "${names[$i]}"
    done
    printf '  total %ss\n' "$total"
}

# section NAME COMMAND...: runs COMMAND under a header, records its time and
# result, and on failure prints the summary and exits with its status.
section() {
    local name=$1 t0 rc=0 secs
    shift
    printf '\n==> %s\n    $ %s\n' "$name" "$*"
    t0=$EPOCHREALTIME
    "$@" || rc=$?
    secs="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
    names+=("$name")
    times+=("$secs")
    if (( rc == 0 )); then
        results+=(ok)
    else
        results+=(FAIL)
        summary
        printf '\nFAILED: %s (exit status %d)\n' "$name" "$rc" >&2
        exit "$rc"
    fi
}

section "setup" scripts/setup.sh "${SETUP_FLAGS[@]}"
section "rustfmt" cargo fmt --all -- --check
section "rustfmt (fuzz)" cargo fmt --manifest-path fuzz/Cargo.toml -- --check
# The JavaScript of www/, crate/wasm/js, tests/ and scripts/ (docs/web.md, "JavaScript lints").
section "eslint" npm --prefix www run --silent eslint
section "prettier (check)" npm --prefix www run --silent format:check
section "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
# The packages that compile to wasm32 (the relay and the CLI do not).
WASM_PACKAGES=(-p sotto-wire -p sotto-core -p sotto-client -p sotto-wasm)
section "clippy (wasm32)" cargo clippy "${WASM_PACKAGES[@]}" --target wasm32-unknown-unknown --all-targets -- -D warnings
# Each module of the npm package is its own feature set (scripts/build-wasm.sh).
clippy_modules() {
    local f
    for f in reader participant organizer console page member-runtime bench; do
        cargo clippy -p sotto-wasm --lib --target wasm32-unknown-unknown --no-default-features \
            --features "$f" -- -D warnings || return
    done
}
section "clippy (wasm32 modules)" clippy_modules
section "build (wasm32)" cargo build -p sotto-wasm --lib --target wasm32-unknown-unknown
# The npm package (prints the gzipped size; fails over a module's budget),
# then its TypeScript types checked against an example app.
section "wasm package" scripts/build-wasm.sh --check-size
# The same package and www/dist from a clone at another path with another
# Cargo home (what `sotto verify-app` relies on; docs/web.md).
section "reproducible build" scripts/check-reproducible.sh --built
section "typescript (package types)" www/node_modules/.bin/tsc --noEmit -p tests/ts
# JSDoc types of the JavaScript, against the package's declarations built above.
section "typescript (checkJs)" npm --prefix www run --silent typecheck
# Includes tests/tests/wasm.rs: the package in Node against the real relay.
section "tests (native)" cargo test --workspace
section "tests (wasm32, node)" cargo test "${WASM_PACKAGES[@]}" --target wasm32-unknown-unknown
# In the browsers: wasm-bindgen-test-runner drives Chromium through
# chromedriver and Firefox ESR through geckodriver (installed off PATH by
# setup.sh --browser), each named explicitly.
section "tests (wasm32, chromium)" env CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_USE_BROWSER=1 \
    cargo test "${WASM_PACKAGES[@]}" --target wasm32-unknown-unknown
section "tests (wasm32, firefox)" env GECKODRIVER="${CARGO_HOME:-$HOME/.cargo}/geckodriver/bin/geckodriver" \
    GECKODRIVER_ARGS="--binary $(command -v firefox-esr)" WASM_BINDGEN_USE_BROWSER=1 \
    cargo test "${WASM_PACKAGES[@]}" --target wasm32-unknown-unknown
# Every test of the web app in Chromium, then in Firefox ESR (docs/web.md).
section "tests (browser: chromium, firefox)" tests/browser/run.sh
# One committee member as the wasm module in Chromium beside two native
# ones, through a relay process, 200 respondents (docs/wasm.md, "A whole
# session with a browser member"; about 10 s, the long sizes are not run).
section "browser member session (200 respondents)" scripts/bench-browser-member.sh --sizes 200 --no-baseline
section "docs" env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
# The advisory database cannot be downloaded here: run `cargo deny check
# advisories` where the network allows it (docs/dependencies.md).
section "cargo deny (licenses, bans, sources)" cargo deny check licenses bans sources
section "fuzz smoke (10 s per target)" scripts/fuzz.sh 10

# ---------------------------------------------------------------------------
# Further checks added by later issues go here, one `section` line each, e.g.
#   section "tests (browser)" cargo test -p sotto-e2e --features browser
# (and add --browser to SETUP_FLAGS above when they need Chromium).
# ---------------------------------------------------------------------------

summary
printf '\nAll checks passed.\n'
