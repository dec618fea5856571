#!/usr/bin/env python3
"""Writes the README's results block from the files the tools wrote.

    python3 scripts/results_table.py            rewrite README.md's block
    python3 scripts/results_table.py --check    fail if the block is stale

Sources: docs/results/ecp5.csv (one row per scripts/synth.sh run),
docs/results/resources.csv (scripts/resources.sh), docs/results/bench.md
with its plot bench-p99.svg (the bench's `--out-dir docs/results` files)
and docs/results/test-time.csv (scripts/test-time.sh).
The block lies between the README's `<!-- results:begin` and
`<!-- results:end -->` lines.
"""
import csv
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
ECP5 = os.path.join(ROOT, "docs", "results", "ecp5.csv")
BENCH = os.path.join(ROOT, "docs", "results", "bench.md")
BENCH_PLOT = "docs/results/bench-p99.svg"
RESOURCES = os.path.join(ROOT, "docs", "results", "resources.csv")
TEST_TIME = os.path.join(ROOT, "docs", "results", "test-time.csv")
BEGIN = "<!-- results:begin"
END = "<!-- results:end -->"


def grouped(value):
    return f"{int(value):,}"


# The designs `scripts/synth.sh` builds, in the table's order: the bare
# scanner, and liqscan_top (`--top`, the scanner behind its buses).
DESIGNS = ("scanner", "top")


def newest_build(rows, lanes, stage, design="scanner"):
    """The newest floorplanned run of `design` with `lanes` at `stage`, and
    the clocks of the other seeds placed or routed on the same netlist
    (commit and part)."""
    runs = [
        r for r in rows
        if r["design"] == design and int(r["lanes"]) == lanes and r["stage"] == stage and r["floorplan"] == "yes"
    ]
    if not runs:
        return None, []
    newest = runs[-1]
    same = [r for r in runs if (r["commit"], r["speed"]) == (newest["commit"], newest["speed"])]
    default = [r for r in same if r["seed"] == ""]
    shown = default[-1] if default else newest
    others = sorted({(int(r["seed"] or 1), r["clock_mhz"]) for r in same if r["seed"] and r is not shown})
    return shown, others


def ecp5_table(rows):
    lines = [
        "| design | lanes | stage | clock (MHz) | other seeds (MHz) | logic cells | flip-flops | MULT18X18D | DP16KD | netlist | date | yosys / nextpnr |",
        "|---|---:|---|---:|---|---:|---:|---:|---:|---|---|---|",
    ]
    unknown = sorted({r["design"] for r in rows} - set(DESIGNS))
    if unknown:
        sys.exit(f"results_table: {ECP5} has designs {unknown}, not among {list(DESIGNS)}")
    for design in DESIGNS:
        for lanes in sorted({int(r["lanes"]) for r in rows if r["design"] == design}):
            for stage in ("routed", "placed"):
                row, others = newest_build(rows, lanes, stage, design)
                if row is None:
                    continue
                lines.append(table_line(design, lanes, stage, row, others))
    return lines


def table_line(design, lanes, stage, row, others):
    """One row of the FPGA table."""
    seeds = ", ".join(f"{clock} (seed {seed})" for seed, clock in others) or "–"
    seed = f", seed {row['seed']}" if row["seed"] else ""
    name = "scanner" if design == "scanner" else "`liqscan_top`"
    return (
        f"| {name} | {lanes} | {stage} (grade {row['speed']}{seed}) | **{row['clock_mhz']}** | {seeds} "
        f"| {grouped(row['luts'])} | {grouped(row['ffs'])} | {row['dsps']} | {row['ebrs']} "
        f"| `{row['commit']}` | {row['date']} | {row['yosys']} / {row['nextpnr']} |"
    )


def resources_table(rows):
    """The newest run of each (book, backend), in the order first measured."""
    newest = {}
    for row in rows:
        newest[(row["book"], row["backend"])] = row
    lines = [
        "| book | positions | backend | load (s) | scan (s) | peak memory (MiB) | commit | date |",
        "|---|---:|---|---:|---:|---:|---|---|",
    ]
    for row in newest.values():
        lines.append(
            f"| {row['book']} | {grouped(row['positions'])} | `{row['backend']}` | {row['load_s']} | {row['scan_s']} "
            f"| {row['peak_mib']} | `{row['commit']}` | {row['date'][:10]} |"
        )
    return lines


