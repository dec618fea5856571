#!/usr/bin/env python3
"""The float64 numpy scan the bench compares `cpu` with: what a quant would
write. On each tick, every open position of the ticked symbol at once:

    notional = |qty| * mark
    bracket = first cap >= notional (the last is uncapped)
    maintenance = notional * mmr[bracket] - maint_amount[bracket]
    equity = margin + qty * (mark - entry)
    liquidated = open & (equity < maintenance)    (<= with liquidate_at_equal)

and the liquidated positions are closed. Only the scan is timed
(time.perf_counter_ns around it).

    numpy_scan.py META.json ROWS.f64

META.json: {"positions": n, "at_equal": bool, "ticks": [[symbol, mark], ...],
"symbols": [{"start": i, "end": j, "caps": [...], "mmr": [...],
"maint": [...]}]}, a symbol's positions being rows start..end, its caps
ascending with null for the uncapped last bracket. ROWS.f64: little-endian
float64 columns qty, entry, margin, n values each.

Prints `numpy VERSION`, then one line per tick: the scan's ns, then the rows
it liquidated.
"""
import json
import sys
import time

import numpy as np


def main():
    with open(sys.argv[1]) as f:
        meta = json.load(f)
    n = meta["positions"]
    rows = np.fromfile(sys.argv[2], dtype="<f8")
    if rows.size != 3 * n:
        sys.exit(f"numpy_scan: {sys.argv[2]} holds {rows.size} values, not 3 x {n}")
    qty, entry, margin = rows[:n], rows[n : 2 * n], rows[2 * n :]
    is_open = np.ones(n, dtype=bool)
    symbols = []
    for s in meta["symbols"]:
        caps = np.array([np.inf if c is None else c for c in s["caps"]])
        symbols.append((s["start"], s["end"], caps, np.array(s["mmr"]), np.array(s["maint"])))
    below = np.less_equal if meta["at_equal"] else np.less
    out = [f"numpy {np.__version__}"]
    for symbol, mark in meta["ticks"]:
        start, end, caps, mmr, maint = symbols[symbol]
        t0 = time.perf_counter_ns()
        q = qty[start:end]
        notional = np.abs(q) * mark
        bracket = np.searchsorted(caps, notional, side="left")
        maintenance = notional * mmr[bracket] - maint[bracket]
        equity = margin[start:end] + q * (mark - entry[start:end])
        hits = np.flatnonzero(below(equity, maintenance) & is_open[start:end]) + start
        is_open[hits] = False
        ns = time.perf_counter_ns() - t0
        out.append(" ".join([str(ns)] + [str(h) for h in hits.tolist()]))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
