//! The one trait every scanning backend implements: the `cpu` and `indexed`
//! scanners, the Verilator model and (later) the board.

use crate::book::{Position, Update};
use crate::market::SymbolId;

/// A mark-price tick in spec integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// The tick's `seq` from the input (strictly increasing).
    pub seq: u64,
    pub symbol: SymbolId,
    /// `P = mark / tick_size`.
    pub price: u32,
}

/// One position liquidated by a tick. The backend has closed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Liquidation {
    pub position: u64,
    /// `MM − E` in quote units of `10^-s` (`≥ 0`; `> 0` unless `liquidate_at_equal`).
    pub shortfall: i128,
}

/// Why a backend could not apply an update or a tick.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("unknown symbol id {0}")]
    UnknownSymbol(u32),
    #[error("capacity exceeded: {0}")]
    Capacity(String),
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    #[error("backend failure: {0}")]
    Backend(String),
}

/// A scanning backend. Positions are written between ticks; a tick returns
/// every open position of its symbol that the rule liquidates, and closes them.
pub trait Engine {
    /// Short name for reports, e.g. `cpu`.
    fn name(&self) -> &str;

    /// Opens a position, or replaces the open position with the same id.
    fn upsert(&mut self, position: &Position) -> Result<(), EngineError>;

    /// Closes a position; `Ok(false)` if it was not open.
    fn close(&mut self, id: u64) -> Result<bool, EngineError>;

    /// Scans `tick`: appends the liquidated positions to `out` in position-id order.
    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError>;

    /// Applies one book update.
    fn apply(&mut self, update: &Update) -> Result<(), EngineError> {
        match update {
            Update::Upsert(p) => self.upsert(p),
            Update::Close(id) => self.close(*id).map(|_| ()),
        }
    }

    /// Opens many positions (a backend may batch this).
    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        positions.iter().try_for_each(|p| self.upsert(p))
    }

    /// Counts the backend keeps for the summary (e.g. a board's failovers
    /// and bus accesses), as `(name, value)`.
    fn counters(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }
}
