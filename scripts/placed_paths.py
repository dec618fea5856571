#!/usr/bin/env python3
"""Slowest register-to-register paths of a placed, unrouted nextpnr-ecp5 netlist.

    python3 scripts/placed_paths.py placed.json [COUNT] [--within PREFIX]      (COUNT: 15)

Routing the big scanner takes hours, placing it (`--no-route --write
placed.json`) minutes, but after placement nextpnr prints only its estimated
clock ("Max frequency"), not the paths behind it (report.json stays empty; -v
and --debug add nothing). This redoes that estimate from placed.json: the
endpoint families among the slowest 300 paths (endpoint cell name with `[3]`,
`$12`, `_12`, `.12` folded), then the COUNT slowest paths hop by hop.

Delay model: nextpnr-0.11.1's own before routing, speed grade 8 only; equal,
arc for arc, to the SDF it writes after `--no-route --sdf f.sdf`, and to its
"Max frequency" (checked on small designs).
 * Net from tile (x1, y1) to tile (x2, y2), dx = |x1-x2|, dy = |y1-y2|:
       62 ps * (6 + max(dx-5, 0) + max(dy-5, 0) + 2 * (min(dx, 5) + min(dy, 5)))
   (Arch::predictDelay; the ecp5/arch.cc revisions read say 76 ps * (3 + ...)
   for grade 8, the 0.11.1 build times the above), and 0 on direct wires:
   carry FCO->FCI, mux inputs FXA/FXB, a LUT into its own flip-flop (F->DI),
   and in one tile a flip-flop into its own half-slice's LUT or a LUT into a
   LUT (except from half-slices 1 and 6).
 * Cells (nextpnr's -8 database, maximum figures): LUT 0.18 ns, wide mux 0.13-
   0.31 ns; carry in 0.355 ns, 0.056 ns per 2 bits, out 0.29-0.33 ns; flip-flop
   clock-to-Q 0.395 ns, setup 0 (LSR 0.287); LUT RAM write setup 0 (WRE 0.266);
   DP16KD clock-to-out 0.718 ns with REGMODE OUTREG, 4.1-4.3 ns without, setup
   0.13-0.26 ns; MULT18X18D registered 0.578 ns out, 0.04 ns setup, else 3.07 ns.
Start/end points: flip-flops, block RAMs, registered multipliers, LUT RAM write
ports, pins; LUTs, carries, muxes, TRELLIS_RAMW, LUT RAM reads are in between.

Limits: an estimate before routing, like nextpnr's; routing moves single nets a
lot (short ones up, long ones down) and the worst path by some per cent. One
clock, rising edges, no skew; one path (the worst) per endpoint pin. Paths from
or to pins are left out and, if the top module holds a `dut` instance (the
timing harness of scripts/synth.sh), so are the harness's own: paths with
no `dut.` cell at either end or between.

`--within PREFIX` keeps only the paths that start and end at cells named
PREFIX...: `--within dut.scanner.` gives liqscan_top's scanner's own paths
(`synth.sh --top`), the worst of them its clock without the bus logic's.
"""
import json
import re
import sys
import time
from collections import defaultdict

PS_PER_TILE = 62  # speed grade 8
LUT_IN = ("A", "B", "C", "D")
SETUP = {"TRELLIS_FF": {"DI": 0, "M": 0, "CE": 0, "LSR": 287},
         "TRELLIS_COMB": {"WD": 0, "WAD0": 0, "WAD1": 0, "WAD2": 0, "WAD3": 0, "WRE": 266},
         "TRELLIS_IO": {"I": 0, "T": 0},
         "DP16KD": {"ADA": 202, "ADB": 174, "DIA": 179, "DIB": 179, "WEA": 129, "WEB": 129,
                    "CEA": 256, "CEB": 256, "OCEA": 196, "OCEB": 196},
         "MULT18X18D": {"A": 42, "B": 42, "CE": 210, "RST": 116, "SIGNEDA": 0, "SIGNEDB": 0}}
