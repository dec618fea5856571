//! `liqscan demo`: the embedded default scenario, every tick of it scanned
//! on every available backend, the circuit (`sim`) included; they must
//! agree event for event. The table gives each backend's per-tick latency:
//! the host's time for the software backends, the circuit's own for `sim`
//! (its cycles from the edge that accepts the tick to `done`, in ns at the
//! FPGA build's recorded clock), and how fast the Verilator model ran.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use liqscan_core::engine::Engine;
use liqscan_core::gen::{self as generator, GenConfig, Scenario};
use liqscan_core::input::TickIter;
use liqscan_core::latency::Summary;
use liqscan_core::report::{first_difference, Event};
use liqscan_core::spec::DEFAULT_LANES;
use liqscan_core::synth_results::SynthResult;
use liqscan_core::Book;
use liqscan_sim::Backend;
use tracing::info;

use crate::circuit::{recorded_clock, Circuit, RESULTS_FILE};
use crate::scan::{scan, Stats};

/// The scenario is the default one; the hidden options shrink it for tests.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, hide = true, default_value_t = GenConfig::demo().positions)]
    positions: usize,
    #[arg(long, hide = true, default_value_t = GenConfig::demo().symbols)]
    symbols: usize,
    #[arg(long, hide = true, default_value_t = GenConfig::demo().ticks)]
    ticks: usize,
    #[arg(long, hide = true, default_value_t = GenConfig::demo().seed)]
    seed: u64,
}

impl Args {
    /// The scenario these flags ask for (checked by [`GenConfig::check`]).
    pub fn config(&self) -> GenConfig {
        GenConfig {
            positions: self.positions,
            symbols: self.symbols,
            ticks: self.ticks,
            seed: self.seed,
        }
    }
}

/// One backend's latency per tick.
enum Latency {
    /// The host's time in the backend's `tick` call.
    Host(Summary),
    /// The circuit's cycles, and what simulating them took.
    Circuit {
        cycles: Summary,
        /// The FPGA build's clock, if one is recorded for the lanes.
        clock: Option<SynthResult>,
        /// Clock edges simulated during the scan and the scan's wall time.
        simulated: u64,
        wall: Duration,
    },
}

impl Latency {
    /// p50, p99, p99.9 and max in ns, where there is a clock.
    fn ns(&self) -> Option<[u64; 4]> {
        match self {
            Latency::Host(s) => Some([s.p50, s.p99, s.p999, s.max]),
            Latency::Circuit { cycles, clock, .. } => {
                let clock = clock.as_ref()?;
                let ns = |c: u64| clock.ns(c).round() as u64;
                Some([
                    ns(cycles.p50),
                    ns(cycles.p99),
                    ns(cycles.p999),
                    ns(cycles.max),
                ])
            }
        }
    }
}

