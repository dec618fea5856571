"""scripts/synth_report.py's results rows and scripts/results_table.py's
choice of the rows the README shows."""
import csv
import io
import os
import subprocess
import sys
import tempfile
import unittest

import results_table
import synth_report

STAT = {"design": {"num_cells_by_type": {"LUT4": 900, "TRELLIS_FF": 1200, "TRELLIS_FF$1": 30, "MULT18X18D": 16}}}
REPORT = {
    "utilization": {
        "TRELLIS_COMB": {"used": 1500, "available": 83640},
        "MULT18X18D": {"used": 16, "available": 156},
        "DP16KD": {"used": 12, "available": 208},
    },
    "fmax": {"clk": {"achieved": 151.234, "constraint": 150.0}},
}
LOG = "Info: Max frequency for clock '$glbnet$clk': 140.01 MHz (PASS at 150.00 MHz)\n" \
      "Info: Max frequency for clock '$glbnet$clk': 163.87 MHz (PASS at 150.00 MHz)\n"
ARGS = {"design": "scanner", "lanes": "1", "speed": "8", "seed": "", "commit": "abc", "yosys": "0.70", "nextpnr": "0.11.1",
        "seconds": "42", "harness_ffs": "100", "floorplan": "yes"}


def run_row(stage, **extra):
    return synth_report.row({**ARGS, "stage": stage, **extra}, STAT, REPORT, LOG)


