//! `liqscan scan`: symbols and positions are validated whole, then the
//! ticks (`--ticks`), or the ticks and the book changes between them
//! (`--events`), are read and handled one item at a time: a change is
//! applied to the book and the backend, a tick is scanned and each
//! liquidation written as one JSON line, each tick's lines flushed once it
//! is scanned. SIGINT or SIGTERM stops the scan between two items: the item
//! in hand is finished and its events flushed, then the summary, exit 130 or
//! 143.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use liqscan_core::input::{Item, ItemRecord, ReadError, Stream, StreamKind};
use liqscan_core::latency::Recorder;
use liqscan_core::report::{event, Event};
use liqscan_core::spec::DEFAULT_LANES;
use liqscan_core::{Book, Engine, Liquidation, Tick};
use liqscan_sim::{backend, Backend};
use signal_hook::consts::{SIGINT, SIGTERM};
use tracing::{debug, warn};

use crate::device::DeviceArgs;
use crate::{load, trace, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Symbols file (TOML).
    #[arg(long)]
    symbols: PathBuf,
    /// Positions open before the first line (CSV: id,account,symbol,qty,entry_price,margin);
    /// required with --ticks, optional with --events (none open without it).
    #[arg(long, required_unless_present = "events")]
    positions: Option<PathBuf>,
    #[command(flatten)]
    input: Input,
    /// `auto` takes the board when --device names one that identifies
    /// itself correctly, else cpu, and says which and why.
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    backend: Backend,
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    trace: trace::TraceArgs,
    /// Write the events here instead of stdout (never one of the input files).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Report bad tick lines on stderr and go on (exit 0) instead of stopping (exit 2).
    #[arg(long, conflicts_with = "events")]
    skip_bad_ticks: bool,
    /// Report bad lines of --events on stderr and go on (exit 0) instead of stopping (exit 2).
    #[arg(long, conflicts_with = "ticks")]
    skip_bad_events: bool,
}

/// What a scan reads: exactly one of the two.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Input {
    /// Mark-price ticks (CSV: seq,symbol,mark_price), scanned as read.
    #[arg(long)]
    ticks: Option<PathBuf>,
    /// Ticks and book changes interleaved (JSON Lines: open, update, margin,
    /// close, tick), applied and scanned as read.
    #[arg(long)]
    events: Option<PathBuf>,
}

impl Input {
    /// Which input it is and its path (clap has checked there is one).
    fn file(&self) -> Result<(StreamKind, &Path)> {
        match (&self.ticks, &self.events) {
            (Some(ticks), None) => Ok((StreamKind::Ticks, ticks)),
            (None, Some(events)) => Ok((StreamKind::Events, events)),
            _ => Err(UsageError("exactly one of --ticks and --events".into()).into()),
        }
    }
}

/// What a scan did.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub ticks: u64,
    pub bad_ticks: u64,
    pub liquidations: u64,
    /// Book changes applied (opens, updates, margin moves, closes).
    pub updates: u64,
    /// Changes to positions already liquidated, reported and not applied.
    pub stale_updates: u64,
    /// Bad lines of an events input skipped (`--skip-bad-events`).
    pub bad_events: u64,
    /// `seq` of the last item handled.
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

/// A stream that ends before its next item once a signal is caught.
struct UntilSignal<'a> {
    stream: &'a mut dyn Stream,
    signals: &'a Signals,
    stopped_by: Option<i32>,
}

impl Stream for UntilSignal<'_> {
    fn kind(&self) -> StreamKind {
        self.stream.kind()
    }

    fn file(&self) -> &str {
        self.stream.file()
    }

    fn next_item(&mut self, book: &Book) -> Option<Result<ItemRecord, ReadError>> {
        if let Some(signal) = self.signals.caught() {
            self.stopped_by = Some(signal);
            return None;
        }
        self.stream.next_item(book)
    }

    fn liquidated(&mut self, id: u64, tick: u64) {
        self.stream.liquidated(id, tick);
    }
}

impl Args {
    /// The input files, by flag.
    fn inputs(&self) -> Result<Vec<(&'static str, &Path)>> {
        let (kind, input) = self.input.file()?;
        let mut inputs = vec![("--symbols", self.symbols.as_path())];
        if let Some(positions) = &self.positions {
            inputs.push(("--positions", positions));
        }
        let flag = match kind {
            StreamKind::Ticks => "--ticks",
            StreamKind::Events => "--events",
        };
        inputs.push((flag, input));
        Ok(inputs)
    }

