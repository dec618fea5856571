//! The scan as three stages: the feed reads and parses lines, the scanner
//! judges, applies and scans them on the backend, the sink writes the
//! events. Two ways to run the same stage functions:
//!
//! * [`threads`] (the default): each stage on its own thread, joined by
//!   bounded `crossbeam` channels with back-pressure (a full channel makes
//!   its sender wait, counted, and nothing is dropped); the scanner's thread
//!   optionally pinned to a core; a progress display on long runs.
//! * [`inline`] (`--single-thread`, and the demo): the three in turn on one
//!   thread, the reference the threads must match byte for byte.

pub mod affinity;
pub mod channel;
pub mod feed;
pub mod hist_log;
pub mod latency;
pub mod progress;
pub mod scanner;
pub mod sink;
pub mod stop;
pub mod writer;

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, Context, Result};
use crossbeam::channel::{bounded, RecvTimeoutError};
use liqscan_core::input::{EventJudge, StreamKind};
use liqscan_core::{Book, Engine, Market};
use liqscan_sim::{backend, Backend};

use crate::trace::Tracing;
use affinity::Pinned;
use channel::Links;
use feed::Feed;
use hist_log::HistLog;
use latency::Interval;
use progress::{Display, Progress};
use scanner::{Channels, Decided, Ended, Judge, Note, Outbox, Scanner, Tally};
use sink::Sink;
use stop::{Signals, Stop};
use writer::{EventWriter, Events};

/// How often the run looks at its stages (progress, signals).
const LOOK_EVERY: Duration = Duration::from_millis(50);

/// The scanner hands its work straight to the sink, on the same thread.
struct Inline<'s, E> {
    sink: &'s mut Sink<E>,
    spare: Option<Box<Interval>>,
}

impl<E: Events> Outbox for Inline<'_, E> {
    fn decided(&mut self, decided: Decided) -> Result<Decided> {
        self.sink.decided(decided, false)
    }

    fn note(&mut self, note: Note) -> Result<()> {
        self.sink.note(note);
        Ok(())
    }

    fn spare_interval(&mut self) -> Option<Box<Interval>> {
        self.spare.take()
    }

    fn interval(&mut self, interval: Box<Interval>) -> Result<()> {
        self.spare = Some(self.sink.interval(interval)?);
        Ok(())
    }
}

/// Runs the stages in turn on this thread until the feed ends (its input's
/// end, a read error or `stop`); returns the latency totals and the events'
/// destination. An error stops it after every event decided before it is
/// written out.
pub fn inline<E: Events>(
    feed: &mut Feed,
    scanner: &mut Scanner,
    mut sink: Sink<E>,
    stop: &Stop,
) -> Result<(Interval, E)> {
    let result = {
        let mut outbox = Inline {
            sink: &mut sink,
            spare: Some(Box::new(Interval::new(Instant::now()))),
        };
        let mut run = || {
            while let Some(fed) = feed.next(stop) {
                scanner.handle(fed, &mut outbox)?;
            }
            scanner.finish(&mut outbox)
        };
        run()
    };
    sink.close(result)
}

/// Where the events go.
#[derive(Debug, Clone)]
pub enum Destination {
    Stdout,
    /// `--out`, created (or truncated) before the scan starts.
    File(PathBuf),
}

impl Destination {
    /// Opens it: a file is created now.
    fn open(&self) -> Result<Opened> {
        Ok(match self {
            Destination::Stdout => Opened::Stdout,
            Destination::File(path) => Opened::File(
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
                path.display().to_string(),
            ),
        })
    }
}

/// A destination open, to be written by the thread that takes it.
enum Opened {
    Stdout,
    File(File, String),
}

impl Opened {
    fn writer(self) -> EventWriter<Box<dyn Write>> {
        match self {
            Opened::Stdout => EventWriter::new(Box::new(io::stdout().lock()), "stdout".to_owned()),
            Opened::File(file, name) => EventWriter::new(Box::new(file), name),
        }
    }
}

/// A scan to run.
pub struct Setup {
    pub backend: Backend,
    /// `--trace`: the backend is the circuit verilated with tracing.
    pub trace: Option<Tracing>,
    pub options: backend::Options,
    pub market: Arc<Market>,
    /// The opening book.
    pub book: Book,
    pub kind: StreamKind,
    /// The input (`-` for standard input).
    pub input: PathBuf,
    pub destination: Destination,
    pub hist_out: Option<PathBuf>,
    pub skip_bad: bool,
    /// `--core`: the core the scanner is pinned to.
    pub core: Option<usize>,
    /// When the command started (the load is timed from it).
    pub started: Instant,
}

