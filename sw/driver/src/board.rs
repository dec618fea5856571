//! [`Board`]: the card as a liqscan-core [`Engine`] (`board`), over any [`Bus`].
//!
//! # Protocol
//! * **Open**: reads and checks the identification registers (refusing a
//!   card it cannot use, every mismatch named), checks `SCRATCH`, clears
//!   sticky errors left from an earlier session (with a warning), waits for
//!   the card to be idle, takes over the command ring and the result ring
//!   where they stand and the doorbell's `TICK_SEQ`, then writes
//!   `CONTROL.AT_EQUAL` and every symbol's 16 brackets (the table padded as
//!   the spec pads it) and an empty region through the command ring.
//! * **Updates**: positions go through liqscan-core's [`Layout`] (the same
//!   as the `sim` backend's) as command entries, committed at the end of
//!   each update (and every quarter ring on the way). The host holds a
//!   **shadow book**, the positions it has written, to map slots back to
//!   ids and to fail over to software.
//! * **Ticks**: the doorbell is three posted writes (`TICK_SYMBOL`,
//!   `TICK_PRICE`, then `TICK_SEQ`, the board's own sequence, one more per
//!   tick); then the host polls the result ring in host memory until that
//!   doorbell's completion record, and maps the liquidation records' slots
//!   to position ids, in id order. A tick reads no card register.
//! * **Errors are never silent**: a record of an unexpected kind or
//!   doorbell, a completion count that disagrees with the records, a slot
//!   outside the tick's region, or no progress (no record, no heartbeat
//!   change) for the timeout: the driver reads `ERRORS` and fails naming
//!   its flags. A fault leaves the board unused ([`DriverError::Failed`]);
//!   [`Failover`](crate::Failover) continues in software.
//!
//! # Capacity
//! The card holds `SLOTS` slots in rows of `LANES`; a book fits if and only
//! if its symbols' regions, each rounded up to whole rows, fit
//! (`liqscan_core::layout`, the rule the `sim` backend applies to its
//! model). A book or update that does not fit is refused before anything
//! is written, with a [`CapacityError`](liqscan_core::layout::CapacityError)
//! naming `the board`'s slots and what the book needs; the board keeps
//! scanning what it holds. A book with more symbols than `SYMBOLS` is
//! refused at open.
//!
//! # Bus accesses
//! Per tick: 3 register writes, no register read; in host memory one read
//! of the producer index per poll, 8 reads per record, one write of the
//! consumer index per batch of records, one heartbeat read per 64 empty
//! polls. Per position written: 8 register writes (opcode, slot, valid,
//! `Q`, `T` in 4 words), plus 4 for a region entry when the region grows,
//! plus one `CMD_PRODUCER` write per commit; a `CMD_CONSUMER` read only
//! when the host is `CMD_ENTRIES` entries ahead. [`Board::stats`] counts them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use liqscan_core::engine::{Engine, EngineError, Liquidation, Tick};
use liqscan_core::layout::Layout;
use liqscan_core::spec::registers::{control, reg, ring, status};
use liqscan_core::{Market, Position, SymbolId};

use crate::bus::{Bus, BusCounts};
use crate::commands::{CommandRing, Commands};
use crate::error::DriverError;
use crate::format::Command;
use crate::identify::{identify, Identity};
use crate::link::{Link, Wait};
use crate::results::{ResultRing, ScanStats};

/// How capacity errors name the card.
pub const HOLDER: &str = "the board";

/// The default no-progress timeout: a card scans its largest region in well
/// under a millisecond.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(5);

/// How a [`Board`] waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardOptions {
    /// Longest wait without progress (a record, a heartbeat change, a
    /// command applied) before the board counts as failed.
    pub timeout: Duration,
}

impl Default for BoardOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Bus accesses by phase, for the bench.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoardStats {
    /// Accesses of [`Board::open`]: identification, configuration, bracket tables.
    pub open: BusCounts,
    /// Positions written or closed (a load counts each of its positions).
    pub updates: u64,
    pub update_accesses: BusCounts,
    /// Ticks scanned.
    pub ticks: u64,
    pub tick_accesses: BusCounts,
    /// `CMD_CONSUMER` reads (each when out of credit).
    pub credit_reads: u64,
}

