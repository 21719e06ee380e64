#!/usr/bin/env bash
# Builds the npm package `sotto` (the wasm bindings of crate/wasm) into
# target/npm/sotto and prints the size of the module.
#
#   scripts/build-wasm.sh [--dev] [--check-size] [--bench]
#
# --check-size fails the build when a module exceeds its gzipped budget
# (participant 133 KB, organizer 146 KB, console 124 KB, web 168 KB, member
# 234 KB; CI).
# --bench also builds target/npm/bench/ (the member module plus
#         benchCompare, for scripts/bench-wasm.sh; not part of the package).
#
# Layout of the package:
#   participant/  --target web, feature `participant` (Participant,
#              verifyResult, checkReceipt): what a participant's pages load
#   organizer/ --target web, feature `organizer` (reading links and
#              results, Organizer, answerSize, the key store): what the
#              organizer's pages load
#   console/   --target web, feature `console` (reading links and
#              results, the key store, key files): what the committee
#              console loads
#   web/       wasm-pack --target web     (ES modules; call init() once)
#   bundler/   wasm-pack --target bundler (webpack, Vite, Rollup)
#              both: feature `page` (all of the above in one module, for
#              embedders that load one module on every page)
#   member/    --target web, feature `member-runtime` (CommitteeMember:
#              load a stored key, and the committee computation, `run`):
#              loaded by the member's Web Worker
#   node/      --target web, features `page` and `member-runtime`: all of
#              the above in one module, for Node daemons (a member that
#              reads a key file and computes); never downloaded by a
#              browser, so not held to the download budget
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
bench=0
debug=()
for arg in "$@"; do
    case "$arg" in
        --dev) profile=(--dev); debug=(debug-panics); optimize=0 ;;
        --check-size) check_size=1 ;;
        --bench) bench=1 ;;
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

# The same sources give the same package on any machine (what `sotto
# verify-app` compares a served app with): panic locations name files by
# path, and a crate's path is under Cargo's home, which differs between
# machines (`/root/.cargo`, `/home/alice/.cargo`), so it is rewritten to
# `/cargo` (the workspace's own files are already relative and the standard
# library's are `/rustc/<commit>`). `--config` adds to the rustflags of
# .cargo/config.toml rather than replacing them, as RUSTFLAGS would.
# `check_paths` below fails the build if a path of this machine is left.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
remaps=("--remap-path-prefix=$ROOT=/sotto" "--remap-path-prefix=$cargo_home=/cargo")
real_home="$(cd "$cargo_home" 2>/dev/null && pwd -P || printf "%s" "$cargo_home")"
[[ "$real_home" != "$cargo_home" ]] && remaps+=("--remap-path-prefix=$real_home=/cargo")
# Each flag as a TOML basic string (backslashes and quotes escaped), so
# that any path can be given.
rustflags=""
for flag in "${remaps[@]}"; do
    flag=${flag//\\/\\\\}
    rustflags+="\"${flag//\"/\\\"}\", "
done
remap_config="target.wasm32-unknown-unknown.rustflags=[${rustflags%, }]"

# The optimized module of each unoptimized one built so far, by SHA-256.
declare -A optimized=()

# build_module <out-dir> <wasm-pack target> <features...>
build_module() {
    local out=$1 target=$2
    shift 2
    local features
    features=$(IFS=,; echo "$*")
    wasm-pack --quiet build crate/wasm --target "$target" "${profile[@]}" \
        --no-pack --no-opt --out-dir "$out" --out-name sotto -- \
        --no-default-features --features "$features" --config "$remap_config"
    if (( optimize )); then
        # --converge repeats -Oz until it stops shrinking the module;
        # --zero-filled-memory is sound because the module owns its memory
        # (wasm-bindgen exports it), which starts zeroed;
        # --low-memory-unused lets wasm-opt fold constant offsets (< 1 KiB)
        # into loads and stores, which changes behaviour only for an
        # address that wraps around 2^32 into the first 1 KiB. That KiB is
        # the deepest part of the stack (rustc links with --stack-first:
        # stack below 1 MiB, data and heap above), always reached as
        # sp + C with sp >= 0, and Rust pointer arithmetic never wraps, so
        # it is sound while the stack-first layout stays (no global-base
        # below 1024). A stack overflow, the one wrap, now traps instead
        # of writing into low memory. It saves 2 KB gzipped.
        # The same input gives the same output: web/ and bundler/ differ
        # in their JavaScript only, so the second is a copy (one wasm-opt run).
        local sum
        sum="$(sha256sum "$out/sotto_bg.wasm" | cut -d' ' -f1)"
        if [[ -n "${optimized[$sum]:-}" ]]; then
            cp "${optimized[$sum]}" "$out/sotto_bg.wasm"
        else
            wasm-opt -Oz --converge --zero-filled-memory --low-memory-unused --strip-debug --strip-producers --enable-bulk-memory \
                --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
                --enable-reference-types --enable-multivalue \
                "$out/sotto_bg.wasm" -o "$out/sotto_bg.wasm"
            optimized[$sum]="$out/sotto_bg.wasm"
        fi
    fi
    rm -f "$out/.gitignore"
}

build_module "$OUT/participant" web participant "${debug[@]}"
build_module "$OUT/organizer" web organizer "${debug[@]}"
build_module "$OUT/console" web console "${debug[@]}"
build_module "$OUT/web" web page "${debug[@]}"
build_module "$OUT/bundler" bundler page "${debug[@]}"
build_module "$OUT/member" web member-runtime "${debug[@]}"
build_module "$OUT/node" web page member-runtime "${debug[@]}"
if (( bench )); then
    rm -rf "$ROOT/target/npm/bench"
    build_module "$ROOT/target/npm/bench" web bench "${debug[@]}"
fi

cp crate/wasm/js/worker.js crate/wasm/js/member-worker.js crate/wasm/js/member-worker.d.ts crate/wasm/js/README.md "$OUT/"
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
    "./participant": { "types": "./participant/sotto.d.ts", "default": "./participant/sotto.js" },
    "./organizer": { "types": "./organizer/sotto.d.ts", "default": "./organizer/sotto.js" },
    "./console": { "types": "./console/sotto.d.ts", "default": "./console/sotto.js" },
    "./web": { "types": "./web/sotto.d.ts", "default": "./web/sotto.js" },
    "./member": { "types": "./member/sotto.d.ts", "default": "./member/sotto.js" },
    "./node": { "types": "./node/sotto.d.ts", "default": "./node/sotto.js" },
    "./member-worker": { "types": "./member-worker.d.ts", "default": "./member-worker.js" },
    "./worker.js": "./worker.js",
    "./package.json": "./package.json"
  },
  "files": ["participant", "organizer", "console", "web", "bundler", "member", "node", "worker.js", "member-worker.js", "member-worker.d.ts", "README.md"]
}
JSON

