#!/usr/bin/env bash
# Whether another machine builds the same app from the same commit, which
# `sotto verify-app` relies on (docs/web.md, "Checking a served app"):
# builds the wasm package and www/dist here, then again in a clone of HEAD
# at another path with another Cargo home (a copy of this one's registry,
# used offline), and compares every file. A build signs build.json with
# its own release key, so, as `sotto verify-app` does, build.json is
# compared without `releaseKey` and `signedAt`, and its signature and
# compressed copies not at all.
#
#   scripts/check-reproducible.sh [--built]
#
# --built takes the wasm package in target/npm/sotto as this checkout's
# build (CI, right after building it) instead of building it again.
# Exit status 0: the same bytes; 1: files differ (listed); 2: not checked
# (uncommitted changes to what the app is built from, which the clone
# would not have, or no package with --built). About 3 minutes with
# --built on two cores (the clone's build), 5 without.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$cargo_home/bin:$PATH"
built=0
case "${1:-}" in
    --built) built=1 ;;
    "") ;;
    *) echo "check-reproducible: unknown option '$1'" >&2; exit 2 ;;
esac
if [[ -n "$(git status --porcelain --untracked-files=no -- Cargo.toml Cargo.lock .cargo crate www scripts)" ]]; then
    echo "check-reproducible: commit or stash your changes first (the clone builds HEAD)" >&2
    exit 2
fi
if (( built )) && [[ ! -f target/npm/sotto/member/sotto_bg.wasm ]]; then
    echo "check-reproducible: --built, but no package in target/npm/sotto (scripts/build-wasm.sh)" >&2
    exit 2
fi

work="$(mktemp -d /tmp/sotto-repro.XXXXXX)"
trap 'rm -rf "$work"' EXIT
echo "[check-reproducible] building here ($ROOT)"
(( built )) || scripts/build-wasm.sh >/dev/null
scripts/build-www.sh --no-wasm >/dev/null

echo "[check-reproducible] building in $work/elsewhere with CARGO_HOME=$work/cargo"
mkdir -p "$work/cargo"
cp -r "$cargo_home/registry" "$work/cargo/"
git clone -q "$ROOT" "$work/elsewhere"
# A copy, not a link: esbuild names chunks by a hash over their files'
# paths, and a linked node_modules would be found outside the clone.
cp -r "$ROOT/www/node_modules" "$work/elsewhere/www/"
(
    cd "$work/elsewhere"
    export CARGO_HOME="$work/cargo" CARGO_NET_OFFLINE=true
    scripts/build-wasm.sh >/dev/null
    scripts/build-www.sh --no-wasm >/dev/null
)

unsigned() {
    node -e 'const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
             delete b.releaseKey; delete b.signedAt; console.log(JSON.stringify(b));' "$1"
}
status=0
diff -rq "$ROOT/target/npm/sotto" "$work/elsewhere/target/npm/sotto" || status=1
diff -rq --exclude="build.json*" "$ROOT/www/dist" "$work/elsewhere/www/dist" || status=1
if [[ "$(unsigned "$ROOT/www/dist/build.json")" != "$(unsigned "$work/elsewhere/www/dist/build.json")" ]]; then
    echo "build.json differs (beyond its signing fields)"
    status=1
fi
files=$(find "$ROOT/target/npm/sotto" "$ROOT/www/dist" -type f | wc -l)
if (( status == 0 )); then
    echo "[check-reproducible] the same: $files files (the wasm package and www/dist)"
else
    echo "[check-reproducible] the builds differ (above)" >&2
fi
exit $status
