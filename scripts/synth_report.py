#!/usr/bin/env python3
"""Prints a synth.sh run's figures and appends them to the results file.

    python3 scripts/synth_report.py RESULTS.csv key=value ...

Run by scripts/synth.sh in its output directory (stat.json from yosys,
report.json and nextpnr.log from nextpnr). Keys: design (`scanner`, or `top`
for liqscan_top), lanes, speed, seed (empty for
nextpnr's default), stage (`placed` or `routed`), floorplan (`yes` or `no`),
commit, yosys, nextpnr (tool versions), seconds (synthesis and placement, plus
routing when routed), harness_ffs.

One row per run is appended to RESULTS.csv (columns in `COLUMNS`; a file with
other columns is refused): `luts` are the placed logic cells (LUT4, carry and
LUT RAM, harness included), `ffs` the design's own flip-flops (yosys's count
less the harness's: the scanner's, or the top's with its scanner), `dsps` and
`ebrs` the placed MULT18X18D and DP16KD. After placement the clock is nextpnr's
estimate ("Max frequency"), after routing the routed clock.
"""
import csv
import datetime
import json
import os
import re
import sys

COLUMNS = ["date", "commit", "design", "lanes", "speed", "seed", "stage", "clock_mhz", "luts", "ffs",
           "dsps", "ebrs", "yosys", "nextpnr", "seconds", "floorplan"]


def placed_clock(log_text):
    """nextpnr's last estimated clock, in MHz."""
    estimates = re.findall(r"Max frequency for clock .*?: ([0-9.]+) MHz", log_text)
    if not estimates:
        raise SystemExit("synth_report: no `Max frequency` line in nextpnr.log")
    return float(estimates[-1])


DESIGNS = ("scanner", "top")


def row(args, stat, report, log_text):
    """The results row of one run."""
    if args.get("design") not in DESIGNS:
        raise SystemExit(f"synth_report: design must be one of {', '.join(DESIGNS)}, not {args.get('design')!r}")
    cells = stat["design"]["num_cells_by_type"]
    used = {k: v["used"] for k, v in report["utilization"].items()}
    if args["stage"] == "placed":
        clock = placed_clock(log_text)
    else:
        clock = min(c["achieved"] for c in report["fmax"].values())
    ffs = sum(n for t, n in cells.items() if t.startswith("TRELLIS_FF"))
    return {
        "date": datetime.date.today().isoformat(),
        "commit": args["commit"],
        "design": args["design"],
        "lanes": int(args["lanes"]),
        "speed": int(args["speed"]),
        "seed": args.get("seed", ""),
        "stage": args["stage"],
        "clock_mhz": f"{clock:.1f}",
        "luts": used.get("TRELLIS_COMB", 0),
        "ffs": ffs - int(args["harness_ffs"]),
        "dsps": used.get("MULT18X18D", 0),
        "ebrs": used.get("DP16KD", 0),
        "yosys": args["yosys"],
        "nextpnr": args["nextpnr"],
        "seconds": int(args["seconds"]),
        "floorplan": args.get("floorplan", "yes"),
    }


def append(path, result):
    """Appends `result`, writing the header first into a new file; refuses a
    file whose header is not `COLUMNS`."""
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    if not new:
        with open(path, newline="") as f:
            header = next(csv.reader(f), [])
        if header != COLUMNS:
            raise SystemExit(f"synth_report: {path} has columns {header}, expected {COLUMNS}")
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(result)


def critical_path(report):
    """The worst routed register-to-register path, step by step (the harness's
    pin paths are not the scanner's); steps under 0.1 ns are summed."""
    for path in report.get("critical_paths", []):
        if "<async>" in (path["from"], path["to"]):
            continue
        steps = path["path"]
        print(f"critical path       {sum(s['delay'] for s in steps):.2f} ns")
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


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    results = sys.argv[1]
    args = dict(kv.split("=", 1) for kv in sys.argv[2:])
    with open("stat.json") as f:
        stat = json.load(f)
    with open("report.json") as f:
        report = json.load(f)
    with open("nextpnr.log") as f:
        log_text = f.read()
    result = row(args, stat, report, log_text)
    append(results, result)
    avail = {k: v["available"] for k, v in report["utilization"].items()}
    print(f"design              {result['design']}")
    print(f"lanes               {result['lanes']}")
    print(f"part                LFE5UM-85F-{result['speed']} (CABGA381)")
    print(f"logic cells         {result['luts']} / {avail.get('TRELLIS_COMB', '?')}")
    print(f"registers           {result['ffs']} (+ {args['harness_ffs']} in the harness)")
    print(f"MULT18X18D          {result['dsps']} / {avail.get('MULT18X18D', '?')}")
    print(f"DP16KD              {result['ebrs']} / {avail.get('DP16KD', '?')}")
    kind = "estimated after placement" if result["stage"] == "placed" else "routed"
    print(f"max clock           {result['clock_mhz']} MHz {kind} (target 150)")
    print(f"run time            {result['seconds']} s")
    print(f"recorded in         {results} (commit {result['commit']})")
    if result["stage"] == "routed":
        critical_path(report)


if __name__ == "__main__":
    main()