class SynthReportTest(unittest.TestCase):
    def test_placed_row_takes_the_last_estimate(self):
        row = run_row("placed")
        self.assertEqual(row["clock_mhz"], "163.9")
        self.assertEqual(row["ffs"], 1130)  # 1,230 flip-flops less the harness's 100
        self.assertEqual((row["luts"], row["dsps"], row["ebrs"]), (1500, 16, 12))

    def test_routed_row_takes_the_routed_clock(self):
        self.assertEqual(run_row("routed")["clock_mhz"], "151.2")

    def test_no_estimate_is_an_error(self):
        with self.assertRaises(SystemExit):
            synth_report.placed_clock("Info: nothing\n")

    def test_design_is_recorded_and_checked(self):
        self.assertEqual(run_row("placed")["design"], "scanner")
        self.assertEqual(run_row("placed", design="top")["design"], "top")
        with self.assertRaises(SystemExit):
            run_row("placed", design="scanner_top")

    def test_append_refuses_a_file_of_other_columns(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.csv")
            with open(path, "w") as f:
                f.write(",".join(c for c in synth_report.COLUMNS if c != "design") + "\n")
            with self.assertRaises(SystemExit):
                synth_report.append(path, run_row("placed"))

    def test_append_writes_the_header_once(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.csv")
            synth_report.append(path, run_row("placed"))
            synth_report.append(path, run_row("routed", seed="2"))
            with open(path) as f:
                rows = list(csv.DictReader(f))
            self.assertEqual([r["stage"] for r in rows], ["placed", "routed"])
            self.assertEqual(list(rows[0]), synth_report.COLUMNS)


def rows(text):
    header = ",".join(synth_report.COLUMNS)
    return list(csv.DictReader(io.StringIO(header + "\n" + text)))


class ResultsTableTest(unittest.TestCase):
    BOOK = rows(
        "2026-01-01,old,scanner,8,8,,placed,120.0,1,1,1,1,y,n,1,yes\n"
        "2026-01-02,new,scanner,8,8,2,placed,162.3,1,1,1,1,y,n,1,yes\n"
        "2026-01-02,new,scanner,8,8,,placed,157.6,1,1,1,1,y,n,1,yes\n"
        "2026-01-02,new,scanner,8,8,3,placed,129.7,1,1,1,1,y,n,1,yes\n"
        "2026-01-03,new,scanner,8,8,,placed,99.0,1,1,1,1,y,n,1,no\n"
        "2026-01-02,new,scanner,1,8,,routed,106.2,1,1,1,1,y,n,1,yes\n"
        "2026-01-04,top1,top,8,8,,placed,151.5,1,1,1,1,y,n,1,yes\n"
    )

    def test_newest_netlist_default_seed_and_the_other_seeds(self):
        row, others = results_table.newest_build(self.BOOK, 8, "placed")
        self.assertEqual(row["clock_mhz"], "157.6")
        self.assertEqual(others, [(2, "162.3"), (3, "129.7")])

    def test_runs_without_floorplan_are_not_shown(self):
        row, _ = results_table.newest_build(self.BOOK, 8, "placed")
        self.assertEqual(row["floorplan"], "yes")

    def test_missing_stage(self):
        self.assertEqual(results_table.newest_build(self.BOOK, 1, "placed"), (None, []))

    def test_newer_top_runs_leave_the_scanner_rows(self):
        row, _ = results_table.newest_build(self.BOOK, 8, "placed")
        self.assertEqual((row["design"], row["commit"]), ("scanner", "new"))
        row, others = results_table.newest_build(self.BOOK, 8, "placed", "top")
        self.assertEqual((row["clock_mhz"], others), ("151.5", []))

    def test_table_has_a_line_per_design_lane_count_and_stage(self):
        lines = results_table.ecp5_table(self.BOOK)
        self.assertEqual(len(lines), 2 + 3)
        self.assertTrue(lines[3].startswith("| scanner | 8 |"), lines[3])
        self.assertIn("**157.6**", lines[3])
        self.assertTrue(lines[4].startswith("| `liqscan_top` | 8 | placed"), lines[4])
        self.assertIn("**151.5**", lines[4])

    def test_an_unknown_design_is_refused(self):
        book = rows("2026-01-04,x,gizmo,8,8,,placed,151.5,1,1,1,1,y,n,1,yes\n")
        with self.assertRaises(SystemExit):
            results_table.ecp5_table(book)

    def test_resources_show_the_newest_run_of_each_book_and_backend(self):
        head = "date,commit,book,positions,backend,load_s,scan_s,peak_mib\n"
        rows = list(csv.DictReader(io.StringIO(
            head + "2026-01-01T00:00:00Z,a,big,1048576,cpu,2.0,0.2,300\n"
            "2026-01-01T00:00:00Z,a,big,1048576,indexed,2.5,0.1,310\n"
            "2026-01-02T00:00:00Z,b,big,1048576,cpu,1.9,0.2,290\n")))
        lines = results_table.resources_table(rows)
        self.assertEqual(len(lines), 2 + 2)
        self.assertIn("| big | 1,048,576 | `cpu` | 1.9 | 0.2 | 290 | `b` | 2026-01-02 |", lines)

    def test_test_time_shows_the_newest_run(self):
        head = "date,commit,seconds,cores,load_before,load_after,result\n"
        rows = list(csv.DictReader(io.StringIO(
            head + "2026-01-01T00:00:00Z,a,3000,2,1.0 1.0 1.0,2.0 2.0 2.0,pass\n"
            "2026-01-02T00:00:00Z,b,1385,2,0.5 0.6 0.7,3.1 2.9 2.5,exit 101\n")))
        line = results_table.test_time_line(rows)
        self.assertIn("failed (exit 101) in **23 min 05 s** on 2 cores", line)
        self.assertIn("load average 0.5 0.6 0.7 before, 3.1 2.9 2.5 after; commit `b`, 2026-01-02", line)

    BENCH = """Machine: a CPU; load average 0.1 before the run.

| positions in ticked symbol | cpu | indexed |
|---|---:|---:|
| 1,000 | 480 ns / 551 ns | 201 ns / 290 ns |

Floors: a streaming read.

## Goals

| goal | case | measured | goal | status |
|---|---|---:|---:|---|
| `cpu` faster than numpy | 1,000 | 12.0×, 9.00× | ≥ 10× | **not met** |

## Ratios

| case | cpu / floor |
|---|---:|
| 1,000 | 1.20× |
"""

    def test_bench_summary_takes_the_header_the_summary_and_the_goals(self):
        lines = results_table.bench_summary(self.BENCH)
        self.assertEqual(lines[0], "Machine: a CPU; load average 0.1 before the run.")
        self.assertEqual(lines[2], "| positions in ticked symbol | cpu | indexed |")
        self.assertIn("| 1,000 | 480 ns / 551 ns | 201 ns / 290 ns |", lines)
        self.assertIn("| `cpu` faster than numpy | 1,000 | 12.0×, 9.00× | ≥ 10× | **not met** |", lines)
        self.assertNotIn("Floors: a streaming read.", lines)
        self.assertFalse(any("1.20×" in line or line.startswith("#") for line in lines))

    def test_bench_summary_without_goals(self):
        text = self.BENCH.split("## Goals")[0]
        lines = results_table.bench_summary(text)
        self.assertEqual(len(lines), 1 + 1 + 3)

    def test_readme_block_is_current(self):
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        run = subprocess.run([sys.executable, os.path.join(here, "results_table.py"), "--check"],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)


if __name__ == "__main__":
    unittest.main()
