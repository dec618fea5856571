//! What a case measured, as named series of per-tick latencies, and the
//! Markdown report: header, summary, ratios, goals, plan, detail, board.

use std::fmt::Write as _;

use crate::board::BoardRun;
use crate::circuit::SimRun;
use crate::goals::{goals, Status};
use crate::machine::Machine;
use crate::measure::Run;
use crate::numpy::NumpyRun;
use liqscan_core::cpu::SCAN_BYTES_PER_SLOT;

use crate::floor::{ROW_FLOOR, SCAN_FLOOR};
use liqscan_core::latency::Summary;
pub use liqscan_core::report::grouped;

/// How the run was made.
#[derive(Debug, Clone)]
pub struct Settings {
    pub machine: Machine,
    /// Core the measuring thread is pinned to.
    pub pinned: Option<usize>,
    /// Load averages (1, 5, 15 minutes) before and after the run.
    pub load_before: Option<String>,
    pub load_after: Option<String>,
    pub lanes: usize,
    pub clock_mhz: f64,
    /// Where the clock came from (a synthesis result, or `--clock-mhz`).
    pub clock_source: String,
    pub seed: u64,
    /// The command that made the report.
    pub command: String,
    /// Whole run, seconds.
    pub seconds: f64,
    /// Why numpy did not run, if it did not.
    pub numpy_missing: Option<String>,
}

/// A streaming read of `bytes_per_slot` bytes per slot of the ticked symbol.
#[derive(Debug, Clone)]
pub struct FloorRun {
    pub bytes_per_slot: usize,
    pub latency: Summary,
}

/// numpy's run and its decisions against the exact ones.
#[derive(Debug, Clone)]
pub struct NumpyResult {
    pub run: NumpyRun,
    /// Exact liquidations it did not report.
    pub missed: usize,
    /// Liquidations it reported that the exact rule does not.
    pub extra: usize,
}

/// One case: every measurement over the same book and ticks.
#[derive(Debug, Clone)]
pub struct Case {
    pub label: String,
    pub symbols: usize,
    pub positions: usize,
    /// Slots of the largest symbol (all of them for a one-symbol book).
    pub ticked_slots: u64,
    pub ticks: usize,
    pub warmup: usize,
    /// The baseline, then the software backends, on every tick.
    pub runs: Vec<Run>,
    /// Tick-to-last-decision cycles from `spec::scan_cycles`, every tick.
    pub circuit: Summary,
    pub floors: Vec<FloorRun>,
    pub keeper: Option<Run>,
    /// numpy's run, or why it did not run.
    pub numpy: Option<Result<NumpyResult, String>>,
    pub sim: Option<Result<SimRun, String>>,
    /// The same model with its lanes on two host threads (after `sim`).
    pub sim_split: Option<SimRun>,
    pub board: Option<Result<BoardRun, String>>,
    /// Time the case took, generation included.
    pub seconds: f64,
}

/// One named distribution of a case.
#[derive(Debug, Clone)]
pub struct Series {
    /// Stable key (CSV, plot): `cpu`, `floor-20` …
    pub key: String,
    /// What the report calls it.
    pub label: String,
    /// In ns.
    pub latency: Summary,
    /// Liquidations found, where the series decides.
    pub liquidations: Option<usize>,
}

/// Cycles at `clock_mhz`, in whole ns.
pub fn cycles_ns(cycles: u64, clock_mhz: f64) -> u64 {
    (cycles as f64 * 1000.0 / clock_mhz).round() as u64
}

/// A summary of cycles as ns at `clock_mhz`.
pub fn at_clock(c: Summary, clock_mhz: f64) -> Summary {
    let ns = |cycles| cycles_ns(cycles, clock_mhz);
    Summary {
        count: c.count,
        p50: ns(c.p50),
        p90: ns(c.p90),
        p99: ns(c.p99),
        p999: ns(c.p999),
        max: ns(c.max),
    }
}

impl Case {
    pub fn run(&self, backend: &str) -> Option<&Run> {
        self.runs.iter().find(|r| r.backend == backend)
    }

    pub fn sim(&self) -> Option<&SimRun> {
        self.sim.as_ref().and_then(|r| r.as_ref().ok())
    }

    pub fn board(&self) -> Option<&BoardRun> {
        self.board.as_ref().and_then(|r| r.as_ref().ok())
    }

    pub fn numpy(&self) -> Option<&NumpyResult> {
        self.numpy.as_ref().and_then(|r| r.as_ref().ok())
    }

    pub fn one_symbol(&self) -> bool {
        self.symbols == 1
    }

