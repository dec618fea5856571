#!/usr/bin/env python3
"""Writes the timing harness that scripts/synth.sh places the scanner in.

    python3 scripts/harness.py ports.json harness.v [--per-field]
                                                (prints the harness's flip-flop count)

`ports.json` is the top module's port list as `liqscan verilog --ports-json`
writes it (parsed from the generated Verilog by `liqscan_hw::verilog`):
`[{"name", "direction": "input"|"output", "width", "signed", "lane": N|null}]`.

The scanner's top module has far more ports than the package has pins (a board
wraps it in a host interface), so it is placed inside this harness: every input
comes from a flip-flop of one shift chain fed by one pin, and the outputs are
taken per lane and for the control's outputs as a group of their own, as
liqscan_top's result stream takes them (hw/src/top/stream.rs): every output bit
is captured in a flip-flop of its own, which goes wherever its source is (the
stream's `cap_*`, beside the lane), a lane's captured bits are relayed through
a second register (`result_lane<k>_relay`, the stream's `relay_*`), which
scripts/floorplan.py pins midway between the lane and the chip's centre as it
pins the stream's relays, and the relayed bits (the control's captured bits)
are XORed down to the group's pin in a tree of `TREE_FAN_IN` inputs a node,
every level registered (about 142 bits a lane: four levels), left to nextpnr.
Every path of the scanner is then timed from register to register,
`res_ready` (the scanner's clock enable) included, and the clock is on a global
network as in a board build. The relay is a register of its own, not the
capture register pinned: a result port is a select, its LUT feeds the capture
flip-flop, and nextpnr moves such a flip-flop with its LUT, ignoring a site
given for the flip-flop alone; each tree level is one LUT between flip-flops.
(Harness history, each change making placed clocks before and after not
comparable: until 2026-12-07 the outputs were XORed into the stages of one
fold chain a group, linked in port order and ending on the pin, about 142
stages a lane, which nextpnr spread across the chip, so that the harness's own
chain paths, not the scanner's, were the slowest; then, from `8358708`, the
captured bits went straight into the tree, and nextpnr put a lane's capture
flip-flops, and the lane's result skid with them, toward its pin at the chip's
edge; the relays pinned midway from 2026-12-08.)

`--per-field` (for `liqscan_top`, whose ports are an AXI4-Lite slave and a
256-bit AXI4-Stream master, none per lane): every input port has its own
shift chain and pin, and every output port its own fold chain and pin, a
port wider than 32 bits one chain per 32-bit word (the stream's record
words). In a card each channel comes from, or goes to, its own registers
(the PCIe bridge's AXI master, the DMA engine), so no harness chain links
two ports: a chain stage next to another port's would be a path that no
card has, and would pull the two apart or together in placement.
"""
import json
import sys

# Inputs a node of a result group's registered XOR tree: one LUT4 a node.
TREE_FAN_IN = 4
# The suffix of a lane's relay register: `result_lane<k>_relay`, whose
# flip-flops scripts/floorplan.py pins midway between the lane and the centre.
RELAY = "_relay"


def chunks(ports):
    """(port, lsb) of each port along a chain, in order."""
    at = 0
    for port in ports:
        yield port, at
        at += port["width"]


def fields(ports, width=32):
    """(chain name, [(port, lsb within the port, bits)]) per output field:
    a port, or each `width`-bit word of a wider one."""
    for port in ports:
        if port["width"] <= width:
            yield f"fold_{port['name']}", port, 0, port["width"]
        else:
            for lsb in range(0, port["width"], width):
                yield f"fold_{port['name']}_w{lsb // width}", port, lsb, min(width, port["width"] - lsb)


def harness_per_field(ins, outs):
    """`--per-field`: a chain and a pin per input port, a fold chain and a
    pin per output field."""
    decls, conns = [], []
    for k, p in enumerate(ins):
        w = p["width"]
        chain = f"in_{p['name']}"
        shifted = f"{{{chain}[{w - 2}:0], si[{k}]}}" if w > 1 else f"si[{k}]"
        decls.append(f"  reg [{w - 1}:0] {chain};\n  (* keep *) always @(posedge clk) {chain} <= {shifted};\n")
        conns.append(f"    .{p['name']}({chain})")
    wires = {}
    folds = []
    for g, (chain, port, lsb, w) in enumerate(fields(outs)):
        wires.setdefault(port["name"], port["width"])
        shifted = f"{{1'b0, {chain}[{w - 1}:1]}}" if w > 1 else "1'b0"
        folds.append(
            f"  reg [{w - 1}:0] {chain};\n"
            f"  always @(posedge clk) {chain} <= {shifted} ^ out_{port['name']}[{lsb + w - 1}:{lsb}];\n"
            f"  assign so[{g}] = {chain}[0];\n"
        )
    for name, w in wires.items():
        decls.append(f"  wire [{w - 1}:0] out_{name};\n")
        conns.append(f"    .{name}(out_{name})")
    ports_text = ",\n".join(conns)
    verilog = f"""// Timing harness for `top` (scripts/harness.py --per-field): each input
// port registered from a shift chain and a pin of its own; each output field
// (a port, or a 32-bit word of a wider one) folded into a chain of its own
// ending on a pin (each bit XORed into its own stage). No chain links two
// ports.
module harness(input clk, input [{len(ins) - 1}:0] si, output [{len(folds) - 1}:0] so);
  // `keep`: a chain stage and a register of `top` sampling the same input
  // would otherwise be merged, and the chain would run through `top`.
{"".join(decls)}{"".join(folds)}  top dut(
    .clock(clk),
{ports_text}
  );
endmodule
"""
    n = sum(p["width"] for p in ins) + sum(p["width"] for p in outs)
    return verilog, n