/// What a scan did, for its summary.
#[derive(Debug)]
pub struct Outcome {
    pub backend: String,
    pub counters: Vec<(&'static str, u64)>,
    pub tally: Tally,
    pub totals: Interval,
    pub pinned: Pinned,
    /// Whether the stages ran on three threads.
    pub threads: bool,
    /// Waits of the feed for the scanner and of the scanner for the sink.
    pub feed_stalls: u64,
    pub scanner_stalls: u64,
    /// Lines read ahead and not handled when a stop came.
    pub unread: usize,
    /// The signal that stopped the scan.
    pub stopped_by: Option<i32>,
    /// The input's name and kind.
    pub input: String,
    pub kind: StreamKind,
    /// Reading the book and loading the backend.
    pub load: Duration,
    /// Reading, applying, scanning and writing.
    pub scan: Duration,
}

impl Setup {
    fn judge(&self) -> Judge {
        match self.kind {
            StreamKind::Ticks => Judge::Ticks,
            StreamKind::Events => Judge::Events(EventJudge::new(&self.input_name(), &self.book)),
        }
    }

    fn input_name(&self) -> String {
        feed::input_name(&self.input)
    }
}

/// The interval log of `--hist-out`, created now, its times from `base`.
fn hist_log(path: Option<&std::path::Path>, base: Instant) -> Result<Option<HistLog>> {
    path.map(|path| HistLog::create(path, base, SystemTime::now()))
        .transpose()
}

/// Opens `backend` (traced with `--trace`) and loads `book` into it.
fn open_engine(
    backend: Backend,
    trace: Option<&Tracing>,
    market: &Arc<Market>,
    options: &backend::Options,
    book: &Book,
) -> Result<Box<dyn Engine>> {
    let mut engine = crate::trace::open(trace, backend, market.clone(), options)?;
    engine
        .load(&book.sorted())
        .with_context(|| format!("loading positions into {}", engine.name()))?;
    Ok(engine)
}

/// Runs the scan on this thread ([`inline`]), pinned if asked.
pub fn single_thread(setup: Setup) -> Result<Outcome> {
    let pinned = affinity::pin(setup.core)?;
    let engine = open_engine(
        setup.backend,
        setup.trace.as_ref(),
        &setup.market,
        &setup.options,
        &setup.book,
    )?;
    let judge = setup.judge();
    let progress = Arc::new(Progress::default());
    let mut feed = Feed::open(setup.kind, &setup.input, &setup.market, &progress)?;
    let load = setup.started.elapsed();
    let events = setup.destination.open()?.writer();
    let scan_started = Instant::now();
    let log = hist_log(setup.hist_out.as_deref(), scan_started)?;
    let signals = Signals::default();
    signals.catch()?;
    let stop = Stop::new(signals.clone());
    let input = feed.file().to_owned();
    let sink = Sink::new(
        setup.market.clone(),
        engine.name(),
        (&input, setup.kind.noun()),
        events,
        log,
    );
    let mut scanner = Scanner::new(
        engine,
        setup.book,
        judge,
        (setup.kind, &input),
        setup.skip_bad,
        progress,
    );
    let (totals, _) = inline(&mut feed, &mut scanner, sink, &stop)?;
    Ok(Outcome {
        backend: scanner.engine().name().to_owned(),
        counters: scanner.engine().counters(),
        tally: scanner.tally().clone(),
        totals,
        pinned,
        threads: false,
        feed_stalls: 0,
        scanner_stalls: 0,
        unread: 0,
        stopped_by: signals.caught(),
        input,
        kind: setup.kind,
        load,
        scan: scan_started.elapsed(),
    })
}

/// What the scanner's thread hands back.
struct ScannerEnd {
    /// The backend's name at the end (a board that failed over is `cpu`).
    backend: String,
    ended: Ended,
    tally: Tally,
    counters: Vec<(&'static str, u64)>,
    pinned: Pinned,
}

/// Runs the scan on three threads. The scanner's thread is started first:
/// pinned if asked, it opens the backend and loads the book (so the
/// backend's memory is first touched there), then the input is opened and
/// the sink and the feed are started.
pub fn threads(setup: Setup) -> Result<Outcome> {
    let progress = Arc::new(Progress::default());
    let signals = Signals::default();
    let stop = Arc::new(Stop::new(signals.clone()));
    let Links {
        to_scanner,
        from_feed,
        to_sink,
        from_scanner,
        buffers_back,
        buffers,
        intervals_back,
        intervals,
    } = Links::new();
    let (ready, started) = bounded::<Result<String>>(1);

    let input = setup.input_name();
    let scanner_thread = {
        let (judge, input, progress, stop) =
            (setup.judge(), input.clone(), progress.clone(), stop.clone());
        let (backend, trace, options, market, book) = (
            setup.backend,
            setup.trace.clone(),
            setup.options.clone(),
            setup.market.clone(),
            setup.book,
        );
        let (kind, skip_bad, core) = (setup.kind, setup.skip_bad, setup.core);
        std::thread::Builder::new()
            .name("liqscan-scanner".into())
            .spawn(move || -> Result<ScannerEnd> {
                let opened = affinity::pin(core).and_then(|pinned| {
                    let engine = open_engine(backend, trace.as_ref(), &market, &options, &book)?;
                    Ok((pinned, engine))
                });
                let (pinned, engine) = match opened {
                    Ok(opened) => opened,
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return Err(anyhow!("the scanner did not start"));
                    }
                };
                let _ = ready.send(Ok(engine.name().to_owned()));
                let mut scanner = Scanner::new(
                    engine,
                    book,
                    judge,
                    (kind, &input),
                    skip_bad,
                    progress.clone(),
                );
                let mut channels = Channels {
                    to_sink,
                    buffers,
                    intervals,
                    progress,
                };
                let ended = scanner::serve(&mut scanner, &from_feed, &stop, &mut channels)?;
                Ok(ScannerEnd {
                    backend: scanner.engine().name().to_owned(),
                    ended,
                    tally: scanner.tally().clone(),
                    counters: scanner.engine().counters(),
                    pinned,
                })
            })
            .context("starting the scanner's thread")?
    };
    let backend = match started.recv() {
        Ok(started) => started?,
        Err(_) => {
            let error = joined(scanner_thread).err();
            return Err(error.unwrap_or_else(|| anyhow!("the scanner's thread ended")));
        }
    };