def test_time_line(rows):
    """The newest clean run of the suite, in one sentence."""
    row = rows[-1]
    minutes, seconds = divmod(int(row["seconds"]), 60)
    result = "passed" if row["result"] == "pass" else f"failed ({row['result']})"
    return (
        f"**A clean test run** (`scripts/test-time.sh`: `scripts/test.sh` in a fresh clone, every crate and "
        f"Verilator model built from scratch) {result} in **{minutes} min {seconds:02d} s** on {row['cores']} "
        f"cores (load average {row['load_before']} before, {row['load_after']} after; commit `{row['commit']}`, "
        f"{row['date'][:10]}), against CI's limit of 90 min."
    )


def table_after(lines, start):
    """The Markdown table that begins at or after `start`, and the index past it."""
    while start < len(lines) and not lines[start].startswith("|"):
        start += 1
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return lines[start:end], end


def bench_summary(text):
    """The bench report's header paragraph, its summary table (the first)
    and its goals table (the one under `## Goals`)."""
    lines = text.splitlines()
    header = []
    for line in lines:
        if line.startswith("|") or line.startswith("#"):
            break
        if line.strip():
            header.append(line)
    summary, _ = table_after(lines, 0)
    out = header + [""] + summary
    if "## Goals" in lines:
        goals, _ = table_after(lines, lines.index("## Goals"))
        out += ["", "Goals (issues 23 and 24), measured figure against goal:", ""] + goals
    return out


def read_rows(path):
    """The rows of a results CSV, none if it does not exist."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def block():
    lines = [f"{BEGIN} (generated by scripts/results_table.py from docs/results/; do not edit) -->", ""]
    rows = read_rows(ECP5)
    if rows:
        lines.append(
            "**FPGA build** (Lattice LFE5UM-85F, `scripts/synth.sh`, newest run per design and lane count, "
            "from [`docs/results/ecp5.csv`](docs/results/ecp5.csv); the scanner alone, and `liqscan_top` "
            "(`--top`: the scanner behind its AXI4-Lite register file, command ring and result stream); "
            "after placement the clock is nextpnr's estimate; flip-flops are the design's own, logic cells "
            "include LUT RAM and carry):"
        )
        lines += [""] + ecp5_table(rows) + [""]
    else:
        lines += ["No FPGA build recorded yet (`scripts/synth.sh` appends to docs/results/ecp5.csv).", ""]
    rows = read_rows(RESOURCES)
    if rows:
        lines.append(
            "**Resource bounds** (`scripts/resources.sh`: `liqscan scan`, release build; the largest book the "
            "contract allows and a 16-bracket jumping ladder; peak memory is the process's maximum resident set):"
        )
        lines += [""] + resources_table(rows) + [""]
    rows = read_rows(TEST_TIME)
    if rows:
        lines += [test_time_line(rows), ""]
    if os.path.exists(BENCH):
        with open(BENCH) as f:
            summary = bench_summary(f.read())
        lines.append("**Per-tick latency** (`cargo run --profile bench -p liqscan-bench -- --out-dir docs/results`; "
                     "p50 / p99 per tick; ratios, plan and detail in [`docs/results/bench.md`](docs/results/bench.md), "
                     "every figure in [`docs/results/bench.csv`](docs/results/bench.csv)):")
        lines += [""] + summary + [""]
        if os.path.exists(os.path.join(ROOT, BENCH_PLOT)):
            lines += [f"![p99 latency per tick against positions in the ticked symbol]({BENCH_PLOT})", ""]
    lines.append(END)
    return lines


def main():
    with open(README) as f:
        text = f.read().splitlines()
    starts = [i for i, l in enumerate(text) if l.startswith(BEGIN)]
    ends = [i for i, l in enumerate(text) if l.strip() == END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        sys.exit(f"results_table: README.md needs one `{BEGIN} ... -->` line and one `{END}` line after it")
    new = text[: starts[0]] + block() + text[ends[0] + 1 :]
    if "--check" in sys.argv[1:]:
        if new != text:
            sys.exit("results_table: README.md's results block is stale: run scripts/results_table.py")
        return
    with open(README, "w") as f:
        f.write("\n".join(new) + "\n")


if __name__ == "__main__":
    main()
