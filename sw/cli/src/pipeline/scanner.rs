//! The scanner stage: owns the book and the backend. Each line the feed
//! hands over is judged against the book (an events line), then applied (a
//! change) or scanned (a tick): the liquidated positions are closed in the
//! book and handed to the sink with the tick, in a recycled buffer.
//!
//! After warm-up, a tick allocates, locks and logs nothing here: the
//! buffers come back from the sink, the latency histograms have a fixed
//! range, the counters are relaxed atomic stores, and warnings (stale
//! changes, skipped bad lines) go to the sink as [`Note`]s to be logged
//! there. It waits (parks on a channel) only when it has nothing to do or
//! the sink is behind, and its waits are made ready before its first line
//! (see `channel`). Book changes may allocate (a new position's account, a
//! growing table).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use crossbeam::channel::{select, Receiver, Sender, TryRecvError};
use liqscan_core::input::{Change, EventJudge, InputError, Item, ReadError, Stale, StreamKind};
use liqscan_core::{Book, Engine, Liquidation, Position, Tick, Update};

use super::channel::{self, HITS_PER_BUFFER};
use super::feed::{Fed, FedLine};
use super::latency::Interval;
use super::progress::Progress;
use super::stop::Stop;
use crate::load;

/// How long the scanner records into one interval before handing it to the
/// sink (checked at each tick: an idle feed makes a longer one).
pub const INTERVAL: Duration = Duration::from_secs(1);

/// A tick that liquidated positions: the positions as they were before it,
/// in the order of `hits` (position id).
#[derive(Debug)]
pub struct Decided {
    pub tick: Tick,
    pub hits: Vec<Liquidation>,
    pub closed: Vec<Position>,
}

impl Decided {
    /// An empty buffer for [`HITS_PER_BUFFER`] liquidations.
    pub fn buffer() -> Self {
        Self {
            tick: NO_TICK,
            hits: Vec::with_capacity(HITS_PER_BUFFER),
            closed: Vec::with_capacity(HITS_PER_BUFFER),
        }
    }

    /// Empties it, keeping its room.
    pub fn clear(&mut self) {
        self.tick = NO_TICK;
        self.hits.clear();
        self.closed.clear();
    }
}

const NO_TICK: Tick = Tick {
    seq: 0,
    symbol: liqscan_core::SymbolId(0),
    price: 0,
};

/// A warning for the sink to log (the scanner logs nothing itself).
#[derive(Debug)]
pub enum Note {
    /// A change to a position already liquidated, at this line.
    Stale { line: u64, stale: Stale },
    /// A bad line skipped (`--skip-bad-ticks`, `--skip-bad-events`).
    Skipped(InputError),
}

/// Where the scanner hands what it decided: the sink, inline or through
/// channels.
pub trait Outbox {
    /// Hands a decided tick over; returns an empty buffer for the next one.
    fn decided(&mut self, decided: Decided) -> Result<Decided>;

    fn note(&mut self, note: Note) -> Result<()>;

    /// An emptied interval to record into next, if one is free now.
    fn spare_interval(&mut self) -> Option<Box<Interval>>;

    /// Hands a finished interval over.
    fn interval(&mut self, interval: Box<Interval>) -> Result<()>;
}

/// Which lines the book must judge.
#[derive(Debug)]
pub enum Judge {
    /// Ticks only: a tick line is whole once parsed.
    Ticks,
    /// An events stream: each line judged against the book as it stands.
    Events(EventJudge),
}

impl Judge {
    fn liquidated(&mut self, id: u64, tick: u64) {
        if let Judge::Events(judge) = self {
            judge.liquidated(id, tick);
        }
    }
}

/// What the scanner did, for the summary.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub ticks: u64,
    pub bad_ticks: u64,
    pub liquidations: u64,
    /// Book changes applied (opens, updates, margin moves, closes).
    pub updates: u64,
    /// Changes to positions already liquidated, reported and not applied.
    pub stale_updates: u64,
    /// Bad lines of an events input skipped (`--skip-bad-events`).
    pub bad_events: u64,
    /// `seq` of the last line handled.
    pub last_seq: Option<u64>,
}

/// The scanner stage: the book, the backend and what they decided.
pub struct Scanner {
    engine: Box<dyn Engine>,
    book: Book,
    judge: Judge,
    kind: StreamKind,
    /// The input's name in messages.
    file: String,
    skip_bad: bool,
    tally: Tally,
    /// The buffer the next tick's liquidations go to.
    current: Decided,
    /// The interval being recorded (`None` only once handed over at the end).
    interval: Option<Box<Interval>>,
    interval_ends: Instant,
    progress: Arc<Progress>,
}

