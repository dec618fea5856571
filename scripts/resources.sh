#!/usr/bin/env bash
# Resource bounds of every backend, measured: peak memory (max RSS) and load
# and scan times of `liqscan scan` (release build) on
#   max-book   the largest book the contract allows: 1,048,576 positions
#              (`liqscan gen`, one symbol, so that the `sim` model's
#              row-rounded regions fit too), 10 ticks;
#   ladder16   a 16-bracket jumping ladder: one symbol whose maintenance
#              amounts make E − MM fall back below zero at every bracket cap,
#              65,536 longs that each liquidate in a window of every bracket
#              (16 intervals each, the worst the contract allows; the book of
#              sw/core/tests/indexed_memory.rs), 4 ticks ending in a crash
#              that liquidates every position.
# Appends one row per (book, backend) to docs/results/resources.csv:
#   date,commit,book,positions,backend,load_s,scan_s,peak_mib
# load_s and scan_s come from the scan's summary on stderr (`load X s`,
# `scan Y s`); with an older summary that has only `wall`, scan_s is that and
# load_s the rest of the command's wall time.
#
# Not run by CI: it takes about 2 minutes on two cores (the `sim` backend
# loads a million slots through the Verilator model, ~15 s; building the
# release binary first takes longer when it is stale).
#
# Usage: scripts/resources.sh [BACKEND...]   (default: cpu indexed sim)
set -euo pipefail
cd "$(dirname "$0")/.."

backends=("$@")
((${#backends[@]})) || backends=(cpu indexed sim)

if [[ ! -x /usr/bin/time ]]; then
    echo "installing: time" >&2
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
fi

cargo build --release -p liqscan-cli --bin liqscan >&2
bin=target/release/liqscan
csv=docs/results/resources.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# The binary's commit; `-dirty` when what the binary is built from differs from it.
commit=$(git rev-parse --short=12 HEAD)
[[ -z $(git status --porcelain -- sw hw/src sim/src sim/build.rs sim/build sim/csrc Cargo.toml Cargo.lock) ]] || commit+=-dirty
mkdir -p "$(dirname "$csv")"
[[ -s $csv ]] || echo "date,commit,book,positions,backend,load_s,scan_s,peak_mib" >"$csv"

# (a) The largest book.
"$bin" gen --positions 1048576 --symbols 1 --ticks 10 --seed 1 --out "$work/max-book" 2>/dev/null

# (b) The jumping ladder: tick 1, lot 1 (one lot·tick is one quote unit),
# caps 1,000·(b+1), mmr 0.01, maint_amount 15,000 − 990·b, so E − MM climbs
# by 990 across each bracket and falls back by 990 at its cap. Each long has
# |Q| in 1..=60 at entry 20,000 and E − MM = k in −900..=−100 at the start of
# every bracket (margin = k + 20,000·Q − 15,000). A MINSTD generator keeps the
# book the same on every awk.
ladder="$work/ladder16"
mkdir -p "$ladder"
{
    echo '[[symbol]]'
    echo 'name = "SAW"'
    echo 'tick_size = "1"'
    echo 'lot_size = "1"'
    for b in $(seq 0 15); do
        echo '[[symbol.brackets]]'
        ((b < 15)) && echo "notional_cap = \"$((1000 * (b + 1)))\""
        echo 'mmr = "0.01"'
        echo "maint_amount = \"$((15000 - 990 * b))\""
    done
} >"$ladder/symbols.toml"
awk -v n=65536 'BEGIN {
    x = 21
    print "id,account,symbol,qty,entry_price,margin"
    for (i = 0; i < n; i++) {
        x = (x * 48271) % 2147483647; q = 1 + x % 60
        x = (x * 48271) % 2147483647; k = -(100 + x % 801)
        printf "%d,acct%05d,SAW,%d,20000,%d\n", 3 * i + 1, i % 4096, q, k + 20000 * q - 15000
    }
}' >"$ladder/positions.csv"
# Safe at entry, then down the ladder, then the crash (every long at mark 1).
printf 'seq,symbol,mark_price\n1,SAW,20000\n2,SAW,15500\n3,SAW,7500\n4,SAW,1\n' >"$ladder/ticks.csv"

# One scan: prints `load_s,scan_s,peak_mib`.
measure() {
    local dir=$1 backend=$2
    local err="$work/stderr" usage="$work/usage"
    local start end
    start=$(date +%s.%N)
    if ! /usr/bin/time -f '%M' -o "$usage" "$bin" scan --symbols "$dir/symbols.toml" \
        --positions "$dir/positions.csv" --ticks "$dir/ticks.csv" --backend "$backend" \
        >/dev/null 2>"$err"; then
        echo "resources.sh: $backend on $dir failed:" >&2
        cat "$err" >&2
        return 1
    fi
    end=$(date +%s.%N)
    local summary
    summary=$(grep '^summary:' "$err" || true)
    local load scan wall
    load=$(sed -n 's/.*[ ,]load \([0-9.]*\) s.*/\1/p' <<<"$summary")
    scan=$(sed -n 's/.*[ ,]scan \([0-9.]*\) s.*/\1/p' <<<"$summary")
    wall=$(sed -n 's/.*[ ,]wall \([0-9.]*\) s.*/\1/p' <<<"$summary")
    [[ -n $scan ]] || scan=$wall
    if [[ -z $load ]]; then
        load=$(awk -v s="$start" -v e="$end" -v t="${scan:-0}" 'BEGIN { printf "%.3f", e - s - t }')
    fi
    awk -v l="$load" -v s="$scan" -v k="$(tail -n1 "$usage")" \
        'BEGIN { printf "%s,%s,%.1f\n", l, s, k / 1024 }'
}

for book in max-book ladder16; do
    dir="$work/$book"
    [[ $book == ladder16 ]] && dir=$ladder
    positions=$(($(wc -l <"$dir/positions.csv") - 1))
    for backend in "${backends[@]}"; do
        row="$date,$commit,$book,$positions,$backend,$(measure "$dir" "$backend")"
        echo "$row" | tee -a "$csv"
    done
done
