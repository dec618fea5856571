//! What a scan reads: one stream of items in `seq` order, each a tick or a
//! change to the book between ticks. `ticks.csv` is a stream of ticks only
//! ([`TickReader`]); `events.jsonl` interleaves ticks with opens, resizes,
//! margin moves and closes ([`super::EventReader`]). The scan loop reads
//! either through [`Stream`] and handles every item the same way.

use std::fmt;
use std::io::Read;

use super::error::ReadError;
use super::ticks::TickReader;
use crate::book::{Book, Update};
use crate::engine::Tick;

/// Which input a stream reads: it names the bad lines it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// `ticks.csv`: every line is a tick (a bad line is a bad tick).
    Ticks,
    /// `events.jsonl`: ticks and book changes (a bad line is a bad event).
    Events,
}

impl StreamKind {
    /// What one line of this input is called: `tick` or `event`.
    pub fn noun(self) -> &'static str {
        match self {
            StreamKind::Ticks => "tick",
            StreamKind::Events => "event",
        }
    }
}

/// Why a position's margin moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarginReason {
    /// Collateral added: `delta > 0`.
    Deposit,
    /// Collateral taken out: `delta < 0`, and the margin stays `≥ 0`.
    Withdraw,
    /// A funding payment, either sign: it may take the margin below zero.
    Funding,
}

impl MarginReason {
    pub const ALL: [MarginReason; 3] = [Self::Deposit, Self::Withdraw, Self::Funding];

    /// The name the events file gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Withdraw => "withdraw",
            Self::Funding => "funding",
        }
    }
}

/// What a book change did, as the events file named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Open,
    /// A resize: the exchange's new quantity, average entry and margin.
    Update,
    Margin(MarginReason),
    Close,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeKind::Open => f.write_str("open"),
            ChangeKind::Update => f.write_str("update"),
            ChangeKind::Margin(reason) => write!(f, "margin ({})", reason.name()),
            ChangeKind::Close => f.write_str("close"),
        }
    }
}

/// A change to apply to the book and to every backend before the next item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// `Upsert` with the position's new state (open, update, margin) or `Close`.
    pub update: Update,
}

/// An update, margin move or close for a position that a tick has already
/// liquidated: the exchange did not know yet. Reported and counted, not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale {
    pub kind: ChangeKind,
    pub id: u64,
    /// `seq` of the tick that liquidated it, when the reader was told
    /// ([`Stream::liquidated`]).
    pub liquidated_at: Option<u64>,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of position {}: liquidated ", self.kind, self.id)?;
        match self.liquidated_at {
            Some(tick) => write!(f, "at tick {tick}"),
            None => f.write_str("before it"),
        }
    }
}

/// One item of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Tick(Tick),
    Change(Change),
    Stale(Stale),
}

/// An item with its place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    /// Line in the input (`0` for an in-memory stream).
    pub line: u64,
    /// The item's `seq` (strictly increasing through the stream).
    pub seq: u64,
    pub item: Item,
}

/// A scan's input, read one item at a time.
///
/// The caller applies every [`Change`] it returns to `book` (and to its
/// backends) before asking for the next item, and reports every position a
/// tick liquidates with [`Stream::liquidated`], so that the stream judges
/// each change against the book as it is at that point.
pub trait Stream {
    fn kind(&self) -> StreamKind;

    /// The input's name in messages (its path as given).
    fn file(&self) -> &str;

    /// The next item, or the error that makes its line bad (the next call
    /// goes on after it), or `None` at the end (and after an I/O error).
    fn next_item(&mut self, book: &Book) -> Option<Result<ItemRecord, ReadError>>;

    /// A tick (`seq` `tick`) liquidated position `id`.
    fn liquidated(&mut self, id: u64, tick: u64) {
        let _ = (id, tick);
    }
}

impl<R: Read> Stream for TickReader<R> {
    fn kind(&self) -> StreamKind {
        StreamKind::Ticks
    }

    fn file(&self) -> &str {
        TickReader::file(self)
    }

    fn next_item(&mut self, _book: &Book) -> Option<Result<ItemRecord, ReadError>> {
        Some(self.next()?.map(|record| ItemRecord {
            line: record.line,
            seq: record.tick.seq,
            item: Item::Tick(record.tick),
        }))
    }
}

/// Ticks held in memory (a generated scenario) as a stream.
#[derive(Debug, Clone)]
pub struct TickIter<I>(pub I);

impl<I: Iterator<Item = Tick>> Stream for TickIter<I> {
    fn kind(&self) -> StreamKind {
        StreamKind::Ticks
    }

    fn file(&self) -> &str {
        "(generated ticks)"
    }

    fn next_item(&mut self, _book: &Book) -> Option<Result<ItemRecord, ReadError>> {
        let tick = self.0.next()?;
        Some(Ok(ItemRecord {
            line: 0,
            seq: tick.seq,
            item: Item::Tick(tick),
        }))
    }
}
