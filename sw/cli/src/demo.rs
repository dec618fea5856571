//! `liqscan demo`: the embedded default scenario, scanned on every available
//! backend; they must agree event for event.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use std::sync::Arc;
use std::time::{Duration, Instant};

use liqscan_core::gen::{self as generator, GenConfig};
use liqscan_core::input::StreamKind;
use liqscan_core::report::{first_difference, Event};
use liqscan_core::spec::DEFAULT_LANES;
use liqscan_sim::Backend;
use tracing::info;

use crate::pipeline::feed::Feed;
use crate::pipeline::latency::{Latency, Summary};
use crate::pipeline::progress::Progress;
use crate::pipeline::scanner::{Judge, Scanner};
use crate::pipeline::sink::Sink;
use crate::pipeline::stop::{Signals, Stop};

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
    /// Ticks the `sim` backend scans (a prefix of the scenario's): the
    /// Verilator model runs at tens of thousands of cycles per second.
    #[arg(long, default_value_t = 2_000)]
    sim_ticks: usize,
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

struct Run {
    backend: Backend,
    events: Vec<Event>,
    ticks: u64,
    /// The backend's decision time per tick.
    latency: Latency,
    wall: Duration,
    /// The last tick seq this backend scanned (it may scan a prefix only).
    last_seq: Option<u64>,
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
        let mut engine = match backend.engine(scenario.market.clone(), DEFAULT_LANES) {
            Ok(engine) => engine,
            Err(unavailable) if backend == Backend::Sim => {
                note!("note: skipping the sim backend: {unavailable}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let tick_count = if backend == Backend::Sim {
            args.sim_ticks
        } else {
            scenario.ticks.len()
        };
        let scanned = &scenario.ticks[..tick_count.min(scenario.ticks.len())];
        info!("scanning {} ticks on {backend}", scanned.len());
        let book = scenario.book();
        engine
            .load(&book.sorted())
            .with_context(|| format!("loading positions into {backend}"))?;
        // The scan's own stages, inline: the same code as `scan --single-thread`.
        let started = Instant::now();
        let mut feed = Feed::memory(scanned.to_vec());
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
        runs.push(Run {
            backend,
            events,
            ticks: scanner.tally().ticks,
            latency: totals.decision,
            wall: started.elapsed(),
            last_seq: scanned.last().map(|t| t.seq),
        });
    }
    // stdout closed (`| head -1`) is a failure (exit 1), not a panic.
    let mut stdout = io::stdout().lock();
    print_table(&mut stdout, &runs).context("writing to stdout")?;
    let reference = &runs[0];
    let mut agree = true;
    for other in &runs[1..] {
        // Compare on the ticks both scanned: events are in tick order.
        let last = other.last_seq.min(reference.last_seq);
        let common = |run: &Run| {
            run.events
                .iter()
                .take_while(|e| Some(e.tick) <= last)
                .count()
        };
        let (ours, theirs) = (
            &reference.events[..common(reference)],
            &other.events[..common(other)],
        );
        if let Some(difference) = first_difference(ours, theirs) {
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
        "all {} backends agree event for event on every tick they scanned ({} events on cpu)",
        runs.len(),
        reference.events.len()
    )
    .and_then(|()| stdout.flush())
    .context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}

fn print_table(out: &mut impl Write, runs: &[Run]) -> io::Result<()> {
    writeln!(
        out,
        "{:<8} {:>7} {:>9} {:>10} {:>9} {:>9} {:>9} {:>10} {:>11}",
        "backend",
        "ticks",
        "events",
        "wall ms",
        "p50 ns",
        "p99 ns",
        "p99.9 ns",
        "max ns",
        "p50 vs cpu"
    )?;
    let cpu_p50 = runs[0].latency.summary().p50 as f64;
    for run in runs {
        let Summary {
            p50,
            p99,
            p999,
            max,
            ..
        } = run.latency.summary();
        let wall = run.wall.as_secs_f64();
        writeln!(
            out,
            "{:<8} {:>7} {:>9} {:>10.1} {:>9} {:>9} {:>9} {:>10} {:>10.2}x",
            run.backend.to_string(),
            run.ticks,
            run.events.len(),
            wall * 1e3,
            p50,
            p99,
            p999,
            max,
            cpu_p50 / (p50 as f64).max(1.0),
        )?;
        let over = run.latency.over_range();
        if over > 0 {
            note!(
                "note: {}: {over} ticks over an hour, counted as an hour: the quantiles they reach are lower bounds",
                run.backend
            );
        }
    }
    Ok(())
}
