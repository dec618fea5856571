//! `liqscan demo`: the embedded default scenario, every tick of it scanned
//! on every available backend, the circuit (`sim`) included; they must
//! agree event for event. The table gives each backend's per-tick latency:
//! the host's time for the software backends, the circuit's own for `sim`
//! (its cycles from the edge that accepts the tick to `done`, in ns at the
//! FPGA build's recorded clock), and how fast the Verilator model ran.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use liqscan_core::engine::Engine;
use liqscan_core::gen::{self as generator, GenConfig, Scenario};
use liqscan_core::input::StreamKind;
use liqscan_core::latency::Summary;
use liqscan_core::report::{first_difference, Event};
use liqscan_core::spec::DEFAULT_LANES;
use liqscan_core::synth_results::SynthResult;
use liqscan_sim::Backend;
use tracing::info;

use crate::circuit::{recorded_clock, Circuit, RESULTS_FILE};
use crate::pipeline::feed::Feed;
use crate::pipeline::latency::Latency as HostLatency;
use crate::pipeline::progress::Progress;
use crate::pipeline::scanner::{Judge, Scanner};
use crate::pipeline::sink::Sink;
use crate::pipeline::stop::{Signals, Stop};
use crate::sim_threads::SimThreads;

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
    #[command(flatten)]
    sim: SimThreads,
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
    /// The host's time in the backend's `tick` call, in ns.
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
    ticks: u64,
    latency: Latency,
}

/// What scanning every tick on one engine gave.
struct Scanned {
    events: Vec<Event>,
    ticks: u64,
    /// The engine's decision time per tick.
    decision: HostLatency,
    wall: Duration,
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
            let circuit =
                match Circuit::new(scenario.market.clone(), DEFAULT_LANES, args.sim.threads()) {
                    Ok(circuit) => circuit,
                    Err(unavailable) => {
                        note!("note: skipping the sim backend: {unavailable}");
                        continue;
                    }
                };
            let log = circuit.log();
            let scanned = scan_all(Box::new(circuit), backend, &scenario)?;
            let latency = Latency::Circuit {
                cycles: log.cycles(),
                clock: recorded_clock(DEFAULT_LANES),
                simulated: log.simulated_since_load(),
                wall: scanned.wall,
            };
            Run {
                backend,
                events: scanned.events,
                ticks: scanned.ticks,
                latency,
            }
        } else {
            let engine = backend.engine(scenario.market.clone(), DEFAULT_LANES)?;
            let scanned = scan_all(engine, backend, &scenario)?;
            if scanned.decision.over_range() > 0 {
                note!(
                    "note: {backend}: {} ticks over an hour, counted as an hour: the quantiles they reach are lower bounds",
                    scanned.decision.over_range()
                );
            }
            Run {
                backend,
                events: scanned.events,
                ticks: scanned.ticks,
                latency: Latency::Host(scanned.decision.summary()),
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
        reference.ticks,
        reference.events.len()
    )
    .and_then(|()| stdout.flush())
    .context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// Every tick of the scenario on `engine`, loaded with its positions first,
/// through the scan's own stages run inline (the code of `scan
/// --single-thread`).
fn scan_all(mut engine: Box<dyn Engine>, backend: Backend, scenario: &Scenario) -> Result<Scanned> {
    let book = scenario.book();
    engine
        .load(&book.sorted())
        .with_context(|| format!("loading positions into {backend}"))?;
    let started = Instant::now();
    let mut feed = Feed::memory(scenario.ticks.clone());
    let sink = Sink::new(
        scenario.market.clone(),
        engine.name(),
        (feed.file(), StreamKind::Ticks.noun()),
        Vec::new(),
        None,
    );
    let mut scanner = Scanner::new(
        engine,
        book,
        Judge::Ticks,
        (StreamKind::Ticks, "(generated ticks)"),
        false,
        Arc::new(Progress::default()),
    );
    let stop = Stop::new(Signals::default());
    let (totals, events) = crate::pipeline::inline(&mut feed, &mut scanner, sink, &stop)?;
    Ok(Scanned {
        events,
        ticks: scanner.tally().ticks,
        decision: totals.decision,
        wall: started.elapsed(),
    })
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
            run.ticks,
            run.events.len(),
            source,
            at(0),
            at(1),
            at(2),
            at(3),
            ratio,
        )?;
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