/// The card behind a bus, as an [`Engine`].
#[derive(Debug)]
pub struct Board<B> {
    market: Arc<Market>,
    link: Link<B>,
    identity: Identity,
    layout: Layout,
    commands: CommandRing,
    results: ResultRing,
    /// The positions written to the card, by id.
    shadow: HashMap<u64, Position>,
    /// The last doorbell's `TICK_SEQ`.
    seq: u32,
    hits: Vec<(u32, i128)>,
    stats: BoardStats,
    last_scan: Option<ScanStats>,
    /// Why the board is no longer used, after a fault.
    failed: Option<String>,
}

impl<B: Bus> Board<B> {
    /// Opens the card behind `bus` for `market`'s book, with the default timeout.
    pub fn open(bus: B, market: Arc<Market>) -> Result<Self, DriverError> {
        Self::open_with(bus, market, BoardOptions::default())
    }

    /// Opens the card behind `bus` for `market`'s book.
    pub fn open_with(
        bus: B,
        market: Arc<Market>,
        options: BoardOptions,
    ) -> Result<Self, DriverError> {
        let mut link = Link::new(bus, options.timeout);
        let identity = identify(&mut link, market.len())?;
        let leftover = link.read(reg::ERRORS)?;
        if leftover != 0 {
            tracing::warn!(
                errors = %crate::error::ErrorFlags::Read(leftover),
                "the board's sticky errors were set before this session; cleared"
            );
            link.write(reg::ERRORS_CLEAR, leftover)?;
        }
        wait_until_idle(&mut link)?;
        let producer = link.read(reg::CMD_PRODUCER)?;
        let consumer = link.read(reg::CMD_CONSUMER)?;
        let seq = link.read(reg::TICK_SEQ)?;
        let ring_producer = link.ring_read(ring::PRODUCER)?;
        link.ring_write(ring::CONSUMER, ring_producer)?;
        let at_equal = if market.liquidate_at_equal {
            control::AT_EQUAL
        } else {
            0
        };
        link.write(reg::CONTROL, at_equal)?;
        let mut commands = CommandRing::attach(producer, consumer);
        for id in market.ids() {
            for (index, bracket) in market.units(id).brackets.iter().enumerate() {
                let command = Command::Bracket {
                    symbol: id.0,
                    index: index as u32,
                    bracket: *bracket,
                };
                commands.push(&mut link, command)?;
            }
            let empty = Command::Region {
                symbol: id.0,
                base_row: 0,
                count: 0,
            };
            commands.push(&mut link, empty)?;
        }
        commands.commit(&mut link)?;
        let layout = Layout::new(
            HOLDER,
            market.len(),
            identity.lanes as usize,
            identity.slots as usize,
        );
        let stats = BoardStats {
            open: link.counts(),
            credit_reads: commands.credit_reads,
            ..BoardStats::default()
        };
        Ok(Self {
            market,
            link,
            identity,
            layout,
            commands,
            results: ResultRing::attach(ring_producer),
            shadow: HashMap::new(),
            seq,
            hits: Vec::new(),
            stats,
            last_scan: None,
            failed: None,
        })
    }

    /// The book's symbols.
    pub fn market(&self) -> &Arc<Market> {
        &self.market
    }

    /// What the card is.
    pub fn identity(&self) -> Identity {
        self.identity
    }

    /// Slots the board may use.
    pub fn capacity(&self) -> usize {
        self.layout.capacity()
    }

    /// Where the positions are on the card.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Bus accesses so far, by phase.
    pub fn stats(&self) -> BoardStats {
        BoardStats {
            credit_reads: self.commands.credit_reads,
            ..self.stats
        }
    }

    /// The last completed tick's scan, from its completion record.
    pub fn last_scan(&self) -> Option<ScanStats> {
        self.last_scan
    }

