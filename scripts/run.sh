#!/usr/bin/env bash
# Sets up the tools (scripts/setup.sh), builds the relay in release mode and
# runs it in the foreground with its embedded store; Ctrl-C stops it.
#
#   scripts/run.sh [extra sotto-relay flags...]
#
# Environment overrides:
#   SOTTO_LISTEN  address to listen on       (default 127.0.0.1:8080)
#   SOTTO_DATA    directory of the store     (default ./sotto-data in the repo)
#   SOTTO_STATIC  web app directory to serve (default www/dist, if it exists)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

listen="${SOTTO_LISTEN:-127.0.0.1:8080}"
data="${SOTTO_DATA:-$ROOT/sotto-data}"
static="${SOTTO_STATIC:-$ROOT/www/dist}"

# --node: npm's binaryen (wasm-opt) for the wasm package of the web app.
scripts/setup.sh --node

# ---------------------------------------------------------------------------
# The web app: scripts/build-www.sh rebuilds the wasm package when crate/
# changed (scripts/build-wasm.sh) and copies it with www/src into www/dist,
# so that $static is fresh before the relay starts. Skipped when
# SOTTO_STATIC points elsewhere.
# ---------------------------------------------------------------------------
if [[ -z "${SOTTO_STATIC:-}" ]]; then
    echo "[run] building the web app (scripts/build-www.sh)"
    scripts/build-www.sh
fi

echo "[run] building sotto-relay (release)"
cargo build --release -p sotto-relay

relay="${CARGO_TARGET_DIR:-$ROOT/target}/release/sotto-relay"
[[ -x "$relay" ]] || { echo "[run] error: $relay was not built" >&2; exit 1; }

mkdir -p "$data"
args=(--listen "$listen" --data "$data")
if [[ " $* " == *" --no-static "* ]]; then
    echo "[run] --no-static: serving the relay only"
elif [[ -d "$static" ]]; then
    args+=(--static "$static")
else
    echo "[run] no web app at $static yet: serving the relay only"
fi

host="${listen%:*}"
port="${listen##*:}"
case "$host" in
    0.0.0.0|""|"[::]") host=127.0.0.1 ;;
esac
echo "[run] store: $data"
echo "[run] open http://$host:$port/"
cmd=("$relay" "${args[@]}" "$@")
echo "[run] \$ ${cmd[*]}"
exec "${cmd[@]}"
