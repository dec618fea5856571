//! `liqscan demo`: the embedded default scenario, scanned on every available
//! backend; they must agree event for event.

use std::process::ExitCode;

use anyhow::{Context, Result};
use liqscan_core::gen::{self as generator, GenConfig};
use liqscan_core::report::Event;
use tracing::info;

use crate::backend::{self, Backend};
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

struct Run {
    backend: Backend,
    events: Vec<Event>,
    stats: Stats,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let config = GenConfig { positions: args.positions, symbols: args.symbols, ticks: args.ticks, seed: args.seed };
    let scenario = generator::generate(&config)?;
    info!(
        "scenario: {} positions, {} symbols, {} ticks (seed {})",
        scenario.positions.len(),
        scenario.market.len(),
        scenario.ticks.len(),
        config.seed
    );
    let mut runs = Vec::new();
    for backend in backend::DEMO {
        info!("scanning on {backend}");
        let mut engine = backend::engine(backend, &scenario.market)?;
        let mut book = scenario.book();
        engine.load(&book.sorted()).with_context(|| format!("loading positions into {backend}"))?;
        let mut events = Vec::new();
        let ticks = scenario.ticks.iter().map(|&t| Ok(t));
        let stats = scan(engine.as_mut(), &mut book, ticks, false, |e| {
            events.push(e);
            Ok(())
        })?;
        runs.push(Run { backend, events, stats });
    }
    print_table(&runs);
    let reference = &runs[0];
    let mut agree = true;
    for other in &runs[1..] {
        if let Some(difference) = first_difference(&reference.events, &other.events) {
            eprintln!("error: {} and {} disagree at event {difference}", reference.backend, other.backend);
            agree = false;
        }
    }
    if !agree {
        return Ok(ExitCode::FAILURE);
    }
    println!("all {} backends agree on all {} events", runs.len(), reference.events.len());
    Ok(ExitCode::SUCCESS)
}

/// The index (and the two events) where two event lists first differ.
fn first_difference(a: &[Event], b: &[Event]) -> Option<String> {
    let show = |e: Option<&Event>| e.map_or_else(|| "none".to_owned(), |e| format!("{e:?}"));
    (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)).map(|i| format!("{i}: {} vs {}", show(a.get(i)), show(b.get(i))))
}

fn print_table(runs: &[Run]) {
    println!(
        "{:<8} {:>9} {:>10} {:>9} {:>9} {:>9} {:>10} {:>8}",
        "backend", "events", "wall ms", "p50 ns", "p99 ns", "p99.9 ns", "max ns", "vs cpu"
    );
    let cpu_wall = runs[0].stats.wall.as_secs_f64();
    for run in runs {
        let [p50, p99, p999, max] = run.stats.latency.quantiles();
        let wall = run.stats.wall.as_secs_f64();
        println!(
            "{:<8} {:>9} {:>10.1} {:>9} {:>9} {:>9} {:>10} {:>7.2}x",
            run.backend.to_string(),
            run.events.len(),
            wall * 1e3,
            p50,
            p99,
            p999,
            max,
            cpu_wall / wall.max(1e-9),
        );
    }
}