    /// Every series, in report order: the backends, the circuit (Verilator's
    /// cycles if the model ran, else the contract's, at the clock), the
    /// board's host work, the keeper, numpy, the floors.
    pub fn series(&self, clock_mhz: f64) -> Vec<Series> {
        let mut all: Vec<Series> = self
            .runs
            .iter()
            .map(|r| Series {
                key: r.backend.clone(),
                label: r.backend.clone(),
                latency: r.latency,
                liquidations: (r.backend != "base").then_some(r.events.len()),
            })
            .collect();
        let (cycles, source) = match self.sim() {
            Some(sim) => (sim.cycles, "Verilator cycles"),
            None => (self.circuit, "contract cycles"),
        };
        all.push(Series {
            key: "circuit".into(),
            label: format!("circuit ({source} at {clock_mhz} MHz)"),
            latency: at_clock(cycles, clock_mhz),
            liquidations: self.sim().map(|s| s.run.events.len()),
        });
        all.push(Series {
            key: "circuit-contract".into(),
            label: format!("circuit limit ceil(n/L) + D at {clock_mhz} MHz"),
            latency: at_clock(self.circuit, clock_mhz),
            liquidations: None,
        });
        if let Some(board) = self.board() {
            all.push(Series {
                key: "board".into(),
                label: "board: driver host work".into(),
                latency: board.host,
                liquidations: Some(board.run.events.len()),
            });
        }
        if let Some(keeper) = &self.keeper {
            all.push(Series {
                key: "keeper".into(),
                label: "keeper (rust_decimal)".into(),
                latency: keeper.latency,
                liquidations: Some(keeper.events.len()),
            });
        }
        if let Some(numpy) = self.numpy() {
            all.push(Series {
                key: "numpy".into(),
                label: format!("numpy {} (float64)", numpy.run.version),
                latency: numpy.run.latency,
                liquidations: Some(numpy.run.events.len()),
            });
        }
        for f in &self.floors {
            all.push(Series {
                key: crate::floor::floor_key(f.bytes_per_slot).into(),
                label: format!("floor: read {} B/slot", f.bytes_per_slot),
                latency: f.latency,
                liquidations: None,
            });
        }
        if let Some(sim) = self.sim() {
            all.push(Series {
                key: "verilator-host".into(),
                label: "Verilator model (host time)".into(),
                latency: sim.run.latency,
                liquidations: Some(sim.run.events.len()),
            });
        }
        all
    }

    /// The series named `key`.
    pub fn series_of(&self, key: &str, clock_mhz: f64) -> Option<Series> {
        self.series(clock_mhz).into_iter().find(|s| s.key == key)
    }

    /// Ticks each series recorded (the sampled ones fewer).
    pub fn ticks_of(&self, key: &str) -> usize {
        let recorded = |r: &Run| r.latency.count as usize;
        match key {
            "keeper" => self.keeper.as_ref().map_or(0, recorded),
            "numpy" => self.numpy().map_or(0, |n| n.run.latency.count as usize),
            "board" => self.board().map_or(0, |b| b.host.count as usize),
            "circuit" | "verilator-host" => self
                .sim()
                .map_or(self.circuit.count as usize, |s| s.cycles.count as usize),
            _ => self.ticks - self.warmup,
        }
    }
}

