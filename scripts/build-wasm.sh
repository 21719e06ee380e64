#!/usr/bin/env bash
# Builds the npm package `sotto` (the wasm bindings of crate/) into
# target/npm/sotto and prints the size of the module.
#
#   scripts/build-wasm.sh [--dev]
#
# Layout of the package:
#   web/       wasm-pack --target web     (ES modules; call init() once)
#   bundler/   wasm-pack --target bundler (webpack, Vite, Rollup)
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
if [[ "${1:-}" == "--dev" ]]; then
    profile=(--dev --features debug-panics)
    optimize=0
fi

command -v wasm-pack >/dev/null || { echo "build-wasm: wasm-pack missing: run scripts/setup.sh" >&2; exit 1; }
if (( optimize )); then
    command -v wasm-opt >/dev/null || { echo "build-wasm: wasm-opt missing: run scripts/setup.sh --node" >&2; exit 1; }
fi

OUT="$ROOT/target/npm/sotto"
rm -rf "$OUT"
mkdir -p "$OUT"
version="$(awk -F'"' '/^version *=/ { print $2; exit }' Cargo.toml)"

for target in web bundler; do
    wasm-pack --quiet build crate --target "$target" "${profile[@]}" \
        --no-pack --no-opt --out-dir "$OUT/$target" --out-name sotto
    if (( optimize )); then
        wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
            --enable-sign-ext --enable-mutable-globals --enable-reference-types \
            --enable-multivalue \
            "$OUT/$target/sotto_bg.wasm" -o "$OUT/$target/sotto_bg.wasm"
    fi
    rm -f "$OUT/$target/.gitignore"
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
    "./member-worker": { "types": "./member-worker.d.ts", "default": "./member-worker.js" },
    "./worker.js": "./worker.js",
    "./package.json": "./package.json"
  },
  "files": ["web", "bundler", "worker.js", "member-worker.js", "member-worker.d.ts", "README.md"]
}
JSON

wasm="$OUT/web/sotto_bg.wasm"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'wasm package: %s\n' "$OUT"
printf "wasm size: raw=%d bytes gzip=%d bytes (%s KB gzipped; budget 250 KB, aim 150 KB)\n" \
    "$raw" "$gz" "$(awk -v g="$gz" 'BEGIN { printf "%.1f", g / 1024 }')"
if (( optimize && gz > 250 * 1024 )); then
    echo "build-wasm: the module exceeds the 250 KB gzipped budget" >&2
    exit 1
fi
