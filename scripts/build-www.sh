#!/usr/bin/env bash
# Builds the web app into www/dist: the pages and widget of www/src plus the
# wasm package (scripts/build-wasm.sh, run first when target/npm/sotto is
# missing or older than the sources of crate/), then bundles, hashes and
# precompresses what the pages load (www/build.mjs; docs/web.md, "Delivery").
#
#   scripts/build-www.sh [--force-wasm | --no-wasm] [--relay ORIGIN]
#
# --force-wasm rebuilds the package even when it looks fresh; --no-wasm
# copies the package as it is (it must exist), for quick page edits;
# SOTTO_RELEASE_KEY: the release key file that signs build.json (default:
# the development key .release/dev-release-key.pem, made when missing).
# --relay points the app at a relay on another origin (www/set-relay.mjs:
# for a static host, with the relay on --no-static; docs/web.md).
#
# Layout of www/dist:
#   index.html                        the app (start, participate, console, results),
#                                     loading assets/ with integrity
#   assets/                           content-hashed bundles, wasm and CSS (+ .br, .gz)
#   build.json                        version, release key and SHA-384 of every asset
#   build.json.sig                    its Ed25519 signature by the release key
#   sw.js                             the service worker that pins the build
#   styles.css, js/…                  the unbundled sources (tests import them)
#   widget.js, widget.css             the embeddable <sotto-vote>/<sotto-survey>
#   embed-example.html(.js)           a plain page embedding them
#   pkg/                              the npm package without bundler/
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PKG="$ROOT/target/npm/sotto"
SRC="$ROOT/www/src"
DIST="$ROOT/www/dist"

force=0
skip=0
relay=""
while (( $# )); do
    case "$1" in
        --force-wasm) force=1 ;;
        --no-wasm) skip=1 ;;
        --relay) [[ $# -ge 2 ]] || { echo "build-www: --relay needs an origin (https://relay.example)" >&2; exit 2; }
                 relay=$2; shift ;;
        *) echo "build-www: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done

# The package is stale when any source it is built from is newer than it.
stale() {
    local stamp="$PKG/web/sotto_bg.wasm"
    [[ -f "$stamp" && -f "$PKG/participant/sotto_bg.wasm" && -f "$PKG/organizer/sotto_bg.wasm" && -f "$PKG/console/sotto_bg.wasm" && -f "$PKG/member-worker.js" ]] || return 0
    [[ -n "$(find crate Cargo.toml Cargo.lock -newer "$stamp" -print -quit)" ]]
}

if (( skip )); then
    [[ -f "$PKG/web/sotto_bg.wasm" && -f "$PKG/participant/sotto_bg.wasm" && -f "$PKG/organizer/sotto_bg.wasm" && -f "$PKG/console/sotto_bg.wasm" ]] || { echo "build-www: no package (or one without participant/, organizer/ or console/) at $PKG: run without --no-wasm" >&2; exit 1; }
    echo "[build-www] using the package as it is (--no-wasm)"
elif (( force )) || stale; then
    echo "[build-www] building the wasm package (scripts/build-wasm.sh)"
    scripts/build-wasm.sh
else
    echo "[build-www] wasm package up to date: $PKG"
fi

tmp="$(mktemp -d "$ROOT/www/.dist.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp -R "$SRC/." "$tmp/"
# Everything of the package but the bundler and Node builds: participant/
# (the participant's pages), organizer/ (the organizer's pages), console/
# (the committee console), web/ (all of those in one module: not loaded by
# the app; scripts/bench-wasm.mjs calls it), member/ (the committee worker),
# worker.js, member-worker.js.
mkdir -p "$tmp/pkg"
for entry in "$PKG"/*; do
    case "$(basename "$entry")" in
        bundler|node|README.md) ;;
        *) cp -R "$entry" "$tmp/pkg/" ;;
    esac
done

# Bundle, hash, fix integrity and precompress (www/build.mjs).
[[ -d "$ROOT/www/node_modules/esbuild" ]] || { echo "build-www: esbuild missing: run scripts/setup.sh --node" >&2; exit 1; }
node "$ROOT/www/build.mjs" "$tmp"
if [[ -n "$relay" ]]; then node "$ROOT/www/set-relay.mjs" "$tmp" "$relay"; fi
# Sign build.json with the release key (www/release.mjs; docs/web.md,
# "Pinning"): SOTTO_RELEASE_KEY names the operator's key file; without it,
# the development key in .release/ (made by scripts/setup.sh, or here).
if [[ -n "${SOTTO_RELEASE_KEY:-}" ]]; then
    key="$SOTTO_RELEASE_KEY"
    [[ -f "$key" ]] || { echo "build-www: SOTTO_RELEASE_KEY=$key: no such file" >&2; exit 1; }
else
    key="$ROOT/.release/dev-release-key.pem"
    if [[ ! -f "$key" ]]; then
        echo "[build-www] no release key: making a development key at $key (not for a real deployment: docs/web.md, \"Pinning\")"
        node "$ROOT/www/release.mjs" key "$key"
    fi
fi
node "$ROOT/www/release.mjs" sign "$tmp" "$key"

# Swap in the new tree at once, so a running relay never serves half a build.
rm -rf "$DIST.old"
if [[ -d "$DIST" ]]; then mv "$DIST" "$DIST.old"; fi
mv "$tmp" "$DIST"
trap - EXIT
rm -rf "$DIST.old"

files=$(find "$DIST" -type f | wc -l)
bytes=$(du -sb "$DIST" | cut -f1)
echo "[build-www] www/dist: $files files, $bytes bytes"
