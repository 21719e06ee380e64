#!/usr/bin/env bash
# Installs the tools Sotto's build and tests need, skipping what is present.
#
#   scripts/setup.sh [--browser] [--node] [--fuzz] [--deny] [--postgres] [--all]
#
# Always:     the wasm32-unknown-unknown target, rustfmt and clippy, the
#             wasm-bindgen CLI (wasm-bindgen, wasm-bindgen-test-runner) at
#             exactly the `wasm-bindgen` version recorded in Cargo.lock, and
#             wasm-pack.
# --browser:  Debian's chromium and chromium-driver, and firefox-esr (apt-get),
#             for the browser tests (tests/browser/run.sh runs every test in
#             both browsers; puppeteer-core drives Firefox over WebDriver BiDi),
#             and geckodriver (cargo install, about four minutes the first
#             time) into $CARGO_HOME/geckodriver/bin, off PATH, for the wasm
#             tests in Firefox (scripts/test.sh names it with GECKODRIVER).
# --node:     the npm packages of www/ (npm ci / npm install), when
#             www/package.json exists.
# --fuzz:     the nightly toolchain (minimal profile) and cargo-fuzz, for
#             scripts/fuzz.sh (cargo install; about two minutes).
# --deny:     cargo-deny, for `cargo deny check` (cargo install; about eight
#             minutes).
# --postgres: Debian's postgresql (apt-get), whose initdb and pg_ctl the
#             tests of the relay over PostgreSQL use to start a private
#             cluster in a temporary folder (no service is needed).
# --all:      all of the above.
#
# Every step checks what is installed first, so a second run takes a second
# or two. Never installs Debian's binaryen (its wasm-opt 108 produces modules
# that fail to load; see docs and TOOLCHAIN notes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

want_browser=0
want_node=0
want_fuzz=0
want_deny=0
want_postgres=0
for arg in "$@"; do
    case "$arg" in
        --browser) want_browser=1 ;;
        --node) want_node=1 ;;
        --fuzz) want_fuzz=1 ;;
        --deny) want_deny=1 ;;
        --postgres) want_postgres=1 ;;
        --all) want_browser=1; want_node=1; want_fuzz=1; want_deny=1; want_postgres=1 ;;
        -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# Tools installed by `cargo install` land here; make sure they are found.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
    *":$CARGO_BIN:"*) ;;
    *) export PATH="$CARGO_BIN:$PATH" ;;
esac

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first"
command -v rustup >/dev/null || die "rustup not found: the wasm target is installed with rustup"

# --- Rust target and components ---------------------------------------------
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    say "wasm32-unknown-unknown target: present"
else
    say "installing the wasm32-unknown-unknown target (rustup target add)"
    rustup target add wasm32-unknown-unknown
fi

installed_components="$(rustup component list --installed)"
for component in rustfmt clippy; do
    if grep -q "^${component}\(-\|$\)" <<<"$installed_components"; then
        say "$component: present"
    else
        say "installing $component (rustup component add)"
        rustup component add "$component"
    fi
done

# --- wasm-bindgen CLI, pinned to Cargo.lock ------------------------------------
# The CLI must equal the wasm-bindgen crate version exactly, or the generated
# glue does not match the compiled module.
wb_version="$(awk '
    $0 == "[[package]]" { name = "" }
    $1 == "name" && $3 == "\"wasm-bindgen\"" { name = "wasm-bindgen" }
    name == "wasm-bindgen" && $1 == "version" { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock)"
[[ -n "$wb_version" ]] || die "no wasm-bindgen package in Cargo.lock"

have_wb=""
if command -v wasm-bindgen >/dev/null && command -v wasm-bindgen-test-runner >/dev/null; then
    have_wb="$(wasm-bindgen --version | awk '{print $2}')"
fi
if [[ "$have_wb" == "$wb_version" ]]; then
    say "wasm-bindgen CLI $wb_version: present"
else
    if [[ -n "$have_wb" ]]; then
        say "wasm-bindgen CLI is $have_wb, Cargo.lock wants $wb_version: reinstalling"
    fi
    # No --locked: the CLI's own lockfile pins a version crates.io lacks.
    say "installing wasm-bindgen-cli $wb_version (cargo install; a few minutes the first time)"
    cargo install wasm-bindgen-cli --version "$wb_version" --force
    got="$(wasm-bindgen --version | awk '{print $2}')"
    [[ "$got" == "$wb_version" ]] || die "wasm-bindgen --version says $got, expected $wb_version"
fi