LOGIC_ARCS = {"F": [(p, 180) for p in LUT_IN],
              "OFX": [(p, 306) for p in LUT_IN] + [("M", 193), ("F1", 126), ("FXA", 179), ("FXB", 180)]}
# TRELLIS_COMB in CCU2 mode, by its half (bel K0 or K1) of the slice's 2-bit carry.
CARRY_ARCS = [{"F": [(p, 180) for p in LUT_IN] + [("FCI", 328)],
               "FCO": [(p, 355) for p in LUT_IN] + [("FCI", 56)]},
              {"F": [(p, 180) for p in LUT_IN] + [("FCI", 293)],
               "FCO": [(p, 355) for p in LUT_IN] + [("FCI", 0)]}]
RAMW_ARCS = {"WADO3": "A0", "WDO1": "A1", "WADO1": "B0", "WDO3": "B1",
             "WADO2": "C0", "WDO0": "C1", "WADO0": "D0", "WDO2": "D1"}
CLOCKS = {"CLK", "WCK", "CLKA", "CLKB", "CLK0", "CLK1", "CLK2", "CLK3"}
KEEP = ("MODE", "REGMODE_A", "REGMODE_B", "REG_INPUTA_CLK", "REG_INPUTB_CLK",
        "REG_PIPELINE_CLK", "REG_OUTPUT_CLK")
FOLD = re.compile(r"\[\d+\]|\$\d+|(?:(?<=[A-Z])|[_.])\d+(?=[_.$\[]|$)")


class Cell:
    __slots__ = ("name", "type", "x", "y", "half", "lc", "conn", "params")

    def __init__(self, name, raw):
        self.name, self.type = name, raw["type"]
        bel = raw.get("attributes", {}).get("NEXTPNR_BEL", "")
        site = re.match(r"X(\d+)/Y(\d+)/(?:SLICE([A-D])\.\D*(\d))?", bel)
        self.x, self.y = (int(site[1]), int(site[2])) if site else (0, 0)
        # Half-slice 0..7 (nextpnr's z >> lc_idx_shift) and which half (K0/FF0: 0).
        slice_ = site and site[3]
        self.half = int(site[4]) if slice_ else 0
        self.lc = 2 * "ABCD".index(slice_) + self.half if slice_ else -1
        dirs = raw.get("port_directions", {})
        self.conn = {p: (bits[0], dirs.get(p)) for p, bits in raw["connections"].items()
                     if len(bits) == 1 and isinstance(bits[0], int)}
        self.params = {k: v for k, v in raw.get("parameters", {}).items() if k in KEEP}

    def registered(self):  # a MULT18X18D with any register
        return any(v != "NONE" for k, v in self.params.items() if k.startswith("REG_"))

    def clock_to_out(self, port):
        """Clock-to-output delay (ps) if output `port` starts paths, else None."""
        if self.type == "TRELLIS_FF":
            return 395 if port == "Q" else None
        if self.type == "DP16KD":  # DOA7, DOB7
            side = port[2]
            return 718 if self.params.get("REGMODE_" + side) == "OUTREG" else {"A": 4099, "B": 4263}[side]
        if self.type == "MULT18X18D":
            if not self.registered():
                return None
            out_reg = any(self.params.get(k, "NONE") != "NONE" for k in ("REG_OUTPUT_CLK", "REG_PIPELINE_CLK"))
            return 578 if out_reg else 578 + 3066  # input registers only: a guess
        return None if self.type in ("TRELLIS_COMB", "TRELLIS_RAMW", "DCCA") else 0  # pins, others

    def arcs(self, port):
        """[(input port, ps)] through the cell to its output `port`."""
        if self.type == "TRELLIS_COMB":
            return (CARRY_ARCS[self.half] if self.params.get("MODE") == "CCU2" else LOGIC_ARCS).get(port, [])
        if self.type == "TRELLIS_RAMW":
            return [(RAMW_ARCS[port], 0)] if port in RAMW_ARCS else []
        if self.type == "MULT18X18D" and not self.registered() and port.startswith("P"):
            return [(p, 3066) for p in self.conn if re.fullmatch(r"[AB]\d+", p)]
        return []

    def setup(self, port):
        """Setup time (ps) if input `port` ends paths, else None."""
        table = SETUP.get(self.type)
        if port in CLOCKS or self.type in ("TRELLIS_RAMW", "DCCA"):
            return None
        if self.type == "DP16KD":
            return table.get(port.rstrip("0123456789"), 200)
        if self.type == "MULT18X18D":
            return table.get(port.rstrip("0123456789"), 0) if self.registered() else None
        return table.get(port) if table else 0


