//! `liqscan scan`: symbols and positions are validated whole, then ticks are
//! scanned as they are read and each liquidation is written as one JSON line.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use liqscan_core::input::ReadError;
use liqscan_core::latency::Recorder;
use liqscan_core::report::{event, Event};
use liqscan_core::spec::DEFAULT_LANES;
use liqscan_core::{Book, Engine, Liquidation, Tick};
use liqscan_sim::Backend;
use tracing::{debug, warn};

use crate::load;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    book: load::BookFiles,
    /// Mark-price ticks (CSV: seq,symbol,mark_price), scanned as read.
    #[arg(long)]
    ticks: PathBuf,
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    backend: Backend,
    /// Write the events here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Report bad tick lines on stderr and go on (exit 0) instead of stopping (exit 2).
    #[arg(long)]
    skip_bad_ticks: bool,
}

/// What a scan did.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub ticks: u64,
    pub bad_ticks: u64,
    pub liquidations: u64,
    /// `Engine::tick` calls only.
    pub latency: Recorder,
    /// The whole loop: reading, scanning and writing.
    pub wall: Duration,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let (market, mut book) = args.book.load()?;
    let positions = book.len();
    let mut engine = args.backend.engine(market.clone(), DEFAULT_LANES)?;
    engine
        .load(&book.sorted())
        .with_context(|| format!("loading positions into {}", engine.name()))?;
    let ticks = load::ticks(&args.ticks, &market)?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    let scanned = scan(
        engine.as_mut(),
        &mut book,
        ticks.map(|t| t.map(|t| t.tick)),
        args.skip_bad_ticks,
        |e| {
            serde_json::to_writer(&mut out, &e)?;
            out.write_all(b"\n")?;
            Ok(())
        },
    );
    // Every event of the ticks before a failure is out before we report it.
    let flushed = out.flush().context("writing events");
    let stats = scanned?;
    flushed?;
    eprintln!(
        "summary: backend {}, positions {}, ticks {}, bad ticks {}, liquidations {}, wall {:.3} s",
        engine.name(),
        positions,
        stats.ticks,
        stats.bad_ticks,
        stats.liquidations,
        stats.wall.as_secs_f64(),
    );
    eprintln!("decision latency per tick: {}", stats.latency.summary());
    Ok(ExitCode::SUCCESS)
}

/// Scans `ticks` in order on `engine` (loaded with `book`), closing each
/// liquidated position in `book` and passing its event to `emit`. A bad tick
/// stops the scan with its [`liqscan_core::input::InputError`] unless
/// `skip_bad`; an I/O error always stops it.
pub fn scan(
    engine: &mut dyn Engine,
    book: &mut Book,
    ticks: impl IntoIterator<Item = Result<Tick, ReadError>>,
    skip_bad: bool,
    mut emit: impl FnMut(Event) -> Result<()>,
) -> Result<Stats> {
    let mut stats = Stats::default();
    let mut hits: Vec<Liquidation> = Vec::new();
    let started = Instant::now();
    for tick in ticks {
        let tick = match tick {
            Ok(tick) => tick,
            Err(ReadError::Invalid(bad)) if skip_bad => {
                warn!("skipped bad tick: {bad}");
                stats.bad_ticks += 1;
                continue;
            }
            Err(error) => return Err(load::read_error(error)),
        };
        hits.clear();
        let start = Instant::now();
        engine
            .tick(tick, &mut hits)
            .with_context(|| format!("backend {} at tick {}", engine.name(), tick.seq))?;
        stats.latency.record_duration(start.elapsed());
        stats.ticks += 1;
        if !hits.windows(2).all(|w| w[0].position < w[1].position) {
            bail!(
                "backend {} at tick {}: liquidations not in position-id order",
                engine.name(),
                tick.seq
            );
        }
        for hit in &hits {
            let position = book.close(hit.position).ok_or_else(|| {
                anyhow!(
                    "backend {} at tick {}: unknown position {}",
                    engine.name(),
                    tick.seq,
                    hit.position
                )
            })?;
            let event = event(&book.market, tick, &position, *hit)
                .with_context(|| format!("backend {}", engine.name()))?;
            emit(event)?;
            stats.liquidations += 1;
        }
    }
    stats.wall = started.elapsed();
    debug!("scanned {} ticks on {}", stats.ticks, engine.name());
    Ok(stats)
}
