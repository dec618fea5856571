//! The input contract: `symbols.toml`, `positions.csv` and `ticks.csv`,
//! parsed strictly (exact decimals, no floats) and validated against the
//! spec, every refusal located by file, line and field. The readers take any
//! `Read`; opening files is the caller's business. The writers are in
//! [`crate::gen`].

pub mod check;
mod columns;
pub mod error;
mod lines;
pub mod positions;
pub mod symbols;
pub mod ticks;

pub use error::{InputError, ReadError};
pub use positions::{read_positions, POSITION_COLUMNS};
pub use symbols::{parse_symbols, read_symbols};
pub use ticks::{read_ticks, TickReader, TickRecord, TICK_COLUMNS};

#[cfg(test)]
mod tests;
