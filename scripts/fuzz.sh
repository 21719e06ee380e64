#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 10) and
# fails on the first crash, leak, timeout or out-of-memory. With a small
# SECONDS this is the CI smoke run; with 300 or more, a real fuzzing run.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz (scripts/setup.sh --fuzz).
# Each target reads its corpus from fuzz/corpus/TARGET (kept out of git,
# grown by every run) and its committed seeds from fuzz/seeds/TARGET;
# crashes are written to fuzz/artifacts/TARGET and the full libFuzzer log
# to fuzz/artifacts/TARGET.log. Ends with a table of executions, coverage
# and speed per target. See docs/fuzzing.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"

secs="${1:-10}"
[[ "$secs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS must be a positive integer" >&2; exit 2; }
shift $(( $# > 0 ? 1 : 0 ))

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
    *":$CARGO_BIN:"*) ;;
    *) export PATH="$CARGO_BIN:$PATH" ;;
esac

# The fuzz build (nightly, sanitizer flags) stays in fuzz/target, away from
# the workspace's builds, whatever the caller set.
unset CARGO_TARGET_DIR

say() { printf '[fuzz] %s\n' "$*"; }

cargo +nightly fuzz --version >/dev/null 2>&1 \
    || { echo "fuzz.sh: needs nightly and cargo-fuzz: run scripts/setup.sh --fuzz" >&2; exit 1; }

if (( $# > 0 )); then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

say "building ${#targets[@]} targets (nightly, address sanitizer, debug assertions)"
cargo +nightly fuzz build
# Run the built binaries directly: `cargo fuzz run` would rebuild first, so
# a source edit during a long run would change what later targets test.
host="$(rustc +nightly -vV | sed -n 's/^host: //p')"
bin="target/$host/release"

rows=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    dirs=("corpus/$t")
    [[ -d "seeds/$t" ]] && dirs+=("seeds/$t")
    log="artifacts/$t.log"
    say "$t: ${secs}s"
    rc=0
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb bounds memory.
    "$bin/$t" -artifact_prefix="artifacts/$t/" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1 || rc=$?
    if (( rc != 0 )); then
        tail -n 60 "$log" >&2
        say "$t FAILED (exit $rc): the crashing input is in fuzz/artifacts/$t/" >&2
        say "reproduce: cd fuzz && cargo +nightly fuzz run $t artifacts/$t/<file>" >&2
        exit "$rc"
    fi
    # Coverage from the last status line ("#N ... cov: C ft: F corp: K/..."),
    # executions and speed from the final stats (-print_final_stats).
    status="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
    cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$status")"
    ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status")"
    corp="$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$status")"
    runs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")"
    speed="$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")"
    took="$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log")"
    rows+=("$(printf '%-18s %6ss %12s %7s %7s %7s %9s' "$t" "${took:-?}" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${speed:-?}")")
done

printf '\n%-18s %7s %12s %7s %7s %7s %9s\n' target time execs cov ft corpus exec/s
printf '%s\n' "${rows[@]}"
say "no crash in ${#targets[@]} targets"