struct Run {
    backend: Backend,
    events: Vec<Event>,
    stats: Stats,
    latency: Latency,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let config = args.config();
    let scenario = generator::generate(&config)?;
    info!(
        "scenario: {} positions, {} symbols, {} ticks (seed {})",
        scenario.positions.len(),
        scenario.market.len(),
        scenario.ticks.len(),
        config.seed
    );
    let mut runs = Vec::new();
    for backend in Backend::ALL {
        info!("scanning {} ticks on {backend}", scenario.ticks.len());
        let run = if backend == Backend::Sim {
            let mut circuit = match Circuit::new(scenario.market.clone(), DEFAULT_LANES) {
                Ok(circuit) => circuit,
                Err(unavailable) => {
                    note!("note: skipping the sim backend: {unavailable}");
                    continue;
                }
            };
            let mut book = load(&mut circuit, backend, &scenario)?;
            let loaded = circuit.simulated_cycles();
            let (events, stats) = scan_all(&mut circuit, &mut book, &scenario)?;
            let latency = Latency::Circuit {
                cycles: circuit.cycles().summary(),
                clock: recorded_clock(DEFAULT_LANES),
                simulated: circuit.simulated_cycles() - loaded,
                wall: stats.wall,
            };
            Run {
                backend,
                events,
                stats,
                latency,
            }
        } else {
            let mut engine = backend.engine(scenario.market.clone(), DEFAULT_LANES)?;
            let mut book = load(engine.as_mut(), backend, &scenario)?;
            let (events, stats) = scan_all(engine.as_mut(), &mut book, &scenario)?;
            Run {
                backend,
                events,
                latency: Latency::Host(stats.latency.summary()),
                stats,
            }
        };
        runs.push(run);
    }
    // stdout closed (`| head -1`) is a failure (exit 1), not a panic.
    let mut stdout = io::stdout().lock();
    print_table(&mut stdout, &runs).context("writing to stdout")?;
    let reference = &runs[0];
    let mut agree = true;
    for other in &runs[1..] {
        if let Some(difference) = first_difference(&reference.events, &other.events) {
            note!(
                "error: {} and {} disagree at {difference}",
                reference.backend,
                other.backend
            );
            agree = false;
        }
    }
    if !agree {
        return Ok(ExitCode::FAILURE);
    }
    writeln!(
        stdout,
        "all {} backends agree event for event on all {} ticks ({} events)",
        runs.len(),
        reference.stats.ticks,
        reference.events.len()
    )
    .and_then(|()| stdout.flush())
    .context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// The scenario's positions loaded into `engine`; the book they came from.
fn load(engine: &mut dyn Engine, backend: Backend, scenario: &Scenario) -> Result<Book> {
    let book = scenario.book();
    engine
        .load(&book.sorted())
        .with_context(|| format!("loading positions into {backend}"))?;
    Ok(book)
}

/// Every tick of the scenario on `engine`: the events and the scan's figures.
fn scan_all(
    engine: &mut dyn Engine,
    book: &mut Book,
    scenario: &Scenario,
) -> Result<(Vec<Event>, Stats)> {
    let mut events = Vec::new();
    let stats = scan(
        engine,
        book,
        &mut TickIter(scenario.ticks.iter().copied()),
        false,
        &mut events,
    )?;
    Ok((events, stats))
}

fn print_table(out: &mut impl Write, runs: &[Run]) -> io::Result<()> {
    writeln!(
        out,
        "{:<8} {:>7} {:>9} {:>8} {:>9} {:>9} {:>9} {:>10} {:>11}",
        "backend",
        "ticks",
        "events",
        "latency",
        "p50 ns",
        "p99 ns",
        "p99.9 ns",
        "max ns",
        "p50 vs cpu"
    )?;
    let cpu_p50 = runs[0].latency.ns().map_or(0, |ns| ns[0]) as f64;
    for run in runs {
        let source = match run.latency {
            Latency::Host(_) => "host",
            Latency::Circuit { .. } => "circuit",
        };
        let cell = |value: Option<u64>| value.map_or("–".to_string(), |v| v.to_string());
        let ns = run.latency.ns();
        let at = |i: usize| cell(ns.map(|ns| ns[i]));
        let ratio = ns.map_or("–".to_string(), |ns| {
            format!("{:.2}x", cpu_p50 / (ns[0] as f64).max(1.0))
        });
        writeln!(
            out,
            "{:<8} {:>7} {:>9} {:>8} {:>9} {:>9} {:>9} {:>10} {:>11}",
            run.backend.to_string(),
            run.stats.ticks,
            run.events.len(),
            source,
            at(0),
            at(1),
            at(2),
            at(3),
            ratio,
        )?;
        let saturated = run.stats.latency.saturated();
        if saturated > 0 && matches!(run.latency, Latency::Host(_)) {
            note!(
                "note: {}: {saturated} ticks too long to record, counted as the longest recordable: the quantiles they reach are lower bounds",
                run.backend
            );
        }
    }
    for run in runs {
        if let Latency::Circuit {
            cycles,
            clock,
            simulated,
            wall,
        } = &run.latency
        {
            let at = match clock {
                Some(clock) => format!(
                    "ns at {} MHz, the {DEFAULT_LANES}-lane FPGA build {clock} ({RESULTS_FILE})",
                    clock.clock_mhz
                ),
                None => format!("no clock recorded for {DEFAULT_LANES} lanes in {RESULTS_FILE}"),
            };
            writeln!(
                out,
                "{}: the circuit's cycles per tick, accepting edge to done: p50 {}, p99 {}, p99.9 {}, max {}; {at}",
                run.backend, cycles.p50, cycles.p99, cycles.p999, cycles.max
            )?;
            let seconds = wall.as_secs_f64();
            writeln!(
                out,
                "{}: the Verilator model simulated {simulated} cycles in {seconds:.1} s: {:.0} cycles per second",
                run.backend,
                *simulated as f64 / seconds.max(f64::MIN_POSITIVE)
            )?;
        }
    }
    Ok(())
}
