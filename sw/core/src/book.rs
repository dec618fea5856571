//! Positions in spec integers, and the book that holds them between ticks.

use std::collections::HashMap;
use std::sync::Arc;

use crate::market::{Market, SymbolId};
use crate::spec::PositionConst;

/// An open isolated-margin position, validated against its symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// Unique position id.
    pub id: u64,
    /// Owning account (reported, not used by the rule).
    pub account: String,
    pub symbol: SymbolId,
    /// `Q = qty / lot_size` (negative = short).
    pub qty_lots: i32,
    /// `Pe = entry_price / tick_size`.
    pub entry_ticks: u32,
    /// Isolated collateral `C` in quote units of `10^-s`: `≥ 0` as an input
    /// states it, below zero after a funding payment larger than it (see
    /// `spec::AMOUNT_LIMIT`).
    pub margin_units: i128,
}

impl Position {
    /// The slot constants (`Q`, `T`) every backend stores for this position.
    pub fn constants(&self, market: &Market) -> PositionConst {
        market
            .units(self.symbol)
            .position_const(self.qty_lots, self.entry_ticks, self.margin_units)
    }
}

/// A change to the book between ticks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// Open a position, or replace the open one with the same id.
    Upsert(Position),
    /// Close the position with this id.
    Close(u64),
}

/// The market and every open position, by id.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub market: Arc<Market>,
    positions: HashMap<u64, Position>,
}

impl Book {
    pub fn new(market: Arc<Market>) -> Self {
        Self {
            market,
            positions: HashMap::new(),
        }
    }

    /// Opens or replaces a position; returns the one it replaced.
    pub fn upsert(&mut self, position: Position) -> Option<Position> {
        self.positions.insert(position.id, position)
    }

    /// Closes a position; returns it if it was open.
    pub fn close(&mut self, id: u64) -> Option<Position> {
        self.positions.remove(&id)
    }

    pub fn apply(&mut self, update: &Update) {
        match update {
            Update::Upsert(p) => {
                self.upsert(p.clone());
            }
            Update::Close(id) => {
                self.close(*id);
            }
        }
    }

    pub fn get(&self, id: u64) -> Option<&Position> {
        self.positions.get(&id)
    }

    pub fn contains(&self, id: u64) -> bool {
        self.positions.contains_key(&id)
    }

    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Open positions, in no particular order.
    pub fn positions(&self) -> impl Iterator<Item = &Position> + '_ {
        self.positions.values()
    }

    /// Open positions in id order (deterministic loading for every backend).
    pub fn sorted(&self) -> Vec<&Position> {
        let mut all: Vec<&Position> = self.positions.values().collect();
        all.sort_unstable_by_key(|p| p.id);
        all
    }
}
