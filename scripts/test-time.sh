#!/usr/bin/env bash
# How long a clean `scripts/test.sh` takes: clones HEAD into a temporary
# directory (an empty target directory, so every crate and every Verilator
# model is built from scratch, as on CI), runs the suite there and appends
# one row to docs/results/test-time.csv:
#   date,commit,seconds,cores,load_before,load_after,result
# `result` is `pass` or the suite's exit code. The README's results block
# shows the newest row (scripts/results_table.py).
#
# Not run by CI (it is the suite itself, timed). HEAD must be committed:
# uncommitted changes are not in the clone.
#
# Usage: scripts/test-time.sh [LOG]   (the suite's output; default: a temporary file)
set -euo pipefail
cd "$(dirname "$0")/.."

csv=docs/results/test-time.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=${1:-$work/test.log}

commit=$(git rev-parse --short=12 HEAD)
[[ -z $(git status --porcelain --untracked-files=no) ]] || commit+=-dirty
git clone -q . "$work/clone"
git -C "$work/clone" checkout -q "$(git rev-parse HEAD)"

load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load)
started=$(date +%s)
set +e
(cd "$work/clone" && CI=true scripts/test.sh) >"$log" 2>&1
status=$?
set -e
seconds=$(($(date +%s) - started))
load_after=$(load)
result=pass
((status == 0)) || result="exit $status"

mkdir -p "$(dirname "$csv")"
[[ -s $csv ]] || echo "date,commit,seconds,cores,load_before,load_after,result" >"$csv"
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ),$commit,$seconds,$(nproc),$load_before,$load_after,$result" >>"$csv"
echo "test-time: $result in $seconds s on $(nproc) cores (load $load_before before, $load_after after); log: $log" >&2
exit "$status"
