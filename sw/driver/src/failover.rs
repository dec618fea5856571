//! [`Failover`]: a [`Board`] that hands over to the `cpu` scanner when the
//! card or the bus fails, without losing or repeating an event.
//!
//! On a fault (a timeout, a bus error, an anomaly the card reports) during
//! an update or a tick, it warns on stderr (`tracing::warn!`: which
//! operation, why), builds a `CpuScanner` from the board's shadow book (the
//! book as it stood before the failed operation: a tick's records are
//! applied only once its completion record has come, so the records of an
//! incomplete tick are discarded), redoes the failed operation on it and
//! continues on cpu. Refusals (capacity, unknown symbol) are not faults and
//! are passed on: software would refuse a book that does not fit the board
//! the same way the board does, so that the output does not depend on
//! whether the board was there.

use std::sync::Arc;

use liqscan_core::engine::{Engine, EngineError, Liquidation, Tick};
use liqscan_core::{CpuScanner, Market, Position};

use crate::board::Board;
use crate::bus::Bus;
use crate::error::DriverError;

enum State<B> {
    Board(Box<Board<B>>),
    Cpu(CpuScanner),
}

/// A board with a software fallback.
pub struct Failover<B> {
    market: Arc<Market>,
    state: State<B>,
    failovers: u64,
}

impl<B> std::fmt::Debug for Failover<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Failover")
            .field("on_board", &matches!(self.state, State::Board(_)))
            .field("failovers", &self.failovers)
            .finish()
    }
}

impl<B: Bus> Failover<B> {
    pub fn new(board: Board<B>) -> Self {
        Self {
            market: board.market().clone(),
            state: State::Board(Box::new(board)),
            failovers: 0,
        }
    }

    /// Times the engine failed over to cpu (0 or 1: it stays on cpu).
    pub fn failovers(&self) -> u64 {
        self.failovers
    }

    /// The board, while it is in use.
    pub fn board(&self) -> Option<&Board<B>> {
        match &self.state {
            State::Board(board) => Some(board),
            State::Cpu(_) => None,
        }
    }

    /// Runs `op` on the board if it is in use: `Ok(Some)` on success,
    /// `Ok(None)` after failing over (the caller redoes the operation on
    /// cpu), `Err` for a refusal.
    fn on_board<T>(
        &mut self,
        what: impl FnOnce() -> String,
        op: impl FnOnce(&mut Board<B>) -> Result<T, DriverError>,
    ) -> Result<Option<T>, EngineError> {
        let State::Board(board) = &mut self.state else {
            return Ok(None);
        };
        match op(board) {
            Ok(value) => Ok(Some(value)),
            Err(e) if !e.is_fault() => Err(e.into()),
            Err(e) => {
                self.fail_over(&what(), &e)?;
                Ok(None)
            }
        }
    }

    /// Replaces the board by a `CpuScanner` holding its shadow book.
    fn fail_over(&mut self, what: &str, error: &DriverError) -> Result<(), EngineError> {
        let State::Board(board) = &self.state else {
            return Ok(());
        };
        tracing::warn!(
            during = what,
            error = %error,
            "the board failed; redoing the operation and continuing on cpu"
        );
        let mut cpu = CpuScanner::new(self.market.clone());
        cpu.load(&board.positions())?;
        self.state = State::Cpu(cpu);
        self.failovers += 1;
        Ok(())
    }

    fn cpu(&mut self) -> &mut CpuScanner {
        match &mut self.state {
            State::Cpu(cpu) => cpu,
            State::Board(_) => unreachable!("cpu is used only after failing over"),
        }
    }
}

impl<B: Bus> Engine for Failover<B> {
    /// `board` while the board is in use, `cpu` after failing over.
    fn name(&self) -> &str {
        match self.state {
            State::Board(_) => "board",
            State::Cpu(_) => "cpu",
        }
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        let what = || format!("opening position {}", position.id);
        match self.on_board(what, |board| board.open_position(position))? {
            Some(()) => Ok(()),
            None => self.cpu().upsert(position),
        }
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        let what = || format!("closing position {id}");
        match self.on_board(what, |board| board.close_position(id))? {
            Some(closed) => Ok(closed),
            None => self.cpu().close(id),
        }
    }

    /// Failovers, and the board's bus accesses while it was in use.
    fn counters(&self) -> Vec<(&'static str, u64)> {
        let mut counters = vec![("failovers", self.failovers)];
        if let State::Board(board) = &self.state {
            let stats = board.stats();
            counters.extend([
                ("board ticks", stats.ticks),
                ("their bus writes", stats.tick_accesses.writes),
                ("their bus reads", stats.tick_accesses.reads),
                ("board updates", stats.updates),
                ("their bus writes", stats.update_accesses.writes),
                ("their bus reads", stats.update_accesses.reads),
            ]);
        }
        counters
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        let what = || {
            format!(
                "tick {} (symbol {}, price {})",
                tick.seq, tick.symbol.0, tick.price
            )
        };
        match self.on_board(what, |board| board.scan(tick, out))? {
            Some(()) => Ok(()),
            None => self.cpu().tick(tick, out),
        }
    }

    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        let what = || format!("loading {} positions", positions.len());
        match self.on_board(what, |board| board.load_positions(positions))? {
            Some(()) => Ok(()),
            None => self.cpu().load(positions),
        }
    }
}
