#!/usr/bin/env python3
"""Writes the timing harness that scripts/synth.sh places the scanner in.

    python3 scripts/harness.py ports.json harness.v     (prints the harness's flip-flop count)

`ports.json` is the top module's port list as `liqscan verilog --ports-json`
writes it (parsed from the generated Verilog by `liqscan_hw::verilog`):
`[{"name", "direction": "input"|"output", "width", "signed", "lane": N|null}]`.

The scanner's top module has far more ports than the package has pins (a board
wraps it in a host interface), so it is placed inside this harness: every input
comes from a flip-flop of one shift chain fed by one pin, and every output is
XORed into its own stage of a fold chain ending on a pin of its own, one chain
per lane (a board takes each lane's results into a FIFO beside the lane) and
one for the control's outputs. Every path of the scanner is then timed from
register to register, `res_ready` (the scanner's clock enable) included, and
the clock is on a global network as in a board build.
"""
import json
import sys


def chunks(ports):
    """(port, lsb) of each port along a chain, in order."""
    at = 0
    for port in ports:
        yield port, at
        at += port["width"]


def harness(ports):
    """The harness's Verilog and its flip-flop count."""
    ins = [p for p in ports if p["direction"] == "input" and p["name"] != "clock"]
    outs = [p for p in ports if p["direction"] == "output"]
    if not ins or not outs:
        raise ValueError("the port list needs inputs besides `clock` and outputs")
    groups = {}
    for port in outs:
        lane = port.get("lane")
        groups.setdefault(-1 if lane is None else lane, []).append(port)

    conns = [f"    .{p['name']}(chain[{at + p['width'] - 1}:{at}])" for p, at in chunks(ins)]
    n_in = sum(p["width"] for p in ins)
    folds = []
    for g, key in enumerate(sorted(groups)):
        chain = "result_ctl" if key < 0 else f"result_lane{key}"
        fields = groups[key]
        width = sum(p["width"] for p in fields)
        conns += [f"    .{p['name']}({chain}_in[{at + p['width'] - 1}:{at}])" for p, at in chunks(fields)]
        shifted = f"{{1'b0, {chain}[{width - 1}:1]}}" if width > 1 else "1'b0"
        folds.append(
            f"  wire [{width - 1}:0] {chain}_in;\n"
            f"  reg [{width - 1}:0] {chain};\n"
            f"  always @(posedge clk) {chain} <= {shifted} ^ {chain}_in;\n"
            f"  assign so[{g}] = {chain}[0];\n"
        )
    n_out = sum(p["width"] for p in outs)
    input_chain = f"{{chain[{n_in - 2}:0], si}}" if n_in > 1 else "si"
    ports_text = ",\n".join(conns)
    verilog = f"""// Timing harness for `top` (scripts/harness.py): registered inputs from a
// shift chain; the outputs folded into shift chains, one per lane and one
// for the control (each output XORed into its own stage), so every output
// bit reaches one register and no chain runs from one lane to another.
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
    if len(sys.argv) != 3:
        sys.exit("usage: harness.py ports.json harness.v")
    with open(sys.argv[1]) as f:
        ports = json.load(f)
    verilog, flip_flops = harness(ports)
    with open(sys.argv[2], "w") as f:
        f.write(verilog)
    print(flip_flops)


if __name__ == "__main__":
    main()