    let feed = Feed::open(setup.kind, &setup.input, &setup.market, &progress)?;
    let load = setup.started.elapsed();
    let opened = setup.destination.open()?;
    let scan_started = Instant::now();
    let log = hist_log(setup.hist_out.as_deref(), scan_started)?;
    signals.catch()?;
    let (size, kind) = (feed.size(), setup.kind);

    let (done, sink_done) = bounded::<()>(0);
    let sink_thread = {
        let (market, input, backend) = (setup.market.clone(), input.clone(), backend.clone());
        std::thread::Builder::new()
            .name("liqscan-sink".into())
            .spawn(move || -> Result<Interval> {
                let _done = done;
                let mut sink = Sink::new(
                    market,
                    &backend,
                    (&input, kind.noun()),
                    opened.writer(),
                    log,
                );
                let result = sink::serve(&mut sink, &from_scanner, &buffers_back, &intervals_back);
                // Gone before the last flush: a scanner waiting on the sink
                // learns of a failure at once.
                drop((from_scanner, buffers_back, intervals_back));
                sink.close(result).map(|(totals, _)| totals)
            })
            .context("starting the sink's thread")?
    };
    {
        let (stop, progress) = (stop.clone(), progress.clone());
        std::thread::Builder::new()
            .name("liqscan-feed".into())
            .spawn(move || feed::serve(feed, to_scanner, stop, progress))
            .context("starting the feed's thread")?;
    }

    let mut display = Display::new(&input, size);
    while let Err(RecvTimeoutError::Timeout) = sink_done.recv_timeout(LOOK_EVERY) {
        if signals.caught().is_some() {
            stop.request();
        }
        display.update(&progress);
    }
    display.finish();
    let sunk = joined(sink_thread);
    if sunk.is_err() {
        // The scanner may be waiting for a line that will not come.
        stop.request();
    }
    let scanned = joined(scanner_thread);
    // The feed's thread is not waited for: after a stop it may be blocked
    // reading a pipe that says nothing more.
    let totals = sunk?;
    let end = scanned?;
    Ok(Outcome {
        backend: end.backend,
        counters: end.counters,
        tally: end.tally,
        totals,
        pinned: end.pinned,
        threads: true,
        feed_stalls: Progress::get(&progress.feed_stalls),
        scanner_stalls: Progress::get(&progress.scanner_stalls),
        unread: match end.ended {
            Ended::Stopped { unread } => unread,
            Ended::Drained => 0,
        },
        stopped_by: signals.caught(),
        input,
        kind,
        load,
        scan: scan_started.elapsed(),
    })
}

/// A thread's result; its panic as an error.
fn joined<T>(thread: std::thread::JoinHandle<Result<T>>) -> Result<T> {
    thread
        .join()
        .unwrap_or_else(|_| Err(anyhow!("a scan thread panicked")))
}