    /// `--trace`'s checks, before anything is opened (usage errors).
    pub fn check_trace(&self) -> Result<()> {
        self.trace.check(self.backend, &self.inputs()?)
    }
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let started = Instant::now();
    let (kind, input) = args.input.file()?;
    let inputs = args.inputs()?;
    if let Some(out) = &args.out {
        load::refuse_overwriting_inputs(("--out", out), &inputs)?;
    }
    args.trace.check(args.backend, &inputs)?;
    let (market, mut book) = load::book(&args.symbols, args.positions.as_deref())?;
    let positions = book.len();
    let options = backend::Options {
        lanes: DEFAULT_LANES,
        device: args.device.device(),
        board_timeout: args.device.board_timeout,
    };
    let mut engine = args.trace.open(args.backend, market.clone(), &options)?;
    engine
        .load(&book.sorted())
        .with_context(|| format!("loading positions into {}", engine.name()))?;
    let mut stream: Box<dyn Stream> = match kind {
        StreamKind::Ticks => Box::new(load::ticks(input, &market)?),
        StreamKind::Events => Box::new(load::events(input, &book)?),
    };
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
    // Checked before each read: after a signal the item in hand is finished
    // and written, and no other is read.
    let mut items = UntilSignal {
        stream: stream.as_mut(),
        signals: &signals,
        stopped_by: None,
    };
    let skip_bad = args.skip_bad_ticks || args.skip_bad_events;
    let scanned = scan(engine.as_mut(), &mut book, &mut items, skip_bad, &mut out);
    let stopped_by = items.stopped_by;
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
        "summary: backend {}, positions {}, ticks {}, bad ticks {}, liquidations {}, \
         updates applied {}, stale updates {}, bad events {}, load {:.3} s, scan {:.3} s",
        engine.name(),
        positions,
        stats.ticks,
        stats.bad_ticks,
        stats.liquidations,
        stats.updates,
        stats.stale_updates,
        stats.bad_events,
        load.as_secs_f64(),
        stats.wall.as_secs_f64(),
    );
    let counters = engine.counters();
    if !counters.is_empty() {
        let counters: Vec<String> = counters
            .iter()
            .map(|(name, value)| format!("{name} {value}"))
            .collect();
        note!("backend: {}", counters.join(", "));
    }
    note!("decision latency per tick: {}", stats.latency);
    match stopped_by {
        Some(signal) => {
            let after = match (stats.last_seq, stream.kind()) {
                (Some(seq), StreamKind::Ticks) => format!("after tick {seq}"),
                (Some(seq), StreamKind::Events) => format!("after seq {seq} of {}", stream.file()),
                (None, _) => format!("before the first {}", stream.kind().noun()),
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

/// Reads `items` in order and handles each on `engine` (loaded with
/// `book`): a change is applied to the backend and the book; a tick is
/// scanned, each liquidated position closed in `book`, reported to `items`
/// and its event passed to `sink`, then the tick ended there if it had any.
/// A bad line stops the scan with its [`liqscan_core::input::InputError`]
/// unless `skip_bad`; an I/O error always stops it.
pub fn scan(
    engine: &mut dyn Engine,
    book: &mut Book,
    items: &mut dyn Stream,
    skip_bad: bool,
    sink: &mut dyn Sink,
) -> Result<Stats> {
    let mut stats = Stats::default();
    let mut hits: Vec<Liquidation> = Vec::new();
    let started = Instant::now();
    let kind = items.kind();
    while let Some(item) = items.next_item(book) {
        let record = match item {
            Ok(record) => record,
            Err(ReadError::Invalid(bad)) if skip_bad => {
                warn!("skipped bad {}: {bad}", kind.noun());
                match kind {
                    StreamKind::Ticks => stats.bad_ticks += 1,
                    StreamKind::Events => stats.bad_events += 1,
                }
                continue;
            }
            Err(error) => return Err(load::read_error(error)),
        };
        stats.last_seq = Some(record.seq);
        match record.item {
            Item::Tick(tick) => scan_tick(engine, book, items, tick, &mut hits, &mut stats, sink)?,
            Item::Change(change) => {
                engine.apply(&change.update).with_context(|| {
                    format!(
                        "backend {} at {}:{} ({})",
                        engine.name(),
                        items.file(),
                        record.line,
                        change.kind
                    )
                })?;
                book.apply(&change.update);
                stats.updates += 1;
            }
            Item::Stale(stale) => {
                warn!("{}:{}: stale {stale}, ignored", items.file(), record.line);
                stats.stale_updates += 1;
            }
        }
    }
    stats.wall = started.elapsed();
    debug!("scanned {} ticks on {}", stats.ticks, engine.name());
    Ok(stats)
}

/// Scans one tick: its liquidations closed in `book`, reported to `items`
/// and written to `sink`.
fn scan_tick(
    engine: &mut dyn Engine,
    book: &mut Book,
    items: &mut dyn Stream,
    tick: Tick,
    hits: &mut Vec<Liquidation>,
    stats: &mut Stats,
    sink: &mut dyn Sink,
) -> Result<()> {
    hits.clear();
    let start = Instant::now();
    engine
        .tick(tick, hits)
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
    for hit in hits.iter() {
        let position = book.close(hit.position).ok_or_else(|| {
            anyhow!(
                "backend {} at tick {}: unknown position {}",
                engine.name(),
                tick.seq,
                hit.position
            )
        })?;
        items.liquidated(hit.position, tick.seq);
        let event = event(&book.market, tick, &position, *hit)
            .with_context(|| format!("backend {}", engine.name()))?;
        sink.event(event)?;
        stats.liquidations += 1;
    }
    if !hits.is_empty() {
        sink.end_tick()?;
    }
    Ok(())
}