    /// Why the board is no longer used, if it failed.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// The shadow book: every open position written to the card, in id order.
    pub fn positions(&self) -> Vec<&Position> {
        let mut all: Vec<&Position> = self.shadow.values().collect();
        all.sort_unstable_by_key(|p| p.id);
        all
    }

    /// The bus.
    pub fn bus(&self) -> &B {
        self.link.bus()
    }

    pub fn bus_mut(&mut self) -> &mut B {
        self.link.bus_mut()
    }

    /// Gives the bus back (to inspect it, or to open the board again).
    pub fn into_bus(self) -> B {
        self.link.into_bus()
    }

    /// Reads `ERRORS` (a register read: for summaries, not per tick) and
    /// fails naming its flags if any is set.
    pub fn check_errors(&mut self) -> Result<(), DriverError> {
        let flags = self.link.read(reg::ERRORS)?;
        if flags != 0 {
            return Err(DriverError::Anomaly {
                context: "the card's sticky errors are set".into(),
                errors: crate::error::ErrorFlags::Read(flags),
            });
        }
        Ok(())
    }

    fn check_usable(&self) -> Result<(), DriverError> {
        match &self.failed {
            Some(why) => Err(DriverError::Failed(why.clone())),
            None => Ok(()),
        }
    }

    fn check_symbol(&self, symbol: SymbolId) -> Result<(), DriverError> {
        if symbol.index() >= self.market.len() {
            return Err(DriverError::UnknownSymbol(symbol.0));
        }
        Ok(())
    }

    /// Passes `result` on; a fault leaves the board unused from now on.
    fn settle<T>(&mut self, result: Result<T, DriverError>) -> Result<T, DriverError> {
        if let Err(e) = &result {
            if e.is_fault() {
                self.failed = Some(e.to_string());
            }
        }
        result
    }

    /// Runs an update, counting its accesses.
    fn update<T>(
        &mut self,
        positions: usize,
        f: impl FnOnce(&mut Self) -> Result<T, DriverError>,
    ) -> Result<T, DriverError> {
        self.check_usable()?;
        let before = self.link.counts();
        let result = f(self);
        let result = result.and_then(|value| {
            self.commands.commit(&mut self.link)?;
            Ok(value)
        });
        self.stats.updates += positions as u64;
        let used = self.link.counts().since(&before);
        add(&mut self.stats.update_accesses, &used);
        self.settle(result)
    }

    /// Opens a position, or replaces the open one with the same id.
    pub fn open_position(&mut self, position: &Position) -> Result<(), DriverError> {
        self.check_symbol(position.symbol)?;
        let konst = position.constants(&self.market);
        self.update(1, |board| {
            let mut writes = Commands {
                link: &mut board.link,
                ring: &mut board.commands,
            };
            board
                .layout
                .upsert(&mut writes, position.id, position.symbol, konst)?;
            Ok(())
        })?;
        self.shadow.insert(position.id, position.clone());
        Ok(())
    }

    /// Closes a position; `Ok(false)` if it was not open.
    pub fn close_position(&mut self, id: u64) -> Result<bool, DriverError> {
        let closed = self.update(1, |board| {
            let mut writes = Commands {
                link: &mut board.link,
                ring: &mut board.commands,
            };
            board.layout.close(&mut writes, id)
        })?;
        self.shadow.remove(&id);
        Ok(closed)
    }

    /// Opens many positions: the whole book is checked against the capacity
    /// and each symbol's final region reserved first (nothing is written if
    /// it does not fit), then the positions are written, one commit at the end.
    pub fn load_positions(&mut self, positions: &[&Position]) -> Result<(), DriverError> {
        for p in positions {
            self.check_symbol(p.symbol)?;
        }
        self.update(positions.len(), |board| {
            let mut writes = Commands {
                link: &mut board.link,
                ring: &mut board.commands,
            };
            let ids = positions.iter().map(|p| (p.id, p.symbol));
            board.layout.reserve(&mut writes, ids)?;
            for p in positions {
                let konst = p.constants(&board.market);
                board.layout.upsert(&mut writes, p.id, p.symbol, konst)?;
                board.shadow.insert(p.id, (*p).clone());
            }
            Ok(())
        })
    }