def xor_tree(name, width, src=None):
    """A group's registered XOR tree over `src` (`width` bits; the group's
    capture register `{name}` unless given): the Verilog, the tree's last
    register (one bit) and the flip-flops of the tree's levels (`src`'s not
    counted)."""
    text, src, level, ffs = "", src or name, 0, 0
    while width > 1:
        level += 1
        nodes = (width + TREE_FAN_IN - 1) // TREE_FAN_IN
        reg = f"{name}_x{level}"
        text += f"  reg [{nodes - 1}:0] {reg};\n"
        for n in range(nodes):
            lo, hi = n * TREE_FAN_IN, min(width, (n + 1) * TREE_FAN_IN) - 1
            text += f"  (* keep *) always @(posedge clk) {reg}[{n}] <= ^{src}[{hi}:{lo}];\n"
        src, width, ffs = reg, nodes, ffs + nodes
    return text, f"{src}[0]", ffs


def harness(ports, per_field=False):
    """The harness's Verilog and its flip-flop count."""
    ins = [p for p in ports if p["direction"] == "input" and p["name"] != "clock"]
    outs = [p for p in ports if p["direction"] == "output"]
    if not ins or not outs:
        raise ValueError("the port list needs inputs besides `clock` and outputs")
    if per_field:
        return harness_per_field(ins, outs)
    groups = {}
    for port in outs:
        lane = port.get("lane")
        groups.setdefault(-1 if lane is None else lane, []).append(port)

    conns = [f"    .{p['name']}(chain[{at + p['width'] - 1}:{at}])" for p, at in chunks(ins)]
    n_in = sum(p["width"] for p in ins)
    folds = []
    n_tree = n_relay = 0
    for g, key in enumerate(sorted(groups)):
        group = "result_ctl" if key < 0 else f"result_lane{key}"
        fields = groups[key]
        width = sum(p["width"] for p in fields)
        conns += [f"    .{p['name']}({group}_in[{at + p['width'] - 1}:{at}])" for p, at in chunks(fields)]
        relay = ""
        if key >= 0:
            # The lane's relay (scripts/floorplan.py finds it by this name).
            relay = (
                f"  reg [{width - 1}:0] {group}{RELAY} = {{{width}{{1'b1}}}};\n"
                f"  (* keep *) always @(posedge clk) {group}{RELAY} <= {group};\n"
            )
            n_relay += width
        tree, last, ffs = xor_tree(group, width, f"{group}{RELAY}" if relay else None)
        n_tree += ffs
        folds.append(
            f"  wire [{width - 1}:0] {group}_in;\n"
            f"  reg [{width - 1}:0] {group} = {{{width}{{1'b1}}}};\n"
            f"  (* keep *) always @(posedge clk) {group} <= {group}_in;\n"
            f"{relay}"
            f"{tree}"
            f"  assign so[{g}] = {last};\n"
        )
    n_out = sum(p["width"] for p in outs) + n_relay + n_tree
    input_chain = f"{{chain[{n_in - 2}:0], si}}" if n_in > 1 else "si"
    ports_text = ",\n".join(conns)
    verilog = f"""// Timing harness for `top` (scripts/harness.py): registered inputs from a
// shift chain; the outputs in groups, one per lane and one for the control,
// each output bit captured in a flip-flop of its own, a lane's captured bits
// relayed through a register of their own (`result_lane<k>_relay`, pinned
// midway between the lane and the chip's centre by scripts/floorplan.py, as
// liqscan_top's stream relays are), and each group's bits XORed down to its
// pin in a tree registered at every level, so every output bit reaches one
// register and nothing runs from one lane to another. A capture or relay
// register starts at ones (a constant output bit's flip-flop would otherwise
// be removed, and the harness's flip-flop count would be off), and `keep` on
// the capture, relay and tree registers keeps two equal outputs' or nodes'
// flip-flops apart.
module harness(input clk, input si, output [{len(groups) - 1}:0] so);
  reg [{n_in - 1}:0] chain;
  // `keep`: a chain stage and a scanner register sampling the same input
  // (the bracket banks' write-data copies) would otherwise be merged, and the
  // chain would run through the scanner's registers.
  (* keep *) always @(posedge clk) chain <= {input_chain};
{"".join(folds)}  top dut(
    .clock(clk),
{ports_text}
  );
endmodule
"""
    return verilog, n_in + n_out


def main():
    args = sys.argv[1:]
    per_field = "--per-field" in args
    args = [a for a in args if a != "--per-field"]
    if len(args) != 2:
        sys.exit("usage: harness.py ports.json harness.v [--per-field]")
    with open(args[0]) as f:
        ports = json.load(f)
    verilog, flip_flops = harness(ports, per_field)
    with open(args[1], "w") as f:
        f.write(verilog)
    print(flip_flops)


if __name__ == "__main__":
    main()
