//! The feed stage: reads the input one line at a time and checks each line
//! on its own (a tick file's line whole; an events line up to what the book
//! must judge, see [`EventParser`]), stamping it with the instant it was
//! parsed. It needs nothing but the market, so it runs ahead of the scanner
//! on its own thread, as far as the channel between them allows.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use crossbeam::channel::Sender;
use liqscan_core::input::{
    EventLine, EventParser, Item, ItemRecord, ReadError, StreamKind, TickReader,
};
use liqscan_core::{Market, Tick};

use super::channel;
use super::progress::Progress;
use super::stop::Stop;
use crate::load::{self, label};

/// The name standard input has in messages.
pub const STDIN_NAME: &str = "stdin";

/// An input path that means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path == Path::new("-")
}

/// The name an input has in messages: its path as given, or [`STDIN_NAME`].
pub fn input_name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_owned()
    } else {
        label(path)
    }
}

/// One line read, as the feed hands it to the scanner.
#[derive(Debug)]
pub struct Fed {
    /// When the feed had parsed it.
    pub at: Instant,
    pub line: FedLine,
}

#[derive(Debug)]
pub enum FedLine {
    /// A line whole: a tick of a ticks file, or an item made elsewhere.
    Item(ItemRecord),
    /// A line of an events file, for the scanner to judge against the book.
    Event(EventLine),
    /// A line bad on its own, or the read error that ends the input.
    Bad(ReadError),
}

impl Fed {
    /// A tick made elsewhere (a generated scenario), parsed now.
    pub fn tick(tick: Tick) -> Self {
        Self {
            at: Instant::now(),
            line: FedLine::Item(ItemRecord {
                line: 0,
                seq: tick.seq,
                item: Item::Tick(tick),
            }),
        }
    }
}

/// The bytes of an input, counted in [`Progress::bytes`] as they are read.
struct Counted<R> {
    input: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.input.read(buf)?;
        self.progress
            .bytes
            .fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

type Input = Counted<Box<dyn Read + Send>>;

/// What the feed reads.
enum Source {
    /// Boxed: its CSV reader is large, and a source is made once.
    Ticks(Box<TickReader<Input>>),
    Events(EventParser<BufReader<Input>>),
    /// Ticks held in memory.
    Memory(std::vec::IntoIter<Tick>),
}

/// The input of a scan, open: a file or standard input (`-`).
pub struct Feed {
    source: Source,
    kind: StreamKind,
    file: String,
    /// The file's size when it is a regular file (for progress).
    size: Option<u64>,
}

impl Feed {
    /// Opens `path` (`-` for standard input) as a `kind` input; a ticks
    /// file's header is read and checked now.
    pub fn open(
        kind: StreamKind,
        path: &Path,
        market: &Arc<Market>,
        progress: &Arc<Progress>,
    ) -> Result<Self> {
        let (input, file, size): (Box<dyn Read + Send>, String, Option<u64>) = if is_stdin(path) {
            (Box::new(io::stdin()), STDIN_NAME.to_owned(), None)
        } else {
            let file = File::open(path).with_context(|| format!("cannot open {}", label(path)))?;
            let size = file
                .metadata()
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len());
            (Box::new(file), input_name(path), size)
        };
        let input = Counted {
            input,
            progress: progress.clone(),
        };
        let source = match kind {
            StreamKind::Ticks => Source::Ticks(Box::new(
                TickReader::new(input, &file, market.clone()).map_err(load::read_error)?,
            )),
            StreamKind::Events => Source::Events(EventParser::new(
                BufReader::new(input),
                &file,
                market.clone(),
            )),
        };
        Ok(Self {
            source,
            kind,
            file,
            size,
        })
    }

    /// Ticks held in memory, fed in order.
    pub fn memory(ticks: Vec<Tick>) -> Self {
        Self {
            source: Source::Memory(ticks.into_iter()),
            kind: StreamKind::Ticks,
            file: "(generated ticks)".to_owned(),
            size: None,
        }
    }

    pub fn kind(&self) -> StreamKind {
        self.kind
    }

    /// The input's name in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The next line, parsed and stamped; `None` at the end of the input,
    /// after a read error, or once `stop` is requested (checked before each
    /// line: the line in hand is never cut).
    pub fn next(&mut self, stop: &Stop) -> Option<Fed> {
        if stop.requested() {
            return None;
        }
        let line = match &mut self.source {
            Source::Ticks(reader) => match reader.next()? {
                Ok(record) => FedLine::Item(ItemRecord {
                    line: record.line,
                    seq: record.tick.seq,
                    item: Item::Tick(record.tick),
                }),
                Err(error) => FedLine::Bad(error),
            },
            Source::Events(parser) => match parser.next_line()? {
                Ok(line) => FedLine::Event(line),
                Err(error) => FedLine::Bad(error),
            },
            Source::Memory(ticks) => return ticks.next().map(Fed::tick),
        };
        Some(Fed {
            at: Instant::now(),
            line,
        })
    }
}

/// The feed's thread: every line to the scanner, in order, until the end of
/// the input, a stop, or the scanner gone. A full channel makes it wait
/// (counted in [`Progress::feed_stalls`]).
pub fn serve(mut feed: Feed, to_scanner: Sender<Fed>, stop: Arc<Stop>, progress: Arc<Progress>) {
    while let Some(fed) = feed.next(&stop) {
        if channel::send(&to_scanner, fed, &progress.feed_stalls).is_err() {
            return;
        }
    }
}