def net_delay(drv, dport, load, lport):
    """nextpnr's estimate for the net from drv.dport to load.lport, and its length in tiles."""
    dx, dy = abs(drv.x - load.x), abs(drv.y - load.y)
    if (dport == "FCO" and lport == "FCI") or lport in ("FXA", "FXB") or (dport == "F" and lport == "DI"):
        return 0, dx + dy
    if dx == dy == 0 and lport in LUT_IN:
        if dport == "Q" and drv.lc == load.lc or dport == "F" and drv.lc not in (1, 6):
            return 0, 0
    return PS_PER_TILE * (6 + max(dx - 5, 0) + max(dy - 5, 0) + 2 * (min(dx, 5) + min(dy, 5))), dx + dy


def analyse(cells):
    """Latest arrival at output pins, {(cell, port): (ps, input port taken, cell ps)},
    and every endpoint, [(ps, cell, port, setup ps)], slowest first."""
    driver = {bit: (c, p) for c in cells.values() if c.type != "DCCA"  # skip the global clock
              for p, (bit, d) in c.conn.items() if d == "output"}
    arrival, loops = {}, 0

    def visit(pin):  # depth first without recursion; an edge back into the stack is a loop, cut
        nonlocal loops
        stack, opened = [pin], set()
        while stack:
            key = stack[-1]
            if key in arrival:
                stack.pop()
                continue
            c, p = key
            start = c.clock_to_out(p)
            if start is not None:
                arrival[key] = (start, None, start)
                stack.pop()
                continue
            ins = [(i, d, driver[c.conn[i][0]]) for i, d in c.arcs(p) if i in c.conn and c.conn[i][0] in driver]
            todo = [src for _, _, src in ins if src not in arrival and src not in opened]
            if todo and key not in opened:
                opened.add(key)
                stack.extend(todo)
                continue
            best = (None, None, 0)
            for i, d, src in ins:
                if src not in arrival:
                    loops += 1
                elif arrival[src][0] is not None:
                    t = arrival[src][0] + net_delay(*src, c, i)[0] + d
                    if best[0] is None or t > best[0]:
                        best = (t, i, d)
            arrival[key] = best  # (None, ...): constant, no timed input
            opened.discard(key)
            stack.pop()

    ends = []
    for c in cells.values():
        for p, (bit, d) in c.conn.items():
            setup = c.setup(p) if d == "input" and bit in driver else None
            if setup is not None:
                src = driver[bit]
                visit(src)
                if arrival[src][0] is not None:
                    ends.append((arrival[src][0] + net_delay(*src, c, p)[0] + setup, c, p, setup))
    ends.sort(key=lambda e: -e[0])
    return driver, arrival, ends, loops


def trace(driver, arrival, cell, port, setup):
    """The worst path into (cell, port), start first: [(cell, in, out, net ps, tiles, cell ps)]."""
    steps, c, p, out, d = [], cell, port, None, setup
    while True:
        dc, dp = driver[c.conn[p][0]]
        steps.append((c, p, out, *net_delay(dc, dp, c, p), d))
        _, via, d = arrival[(dc, dp)]
        if via is None:
            steps.append((dc, None, dp, 0, 0, d))
            return steps[::-1]
        c, p, out = dc, via, dp


