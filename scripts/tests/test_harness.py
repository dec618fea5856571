"""scripts/harness.py: every port wired once, the widths summed, and yosys
elaborates the harness around a module with those ports."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness

PORTS = [
    {"name": "clock", "direction": "input", "width": 1, "signed": False, "lane": None},
    {"name": "tick_valid", "direction": "input", "width": 1, "signed": False, "lane": None},
    {"name": "tick_price", "direction": "input", "width": 32, "signed": False, "lane": None},
    {"name": "pos_wr_qty", "direction": "input", "width": 32, "signed": True, "lane": None},
    {"name": "res_valid$0", "direction": "output", "width": 1, "signed": False, "lane": 0},
    {"name": "res_slot$0", "direction": "output", "width": 32, "signed": False, "lane": 0},
    {"name": "res_valid$1", "direction": "output", "width": 1, "signed": False, "lane": 1},
    {"name": "res_slot$1", "direction": "output", "width": 32, "signed": False, "lane": 1},
    {"name": "busy", "direction": "output", "width": 1, "signed": False, "lane": None},
]


# liqscan_top's kind of ports: a bus and a record wider than a word.
TOP_PORTS = [
    {"name": "clock", "direction": "input", "width": 1, "signed": False, "lane": None},
    {"name": "addr", "direction": "input", "width": 13, "signed": False, "lane": None},
    {"name": "valid", "direction": "input", "width": 1, "signed": False, "lane": None},
    {"name": "ready", "direction": "output", "width": 1, "signed": False, "lane": None},
    {"name": "data", "direction": "output", "width": 80, "signed": False, "lane": None},
]


def top_module(ports):
    """A `top` with the given ports, each output driven from the inputs."""
    decls = []
    for p in ports:
        kind = "input wire" if p["direction"] == "input" else "output wire"
        signed = " signed" if p["signed"] else ""
        width = f" [{p['width'] - 1}:0]" if p["width"] > 1 else ""
        decls.append(f"  {kind}{signed}{width} {p['name']}")
    ins = [p["name"] for p in ports if p["direction"] == "input" and p["name"] != "clock"]
    drives = [f"  assign {p['name']} = {' ^ '.join(ins)};" for p in ports if p["direction"] == "output"]
    return "module top(\n" + ",\n".join(decls) + "\n);\n" + "\n".join(drives) + "\nendmodule\n"


class HarnessTest(unittest.TestCase):
    def test_every_port_wired_once(self):
        verilog, flip_flops = harness.harness(PORTS)
        for p in PORTS:
            if p["name"] != "clock":
                self.assertEqual(len(re.findall(rf"\.{re.escape(p['name'])}\(", verilog)), 1, p["name"])
        # Inputs 65, outputs captured 1 + 33 + 33, the lanes' relays 33 + 33;
        # each lane's tree 9, 3, 1.
        self.assertEqual(flip_flops, 65 + 67 + 66 + 2 * (9 + 3 + 1))
        # One result group per lane and one for the control.
        self.assertIn("output [2:0] so", verilog)
        self.assertIn("result_lane1", verilog)
        self.assertIn("result_ctl", verilog)

    def test_outputs_captured_relayed_then_a_registered_tree(self):
        verilog, _ = harness.harness(PORTS)
        # Every output bit into a flip-flop of its own, nothing XORed in before it.
        self.assertIn("always @(posedge clk) result_lane1 <= result_lane1_in;", verilog)
        # A lane's captured bits through its relay (the name floorplan.py
        # pins); the control's captured bits straight into their tree.
        self.assertIn("reg [32:0] result_lane1_relay = {33{1'b1}};", verilog)
        self.assertIn("(* keep *) always @(posedge clk) result_lane1_relay <= result_lane1;", verilog)
        self.assertNotIn("result_ctl_relay", verilog)
        # One LUT4 a node, every level registered, the last level on the pin.
        self.assertIn("result_lane1_x1[8] <= ^result_lane1_relay[32:32];", verilog)
        self.assertIn("result_lane1_x2[0] <= ^result_lane1_x1[3:0];", verilog)
        self.assertIn("result_lane1_x3[0] <= ^result_lane1_x2[2:0];", verilog)
        self.assertIn("assign so[2] = result_lane1_x3[0];", verilog)
        self.assertIn("assign so[0] = result_ctl[0];", verilog)
        # No register takes bits of two groups (no path from one lane to another).
        for line in verilog.splitlines():
            if "always @(posedge clk)" in line and "result_" in line:
                self.assertEqual(len(set(re.findall(r"result_(lane\d+|ctl)", line))), 1, line)

    def test_tree_levels(self):
        # A lane of the 8-lane scanner has about 142 result bits: four levels.
        text, last, ffs = harness.xor_tree("g", 142)
        self.assertEqual(last, "g_x4[0]")
        self.assertEqual(ffs, 36 + 9 + 3 + 1)
        self.assertEqual(harness.xor_tree("g", 1), ("", "g[0]", 0))

    def test_flip_flop_count_matches_synthesis(self):
        # synth.sh subtracts the count from yosys's to give the design's own:
        # a constant output bit and two outputs of one net keep their flip-flops.
        self.assertIsNotNone(shutil.which("yosys"), "yosys missing: scripts/install-deps.sh installs it")
        ports = PORTS + [
            {"name": "zero$1", "direction": "output", "width": 3, "signed": False, "lane": 1},
            {"name": "same$1", "direction": "output", "width": 2, "signed": False, "lane": 1},
        ]
        verilog, flip_flops = harness.harness(ports)
        top = top_module(ports).replace("assign zero$1 =", "assign zero$1 = 3'b0; //")
        stat = self.yosys(top, verilog, "synth_ecp5 -top harness; tee -q -o out.txt stat")
        counted = re.search(r"TRELLIS_FF\s+(\d+)", stat)
        self.assertIsNotNone(counted)
        self.assertEqual(int(counted.group(1)), flip_flops)

    def test_per_field_gives_each_port_its_chain_and_pin(self):
        ports = TOP_PORTS
        verilog, flip_flops = harness.harness(ports, per_field=True)
        for p in ports:
            if p["name"] != "clock":
                self.assertEqual(len(re.findall(rf"\.{re.escape(p['name'])}\(", verilog)), 1, p["name"])
        self.assertEqual(flip_flops, sum(p["width"] for p in ports if p["name"] != "clock"))
        # Two input pins; outputs: `ready` and the 80-bit record in 32-bit words (3).
        self.assertIn("input [1:0] si", verilog)
        self.assertIn("output [3:0] so", verilog)
        self.assertIn("fold_data_w2 <= {1'b0, fold_data_w2[15:1]} ^ out_data[79:64]", verilog)
        # No chain links two ports: every register's update names one port.
        for line in verilog.splitlines():
            if "always @(posedge clk)" in line:
                named = {p["name"] for p in ports if re.search(rf"_{p['name']}\b", line)}
                self.assertEqual(len(named), 1, line)

    def test_per_field_elaborates(self):
        self.assertIsNotNone(shutil.which("yosys"), "yosys missing: scripts/install-deps.sh installs it")
        self.elaborate(TOP_PORTS, True)

    def test_refuses_a_port_list_without_outputs(self):
        with self.assertRaises(ValueError):
            harness.harness([p for p in PORTS if p["direction"] == "input"])

    def test_yosys_elaborates_it(self):
        self.assertIsNotNone(shutil.which("yosys"), "yosys missing: scripts/install-deps.sh installs it")
        self.elaborate(PORTS, False)

    def elaborate(self, ports, per_field):
        verilog, _ = harness.harness(ports, per_field)
        self.yosys(top_module(ports), verilog, "hierarchy -check -top harness; proc; check -assert")

    def yosys(self, top, verilog, script):
        """Runs yosys's `script` on the top module and its harness; what it
        wrote to out.txt, if anything."""
        with tempfile.TemporaryDirectory() as d:
            for name, text in (("top.v", top), ("harness.v", verilog)):
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            run = subprocess.run(
                ["yosys", "-q", "-p", f"read_verilog top.v harness.v; {script}"],
                cwd=d, capture_output=True, text=True,
            )
            self.assertEqual(run.returncode, 0, run.stderr + run.stdout)
            out = os.path.join(d, "out.txt")
            if not os.path.exists(out):
                return ""
            with open(out) as f:
                return f.read()


if __name__ == "__main__":
    unittest.main()
