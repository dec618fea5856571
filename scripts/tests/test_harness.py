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
        self.assertEqual(flip_flops, sum(p["width"] for p in PORTS if p["name"] != "clock"))
        # One fold chain per lane and one for the control.
        self.assertIn("output [2:0] so", verilog)
        self.assertIn("result_lane1", verilog)
        self.assertIn("result_ctl", verilog)

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
        with tempfile.TemporaryDirectory() as d:
            for name, text in (("top.v", top_module(ports)), ("harness.v", verilog)):
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            run = subprocess.run(
                ["yosys", "-q", "-p", "read_verilog top.v harness.v; hierarchy -check -top harness; proc; check -assert"],
                cwd=d, capture_output=True, text=True,
            )
            self.assertEqual(run.returncode, 0, run.stderr + run.stdout)


if __name__ == "__main__":
    unittest.main()
