//! `sim`: the verilated scanner as a liqscan-core [`Engine`], laid out as the
//! board will be: each symbol owns a row-aligned region of the slot memory,
//! grown by relocation (and a relayout, squeezing out holes, when the memory
//! is fragmented).
//!
//! # Capacity
//!
//! A region starts on a whole row of `L` slots, so `n` positions of one
//! symbol take `ceil(n / L)` rows and a book fits if and only if
//! `Σ ceil(n_s / L) · L ≤ capacity` ([`check_fit`]). Any book of at most
//! `capacity − (symbols − 1)·(L − 1)` positions fits (1,048,562 on 3 symbols
//! with 8 lanes, all 1,048,576 on one symbol or on one lane); the contract
//! allows up to 1,048,576 positions on up to 4,096 symbols, so a larger
//! book fits only if its symbols' rounding leaves room, and is refused
//! otherwise ([`CapacityError::guaranteed`]). A book or an update that does not fit is
//! refused before anything is written, with a [`CapacityError`] that says
//! what the model holds and what the book needs; the engine is unchanged
//! and keeps scanning what it holds.
//!
//! Every layout step is bounded: a growing region moves to the free rows at
//! the end (doubling, so a region moves `O(log n)` times), and when they run
//! out one relayout writes every open position once.

use std::sync::Arc;

use liqscan_core::engine::{Engine, EngineError, Liquidation, Tick};
use liqscan_core::slots::SlotMap;
use liqscan_core::spec::PositionConst;
use liqscan_core::{Market, Position, SymbolId};

use crate::error::{CapacityError, SimError};
use crate::model::{Hit, ScannerModel, TickStats, SLOTS, SYMBOLS};

/// Smallest region, in rows, given to a symbol that holds any position.
const MIN_ROWS: u64 = 4;

impl From<SimError> for EngineError {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Unavailable(_) | SimError::NoModel { .. } | SimError::Create => {
                EngineError::Unavailable(e.to_string())
            }
            SimError::Capacity(e) => EngineError::Capacity(e.to_string()),
            e => EngineError::Backend(e.to_string()),
        }
    }
}

/// Checks that regions of `region_slots` slots (one per symbol; empty ones
/// take nothing) fit in `capacity` slots of rows of `lanes` slots; returns
/// the rows they take.
pub fn check_fit(
    region_slots: impl IntoIterator<Item = u64>,
    lanes: usize,
    capacity: usize,
) -> Result<u64, CapacityError> {
    let lanes = lanes as u64;
    let (mut rows, mut symbols, mut positions) = (0u64, 0u64, 0u64);
    for n in region_slots {
        rows += n.div_ceil(lanes);
        symbols += u64::from(n > 0);
        positions += n;
    }
    let capacity = capacity as u64;
    if rows * lanes > capacity {
        return Err(CapacityError {
            capacity,
            lanes,
            symbols,
            positions,
            needed: rows * lanes,
        });
    }
    Ok(rows)
}

/// A symbol's region in the slot memory and a mirror of its slots (to move it).
#[derive(Debug, Clone, Default)]
struct Region {
    base_row: u32,
    /// Rows reserved at `base_row`.
    rows: u32,
    /// The region's slots as written (the scanner's `count` is their number); `None` is a hole.
    slots: Vec<Option<PositionConst>>,
    /// Slots that hold a position.
    live: u32,
}

impl Region {
    fn len(&self) -> u64 {
        self.slots.len() as u64
    }

    fn holes(&self) -> u64 {
        self.len() - u64::from(self.live)
    }

    /// Sets the mirror of `slot` (at most one past the end).
    fn set(&mut self, slot: u32, position: Option<PositionConst>) {
        if slot as usize == self.slots.len() {
            self.slots.push(None);
        }
        let old = std::mem::replace(&mut self.slots[slot as usize], position);
        self.live = self.live + u32::from(position.is_some()) - u32::from(old.is_some());
    }
}

/// The Verilator backend.
#[derive(Debug)]
pub struct SimEngine {
    market: Arc<Market>,
    model: ScannerModel,
    slots: SlotMap,
    regions: Vec<Region>,
    /// First row not reserved by any region.
    next_row: u32,
    /// Rows available (all of the model's unless [`SimEngine::with_capacity`] lowered it).
    row_limit: u32,
    /// Times every region was laid out again.
    relayouts: u64,
    hits: Vec<Hit>,
    /// How the last scan went, as the model measured it.
    last_tick: Option<TickStats>,
}

impl SimEngine {
    /// A scanner with `lanes` lanes holding `market`'s bracket tables and
    /// comparison, and no positions.
    pub fn new(market: Arc<Market>, lanes: usize) -> Result<Self, EngineError> {
        Self::with_capacity(market, lanes, SLOTS)
    }

