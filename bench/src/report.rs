//! The markdown the README pastes: a header naming the machine, a summary
//! table per book size and the full per-backend table.

use std::fmt::Write as _;

use crate::circuit::SimRun;
use crate::machine::Machine;
use crate::measure::Run;
use liqscan_core::latency::Summary;
pub use liqscan_core::report::grouped;

/// How the run was made.
#[derive(Debug, Clone)]
pub struct Settings {
    pub machine: Machine,
    /// Core the measuring thread is pinned to.
    pub pinned: Option<usize>,
    pub lanes: usize,
    pub clock_mhz: f64,
    /// Where the clock came from (a synthesis result, or `--clock-mhz`).
    pub clock_source: String,
    pub seed: u64,
    pub ticks: usize,
    pub warmup: usize,
    /// Ticks run on the Verilator model per case.
    pub sim_ticks: Option<usize>,
}

/// One book size: every backend over the same ticks, and the circuit's cycles.
#[derive(Debug, Clone)]
pub struct Case {
    /// Positions in the ticked symbol.
    pub positions: usize,
    pub runs: Vec<Run>,
    /// Tick-to-last-decision cycles from `spec::scan_cycles`.
    pub circuit: Summary,
    /// The Verilator model's run, or why there is none.
    pub sim: Option<Result<SimRun, String>>,
}

impl Case {
    fn run(&self, backend: &str) -> Option<&Run> {
        self.runs.iter().find(|r| r.backend == backend)
    }
}

/// Cycles at `clock_mhz`, in whole ns.
pub fn cycles_ns(cycles: u64, clock_mhz: f64) -> u64 {
    (cycles as f64 * 1000.0 / clock_mhz).round() as u64
}

fn ratio(value: u64, reference: u64) -> String {
    if reference == 0 {
        return "–".into();
    }
    let r = value as f64 / reference as f64;
    // Three significant figures, however small.
    let decimals = if r >= 1.0 {
        2
    } else {
        (2.0 - r.log10().floor()) as usize
    };
    format!("{r:.decimals$}×")
}

/// Header: machine, pinning and parameters.
pub fn header(s: &Settings) -> String {
    let pinned = s.pinned.map_or("not pinned".to_owned(), |c| {
        format!("measuring thread pinned to core {c}")
    });
    let sim = s.sim_ticks.map_or("not run".to_owned(), |t| {
        format!("first {} ticks of each case", grouped(t as u64))
    });
    format!(
        "Machine: {} ({pinned}). Per case: one symbol, {} ticks (first {} not recorded), seed {}; \
         circuit: {} lanes at {} MHz ({}); Verilator model: {sim}.\n",
        s.machine,
        grouped(s.ticks as u64),
        grouped(s.warmup as u64),
        s.seed,
        s.lanes,
        s.clock_mhz,
        s.clock_source
    )
}

/// The successful Verilator run of a case.
fn sim_of(case: &Case) -> Option<&SimRun> {
    case.sim.as_ref().and_then(|r| r.as_ref().ok())
}

/// The README figures: per book size, cpu and indexed per-tick latency, the
/// circuit's tick-to-last-decision latency (contract and Verilator-measured)
/// and Verilator's speed.
pub fn summary_table(cases: &[Case], s: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| positions in ticked symbol | cpu p50 / p99 (ns) | indexed p50 / p99 (ns) | circuit cycles, contract | \
         circuit cycles, Verilator | circuit at {} MHz (ns) | Verilator cycles/s |",
        s.clock_mhz
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let cell = |backend: &str| {
            case.run(backend).map_or("–".into(), |r| {
                format!("{} / {}", grouped(r.latency.p50), grouped(r.latency.p99))
            })
        };
        let sim = sim_of(case);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            grouped(case.positions as u64),
            cell("cpu"),
            cell("indexed"),
            grouped(case.circuit.max),
            sim.map_or("–".into(), |r| grouped(r.cycles.max)),
            grouped(cycles_ns(
                sim.map_or(case.circuit.max, |r| r.cycles.max),
                s.clock_mhz
            )),
            sim.map_or("–".into(), |r| grouped(
                r.cycles_per_second().round() as u64
            )),
        );
    }
    let _ = writeln!(
        out,
        "\nCircuit: {} lanes, worst tick of the case, from the accepting clock edge to `done`.",
        s.lanes
    );
    if let Some(reason) = cases.iter().find_map(|c| c.sim.as_ref()?.as_ref().err()) {
        let _ = writeln!(out, "Verilator model not run: {reason}.");
    }
    out
}

/// Every backend's distribution, with ratios to `cpu`.
pub fn detail_table(cases: &[Case], s: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| positions | backend | p50 ns | p99 ns | p99.9 ns | max ns | p50 / cpu | p99 / cpu | liquidations |"
    );
    let _ = writeln!(out, "|---:|:---|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let cpu = case.run("cpu").map(|r| r.latency);
        let row = |out: &mut String, name: &str, l: Summary, events: String| {
            let (p50, p99) = cpu.map_or(("–".into(), "–".into()), |c| {
                (ratio(l.p50, c.p50), ratio(l.p99, c.p99))
            });
            let _ = writeln!(
                out,
                "| {} | {name} | {} | {} | {} | {} | {p50} | {p99} | {events} |",
                grouped(case.positions as u64),
                grouped(l.p50),
                grouped(l.p99),
                grouped(l.p999),
                grouped(l.max),
            );
        };
        for run in &case.runs {
            let events = if run.backend == "base" {
                "–".into()
            } else {
                grouped(run.events.len() as u64)
            };
            row(&mut out, &run.backend, run.latency, events);
        }
        let at_clock = |c: Summary| {
            let ns = |cycles| cycles_ns(cycles, s.clock_mhz);
            Summary {
                count: c.count,
                p50: ns(c.p50),
                p99: ns(c.p99),
                p999: ns(c.p999),
                max: ns(c.max),
            }
        };
        if let Some(sim) = sim_of(case) {
            let events = format!(
                "{} in {} ticks",
                grouped(sim.run.events.len() as u64),
                grouped(sim.ticks as u64)
            );
            row(
                &mut out,
                "Verilator model (host time)",
                sim.run.latency,
                events,
            );
        }
        let contract = format!("circuit, contract ({} lanes, {} MHz)", s.lanes, s.clock_mhz);
        row(&mut out, &contract, at_clock(case.circuit), "–".into());
        if let Some(sim) = sim_of(case) {
            let measured = format!(
                "circuit, Verilator cycles ({} lanes, {} MHz)",
                s.lanes, s.clock_mhz
            );
            row(&mut out, &measured, at_clock(sim.cycles), "–".into());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(cycles_ns(2_014, 100.0), 20_140);
        assert_eq!(cycles_ns(3, 150.0), 20);
        assert_eq!(ratio(50, 200), "0.250×");
        assert_eq!(ratio(24, 232_447), "0.000103×");
        assert_eq!(ratio(200, 100), "2.00×");
        assert_eq!(ratio(1, 0), "–");
    }
}