impl Scanner {
    /// A scanner of `engine`, loaded with `book`'s positions, for the lines
    /// of `file`, a `kind` input.
    pub fn new(
        engine: Box<dyn Engine>,
        book: Book,
        judge: Judge,
        (kind, file): (StreamKind, &str),
        skip_bad: bool,
        progress: Arc<Progress>,
    ) -> Self {
        let now = Instant::now();
        Self {
            engine,
            book,
            judge,
            kind,
            file: file.to_owned(),
            skip_bad,
            tally: Tally::default(),
            current: Decided::buffer(),
            interval: Some(Box::new(Interval::new(now))),
            interval_ends: now + INTERVAL,
            progress,
        }
    }

    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    pub fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }

    /// Handles one line: judged, then applied or scanned. A bad line is the
    /// error ([`InputError`], exit 2) unless bad lines are skipped; a read
    /// error or a backend failure always is.
    pub fn handle<O: Outbox>(&mut self, fed: Fed, out: &mut O) -> Result<()> {
        let record = match fed.line {
            FedLine::Item(record) => record,
            FedLine::Event(line) => {
                let Judge::Events(judge) = &mut self.judge else {
                    bail!("{}: an events line in a ticks input", self.file);
                };
                match judge.judge(&self.book, line) {
                    Ok(record) => record,
                    Err(bad) => return self.bad(ReadError::Invalid(bad), out),
                }
            }
            FedLine::Bad(error) => return self.bad(error, out),
        };
        self.tally.last_seq = Some(record.seq);
        match record.item {
            Item::Tick(tick) => self.tick(tick, fed.at, out),
            Item::Change(change) => self.change(record.line, change),
            Item::Stale(stale) => {
                self.tally.stale_updates += 1;
                out.note(Note::Stale {
                    line: record.line,
                    stale,
                })
            }
        }
    }

    /// A bad line: counted and noted when skipped, else the error.
    fn bad<O: Outbox>(&mut self, error: ReadError, out: &mut O) -> Result<()> {
        match error {
            ReadError::Invalid(bad) if self.skip_bad => {
                match self.kind {
                    StreamKind::Ticks => self.tally.bad_ticks += 1,
                    StreamKind::Events => self.tally.bad_events += 1,
                }
                out.note(Note::Skipped(bad))
            }
            error => Err(load::read_error(error)),
        }
    }

    fn change(&mut self, line: u64, change: Change) -> Result<()> {
        self.engine.apply(&change.update).with_context(|| {
            format!(
                "backend {} at {}:{line} ({})",
                self.engine.name(),
                self.file,
                change.kind
            )
        })?;
        match change.update {
            Update::Upsert(position) => {
                self.book.upsert(position);
            }
            Update::Close(id) => {
                self.book.close(id);
            }
        }
        self.tally.updates += 1;
        Ok(())
    }

    /// Scans one tick: its liquidations closed in the book, reported to the
    /// judge and handed over; both latencies recorded.
    fn tick<O: Outbox>(&mut self, tick: Tick, fed_at: Instant, out: &mut O) -> Result<()> {
        let hits = &mut self.current.hits;
        let start = Instant::now();
        self.engine
            .tick(tick, hits)
            .with_context(|| format!("backend {} at tick {}", self.engine.name(), tick.seq))?;
        let decided = Instant::now();
        let interval = self
            .interval
            .as_mut()
            .expect("an interval is recorded until the end");
        interval.decision.record(decided - start);
        interval
            .feed_to_decision
            .record(decided.saturating_duration_since(fed_at));
        self.tally.ticks += 1;
        if !hits.windows(2).all(|w| w[0].position < w[1].position) {
            bail!(
                "backend {} at tick {}: liquidations not in position-id order",
                self.engine.name(),
                tick.seq
            );
        }
        for hit in hits.iter() {
            let position = self.book.close(hit.position).ok_or_else(|| {
                anyhow!(
                    "backend {} at tick {}: unknown position {}",
                    self.engine.name(),
                    tick.seq,
                    hit.position
                )
            })?;
            self.judge.liquidated(hit.position, tick.seq);
            self.current.closed.push(position);
        }
        self.tally.liquidations += hits.len() as u64;
        self.progress
            .ticks
            .store(self.tally.ticks, Ordering::Relaxed);
        self.progress
            .liquidations
            .store(self.tally.liquidations, Ordering::Relaxed);
        if !self.current.hits.is_empty() {
            self.current.tick = tick;
            let decided = std::mem::replace(&mut self.current, EMPTY);
            self.current = out.decided(decided)?;
        }
        if decided >= self.interval_ends {
            self.interval_ends = decided + INTERVAL;
            if let Some(mut next) = out.spare_interval() {
                next.restart(decided);
                let mut full = self.interval.replace(next).expect("an interval");
                full.end = decided;
                out.interval(full)?;
            }
        }
        Ok(())
    }

    /// Hands the last interval over, at the end of the input or a stop.
    pub fn finish<O: Outbox>(&mut self, out: &mut O) -> Result<()> {
        if let Some(mut last) = self.interval.take() {
            last.end = Instant::now();
            out.interval(last)?;
        }
        Ok(())
    }
}

