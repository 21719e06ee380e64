#!/usr/bin/env bash
# Builds the npm package `sotto` (the wasm bindings of crate/) into
# target/npm/sotto and prints the size of the module.
#
#   scripts/build-wasm.sh [--dev] [--check-size]
#
# --check-size fails the build when the module exceeds 250 KB gzipped (CI).
#
# Layout of the package:
#   web/       wasm-pack --target web     (ES modules; call init() once)
#   bundler/   wasm-pack --target bundler (webpack, Vite, Rollup)
#   member/    --target web with the committee computation (feature
#              member-runtime): loaded by the member's Web Worker, or by
#              Node daemons; web/ and bundler/ leave it out to stay small
#   worker.js, member-worker.js(.d.ts)    a committee member in a Web Worker
#   package.json, README.md
#
# Needs wasm-pack and the wasm-bindgen CLI (scripts/setup.sh) and, for the
# release build, npm's binaryen 132 in www/node_modules (setup.sh --node):
# wasm-pack's own wasm-opt download does not work offline, and Debian's
# binaryen produces modules that fail to load.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$ROOT/www/node_modules/.bin:$PATH"

profile=(--profile wasm-release)
optimize=1
check_size=0
for arg in "$@"; do
    case "$arg" in
        --dev) profile=(--dev --features debug-panics); optimize=0 ;;
        --check-size) check_size=1 ;;
        *) echo "build-wasm: unknown option '$arg'" >&2; exit 2 ;;
    esac
done

command -v wasm-pack >/dev/null || { echo "build-wasm: wasm-pack missing: run scripts/setup.sh" >&2; exit 1; }
if (( optimize )); then
    command -v wasm-opt >/dev/null || { echo "build-wasm: wasm-opt missing: run scripts/setup.sh --node" >&2; exit 1; }
fi

OUT="$ROOT/target/npm/sotto"
rm -rf "$OUT"
mkdir -p "$OUT"
version="$(awk -F'"' '/^version *=/ { print $2; exit }' Cargo.toml)"

for dir in web bundler member; do
    target=$dir features=(--no-default-features)
    if [[ "$dir" == member ]]; then target=web features=(); fi
    wasm-pack --quiet build crate --target "$target" "${profile[@]}" \
        --no-pack --no-opt --out-dir "$OUT/$dir" --out-name sotto -- "${features[@]}"
    if (( optimize )); then
        wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory \
            --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
            --enable-reference-types --enable-multivalue \
            "$OUT/$dir/sotto_bg.wasm" -o "$OUT/$dir/sotto_bg.wasm"
    fi
    rm -f "$OUT/$dir/.gitignore"
done

cp crate/js/worker.js crate/js/member-worker.js crate/js/member-worker.d.ts crate/js/README.md "$OUT/"
cat > "$OUT/package.json" <<JSON
{
  "name": "sotto",
  "version": "$version",
  "description": "Private group decisions in the browser: surveys, votes and budgets by secure multi-party computation",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "./bundler/sotto.js",
  "module": "./bundler/sotto.js",
  "types": "./bundler/sotto.d.ts",
  "sideEffects": ["./bundler/sotto.js", "./bundler/snippets/*"],
  "exports": {
    ".": { "types": "./bundler/sotto.d.ts", "default": "./bundler/sotto.js" },
    "./web": { "types": "./web/sotto.d.ts", "default": "./web/sotto.js" },
    "./member": { "types": "./member/sotto.d.ts", "default": "./member/sotto.js" },
    "./member-worker": { "types": "./member-worker.d.ts", "default": "./member-worker.js" },
    "./worker.js": "./worker.js",
    "./package.json": "./package.json"
  },
  "files": ["web", "bundler", "member", "worker.js", "member-worker.js", "member-worker.d.ts", "README.md"]
}
JSON

size_of() {
    local raw gz
    raw=$(stat -c %s "$1")
    gz=$(gzip -9 -c "$1" | wc -c)
    printf '%s raw=%d bytes gzip=%d bytes (%s KB gzipped)\n' "$2" "$raw" "$gz" \
        "$(awk -v g="$gz" 'BEGIN { printf "%.1f", g / 1024 }')"
    echo "$gz" > "$OUT/.$2.gz-bytes"
}
printf 'wasm package: %s\n' "$OUT"
size_of "$OUT/web/sotto_bg.wasm" "web"
size_of "$OUT/member/sotto_bg.wasm" "member"
gz=$(cat "$OUT/.web.gz-bytes")
rm -f "$OUT"/.*.gz-bytes
echo "budget: the page module (web/, bundler/) at most 250 KB gzipped, aim 150 KB"
if (( check_size && gz > 250 * 1024 )); then
    echo "build-wasm: the page module exceeds the 250 KB gzipped budget" >&2
    exit 1
fi