    /// Like [`SimEngine::new`], using only the first `slots` slots of the
    /// model (a whole number of rows): a smaller board, or a test of the
    /// capacity limits without filling a million slots.
    pub fn with_capacity(
        market: Arc<Market>,
        lanes: usize,
        slots: usize,
    ) -> Result<Self, EngineError> {
        if market.len() > SYMBOLS {
            return Err(EngineError::Capacity(format!(
                "the sim model holds {SYMBOLS} symbols; the book has {}",
                market.len()
            )));
        }
        if slots > SLOTS || lanes == 0 || slots % lanes != 0 {
            return Err(SimError::Range(format!(
                "capacity of {slots} slots on {lanes} lanes (at most {SLOTS}, whole rows)"
            ))
            .into());
        }
        let mut model = ScannerModel::new(lanes)?;
        model.set_at_equal(market.liquidate_at_equal);
        for id in market.ids() {
            model.write_brackets(id.0, &market.units(id).brackets)?;
            model.write_region(id.0, 0, 0)?;
        }
        let symbols = market.len();
        Ok(Self {
            market,
            model,
            slots: SlotMap::new(symbols),
            regions: vec![Region::default(); symbols],
            next_row: 0,
            row_limit: (slots / lanes) as u32,
            relayouts: 0,
            hits: Vec::new(),
            last_tick: None,
        })
    }

    /// Slots the engine may use.
    pub fn capacity(&self) -> usize {
        self.row_limit as usize * self.model.lanes()
    }

    /// Times every region was laid out again (when the free rows ran out).
    pub fn relayouts(&self) -> u64 {
        self.relayouts
    }

    /// Rising clock edges simulated so far.
    pub fn simulated_cycles(&self) -> u64 {
        self.model.simulated_cycles()
    }

    /// The last successful tick's scan: its cycles from the accepting edge
    /// to `done`, stalls and the scanner's own counter (`None` before one).
    pub fn last_tick(&self) -> Option<TickStats> {
        self.last_tick
    }

    fn lanes(&self) -> u64 {
        self.model.lanes() as u64
    }

    fn write_slot(
        &mut self,
        symbol: SymbolId,
        slot: u32,
        position: Option<PositionConst>,
    ) -> Result<(), EngineError> {
        let region = &mut self.regions[symbol.index()];
        region.set(slot, position);
        let hw_slot = region.base_row as u64 * self.lanes() + u64::from(slot);
        self.model.write_position(hw_slot as u32, position)?;
        Ok(())
    }

    /// Makes room for `added` more positions in each listed symbol (each
    /// symbol at most once): holes are reused first, then a region that
    /// outgrows its rows moves to the free rows at the end, or every region
    /// is laid out again. Refuses, changing nothing, if the symbols' open
    /// positions with the additions do not fit in whole rows.
    fn grow(&mut self, added: &[(SymbolId, u64)]) -> Result<(), EngineError> {
        let lanes = self.lanes();
        // Slots each listed region will span if it keeps its holes (filled first).
        let span = |r: &Region, n: u64| r.len().max(u64::from(r.live) + n);
        let growing: Vec<(usize, u64)> = added
            .iter()
            .map(|&(s, n)| (s.index(), span(&self.regions[s.index()], n)))
            .filter(|&(s, len)| len > u64::from(self.regions[s].rows) * lanes)
            .collect();
        if growing.is_empty() {
            return Ok(());
        }
        // What every region needs with its holes squeezed out.
        let mut need: Vec<u64> = self.regions.iter().map(|r| u64::from(r.live)).collect();
        for &(s, n) in added {
            need[s.index()] += n;
        }
        check_fit(need.iter().copied(), lanes as usize, self.capacity()).map_err(SimError::from)?;
        let need: Vec<u64> = need.iter().map(|n| n.div_ceil(lanes)).collect();

        // Doubling, so that a growing symbol moves O(log n) times.
        let want = |s: usize, len: u64| {
            let rows = u64::from(self.regions[s].rows);
            len.div_ceil(lanes).max(2 * rows).max(MIN_ROWS)
        };
        let wants: Vec<(usize, u64)> = growing.iter().map(|&(s, len)| (s, want(s, len))).collect();
        let at_end: u64 = wants.iter().map(|&(_, rows)| rows).sum();
        if u64::from(self.next_row) + at_end <= u64::from(self.row_limit) {
            for (s, rows) in wants {
                let base_row = self.next_row;
                self.next_row += rows as u32;
                self.place(s, base_row, rows as u32)?;
            }
            return Ok(());
        }
        self.relayout(&need, &wants)
    }