impl Decided {
    /// A placeholder without room (no allocation).
    pub const fn empty() -> Self {
        EMPTY
    }
}

/// A placeholder while a buffer is handed over (no allocation).
const EMPTY: Decided = Decided {
    tick: NO_TICK,
    hits: Vec::new(),
    closed: Vec::new(),
};

/// What the sink receives from the scanner.
#[derive(Debug)]
pub enum ToSink {
    Decided(Decided),
    Note(Note),
    Interval(Box<Interval>),
}

/// The scanner's side of its channels to the sink.
pub struct Channels {
    pub to_sink: Sender<ToSink>,
    /// Buffers of decided ticks coming back from the sink.
    pub buffers: Receiver<Decided>,
    /// Intervals coming back from the sink, emptied.
    pub intervals: Receiver<Box<Interval>>,
    pub progress: Arc<Progress>,
}

/// The sink is gone (it failed and says why): the scanner stops.
#[derive(Debug)]
pub struct SinkGone;

impl std::fmt::Display for SinkGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the sink stopped")
    }
}

impl std::error::Error for SinkGone {}

impl Channels {
    fn send(&self, message: ToSink) -> Result<()> {
        channel::send(&self.to_sink, message, &self.progress.scanner_stalls)
            .map_err(|_| SinkGone.into())
    }
}

impl Outbox for Channels {
    fn decided(&mut self, decided: Decided) -> Result<Decided> {
        self.send(ToSink::Decided(decided))?;
        match self.buffers.try_recv() {
            Ok(buffer) => Ok(buffer),
            Err(TryRecvError::Empty) => {
                // Every buffer is out: the sink is behind.
                self.progress.scanner_stalls.fetch_add(1, Ordering::Relaxed);
                self.buffers.recv().map_err(|_| SinkGone.into())
            }
            Err(TryRecvError::Disconnected) => Err(SinkGone.into()),
        }
    }

    fn note(&mut self, note: Note) -> Result<()> {
        self.send(ToSink::Note(note))
    }

    fn spare_interval(&mut self) -> Option<Box<Interval>> {
        self.intervals.try_recv().ok()
    }

    fn interval(&mut self, interval: Box<Interval>) -> Result<()> {
        self.send(ToSink::Interval(interval))
    }
}

/// How the scanner's thread ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The feed ended (the input's end, or the feed stopped).
    Drained,
    /// A stop was requested: these lines had been read and were not handled.
    Stopped { unread: usize },
}

/// The scanner's thread: every line from the feed handled in order until
/// the feed ends or a stop is requested (checked before each line; the line
/// in hand is finished), then the last interval handed over. Its first
/// step readies the thread to wait (`channel::ready_to_wait`), so that no
/// wait allocates.
pub fn serve(
    scanner: &mut Scanner,
    from_feed: &Receiver<Fed>,
    stop: &Stop,
    out: &mut Channels,
) -> Result<Ended> {
    channel::ready_to_wait();
    let ended = loop {
        if stop.requested() {
            break Ended::Stopped {
                unread: from_feed.len(),
            };
        }
        let fed = match from_feed.try_recv() {
            Ok(fed) => fed,
            Err(TryRecvError::Empty) => select! {
                recv(from_feed) -> fed => match fed {
                    Ok(fed) => fed,
                    Err(_) => break Ended::Drained,
                },
                recv(stop.woken()) -> _ => continue,
            },
            Err(TryRecvError::Disconnected) => break Ended::Drained,
        };
        scanner.handle(fed, out)?;
    };
    scanner.finish(out)?;
    Ok(ended)
}
