#!/usr/bin/env python3
"""Pins each lane's multipliers and position banks next to each other on the
LFE5UM-85F, in the synthesized netlist, before nextpnr places the rest.

    python3 scripts/floorplan.py scanner.json [--lanes N] [--no-brackets] [--no-relays]
                                                        (rewrites it in place)

Left alone, nextpnr's placer spreads a lane's 16 MULT18X18D over a whole
row of DSP sites (60-110 tiles) and its position-bank DP16KD over the chip,
and the lane's adders, delay lines and enable copies stretch with them:
every one of the slowest families of the 8-lane build is a hop across a
lane. Here each lane gets whole DSP blocks in one DSP row (a lane split over
two rows puts its X·W adder between them); the lanes fill the rows evenly,
centred, lane k + 1 beside lane k (odd rows run right to left), except that
when all three rows are needed the middle row takes fewer lanes and puts
them at its two ends: the chip's centre holds the control, the region
table, the bracket banks and the relays of every lane, which would squeeze a
lane placed there apart. The region
table's few blocks, which the control reads on every tick, take the block
RAM sites nearest the chip's centre. Then the lanes take turns at the free
block RAM block nearest their DSP blocks for their bank blocks (valid,
quantity, offset), one group of four blocks that shares its port registers
at a time, so each lane's banks lie in the block RAM rows beside its DSP
blocks and no group's registers reach across rows. The shared bracket banks, which feed every lane, take the free
block RAM blocks nearest the chip's centre, one block for each group of four
that shares its port registers (`--no-brackets` leaves them to nextpnr).
Each lane's relays, the first of two registers on every way from the
control or the shared bracket rows to the lane (RTL fields `relay_*`), are
pinned midway along their own way: between the block RAM their data comes
from (a bracket bank's, through the shared row register) or the chip's
centre (the control's) and the lane's DSP blocks, and each bracket bank's
copies of the read address and of the host's bracket writes
(`bank_relay_*`) where the farthest of the centre and the bank's blocks
is nearest (a bank's groups of blocks may lie at both ends of the chip) (`--no-relays` leaves them to nextpnr, which puts a relay
beside its loads: that keeps the nets short but the whole way one hop). Everything else (control, all the logic) is placed
by nextpnr around them.

Before pinning anything it checks that every multiplier and block RAM of the
netlist belongs to a lane, a bracket bank, the region table or liqscan_top's
command ring, and that every lane has its multipliers, banks and relays: a
renamed block stops the build with the names it expected instead of leaving
cells unpinned.

The sites are nextpnr's BEL names, written as each cell's `BEL` attribute
(nextpnr: "Placed N cells based on constraints"). A relay's flip-flops are
found by their `src` attribute, a line of the Verilog, inside the relay's
own module (`top$lanes$3$relay_wr_qty`, `top$lanes$3$lane_price$relay`,
`top$lanes$3$lane$brackets$relay_cap$0`, `top$lanes$3$enables$relay_en`).

The same script floorplans `liqscan_top` (`synth.sh --top`): there the
scanner is the top's instance `scanner`, so its cells carry the prefix
`dut.scanner.` and its modules `top$scanner$`, both matched here; the
command ring's block RAM (`commands.entries`) takes the free sites nearest
the chip's centre after the bracket banks; the registers that deliver
the host's writes to the relays are the command ring's (and `CONTROL`'s)
rather than the harness's, pinned at the centre all the same, and so are
the scanner's control registers that feed relays and the top's registers
that present the tick to the control (`sequencer.scan_relay_*`): the bus
logic feeds them, and would pull them off the centre. The result stream's
relays of each lane's captured results (`stream.relay_*`) are pinned midway
between the lane and the centre, as the lane's own relays are.

Around the bare scanner the timing harness takes each lane's results as
liqscan_top's stream does: captured wherever nextpnr puts them, then relayed
(scripts/harness.py's `result_lane<k>_relay`, found by that register's net
name), and those relays are pinned as the stream's are, midway between the
lane and the centre; the harness's XOR trees to the pins stay free. (The
capture flip-flops themselves cannot be pinned: each is fed by its result
port's select LUT, and nextpnr moves a flip-flop with the LUT that feeds it,
ignoring the site given.) A harness relay must be a flip-flop fed by its
capture flip-flop, or the build stops.

The LFE5UM-85F has three
DSP rows (Y10, Y34, Y58) and four block RAM rows (Y22, Y46, Y70, Y82) of
13 nine-tile blocks each: 4 MULT18X18D per DSP block (MULT18_0, _1, _4, _5
at x, x+1, x+4, x+5) and 4 DP16KD per block RAM block (EBR0-3 at x, x+2,
x+4, x+6).
"""
import argparse
import json
import os
import re
import sys
from collections import defaultdict