def short(name, width=70):
    return name if len(name) <= width else name[: width // 2 - 1] + "…" + name[-(width // 2):]


def print_path(total, steps):
    print(f"{total / 1000:6.3f} ns  from {short(steps[0][0].name)}")
    carry = None  # consecutive carry hops FCI>FCO, printed as one line
    for c, inp, out, nd, tiles, d in steps:
        if inp == "FCI" and out == "FCO" and nd == 0:
            carry = (carry[0] + 1, carry[1] + d) if carry else (1, d)
            continue
        if carry:
            print(f"    +{carry[1] / 1000:.3f}             carry chain through {carry[0]} cells")
            carry = None
        if inp is None:
            what, dist, note = f"{c.type}.{out}", "", "  (clock to out)"
        else:
            what, dist = f"{c.type}.{inp}" + (f">{out}" if out else ""), f"{tiles:3} tile" + "s" * (tiles != 1)
            note = f"  (setup {d / 1000:.3f})" if out is None else ""
        print(f"    +{(nd + d) / 1000:.3f}  {dist:9}  {what:<22} {short(c.name)}{note}")


def main():
    args = sys.argv[1:]
    within = None
    if "--within" in args:
        at = args.index("--within")
        if at + 1 >= len(args):
            sys.exit("placed_paths: --within needs a cell name prefix")
        within = args[at + 1]
        del args[at:at + 2]
    if not args:
        sys.exit(__doc__)
    path = args[0]
    count = int(args[1]) if len(args) > 1 else 15
    began = time.time()
    with open(path) as f:
        design = json.load(f)
    top = next((m for m in design["modules"].values() if m.get("attributes", {}).get("top")),
               next(iter(design["modules"].values())))
    cells = {name: Cell(name, raw) for name, raw in top["cells"].items()}
    del design, top
    loaded = time.time()
    driver, arrival, ends, loops = analyse(cells)
    harness = any(name.startswith("dut.") for name in cells)
    paths, worst = [], 0
    for total, c, p, setup in ends:
        steps = trace(driver, arrival, c, p, setup)
        start, end = steps[0][0], steps[-1][0]
        if "TRELLIS_IO" in (start.type, end.type):
            continue
        worst = worst or total  # the slowest: nextpnr's critical path
        if within is not None:
            if start.name.startswith(within) and end.name.startswith(within):
                paths.append((total, steps))
                if len(paths) == max(300, count):
                    break
        elif not harness or any(cell.name.startswith("dut.") for cell, *_ in steps):
            paths.append((total, steps))
            if len(paths) == max(300, count):
                break
    clock = f"{worst / 1000:.3f} ns = {1e6 / worst:.2f} MHz (nextpnr's 'Max frequency')" if worst else "none"
    print(f"{path}: {len(cells)} cells, {len(ends)} endpoints; worst register-to-register path {clock}"
          + (f"; {loops} combinational loop edges cut" if loops else ""))
    if within is not None:
        inner = f"{paths[0][0] / 1000:.3f} ns = {1e6 / paths[0][0]:.2f} MHz" if paths else "none"
        print(f"worst path with both ends in {within}*: {inner}")
    families = defaultdict(lambda: [0, 0])
    for total, steps in paths:
        end, port = steps[-1][0], steps[-1][1]
        family = families[(FOLD.sub("", end.name), f"{end.type}.{port.rstrip('0123456789')}")]
        family[0] += 1
        family[1] = max(family[1], total)
    among = f" with both ends in {within}*" if within is not None else " in the DUT" if harness else ""
    print(f"\nendpoint families among the slowest {len(paths)} paths{among}"
          " (paths, worst ns, endpoint)")
    for (name, kind), (n, slowest) in sorted(families.items(), key=lambda kv: -kv[1][1]):
        print(f"  {n:4}  {slowest / 1000:6.3f}  {kind:<18} {short(name, 90)}")
    print(f"\nthe {min(count, len(paths))} slowest paths (ns; each hop: + net and cell delay, net length)")
    for total, steps in paths[:count]:
        print_path(total, steps)
    sys.stdout.flush()
    print(f"(read {loaded - began:.1f} s, analysed {time.time() - loaded:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
