//! Deterministic, realistic scenarios: exchange-like symbols and bracket
//! ladders, a book of positions and a stream of mark-price ticks.
//!
//! Everything is generated in spec integers (lots, ticks, quote units), so
//! every value is on its grid and in range by construction; decimals are
//! derived from those integers when the files are written. A seed gives the
//! same scenario on every machine (ChaCha8, and only correctly rounded float
//! operations while sampling). Symbols, ticks, positions and the live
//! events ([`live_events`]) draw from separate streams: changing the number
//! of positions leaves the market and the ticks as they were.

mod events;
mod positions;
mod sample;
mod symbols;
mod walk;
mod write;

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::book::{Book, Position};
use crate::engine::Tick;
use crate::market::{Market, MarketError};
use crate::spec::{FieldError, MAX_POSITIONS, MAX_SYMBOLS};

pub use events::{live_events, LiveEvent, LiveEvents, LiveLine, MAX_CHANGES};
pub use symbols::MAX_LEVERAGE;
pub use write::{write_events_jsonl, write_positions_csv, write_symbols_toml, write_ticks_csv};

/// Most ticks a scenario holds (16 bytes each in memory, about 25 bytes a
/// line in `ticks.csv`): 160 MB, a 250 MB file.
pub const MAX_TICKS: usize = 10_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenConfig {
    pub positions: usize,
    pub symbols: usize,
    pub ticks: usize,
    pub seed: u64,
}

impl GenConfig {
    /// The demo scenario: 100,000 positions on 20 symbols, 100,000 ticks.
    pub fn demo() -> Self {
        Self {
            positions: 100_000,
            symbols: 20,
            ticks: 100_000,
            seed: 1,
        }
    }

    /// Refuses a size the spec cannot hold (what [`generate`] checks
    /// first), without generating anything.
    pub fn check(&self) -> Result<(), GenError> {
        if self.symbols == 0 || self.symbols > MAX_SYMBOLS {
            return Err(GenError::Symbols(self.symbols));
        }
        if self.positions > MAX_POSITIONS {
            return Err(GenError::Positions(self.positions));
        }
        if self.ticks > MAX_TICKS {
            return Err(GenError::Ticks(self.ticks));
        }
        Ok(())
    }
}

impl Default for GenConfig {
    fn default() -> Self {
        Self::demo()
    }
}

/// A configuration the spec cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    #[error("symbols must be at least 1 and at most {MAX_SYMBOLS}, got {0}")]
    Symbols(usize),
    #[error("positions must be at most {MAX_POSITIONS}, got {0}")]
    Positions(usize),
    #[error("ticks must be at most {MAX_TICKS}, got {0}")]
    Ticks(usize),
    #[error("events must be at most {MAX_CHANGES} book changes, got {0}")]
    Changes(usize),
    #[error("generated symbol {0} is invalid: {1}")]
    Symbol(String, FieldError),
    #[error(transparent)]
    Market(#[from] MarketError),
}

/// A market, the positions open before the first tick, and the ticks.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub market: Arc<Market>,
    /// Ids `1 ..= positions`.
    pub positions: Vec<Position>,
    /// `seq` `1 ..= ticks`.
    pub ticks: Vec<Tick>,
}

impl Scenario {
    /// The positions as a book.
    pub fn book(&self) -> Book {
        let mut book = Book::new(self.market.clone());
        for position in &self.positions {
            book.upsert(position.clone());
        }
        book
    }
}

/// Random stream of each part of a scenario.
#[derive(Clone, Copy)]
enum Stream {
    Symbols = 1,
    Ticks = 2,
    Positions = 3,
    Events = 4,
}

fn rng(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// Generates the scenario of `config` (the same for the same config).
pub fn generate(config: &GenConfig) -> Result<Scenario, GenError> {
    config.check()?;
    let (market, listings) =
        symbols::market(&mut rng(config.seed, Stream::Symbols), config.symbols)?;
    let ticks = walk::ticks(
        &mut rng(config.seed, Stream::Ticks),
        &listings,
        config.ticks,
    );
    let positions = positions::positions(
        &mut rng(config.seed, Stream::Positions),
        &market,
        &listings,
        config.positions,
    );
    Ok(Scenario {
        market: Arc::new(market),
        positions,
        ticks,
    })
}

#[cfg(test)]
mod tests;