    /// Scans `tick`: rings the doorbell, collects its records, closes the
    /// liquidated positions and appends them to `out` in id order. On a
    /// failure nothing is appended and the shadow book is as before the tick.
    pub fn scan(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), DriverError> {
        self.check_usable()?;
        self.check_symbol(tick.symbol)?;
        let before = self.link.counts();
        let result = self.ring_and_collect(tick);
        let result = result.and_then(|stats| {
            self.last_scan = Some(stats);
            self.retire(tick, out)
        });
        self.stats.ticks += 1;
        let used = self.link.counts().since(&before);
        add(&mut self.stats.tick_accesses, &used);
        self.settle(result)
    }

    fn ring_and_collect(&mut self, tick: Tick) -> Result<ScanStats, DriverError> {
        self.commands.commit(&mut self.link)?;
        let seq = self.seq.wrapping_add(1);
        self.link.write(reg::TICK_SYMBOL, tick.symbol.0)?;
        self.link.write(reg::TICK_PRICE, tick.price)?;
        self.link.write(reg::TICK_SEQ, seq)?;
        self.seq = seq;
        self.hits.clear();
        let context = || {
            format!(
                "tick {} (doorbell {seq}, symbol {}, price {})",
                tick.seq, tick.symbol.0, tick.price
            )
        };
        self.results
            .collect(&mut self.link, seq, &mut self.hits, &context)
    }

    /// Maps the tick's hits to positions and closes them: all checked first,
    /// so that a bad slot changes nothing.
    fn retire(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), DriverError> {
        let mut slots: Vec<u32> = self.hits.iter().map(|&(slot, _)| slot).collect();
        slots.sort_unstable();
        let repeated = slots.windows(2).find(|w| w[0] == w[1]).map(|w| w[0]);
        let outside = slots
            .iter()
            .find(|&&slot| self.layout.id_at(tick.symbol, slot).is_none());
        if let Some(slot) = repeated.or(outside.copied()) {
            let (base_row, count) = self.layout.region(tick.symbol);
            return Err(self.link.anomaly(format!(
                "tick {} (doorbell {}): a liquidation record names slot {slot}, \
                 {} symbol {}'s open positions (region of {count} slots at row {base_row})",
                tick.seq,
                self.seq,
                if repeated.is_some() {
                    "twice among"
                } else {
                    "not one of"
                },
                tick.symbol.0
            )));
        }
        let first = out.len();
        for &(slot, shortfall) in &self.hits {
            let position = self.layout.closed(tick.symbol, slot)?;
            self.shadow.remove(&position);
            out.push(Liquidation {
                position,
                shortfall,
            });
        }
        out[first..].sort_unstable();
        Ok(())
    }
}

/// Waits (bounded by the timeout) until the card has no scan running and no
/// tick pending, so that no earlier session's records are still to come.
fn wait_until_idle<B: Bus>(link: &mut Link<B>) -> Result<(), DriverError> {
    let mut wait = Wait::start();
    loop {
        let s = link.read(reg::STATUS)?;
        if s & (status::BUSY | status::TICK_PENDING) == 0 {
            return Ok(());
        }
        if wait.idle(link.timeout) {
            return Err(link.timed_out(format!(
                "opening the board: STATUS stays {s:#x} (busy or a tick pending)"
            )));
        }
    }
}

fn add(total: &mut BusCounts, more: &BusCounts) {
    total.reads += more.reads;
    total.writes += more.writes;
    total.ring_reads += more.ring_reads;
    total.ring_writes += more.ring_writes;
}

impl<B: Bus> Engine for Board<B> {
    fn name(&self) -> &str {
        "board"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        Ok(self.open_position(position)?)
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        Ok(self.close_position(id)?)
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        Ok(self.scan(tick, out)?)
    }

    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        Ok(self.load_positions(positions)?)
    }
}
