#!/usr/bin/env bash
# The relay benchmark matrix of docs/relay.md ("Benchmark"): `sotto bench
# relay` against SQLite with one relay and PostgreSQL with one, two and
# three relays (a private cluster in a temporary folder, a fresh database
# per run), `--sync full` and `normal`, closed loop and paced (5,000/s for
# SQLite, 3,000/s for PostgreSQL), 2,000 connections, 20,000 submissions
# of 1 KB. Prints one table row per run, each with the machine's load
# average at its end (the relays, PostgreSQL and the load generator share
# the cores with whatever else runs).
#
#   scripts/bench-relay.sh [LABEL [RELAY_BIN [SOTTO_BIN]]]
#
# LABEL names the build in each row (default "this"); the binaries default
# to this checkout's release build, so two builds can run in alternation.
# SOTTO_BENCH_STORES (default "sqlite pg1 pg2 pg3"), SOTTO_BENCH_SYNC
# (default "full normal") and SOTTO_BENCH_MODES (default "closed paced")
# pick a subset.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
LABEL="${1:-this}"
if (( $# < 2 )); then cargo build --release -q -p sotto-relay -p sotto-cli; fi
RELAY="$(realpath "${2:-target/release/sotto-relay}")"
SOTTO="$(realpath "${3:-target/release/sotto}")"
STORES="${SOTTO_BENCH_STORES:-sqlite pg1 pg2 pg3}"
SYNCS="${SOTTO_BENCH_SYNC:-full normal}"
MODES="${SOTTO_BENCH_MODES:-closed paced}"
PGBIN="${SOTTO_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

WORK="$(mktemp -d /tmp/sotto-bench-relay.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
as_pg() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_relays() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
PG_UP=0
cleanup() {
  stop_relays
  if (( PG_UP )); then as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_pg() {
  mkdir -p "$WORK/pg"
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres "$WORK/pg"; fi
  PGPORT="$(free_port)"
  as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -A trust -U sotto --no-sync >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w \
    -o "-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  PG_UP=1
}

# start_relays N SYNC STORE_ARGS...: N relays; sets URLS.
start_relays() {
  local n="$1" sync="$2"; shift 2
  local urls=()
  for ((k = 0; k < n; k++)); do
    local pf="$WORK/port.$k"
    rm -f "$pf"
    "$RELAY" --listen 127.0.0.1:0 --port-file "$pf" --no-static --sync "$sync" "$@" \
      >"$WORK/relay.$k.log" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 200); do [[ -s "$pf" ]] && break; sleep 0.05; done
    [[ -s "$pf" ]] || { cat "$WORK/relay.$k.log" >&2; exit 1; }
    urls+=("ws://127.0.0.1:$(cat "$pf")")
  done
  URLS="$(IFS=,; echo "${urls[*]}")"
}

RUN=0
for store in $STORES; do
  for sync in $SYNCS; do
    for mode in $MODES; do
      RUN=$((RUN + 1))
      case "$store" in
        sqlite)
          rm -rf "$WORK/data"
          start_relays 1 "$sync" --data "$WORK/data"
          rate=5000 ;;
        pg*)
          (( PG_UP )) || start_pg
          db="bench$RUN"
          as_pg "$PGBIN/createdb" -h "$WORK/pg" -p "$PGPORT" -U sotto "$db"
          start_relays "${store#pg}" "$sync" --store "postgres://sotto@127.0.0.1:$PGPORT/$db"
          rate=3000 ;;
      esac
      args=(--relay "$URLS" --connections 2000 --submissions 20000 --size 1024)
      if [[ "$mode" == paced ]]; then args+=(--rate "$rate"); fi
      out="$("$SOTTO" bench relay "${args[@]}" 2>&1)" || { echo "$out" >&2; stop_relays; continue; }
      row="$(echo "$out" | grep -E '^\| [0-9]' | head -1)"
      echo "| $LABEL | $store | $sync $row"
      stop_relays
    done
  done
done