BLOCK_X = (4, 13, 22, 31, 40, 49, 58, 69, 78, 87, 96, 105, 114)
DSP_SITES = ((0, "MULT18_0"), (1, "MULT18_1"), (4, "MULT18_4"), (5, "MULT18_5"))
EBR_SITES = ((0, "EBR0"), (2, "EBR1"), (4, "EBR2"), (6, "EBR3"))
DSP_ROWS = (10, 34, 58)
EBR_ROWS = (22, 46, 70, 82)
CENTRE = (63, 47)

LANE_DSP = re.compile(r"\.lanes\$(\d+)\.lane\.(mul_\w+)\.pp\$(\d+)\.dsp$")
# Groups: 1 the bank (read ahead of the lane), 2 the lane, 3 the tile.
LANE_BANK = re.compile(r"\.lanes\$(?=\d+\.(qty|offset|valid)_mem\.)(\d+)\.\w+?_mem\.tile\[(\d+)\]\.ram$")
BANK_ORDER = {"valid": 0, "qty": 1, "offset": 2}
BRACKET_BANK = re.compile(r"\.bracket_mem\$(\d+)\.tile\[(\d+)\]\.ram$")
# The scanner's modules: `top$...` for the bare scanner, `top$scanner$...`
# inside liqscan_top.
SCANNER_MODULE = r"^top\$(?:scanner\$)?"
BANK_RELAY = re.compile(SCANNER_MODULE + r"symbols\$bank_relay_\w+\$(\d+)$")
REGION_TABLE = re.compile(r"\.region_(?:base|count)_mem\.tile\[\d+\]\.ram$")
# liqscan_top's command ring (hw/src/top/commands.rs), beside the scanner.
COMMAND_RING = re.compile(r"^dut\.commands\.entries\.tile\[\d+\]\.ram$")
# Block RAMs per group of a memory's shared port registers (hw/src/memory.rs GROUP_TILES).
GROUP_TILES = 4
# Keys of the bracket banks' relays among the lanes' (lanes are 0..15).
BANK_KEY = 100
RELAY_MODULE = re.compile(
    SCANNER_MODULE
    + r"lanes\$(\d+)\$(?:(?:lane\$brackets|enables)\$relay_\w+?(?:\$\d+)?|relay_\w+|lane_\w+\$relay)$"
)
# A module of liqscan_top outside its scanner (the bus logic).
TOP_BLOCK = re.compile(r"^top\$(?!scanner\$|scanner$)")
# liqscan_top's result stream: each lane's relays of its captured results
# (hw/src/top/stream.rs), pinned midway between the lane and the centre.
STREAM_RELAY = re.compile(r"^top\$stream\$relay_\w+?\$(\d+)$")
# liqscan_top's registers that present the tick to the scanner, relays of
# the sequencer's (hw/src/top/sequencer.rs), and the scanner's control
# inside liqscan_top: both pinned at the centre.
TICK_RELAY = re.compile(r"^top\$sequencer\$scan_relay_\w+$")
TOP_CONTROL = re.compile(r"^top\$scanner\$control\$")
# The timing harness's relays of each lane's captured results
# (scripts/harness.py), by their register's net name.
HARNESS_RELAY = re.compile(r"^result_lane(\d+)_relay$")
# Logic tiles: X2-X123 by Y2-Y82 (and beyond), but for the block RAM and DSP rows.
LOGIC_X = range(2, 124)
LOGIC_Y = [y for y in range(2, 83) if y not in DSP_ROWS + EBR_ROWS]