    /// Lays every region out again from row 0 with its holes squeezed out:
    /// each symbol gets at least `need[s]` rows, the growing ones (`wants`)
    /// their doubled reserve if that fits, the others keep theirs if that
    /// fits too; else every region gets its need and a share of the rows
    /// left. What is left after that stays free at the end for the next growth.
    fn relayout(&mut self, need: &[u64], wants: &[(usize, u64)]) -> Result<(), EngineError> {
        let limit = u64::from(self.row_limit);
        let mut want = vec![None; need.len()];
        for &(s, rows) in wants {
            want[s] = Some(rows);
        }
        let kept = |s: usize| u64::from(self.regions[s].rows).max(need[s]);
        let keep_all: Vec<u64> = (0..need.len())
            .map(|s| want[s].unwrap_or(kept(s)))
            .collect();
        let shrink_others: Vec<u64> = (0..need.len())
            .map(|s| want[s].unwrap_or(need[s]))
            .collect();
        let rows = if keep_all.iter().sum::<u64>() <= limit {
            keep_all
        } else if shrink_others.iter().sum::<u64>() <= limit {
            shrink_others
        } else {
            // Every region at its need (`grow` checked that this fits), plus
            // a reserve from the rows left: a quarter to the growing regions,
            // a quarter spread over all in proportion to their size (so that
            // the next relayout waits until a region grows by a fraction of
            // itself), and half left free at the end for small regions to
            // move to.
            let total: u64 = need.iter().sum();
            let left = limit - total;
            let grower = left / (4 * wants.len() as u64).max(1);
            let spread = left / 4;
            (0..need.len())
                .map(|s| {
                    let share = spread * need[s] / total.max(1);
                    match want[s] {
                        Some(rows) => need[s] + share + grower.min(rows - need[s]),
                        None => need[s] + share,
                    }
                })
                .collect()
        };
        debug_assert!(rows.iter().sum::<u64>() <= limit);
        let squeezed = self.squeeze()?;
        let mut next = 0u32;
        for (s, &rows) in rows.iter().enumerate() {
            let region = &mut self.regions[s];
            if region.base_row == next && !squeezed[s] {
                // In place: every region before it now lies below it.
                region.rows = rows as u32;
            } else {
                self.place(s, next, rows as u32)?;
            }
            next += rows as u32;
        }
        self.next_row = next;
        self.relayouts += 1;
        Ok(())
    }

    /// Renumbers every region's positions to its first slots, in slot
    /// order, dropping the holes; returns which regions changed.
    fn squeeze(&mut self) -> Result<Vec<bool>, EngineError> {
        if self.regions.iter().all(|r| r.holes() == 0) {
            return Ok(vec![false; self.regions.len()]);
        }
        let mut map = SlotMap::new(self.regions.len());
        let mut slots = Vec::with_capacity(self.regions.len());
        for (s, region) in self.regions.iter().enumerate() {
            let symbol = SymbolId(s as u32);
            let mut kept = Vec::with_capacity(region.live as usize);
            for (i, slot) in region.slots.iter().enumerate() {
                if let Some(position) = slot {
                    let Some(id) = self.slots.id_at(symbol, i as u32) else {
                        return Err(EngineError::Backend(format!(
                            "slot {i} of symbol {s} holds a position the slot map does not know"
                        )));
                    };
                    map.place(id, symbol);
                    kept.push(Some(*position));
                }
            }
            slots.push(kept);
        }
        self.slots = map;
        Ok(self
            .regions
            .iter_mut()
            .zip(slots)
            .map(|(region, kept)| {
                let changed = region.holes() > 0;
                region.slots = kept;
                changed
            })
            .collect())
    }

    /// Rewrites region `s`'s slots and region entry at `base_row`.
    fn place(&mut self, s: usize, base_row: u32, rows: u32) -> Result<(), EngineError> {
        let first = base_row as u64 * self.lanes();
        let region = &mut self.regions[s];
        region.base_row = base_row;
        region.rows = rows;
        for (i, slot) in region.slots.iter().enumerate() {
            self.model
                .write_position((first + i as u64) as u32, *slot)?;
        }
        self.model
            .write_region(s as u32, base_row, region.slots.len() as u32)?;
        Ok(())
    }