/// `ns` in the unit that reads best, three significant figures.
pub fn human(ns: u64) -> String {
    let ns = ns as f64;
    let (value, unit) = if ns < 1e3 {
        return format!("{ns:.0} ns");
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}

/// `value / reference` as a factor, three significant figures.
pub fn ratio(value: u64, reference: u64) -> String {
    if reference == 0 {
        return "–".into();
    }
    factor(value as f64 / reference as f64)
}

/// A factor with three significant figures, however small.
pub fn factor(r: f64) -> String {
    if !r.is_finite() || r <= 0.0 {
        return "–".into();
    }
    let decimals = if r >= 100.0 {
        0
    } else if r >= 1.0 {
        2 - (r.log10().floor() as usize).min(2)
    } else {
        (2.0 - r.log10().floor()) as usize
    };
    format!("{r:.decimals$}×")
}

fn p50_p99(s: Option<&Series>) -> String {
    s.map_or("–".into(), |s| {
        format!("{} / {}", human(s.latency.p50), human(s.latency.p99))
    })
}

/// Header: machine, load, pinning, clock, numpy, how to reproduce.
pub fn header(s: &Settings) -> String {
    let pinned = s.pinned.map_or("not pinned".to_owned(), |c| {
        format!("measuring thread pinned to core {c}")
    });
    let load = |l: &Option<String>| l.clone().unwrap_or_else(|| "unknown".into());
    let numpy = match &s.numpy_missing {
        None => String::new(),
        Some(why) => format!(" **numpy column skipped: {why}.**"),
    };
    format!(
        "Machine: {} ({pinned}); load average {} before the run, {} after. \
         Seed {}; circuit: {} lanes at {} MHz ({}). Every case runs every backend on one \
         generated book and its ticks; `cpu`, `indexed`, the keeper, the Verilator model and \
         the board must report the same liquidations (the run fails otherwise). Large books \
         run fewer ticks, and the keeper, numpy, the Verilator model and the board run on \
         the first ticks of a case only (see Plan), so that the run takes minutes \
         (this one: {:.0} s). Latencies are p50 / p99 per tick.{numpy} \
         Reproduce: `{}`.\n",
        s.machine,
        load(&s.load_before),
        load(&s.load_after),
        s.seed,
        s.lanes,
        s.clock_mhz,
        s.clock_source,
        s.seconds,
        s.command,
    )
}

/// The README table: per case, p50 / p99 of each backend, baseline and floor.
pub fn summary_table(cases: &[Case], s: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| positions in ticked symbol | cpu | indexed | circuit at {} MHz | board: driver host work \
         | keeper (rust_decimal) | numpy (float64) | floor: read 20 B/slot | floor: read {SCAN_BYTES_PER_SLOT} B/slot |",
        s.clock_mhz
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let series = case.series(s.clock_mhz);
        let get = |key: &str| series.iter().find(|x| x.key == key);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            case_name(case),
            p50_p99(get("cpu")),
            p50_p99(get("indexed")),
            p50_p99(get("circuit")),
            p50_p99(get("board")),
            p50_p99(get("keeper")),
            p50_p99(get("numpy")),
            p50_p99(get(ROW_FLOOR)),
            p50_p99(get(SCAN_FLOOR)),
        );
    }
    out
}

/// A case's name in tables: its size, or the book for a multi-symbol one.
fn case_name(case: &Case) -> String {
    if case.one_symbol() {
        case.label.clone()
    } else {
        format!("{} (largest {})", case.label, grouped(case.ticked_slots))
    }
}

/// The slowest recorded tick of `slow` and `other`'s time on that tick:
/// `(index, slow ns, other ns)`.
pub fn worst_tick(slow: &Run, other: &Run) -> Option<(usize, u64, u64)> {
    let (i, &ns) = slow
        .per_tick
        .iter()
        .enumerate()
        .max_by_key(|&(_, ns)| *ns)?;
    Some((i, ns, *other.per_tick.get(i)?))
}

/// Liquidations on each recorded tick of `run` (the first
/// `ticks − per_tick.len()` ticks are warm-up; tick `i` has `seq = i + 1`,
/// as in a generated scenario).
pub fn liquidations_per_tick(run: &Run, ticks: usize) -> Vec<usize> {
    let first_recorded = ticks - run.per_tick.len();
    let mut counts = vec![0usize; run.per_tick.len()];
    for &(seq, _) in &run.events {
        if let Some(i) = (seq as usize).checked_sub(1 + first_recorded) {
            counts[i] += 1;
        }
    }
    counts
}

/// The crash: the recorded tick that liquidates the most, and the two
/// backends' times on it: `(liquidations, a ns, b ns)`.
pub fn crash_tick(a: &Run, b: &Run, ticks: usize) -> Option<(usize, u64, u64)> {
    let counts = liquidations_per_tick(a, ticks);
    let (i, &most) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))?;
    Some((most, a.per_tick[i], *b.per_tick.get(i)?))
}

