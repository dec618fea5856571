//! The input contract: `symbols.toml`, `positions.csv`, `ticks.csv` and
//! `events.jsonl`, parsed strictly (exact decimals, no floats) and validated
//! against the spec, every refusal located by file, line and field. The
//! readers take any `Read` (`BufRead` for the events); opening files is the
//! caller's business. The writers are in [`crate::gen`].

pub mod check;
mod columns;
pub mod error;
pub mod events;
mod jsonl;
mod lines;
pub mod positions;
pub mod stream;
pub mod symbols;
pub mod ticks;

pub use error::{InputError, ReadError};
pub use events::{
    read_events, EventJudge, EventLine, EventParser, EventReader, EVENT_FIELDS, EVENT_KINDS,
};
pub use jsonl::MAX_LINE_BYTES;
pub use positions::{read_positions, POSITION_COLUMNS};
pub use stream::{
    Change, ChangeKind, Item, ItemRecord, MarginReason, Stale, Stream, StreamKind, TickIter,
};
pub use symbols::{parse_symbols, read_symbols};
pub use ticks::{read_ticks, TickReader, TickRecord, TICK_COLUMNS};

#[cfg(test)]
mod tests;
