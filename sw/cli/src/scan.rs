//! `liqscan scan`: symbols and positions are validated whole, then ticks are
//! scanned as they are read and each liquidation is written as one JSON line,
//! each tick's lines flushed once it is scanned. SIGINT or SIGTERM stops the
//! scan between two ticks: the tick in hand is finished and its events
//! flushed, then the summary, exit 130 or 143.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use liqscan_core::input::ReadError;
use liqscan_core::latency::Recorder;
use liqscan_core::report::{event, Event};
use liqscan_core::spec::DEFAULT_LANES;
use liqscan_core::{Book, Engine, Liquidation, Tick};
use liqscan_sim::Backend;
use signal_hook::consts::{SIGINT, SIGTERM};
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
    /// Write the events here instead of stdout (never one of the input files).
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
    /// `seq` of the last tick scanned.
    pub last_seq: Option<u64>,
    /// `Engine::tick` calls only.
    pub latency: Recorder,
    /// The scan loop: reading, scanning and writing the ticks (not the load).
    pub wall: Duration,
}

/// Where a scan's events go.
pub trait Sink {
    fn event(&mut self, event: Event) -> Result<()>;
    /// After the last event of a tick that had some.
    fn end_tick(&mut self) -> Result<()> {
        Ok(())
    }
}

impl Sink for Vec<Event> {
    fn event(&mut self, event: Event) -> Result<()> {
        self.push(event);
        Ok(())
    }
}

/// Events as JSON lines, each tick's flushed whole once it is scanned, so a
/// reader sees them at once and a stop leaves whole lines. Counts the events
/// it has written, to say so if a write fails.
struct EventWriter<W: Write> {
    /// `None` once a write failed: what it still buffers is dropped, not retried.
    out: Option<BufWriter<W>>,
    name: String,
    line: Vec<u8>,
    /// Events flushed to `out`.
    written: u64,
    /// Events in the buffer.
    pending: u64,
}

impl<W: Write> EventWriter<W> {
    fn new(out: W, name: String) -> Self {
        Self {
            out: Some(BufWriter::new(out)),
            name,
            line: Vec::new(),
            written: 0,
            pending: 0,
        }
    }

    fn failed(&mut self, error: io::Error) -> anyhow::Error {
        if let Some(out) = self.out.take() {
            let _ = out.into_parts();
        }
        anyhow::Error::new(error).context(format!(
            "writing events to {} ({} events written)",
            self.name, self.written
        ))
    }

    fn out(&mut self) -> Result<&mut BufWriter<W>> {
        self.out.as_mut().ok_or_else(|| {
            anyhow!(
                "writing events to {} ({} events written): failed before",
                self.name,
                self.written
            )
        })
    }