def lane_cells(cells):
    """Each lane's DSP cells (mul_x before mul_xw, partial products in order)
    and position-bank cells (valid, quantity, then offset tiles)."""
    dsps, banks = defaultdict(list), defaultdict(list)
    for name, cell in cells.items():
        if cell["type"] == "MULT18X18D" and (m := LANE_DSP.search(name)):
            dsps[int(m[1])].append(((m[2], int(m[3])), name))
        elif cell["type"] == "DP16KD" and (m := LANE_BANK.search(name)):
            banks[int(m[2])].append(((BANK_ORDER[m[1]], int(m[3])), name))
    order = lambda cells: [name for _, name in sorted(cells)]
    return {k: order(v) for k, v in dsps.items()}, {k: order(v) for k, v in banks.items()}


def site_xy(site):
    x, y = site.split("/")[:2]
    return int(x[1:]), int(y[1:])


def distance(a, b):
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def row_counts(lanes):
    """Lanes per DSP row, the rows filled in order. When all three rows are
    needed, the middle one takes what the outer two leave: the chip's centre
    holds the control, the region table, the bracket banks and every lane's
    relays, and the lane there was the most squeezed."""
    per_row = -(-lanes // len(DSP_ROWS))
    if lanes > 2 * per_row:
        return [per_row, lanes - 2 * per_row, per_row]
    return [min(per_row, lanes), max(lanes - per_row, 0), 0]


def place_dsps(lanes, dsps):
    """BEL per DSP cell, and each lane's centre. A row's lanes are centred in
    it, but with all three rows in use the middle row's go to its two ends,
    leaving the chip's centre free."""
    blocks = {lane: -(-len(dsps[lane]) // len(DSP_SITES)) for lane in range(lanes)}
    bels, centres = {}, {}
    first = 0
    counts = row_counts(lanes)
    for row, (y, count) in enumerate(zip(DSP_ROWS, counts)):
        row_lanes = list(range(first, first + count))
        first += count
        width = sum(blocks[lane] for lane in row_lanes)
        if width > len(BLOCK_X):
            sys.exit(f"floorplan: lanes {row_lanes} need {width} DSP blocks, a row has {len(BLOCK_X)}")
        ordered = row_lanes if row % 2 == 0 else row_lanes[::-1]
        if row == 1 and count > 1 and counts[2]:
            # Left half from the left end, right half up to the right end.
            starts, block = [], 0
            for i, lane in enumerate(ordered):
                if i == count // 2:
                    block = len(BLOCK_X) - sum(blocks[l] for l in ordered[i:])
                starts.append(block)
                block += blocks[lane]
        else:
            block = (len(BLOCK_X) - width) // 2
            starts = []
            for lane in ordered:
                starts.append(block)
                block += blocks[lane]
        for lane, start in zip(ordered, starts):
            mine = BLOCK_X[start:start + blocks[lane]]
            bels.update(zip(dsps[lane], (f"X{x + dx}/Y{y}/{bel}" for x in mine for dx, bel in DSP_SITES)))
            centres[lane] = ((mine[0] + mine[-1] + 5) // 2, y)
    return bels, centres


def place_region_tables(cells, free):
    """The region table's blocks (a few, read by the control on every tick)
    on the free sites nearest the chip's centre, before the lanes choose:
    left over, they ended up at the chip's edge, a long hop each way."""
    bels = {}
    for name in sorted(n for n, c in cells.items() if c["type"] == "DP16KD" and REGION_TABLE.search(n)):
        site = min(free, key=lambda s: (distance(site_xy(s), CENTRE), s))
        free.remove(site)
        bels[name] = site
    return bels


def free_blocks(free):
    """The free block RAM sites by block (its first column and row)."""
    blocks = defaultdict(list)
    for site in free:
        x, y = site_xy(site)
        blocks[(max(b for b in BLOCK_X if b <= x), y)].append(site)
    return blocks


def place_group(tiles, target, free):
    """A group of blocks that shares its port registers on the free block RAM
    block nearest `target` with room for all of it, else tile by tile on the
    nearest free sites."""
    blocks = free_blocks(free)
    fits = [b for b, sites in blocks.items() if len(sites) >= len(tiles)]
    if fits:
        block = min(fits, key=lambda b: (distance((b[0] + 3, b[1]), target), b))
        sites = sorted(blocks[block])
    else:
        sites = sorted(free, key=lambda s: (distance(site_xy(s), target), s))
    placed = dict(zip(tiles, sites))
    free.difference_update(placed.values())
    return placed


def place_banks(banks, centres, free):
    """The lanes take turns at the free block RAM block nearest their centre,
    one group of blocks sharing its port registers at a time."""
    bels = {}
    queues = {}
    for lane, tiles in sorted(banks.items()):
        groups = defaultdict(list)
        for name in tiles:
            m = LANE_BANK.search(name)
            groups[(BANK_ORDER[m[1]], int(m[3]) // GROUP_TILES)].append(name)
        queues[lane] = [groups[key] for key in sorted(groups)]
    while any(queues.values()):
        for lane, queue in queues.items():
            if queue:
                bels.update(place_group(queue.pop(0), centres[lane], free))
    return bels


def place_bracket_banks(cells, free):
    """Each group of four bracket-bank blocks (they share their address,
    enable and write registers) on one DP16KD block's free sites, the
    blocks nearest the chip's centre first."""
    groups = defaultdict(list)
    for name, cell in cells.items():
        if cell["type"] == "DP16KD" and (m := BRACKET_BANK.search(name)):
            groups[(int(m[1]), int(m[2]) // GROUP_TILES)].append((int(m[2]), name))
    bels = {}
    for key in sorted(groups):
        bels.update(place_group([name for _, name in sorted(groups[key])], CENTRE, free))
    return bels


def place_command_ring(cells, free):
    """liqscan_top's command ring, whose registered outputs feed the
    relays of every lane, on the free block RAM nearest the chip's centre
    (its blocks share their port registers)."""
    tiles = sorted(n for n, c in cells.items() if c["type"] == "DP16KD" and COMMAND_RING.search(n))
    return place_group(tiles, CENTRE, free) if tiles else {}


def module_lines(verilog):
    """(first line, module name) of every module of the Verilog, in order."""
    starts = []
    with open(verilog) as f:
        for number, line in enumerate(f, 1):
            if line.startswith("module "):
                starts.append((number, line[7:].split("(")[0].strip()))
    return starts


class Sources:
    """The design module a cell comes from, by its `src` attribute: the
    first source that is the design's Verilog (beside the netlist), not a
    techmap library's; the module whose text holds that line."""

    def __init__(self):
        self.modules = {}

    def module(self, cell):
        sources = (part.rsplit(":", 1) for part in cell["attributes"].get("src", "").split("|") if ":" in part)
        source = next(((v, line) for v, line in sources if not os.path.isabs(v) and os.path.exists(v)), None)
        if source is None:
            return None
        verilog, line = source
        if verilog not in self.modules:
            self.modules[verilog] = module_lines(verilog)
        number = int(line.split(".")[0])
        return next((m for first, m in reversed(self.modules[verilog]) if first <= number), "")

    def wraps_scanner(self):
        """The Verilog read so far is liqscan_top's: its scanner is an instance."""
        return any(m.startswith("top$scanner$") for starts in self.modules.values() for _, m in starts)


def relay_cells(cells, sources):
    """The relay flip-flops of each lane (keyed by its number; in
    liqscan_top its result stream's relays for the lane too) and of each
    bracket bank (`BANK_KEY` + its number), grouped by their control set
    (clock enable and reset nets and modes), which the two flip-flops of a
    slice share. A flip-flop fed by a LUT is left out: nextpnr places the two as
    one and rejects a site for the flip-flop alone."""
    relays = defaultdict(lambda: defaultdict(list))
    from_luts = lut_outputs(cells)
    for name, cell in cells.items():
        if cell["type"] != "TRELLIS_FF" or cell["connections"]["DI"][0] in from_luts:
            continue
        module = sources.module(cell)
        if module is None:
            continue
        if m := RELAY_MODULE.match(module):
            owner = int(next(g for g in m.groups() if g is not None))
        elif m := STREAM_RELAY.match(module):
            owner = int(m[1])
        elif m := BANK_RELAY.match(module):
            owner = BANK_KEY + int(m[1])
        else:
            continue
        relays[owner][control_set(cell)].append(name)
    return relays


def harness_relays(module, lanes):
    """The timing harness's result relay flip-flops of each lane (by lane,
    grouped by control set as `relay_cells` groups), found by the net name
    of their register (`HARNESS_RELAY`). Stops the build if a bit of such a
    register is not a flip-flop fed by another (a LUT would carry it along,
    and the pin would be ignored) or names a lane the netlist lacks."""
    cells = module["cells"]
    ff_of = {c["connections"]["Q"][0]: n for n, c in cells.items() if c["type"] == "TRELLIS_FF"}
    ff_outputs = set(ff_of)
    relays, problems = defaultdict(lambda: defaultdict(list)), []
    for net, info in sorted(module["netnames"].items()):
        if not (m := HARNESS_RELAY.match(net)):
            continue
        lane = int(m[1])
        if lane >= lanes:
            problems.append(f"{net}: the netlist has lanes 0..{lanes - 1}")
            continue
        for bit in info["bits"]:
            name = ff_of.get(bit)
            if name is None:
                problems.append(f"{net}: bit {bit} is not a flip-flop's output")
            elif cells[name]["connections"]["DI"][0] not in ff_outputs:
                problems.append(f"{net}: {name} is not fed by a flip-flop")
            else:
                relays[lane][control_set(cells[name])].append(name)
    if problems:
        sys.exit("floorplan: the harness's result relays:\n  " + "\n  ".join(problems[:10]))
    return relays


def control_set(cell):
    """A flip-flop's clock enable and reset nets and modes, which the two
    flip-flops of a slice share."""
    return tuple(str(cell["connections"].get(port)) for port in ("CE", "LSR")) + tuple(
        cell["parameters"].get(p) for p in ("CEMUX", "LSRMUX", "SRMODE", "CLKMUX")
    )


def lut_outputs(cells):
    """The nets driven by a LUT."""
    return {bit for cell in cells.values() if cell["type"] == "LUT4" for bit in cell["connections"]["Z"]}


def source_sites(cells, bels, relays):
    """Where each relay's data comes from: the first pinned cell found
    upstream through at most three flip-flops (a bracket bank block, through
    the shared row register), else the chip's centre (the control)."""
    driver = {}
    for name, cell in cells.items():
        for port, direction in cell["port_directions"].items():
            if direction == "output":
                for bit in cell["connections"][port]:
                    driver[bit] = name
    sites = {}
    for groups in relays.values():
        for group in groups.values():
            for name in group:
                site, cell = CENTRE, cells[name]
                for _ in range(3):
                    up = driver.get(cell["connections"].get("DI", [None])[0])
                    if up is None:
                        break
                    if up in bels:
                        site = site_xy(bels[up])
                        break
                    cell = cells[up]
                    if cell["type"] != "TRELLIS_FF":
                        break
                sites[name] = site
    return sites


def host_input_stages(cells, relays, sources):
    """The flip-flops outside the scanner that feed a relay straight: the
    host's position and table writes, from the timing harness's input
    stages (scripts/harness.py) around the bare scanner, or from
    liqscan_top's command ring and register file around its scanner. A
    board's host interface sits where the relays' midway placement assumes
    their data comes from, the chip's centre; left to nextpnr, one stage
    feeding every lane's relay can land at the chip's edge, a long hop from
    the far lanes. Inside liqscan_top the same holds for the scanner's
    control, whose registers feed relays too but take the tick from the bus
    logic, which pulls them off the centre; and for the top's registers
    that present the tick to the control (`TICK_RELAY`), which feed no
    relay. Grouped by control set, as the relays are (the top's stages have
    several: the command ring's and `CONTROL`'s write enables); a stage fed
    by anything but a flip-flop or a pin is left out (a LUT would come
    along, as for a relay, and a result port's multiplexer or a block RAM's
    output belongs beside its source, not at the centre)."""
    def outside_scanner(cell):
        # A harness stage is named after the net it drives, so told by its source line.
        if cell["attributes"].get("src", "").startswith("harness.v:"):
            return True
        module = sources.module(cell)
        if module is None or not sources.wraps_scanner():
            return False
        return TOP_BLOCK.match(module) is not None or TOP_CONTROL.match(module) is not None

    driver, ff_driver = {}, {}
    for name, cell in cells.items():
        for port, direction in cell["port_directions"].items():
            if direction == "output":
                for bit in cell["connections"][port]:
                    driver[bit] = name
        if cell["type"] == "TRELLIS_FF":
            ff_driver[cell["connections"]["Q"][0]] = name

    def from_register(cell):
        # Fed by a flip-flop or a pin: logic (a LUT, a wide multiplexer, a
        # carry) or a block RAM output would come along, or belongs elsewhere.
        up = driver.get(cell["connections"]["DI"][0])
        return up is None or cells[up]["type"] in ("TRELLIS_FF", "TRELLIS_IO")

    relay_ffs = {n for groups in relays.values() for group in groups.values() for n in group}
    stages = set()
    for name in relay_ffs:
        up = ff_driver.get(cells[name]["connections"].get("DI", [None])[0])
        if up is not None and up not in relay_ffs and from_register(cells[up]) and outside_scanner(cells[up]):
            stages.add(up)
    for name, cell in cells.items():
        if cell["type"] == "TRELLIS_FF" and from_register(cell):
            module = sources.module(cell)
            if module is not None and TICK_RELAY.match(module):
                stages.add(name)
    groups = defaultdict(list)
    for name in sorted(stages):
        groups[control_set(cells[name])].append(name)
    return [groups[key] for key in sorted(groups, key=str)]


def nearest_to_all(points):
    """The tile whose farthest point of `points` is nearest (in tiles, as
    `distance` counts them): the middle of their span along both diagonals,
    where the Manhattan distance is the larger of the two spans."""
    us = [x + y for x, y in points]
    vs = [x - y for x, y in points]
    u = (min(us) + max(us)) // 2
    v = (min(vs) + max(vs)) // 2
    return ((u + v) // 2, (u - v) // 2)


def place_relays(relays, centres, sources, inputs=(), spans=None):
    """Each relay flip-flop in a free logic tile near the point midway
    between where its data comes from and its lane, at most two slices a
    tile, so the logic nextpnr places around them keeps room. An owner in
    `spans` (a bracket bank, by its blocks' sites) feeds registers at each
    of those sites, which may lie far apart: its relays go nearest to all
    of them and their source at once (`nearest_to_all`) instead. A slice's
    two flip-flops share their control set, so pairs are taken within a
    group. The host input stages (`host_input_stages`, in groups of one
    control set) go first, on the tiles nearest the chip's centre."""
    spans = spans or {}
    free = {(x, y): ["A", "B"] for x in LOGIC_X for y in LOGIC_Y}
    bels = {}

    def nearest(target):
        for radius in range(0, 250):
            ring = sorted(
                {(target[0] + dx, target[1] + sy * (radius - abs(dx))) for dx in range(-radius, radius + 1) for sy in (-1, 1)}
            )
            for tile in ring:
                if free.get(tile):
                    return tile
        sys.exit("floorplan: no free logic tile for a relay")

    for group in inputs:
        for pair in range(0, len(group), 2):
            tile = nearest(CENTRE)
            site = f"X{tile[0]}/Y{tile[1]}/SLICE{free[tile].pop(0)}"
            for i, name in enumerate(group[pair:pair + 2]):
                bels[name] = f"{site}.FF{i}"
    for lane in sorted(relays):
        cx, cy = centres[lane]
        for group in relays[lane].values():
            if lane in spans:
                targets = sorted((nearest_to_all([sources[n]] + spans[lane]), n) for n in group)
            else:
                targets = sorted(
                    (((sources[n][0] + cx) // 2, (sources[n][1] + cy) // 2), n) for n in group
                )
            for pair in range(0, len(targets), 2):
                tile = nearest(targets[pair][0])
                site = f"X{tile[0]}/Y{tile[1]}/SLICE{free[tile].pop(0)}"
                for i, (_, name) in enumerate(targets[pair:pair + 2]):
                    bels[name] = f"{site}.FF{i}"
    return bels


def check_complete(cells, lanes, dsps, banks, relays, want_relays):
    """Fails unless every multiplier and block RAM of the netlist was found
    as a lane's, a bracket bank's, the region table's or the command ring's,
    every lane has its multipliers, its three banks and its relays, and every
    bracket bank its address relay: a renamed block must stop the build, not
    silently leave its cells unpinned (and the clock with them)."""
    problems = []
    def unclaimed(kind, claimed):
        names = sorted(n for n, c in cells.items() if c["type"] == kind and not claimed(n))
        if names:
            problems.append(f"{len(names)} {kind} of no lane, bank or table, e.g. {names[0]}")
    unclaimed("MULT18X18D", lambda n: LANE_DSP.search(n))
    unclaimed(
        "DP16KD",
        lambda n: LANE_BANK.search(n) or BRACKET_BANK.search(n) or REGION_TABLE.search(n) or COMMAND_RING.search(n),
    )
    if sorted(dsps) != list(range(lanes)):
        problems.append(f"multipliers found for lanes {sorted(dsps)}, expected 0..{lanes - 1}")
    per_lane = {len(v) for v in dsps.values()}
    if len(per_lane) > 1:
        problems.append(f"lanes differ in multiplier count: {sorted(per_lane)}")
    for lane in range(lanes):
        kinds = {LANE_BANK.search(n)[1] for n in banks.get(lane, [])}
        if kinds != set(BANK_ORDER):
            problems.append(f"lane {lane} has banks {sorted(kinds)}, expected {sorted(BANK_ORDER)}")
    if not any(REGION_TABLE.search(n) for n in cells):
        problems.append("no region table block")
    bracket_banks = {int(m[1]) for n in cells if (m := BRACKET_BANK.search(n))}
    if not bracket_banks:
        problems.append("no bracket bank block")
    if want_relays:
        for owner in list(range(lanes)) + [BANK_KEY + b for b in sorted(bracket_banks)]:
            if not relays.get(owner):
                what = f"lane {owner}" if owner < BANK_KEY else f"bracket bank {owner - BANK_KEY}"
                problems.append(f"no relay flip-flops found for {what}")
        counts = {sum(map(len, relays[l].values())) for l in range(lanes) if relays.get(l)}
        if len(counts) > 1:
            problems.append(f"lanes differ in relay flip-flop count: {sorted(counts)}")
    if problems:
        sys.exit("floorplan: the netlist does not match the scanner's block names:\n  " + "\n  ".join(problems))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("netlist", help="yosys JSON netlist, rewritten in place")
    parser.add_argument("--lanes", type=int, help="lanes the netlist must have (default: as found)")
    parser.add_argument("--no-brackets", action="store_true", help="leave the bracket banks to nextpnr")
    parser.add_argument("--no-relays", action="store_true", help="leave the relays to nextpnr")
    args = parser.parse_args()
    with open(args.netlist) as f:
        netlist = json.load(f)
    top = max(netlist["modules"].values(), key=lambda m: len(m["cells"]))
    cells = top["cells"]
    dsps, banks = lane_cells(cells)
    if not dsps:
        sys.exit("floorplan: no lane multipliers (LANE_DSP) in the netlist")
    lanes = args.lanes if args.lanes is not None else max(dsps) + 1
    sources = Sources()
    all_relays = relay_cells(cells, sources) if not args.no_relays else {}
    check_complete(cells, lanes, dsps, banks, all_relays, not args.no_relays)
    bels, centres = place_dsps(lanes, dsps)
    free = {f"X{x + dx}/Y{y}/{bel}" for y in EBR_ROWS for x in BLOCK_X for dx, bel in EBR_SITES}
    if sum(map(len, banks.values())) > len(free):
        sys.exit("floorplan: more bank blocks than block RAM sites")
    bels.update(place_region_tables(cells, free))
    bels.update(place_banks(banks, centres, free))
    if not args.no_brackets:
        bels.update(place_bracket_banks(cells, free))
    bels.update(place_command_ring(cells, free))
    # The relays run to a lane's DSP blocks, or to a bracket bank's blocks
    # (all of its pinned sites; left to nextpnr, its relay is too).
    bank_sites = defaultdict(list)
    for name, site in bels.items():
        if m := BRACKET_BANK.search(name):
            bank_sites[BANK_KEY + int(m[1])].append(site_xy(site))
    targets = centres | {k: tuple(sum(c) // len(v) for c in zip(*v)) for k, v in bank_sites.items()}
    relays = {owner: groups for owner, groups in all_relays.items() if owner in targets}
    # The host input stages are found from the design's relays: a harness
    # relay's capture flip-flop is not one, though it lies outside the scanner.
    input_groups = host_input_stages(cells, relays, sources)
    inputs = [name for group in input_groups for name in group]
    results = harness_relays(top, lanes) if not args.no_relays else {}
    for lane, groups in results.items():
        relays.setdefault(lane, {})
        for key, names in groups.items():
            relays[lane][key] = relays[lane].get(key, []) + names
    results_ffs = sum(len(names) for groups in results.values() for names in groups.values())
    bels.update(
        place_relays(relays, targets, source_sites(cells, bels, relays), input_groups, bank_sites)
    )
    for name, bel in bels.items():
        cells[name]["attributes"]["BEL"] = bel
    with open(args.netlist, "w") as f:
        json.dump(netlist, f)
    pinned = {kind: sum(cells[name]["type"] == kind for name in bels) for kind in ("MULT18X18D", "DP16KD", "TRELLIS_FF")}
    ring = sum(1 for name in bels if COMMAND_RING.search(name))
    print(
        f"floorplan: {lanes} lanes; pinned {pinned['MULT18X18D']} MULT18X18D, {pinned['DP16KD']} DP16KD"
        f" and {pinned['TRELLIS_FF'] - len(inputs) - results_ffs} relay flip-flops;"
        f" {len(inputs)} host input stages at the centre"
        + (f"; {results_ffs} harness result relays" if results_ffs else "")
        + (f"; {ring} command ring blocks" if ring else "")
    )


if __name__ == "__main__":
    main()