/// Ratios against the baselines and the limits.
pub fn ratio_table(cases: &[Case], s: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| case | cpu / floor 20 B (p50, p99) | cpu / floor {SCAN_BYTES_PER_SLOT} B (p50, p99) | indexed / cpu on the crash tick \
         | indexed / cpu on indexed's slowest tick | keeper / cpu (p50, p99) | numpy / cpu (p50, p99) \
         | cpu / circuit (p50) | circuit / its limit |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let series = case.series(s.clock_mhz);
        let get = |key: &str| series.iter().find(|x| x.key == key).map(|x| x.latency);
        let pair = |a: Option<Summary>, b: Option<Summary>| match (a, b) {
            (Some(a), Some(b)) => format!("{}, {}", ratio(a.p50, b.p50), ratio(a.p99, b.p99)),
            _ => "–".into(),
        };
        let (crash, worst) = match (case.run("indexed"), case.run("cpu")) {
            (Some(indexed), Some(cpu)) => (
                crash_tick(indexed, cpu, case.ticks).map_or("–".into(), |(n, i, c)| {
                    format!(
                        "{} ({} vs {}, {} liquidations)",
                        ratio(i, c),
                        human(i),
                        human(c),
                        grouped(n as u64)
                    )
                }),
                worst_tick(indexed, cpu).map_or("–".into(), |(_, i, c)| {
                    format!("{} ({} vs {})", ratio(i, c), human(i), human(c))
                }),
            ),
            _ => ("–".into(), "–".into()),
        };
        let cpu = get("cpu");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {crash} | {worst} | {} | {} | {} | {} |",
            case_name(case),
            pair(cpu, get(ROW_FLOOR)),
            pair(cpu, get(SCAN_FLOOR)),
            pair(get("keeper"), cpu),
            pair(get("numpy"), cpu),
            match (cpu, get("circuit")) {
                (Some(c), Some(h)) => ratio(c.p50, h.p50),
                _ => "–".into(),
            },
            match (get("circuit"), get("circuit-contract")) {
                (Some(c), Some(l)) => ratio(c.max, l.max),
                _ => "–".into(),
            },
        );
    }
    out
}

/// The goals of the latency issue, one row each: how many cases meet it
/// and the figures of those that do not (the README's).
pub fn goal_summary(cases: &[Case], s: &Settings) -> String {
    let all = goals(cases, s.clock_mhz);
    let mut names: Vec<&str> = Vec::new();
    for g in &all {
        if !names.contains(&g.goal) {
            names.push(g.goal);
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "| goal | target | met in | not met: case (measured) |");
    let _ = writeln!(out, "|---|---:|---:|---|");
    for name in names {
        let of: Vec<_> = all.iter().filter(|g| g.goal == name).collect();
        let met = of.iter().filter(|g| g.status == Status::Met).count();
        let missed: Vec<String> = of
            .iter()
            .filter(|g| g.status == Status::NotMet)
            .map(|g| format!("{} ({})", g.case, g.measured))
            .collect();
        let _ = writeln!(
            out,
            "| {name} | {} | {met} of {} | {} |",
            of[0].target,
            of.len(),
            if missed.is_empty() {
                "–".into()
            } else {
                missed.join("; ")
            }
        );
    }
    out
}

/// Every goal on every case: measured figure against goal.
pub fn goal_table(cases: &[Case], s: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| goal | case | measured | goal | status |");
    let _ = writeln!(out, "|---|---|---:|---:|---|");
    for g in goals(cases, s.clock_mhz) {
        let status = match g.status {
            Status::Met => "met",
            Status::NotMet => "**not met**",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {status} |",
            g.goal, g.case, g.measured, g.target
        );
    }
    out
}

/// Ticks and samples of each case.
pub fn plan_table(cases: &[Case]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| case | symbols | positions | ticks (first not recorded) | keeper ticks | numpy ticks \
         | Verilator ticks | board ticks | seconds |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let sample = |key: &str, ran: bool| {
            if ran {
                grouped(case.ticks_of(key) as u64)
            } else {
                "–".into()
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} ({}) | {} | {} | {} | {} | {:.1} |",
            case.label,
            case.symbols,
            grouped(case.positions as u64),
            grouped(case.ticks as u64),
            grouped(case.warmup as u64),
            sample("keeper", case.keeper.is_some()),
            sample("numpy", case.numpy().is_some()),
            sample("circuit", case.sim().is_some()),
            sample("board", case.board().is_some()),
            case.seconds
        );
    }
    out
}

/// Every series' distribution, with ratios to `cpu`.
pub fn detail_table(cases: &[Case], s: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| case | series | ticks | p50 | p99 | p99.9 | max | p50 / cpu | p99 / cpu | liquidations |"
    );
    let _ = writeln!(out, "|---|:---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let cpu = case.run("cpu").map(|r| r.latency);
        for series in case.series(s.clock_mhz) {
            let l = series.latency;
            let (p50, p99) = cpu.map_or(("–".into(), "–".into()), |c| {
                (ratio(l.p50, c.p50), ratio(l.p99, c.p99))
            });
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {p50} | {p99} | {} |",
                case.label,
                series.label,
                grouped(case.ticks_of(&series.key) as u64),
                human(l.p50),
                human(l.p99),
                human(l.p999),
                human(l.max),
                series
                    .liquidations
                    .map_or("–".into(), |n| grouped(n as u64)),
            );
        }
    }
    out
}