    /// Writes out every event so far.
    fn flush(&mut self) -> Result<()> {
        if self.out.is_none() {
            // The failure was reported when it happened.
            return Ok(());
        }
        match self.out()?.flush() {
            Ok(()) => {
                self.written += self.pending;
                self.pending = 0;
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }
}

impl<W: Write> Sink for EventWriter<W> {
    fn event(&mut self, event: Event) -> Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, &event)?;
        self.line.push(b'\n');
        let line = std::mem::take(&mut self.line);
        let written = self.out()?.write_all(&line);
        self.line = line;
        match written {
            Ok(()) => {
                self.pending += 1;
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }

    fn end_tick(&mut self) -> Result<()> {
        self.flush()
    }
}

/// SIGINT and SIGTERM, caught to stop a scan between two ticks. A second one
/// while the first is being handled ends the process at once (exit 130 or
/// 143), as an impatient operator expects.
struct Signals {
    caught: Arc<AtomicUsize>,
}

impl Signals {
    fn catch() -> Result<Self> {
        let caught = Arc::new(AtomicUsize::new(0));
        let pending = Arc::new(AtomicBool::new(false));
        for signal in [SIGINT, SIGTERM] {
            let code = 128 + signal;
            signal_hook::flag::register_conditional_shutdown(signal, code, pending.clone())
                .and_then(|_| signal_hook::flag::register(signal, pending.clone()))
                .and_then(|_| {
                    signal_hook::flag::register_usize(signal, caught.clone(), signal as usize)
                })
                .context("installing the signal handlers")?;
        }
        Ok(Self { caught })
    }

    /// The signal caught, if any.
    fn caught(&self) -> Option<i32> {
        match self.caught.load(Ordering::Relaxed) {
            0 => None,
            signal => i32::try_from(signal).ok(),
        }
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let started = Instant::now();
    if let Some(out) = &args.out {
        let mut inputs = args.book.inputs().to_vec();
        inputs.push(("--ticks", args.ticks.as_path()));
        load::refuse_overwriting_inputs(("--out", out), &inputs)?;
    }
    let (market, mut book) = args.book.load()?;
    let positions = book.len();
    let mut engine = args.backend.engine(market.clone(), DEFAULT_LANES)?;
    engine
        .load(&book.sorted())
        .with_context(|| format!("loading positions into {}", engine.name()))?;
    let mut ticks = load::ticks(&args.ticks, &market)?;
    let load = started.elapsed();
    let (sink, name): (Box<dyn Write>, String) = match &args.out {
        Some(path) => (
            Box::new(
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
            ),
            path.display().to_string(),
        ),
        None => (Box::new(io::stdout().lock()), "stdout".to_owned()),
    };
    let mut out = EventWriter::new(sink, name);
    let signals = Signals::catch()?;
    // Checked before each read: after a signal the tick in hand is finished
    // and written, and no other is read.
    let mut stopped_by = None;
    let ticks = std::iter::from_fn(|| match signals.caught() {
        Some(signal) => {
            stopped_by = Some(signal);
            None
        }
        None => ticks.next(),
    });
    let scanned = scan(
        engine.as_mut(),
        &mut book,
        ticks.map(|t| t.map(|t| t.tick)),
        args.skip_bad_ticks,
        &mut out,
    );
    // Every event of the ticks before a failure is out before we report it.
    let flushed = out.flush();
    let stats = match (scanned, flushed) {
        (Ok(stats), flushed) => {
            flushed?;
            stats
        }
        (Err(error), Err(flush)) => {
            note!("error: {flush:#}");
            return Err(error);
        }
        (Err(error), Ok(())) => return Err(error),
    };
    note!(
        "summary: backend {}, positions {}, ticks {}, bad ticks {}, liquidations {}, load {:.3} s, scan {:.3} s",
        engine.name(),
        positions,
        stats.ticks,
        stats.bad_ticks,
        stats.liquidations,
        load.as_secs_f64(),
        stats.wall.as_secs_f64(),
    );
    note!("decision latency per tick: {}", stats.latency);
    match stopped_by {
        Some(signal) => {
            let after = match stats.last_seq {
                Some(seq) => format!("after tick {seq}"),
                None => "before the first tick".to_owned(),
            };
            note!(
                "stopped by {} {after}: every event up to it written",
                signal_name(signal)
            );
            Ok(ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

/// Scans `ticks` in order on `engine` (loaded with `book`), closing each
/// liquidated position in `book` and passing its event to `sink`, then
/// ending the tick there if it had any. A bad tick stops the scan with its
/// [`liqscan_core::input::InputError`] unless `skip_bad`; an I/O error always
/// stops it.
pub fn scan(
    engine: &mut dyn Engine,
    book: &mut Book,
    ticks: impl IntoIterator<Item = Result<Tick, ReadError>>,
    skip_bad: bool,
    sink: &mut dyn Sink,
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
        stats.last_seq = Some(tick.seq);
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
            sink.event(event)?;
            stats.liquidations += 1;
        }
        if !hits.is_empty() {
            sink.end_tick()?;
        }
    }
    stats.wall = started.elapsed();
    debug!("scanned {} ticks on {}", stats.ticks, engine.name());
    Ok(stats)
}