# No path of this machine in the package (see `remaps` above); a dev build
# keeps its debug info, whose paths are this machine's, so it is not checked.
check_paths() {
    local p found=0
    for p in "$ROOT/" "$cargo_home/" "$real_home/" "$HOME/"; do
        (( ${#p} > 2 )) || continue
        if grep -rlF -- "$p" "$OUT" >&2; then
            echo "build-wasm: the files above hold the path $p of this machine" >&2
            found=1
        fi
    done
    return $found
}
if (( optimize )); then
    check_paths || exit 1
fi

# The budgets of the modules a browser downloads, gzipped, each 1 to 2 KB
# over the size reached, so that a change that adds a few KB shows up here
# and is measured (the history of every cut: docs/wasm.md, "What each part
# costs" and after):
#   participant 133 KB (131.4 KB; issue 17's aim for what a participant
#     downloads is 150 KB): the module of the participant's pages, split
#     from the page module in session 11;
#   organizer 146 KB (145.1 KB; aim 150): the organizer's pages, split
#     from the page module in session 12 with drafts and capabilities read
#     by the core's hand-written JSON reader;
#   console 124 KB (123.4 KB; aim 150): the committee console (121 KB
#     until session 13's key records: WebCrypto keys, key files kept
#     for export, unlock, each record's keys checked);
#   web 168 KB (167.7 KB; 188.2 before session 12): every page binding in
#     one module, for embedders (the web app does not load it);
#   member 234 KB (233.1 KB; aim 200): the committee member's worker
#     (226 KB until session 13: keys asked through requests, challenged
#     disclosures and the WebCrypto keys cost 6.7 KB, measured in
#     docs/wasm.md).
# node/ is for Node daemons only: its size is shown.
over=0
size_of() {
    local raw gz budget=${3:-0}
    raw=$(stat -c %s "$1")
    gz=$(gzip -9 -c "$1" | wc -c)
    printf '%-11s raw=%d bytes gzip=%d bytes (%s KB gzipped)\n' "$2" "$raw" "$gz" \
        "$(awk -v g="$gz" 'BEGIN { printf "%.1f", g / 1024 }')"
    if (( budget > 0 && gz > budget * 1024 )); then
        echo "build-wasm: the $2 module exceeds its $budget KB gzipped budget" >&2
        over=1
    fi
}
printf 'wasm package: %s\n' "$OUT"
size_of "$OUT/participant/sotto_bg.wasm" "participant" 133
size_of "$OUT/organizer/sotto_bg.wasm" "organizer" 146
size_of "$OUT/console/sotto_bg.wasm" "console" 124
size_of "$OUT/web/sotto_bg.wasm" "web" 168
size_of "$OUT/member/sotto_bg.wasm" "member" 234
size_of "$OUT/node/sotto_bg.wasm" "node"
echo "budgets (gzipped): participant 133 KB, organizer 146 KB, console 124 KB (aim 150 each), web 168 KB, member 234 KB (aim 200)"
if (( check_size && over )); then
    exit 1
fi