# --- wasm-pack (builds the npm package, scripts/build-wasm.sh) -----------------
# It uses the wasm-bindgen CLI above (same version) and never downloads
# wasm-opt: the build script runs npm's binaryen (--node) itself.
if command -v wasm-pack >/dev/null; then
    say "wasm-pack $(wasm-pack --version | awk '{print $2}'): present"
else
    say "installing wasm-pack (cargo install; about 4 minutes the first time)"
    cargo install wasm-pack --version '^0.15' --locked || cargo install wasm-pack --version '^0.15'
fi

# wasm-bindgen-test-runner runs wasm tests in Node by default.
if command -v node >/dev/null; then
    say "node $(node --version): present"
else
    die "node not found: the wasm tests run in Node.js (20 or newer)"
fi

# apt_install PACKAGE...: installs Debian packages (as root, or with sudo).
apt_install() {
    local sudo_cmd=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null || die "installing $* needs root or sudo"
        sudo_cmd=(sudo)
    fi
    say "installing $* (apt-get)"
    "${sudo_cmd[@]}" apt-get update -q
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# --- Chromium for browser tests (--browser) ------------------------------------
if (( want_browser )); then
    if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
        say "chromium and chromedriver: present"
    else
        apt_install chromium chromium-driver fonts-liberation
    fi
    if command -v firefox-esr >/dev/null; then
        say "firefox-esr: present ($(firefox-esr --version 2>/dev/null | tr -d '\n'))"
    else
        apt_install firefox-esr
    fi
    # Off PATH on purpose: wasm-bindgen-test-runner takes the first
    # geckodriver it finds on PATH before chromedriver, which would move the
    # Chromium wasm tests to Firefox.
    gecko_root="${CARGO_HOME:-$HOME/.cargo}/geckodriver"
    gecko_version=0.37.1
    if [[ "$("$gecko_root/bin/geckodriver" --version 2>/dev/null | head -n 1)" == "geckodriver $gecko_version" ]]; then
        say "geckodriver $gecko_version: present ($gecko_root/bin)"
    else
        say "installing geckodriver $gecko_version (cargo install into $gecko_root; about four minutes the first time)"
        cargo install geckodriver --version "$gecko_version" --root "$gecko_root" --force
    fi
fi

# --- PostgreSQL server binaries (--postgres) ------------------------------------
if (( want_postgres )); then
    pg_ctl_found="$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$pg_ctl_found" ]]; then
        say "postgresql: present ($pg_ctl_found)"
    else
        apt_install postgresql
    fi
fi

# --- npm packages of the web app (--node) --------------------------------------
if (( want_node )); then
    if [[ -f www/package.json ]]; then
        command -v npm >/dev/null || die "npm not found"
        stamp=www/node_modules/.package-lock.json
        if [[ -f "$stamp" && "$stamp" -nt www/package.json \
              && ( ! -f www/package-lock.json || "$stamp" -nt www/package-lock.json ) ]]; then
            say "www/node_modules: up to date"
        elif [[ -f www/package-lock.json ]]; then
            say "installing npm packages in www/ (npm ci)"
            (cd www && npm ci --no-audit --no-fund)
        else
            say "installing npm packages in www/ (npm install)"
            (cd www && npm install --no-audit --no-fund)
        fi
    else
        say "www/package.json: none yet, no npm packages to install"
    fi
fi

# --- nightly and cargo-fuzz (--fuzz) --------------------------------------------
if (( want_fuzz )); then
    if rustup toolchain list | grep -q '^nightly-'; then
        say "nightly toolchain: present ($(rustc +nightly --version))"
    else
        say "installing the nightly toolchain (rustup, minimal profile)"
        rustup toolchain install nightly --profile minimal
    fi
    if cargo +nightly fuzz --version >/dev/null 2>&1; then
        say "$(cargo +nightly fuzz --version): present"
    else
        say "installing cargo-fuzz (cargo install; about two minutes)"
        cargo install cargo-fuzz --locked
    fi
fi

# --- cargo-deny (--deny) -----------------------------------------------------------
if (( want_deny )); then
    if cargo deny --version >/dev/null 2>&1; then
        say "$(cargo deny --version): present"
    else
        say "installing cargo-deny (cargo install; about eight minutes)"
        cargo install cargo-deny --locked
    fi
fi

# --- the development release key (signs www/dist/build.json) -------------------
# An ignored file; a real deployment signs with the operator's own key
# (SOTTO_RELEASE_KEY; docs/web.md, "Pinning").
if [[ -f .release/dev-release-key.pem ]]; then
    say "development release key: present (.release/dev-release-key.pem)"
elif command -v node >/dev/null; then
    node www/release.mjs key .release/dev-release-key.pem
fi

say "done"