/// The board's bus accesses and host work per tick.
pub fn board_table(cases: &[Case]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| case | ticks | host work p50 / p99 / max | register writes / tick | register reads / tick \
         | ring reads / tick | ring writes / tick | load (model time included) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        match &case.board {
            Some(Ok(b)) => {
                let [w, r, rr, rw] = b.per_tick();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} / {} / {} | {w:.2} | {r:.2} | {rr:.2} | {rw:.2} | {:.1} s |",
                    case.label,
                    grouped(b.ticks as u64),
                    human(b.host.p50),
                    human(b.host.p99),
                    human(b.host.max),
                    b.load.as_secs_f64()
                );
            }
            Some(Err(why)) => {
                let _ = writeln!(out, "| {} | not run: {why} | | | | | | |", case.label);
            }
            None => {
                let _ = writeln!(out, "| {} | not planned | | | | | | |", case.label);
            }
        }
    }
    out
}

/// numpy's float64 decisions against the exact ones.
pub fn numpy_table(cases: &[Case]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| case | ticks | exact liquidations | numpy's | missed by numpy | extra in numpy |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for case in cases {
        if let Some(NumpyResult {
            run: n,
            missed,
            extra,
        }) = case.numpy()
        {
            let exact = case.run("cpu").map_or(0, |cpu| {
                cpu.events
                    .iter()
                    .filter(|(seq, _)| *seq <= n.last_seq)
                    .count()
            });
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {missed} | {extra} |",
                case.label,
                grouped(n.ticks as u64),
                grouped(exact as u64),
                grouped(n.events.len() as u64),
            );
        }
    }
    out
}

/// The whole report.
pub fn markdown(cases: &[Case], s: &Settings) -> String {
    let mut out = header(s);
    out.push('\n');
    out.push_str(&summary_table(cases, s));
    let board = cases
        .iter()
        .find_map(|c| c.board())
        .map_or(String::new(), |b| {
            format!(
                " The board's figure is the driver's own host time per tick (bus accesses and \
                 the model excluded; {:.0} ns of clock reads per access calibrated out): see Board.",
                b.overhead_ns
            )
        });
    let _ = writeln!(
        out,
        "\nFloors: a streaming read of the ticked symbol's slots, 20 bytes a slot (its `(Q, T)` \
         rows, what an exact brute-force scan must touch) and {SCAN_BYTES_PER_SLOT} (what `cpu` \
         reads: `liqscan_core::cpu::SCAN_BYTES_PER_SLOT`). The circuit: cycles from the \
         accepting edge to `done`.{board} Plots: `bench-p50.svg`, `bench-p99.svg`; every figure in \
         `bench.csv`.\n"
    );
    let sections = [
        ("Goals", goal_summary(cases, s)),
        ("Goals by case", goal_table(cases, s)),
        ("Ratios", ratio_table(cases, s)),
        ("Plan", plan_table(cases)),
        ("Detail", detail_table(cases, s)),
        ("Board", board_table(cases)),
        ("numpy's decisions", numpy_table(cases)),
    ];
    for (title, table) in sections {
        let _ = write!(out, "## {title}\n\n{table}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(cycles_ns(2_014, 100.0), 20_140);
        assert_eq!(cycles_ns(3, 150.0), 20);
        assert_eq!(ratio(50, 200), "0.250×");
        assert_eq!(ratio(24, 232_447), "0.000103×");
        assert_eq!(ratio(200, 100), "2.00×");
        assert_eq!(ratio(2_345, 100), "23.4×");
        assert_eq!(ratio(123_456, 100), "1235×");
        assert_eq!(ratio(1, 0), "–");
        assert_eq!(human(480), "480 ns");
        assert_eq!(human(4_099), "4.10 µs");
        assert_eq!(human(228_000), "228 µs");
        assert_eq!(human(14_500_000), "14.5 ms");
        assert_eq!(human(2_000_000_000), "2.00 s");
    }

    #[test]
    fn worst_tick_pairs_the_same_tick() {
        let run = |per_tick: Vec<u64>| Run {
            backend: "x".into(),
            latency: Summary::default(),
            per_tick,
            events: Vec::new(),
            load: Default::default(),
            wall: Default::default(),
        };
        let slow = run(vec![5, 90, 7]);
        let other = run(vec![50, 60, 70]);
        assert_eq!(worst_tick(&slow, &other), Some((1, 90, 60)));
        assert_eq!(worst_tick(&run(vec![]), &other), None);
    }
}