    /// Records that the scanner closed `slot` of `symbol`.
    fn closed(
        &mut self,
        symbol: SymbolId,
        hit: Hit,
        out: &mut Vec<Liquidation>,
    ) -> Result<(), EngineError> {
        let lanes = self.lanes();
        let region = &mut self.regions[symbol.index()];
        let local = u64::from(hit.slot)
            .checked_sub(region.base_row as u64 * lanes)
            .filter(|&local| local < region.len())
            .map(|local| local as u32);
        let id = local.and_then(|local| self.slots.id_at(symbol, local));
        let (Some(local), Some(id)) = (local, id) else {
            return Err(EngineError::Backend(format!(
                "scanner reported slot {} outside symbol {}'s positions",
                hit.slot, symbol.0
            )));
        };
        region.set(local, None);
        self.slots.remove(id);
        out.push(Liquidation {
            position: id,
            shortfall: hit.shortfall,
        });
        Ok(())
    }
}

impl Engine for SimEngine {
    fn name(&self) -> &str {
        "sim"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        let symbol = position.symbol;
        let stays = matches!(self.slots.get(position.id), Some(old) if old.symbol == symbol);
        if !stays && self.regions[symbol.index()].holes() == 0 {
            // A new slot at the end of the region: make room first, so that
            // a refusal leaves the engine as it was.
            self.grow(&[(symbol, 1)])?;
        }
        let old = self.slots.get(position.id);
        let at = self.slots.place(position.id, symbol);
        if let Some(old) = old.filter(|old| *old != at) {
            self.write_slot(old.symbol, old.slot, None)?;
        }
        let region = &self.regions[symbol.index()];
        let grew = at.slot as usize == region.slots.len();
        if u64::from(at.slot) >= u64::from(region.rows) * self.lanes() {
            return Err(EngineError::Backend(format!(
                "slot {} of symbol {} lies outside its {} rows",
                at.slot, symbol.0, region.rows
            )));
        }
        self.write_slot(symbol, at.slot, Some(position.constants(&self.market)))?;
        if grew {
            let region = &self.regions[symbol.index()];
            let (base_row, count) = (region.base_row, region.slots.len() as u32);
            self.model.write_region(symbol.0, base_row, count)?;
        }
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        match self.slots.remove(id) {
            Some(at) => {
                self.write_slot(at.symbol, at.slot, None)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        self.market.check_symbol(tick.symbol)?;
        let first = out.len();
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        self.last_tick = None;
        let result = self
            .model
            .tick(tick.symbol.0, tick.price, &mut hits)
            .map_err(EngineError::from);
        let result = result.and_then(|stats| {
            self.last_tick = Some(stats);
            hits.iter()
                .try_for_each(|&hit| self.closed(tick.symbol, hit, out))
        });
        self.hits = hits;
        result?;
        out[first..].sort_unstable();
        Ok(())
    }

    /// Checks that the whole book fits and reserves each symbol's final
    /// size first (so that no region moves twice), then writes the positions.
    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        let mut added = vec![0u64; self.regions.len()];
        for p in positions {
            self.market.check_symbol(p.symbol)?;
            let stays = matches!(self.slots.get(p.id), Some(old) if old.symbol == p.symbol);
            added[p.symbol.index()] += u64::from(!stays);
        }
        let added: Vec<(SymbolId, u64)> = added
            .into_iter()
            .enumerate()
            .filter(|&(_, n)| n > 0)
            .map(|(s, n)| (SymbolId(s as u32), n))
            .collect();
        self.grow(&added)?;
        positions.iter().try_for_each(|p| self.upsert(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liqscan_core::gen::{generate, GenConfig};
    use liqscan_core::CpuScanner;

    /// Regions that outgrow a small memory are compacted, positions survive
    /// the moves (the scans still match the `cpu` scanner), and a book
    /// larger than the memory is refused.
    #[test]
    fn compacts_and_refuses_overflow() {
        let scenario = generate(&GenConfig {
            positions: 1_000,
            symbols: 4,
            ticks: 150,
            seed: 7,
        })
        .unwrap();
        let mut sim = SimEngine::with_capacity(scenario.market.clone(), 8, (1_000 / 8 + 24) * 8)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut cpu = CpuScanner::new(scenario.market.clone());
        // One at a time, so that regions grow by doubling and fragment the memory.
        for p in &scenario.positions {
            sim.upsert(p).unwrap();
            cpu.upsert(p).unwrap();
        }
        assert!(
            sim.next_row <= sim.row_limit && sim.relayouts > 0,
            "{} relayouts",
            sim.relayouts
        );
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for tick in &scenario.ticks {
            sim.tick(*tick, &mut a).unwrap();
            cpu.tick(*tick, &mut b).unwrap();
            assert_eq!(a, b, "tick {tick:?}");
        }
        let mut extra = scenario.positions[0].clone();
        for id in 0..2_000 {
            extra.id = 1_000_000 + id;
            if let Err(e) = sim.upsert(&extra) {
                assert!(matches!(e, EngineError::Capacity(_)), "{e}");
                return;
            }
        }
        panic!("a book larger than the memory was accepted");
    }
}
