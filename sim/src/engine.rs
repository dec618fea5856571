//! `sim`: the verilated scanner as a liqscan-core [`Engine`], laid out as the
//! board will be: each symbol owns a row-aligned region of the slot memory,
//! grown by relocation (and compaction when the memory is fragmented).

use std::sync::Arc;

use liqscan_core::engine::{Engine, EngineError, Liquidation, Tick};
use liqscan_core::slots::SlotMap;
use liqscan_core::spec::PositionConst;
use liqscan_core::{Market, Position, SymbolId};

use crate::error::SimError;
use crate::model::{Hit, ScannerModel, TickStats, SLOTS, SYMBOLS};

/// Smallest region, in rows, given to a symbol that holds any position.
const MIN_ROWS: u32 = 4;

impl From<SimError> for EngineError {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Unavailable(_) | SimError::NoModel { .. } | SimError::Create => {
                EngineError::Unavailable(e.to_string())
            }
            e => EngineError::Backend(e.to_string()),
        }
    }
}

/// A symbol's region in the slot memory and a mirror of its slots (to move it).
#[derive(Debug, Clone, Default)]
struct Region {
    base_row: u32,
    /// Rows reserved at `base_row`.
    rows: u32,
    /// The region's slots as written (the scanner's `count` is their number); `None` is a hole.
    slots: Vec<Option<PositionConst>>,
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
    /// Rows available (all of the model's, but tests may lower it).
    row_limit: u32,
    /// Times every region was laid out again.
    compactions: u64,
    hits: Vec<Hit>,
    /// How the last scan went, as the model measured it.
    last_tick: Option<TickStats>,
}

impl SimEngine {
    /// A scanner with `lanes` lanes holding `market`'s bracket tables and
    /// comparison, and no positions.
    pub fn new(market: Arc<Market>, lanes: usize) -> Result<Self, EngineError> {
        if market.len() > SYMBOLS {
            return Err(EngineError::Capacity(format!(
                "{} symbols, the model holds {SYMBOLS}",
                market.len()
            )));
        }
        let mut model = ScannerModel::new(lanes)?;
        model.set_at_equal(market.liquidate_at_equal);
        for id in market.ids() {
            model.write_brackets(id.0, &market.units(id).brackets)?;
            model.write_region(id.0, 0, 0)?;
        }
        let symbols = market.len();
        let row_limit = (SLOTS / lanes) as u32;
        let regions = vec![Region::default(); symbols];
        Ok(Self {
            market,
            model,
            slots: SlotMap::new(symbols),
            regions,
            next_row: 0,
            row_limit,
            compactions: 0,
            hits: Vec::new(),
            last_tick: None,
        })
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

    fn lanes(&self) -> u32 {
        self.model.lanes() as u32
    }

    fn total_rows(&self) -> u32 {
        self.row_limit
    }

    fn write_slot(
        &mut self,
        symbol: SymbolId,
        slot: u32,
        position: Option<PositionConst>,
    ) -> Result<(), EngineError> {
        let region = &mut self.regions[symbol.index()];
        if slot as usize == region.slots.len() {
            region.slots.push(None);
        }
        region.slots[slot as usize] = position;
        let hw_slot = region.base_row * self.lanes() + slot;
        self.model.write_position(hw_slot, position)?;
        Ok(())
    }

    /// Makes `symbol`'s region hold at least `slots` slots, moving it if needed.
    fn reserve(&mut self, symbol: SymbolId, slots: usize) -> Result<(), EngineError> {
        let lanes = self.lanes();
        let region = &self.regions[symbol.index()];
        if slots <= (region.rows * lanes) as usize {
            return Ok(());
        }
        // Double, so that a growing symbol moves O(log n) times.
        let need = (slots as u32).div_ceil(lanes);
        let want = need.max(2 * region.rows).max(MIN_ROWS);
        if self.next_row + want <= self.total_rows() {
            let base_row = self.next_row;
            self.next_row += want;
            return self.place(symbol, base_row, want);
        }
        self.compact(symbol, want, need)
    }

    /// Rewrites `symbol`'s slots and region at `base_row`.
    fn place(&mut self, symbol: SymbolId, base_row: u32, rows: u32) -> Result<(), EngineError> {
        let region = &mut self.regions[symbol.index()];
        region.base_row = base_row;
        region.rows = rows;
        let first = base_row * self.model.lanes() as u32;
        for (i, slot) in region.slots.iter().enumerate() {
            self.model.write_position(first + i as u32, *slot)?;
        }
        self.model
            .write_region(symbol.0, base_row, region.slots.len() as u32)?;
        Ok(())
    }

    /// Lays every region out again from row 0 without gaps, giving `grow`
    /// `want` rows (or at least `need`): other regions keep their reserve if
    /// that fits, else shrink to their slots.
    fn compact(&mut self, grow: SymbolId, want: u32, need: u32) -> Result<(), EngineError> {
        let lanes = self.lanes();
        let used = |r: &Region| (r.slots.len() as u32).div_ceil(lanes);
        let layouts: [(bool, u32); 3] = [(true, want), (false, want), (false, need)];
        let total = |&(keep, rows): &(bool, u32)| -> u32 {
            let other = |(s, r): (usize, &Region)| {
                if s == grow.index() {
                    0
                } else if keep {
                    r.rows
                } else {
                    used(r)
                }
            };
            rows + self.regions.iter().enumerate().map(other).sum::<u32>()
        };
        let Some(&(keep, rows)) = layouts.iter().find(|l| total(l) <= self.total_rows()) else {
            let held = self.total_rows() * lanes;
            return Err(EngineError::Capacity(format!(
                "{} slots needed, the model holds {held}",
                total(&layouts[2]) * lanes
            )));
        };
        let mut next = 0;
        for s in 0..self.regions.len() {
            let r = &self.regions[s];
            let rows = if s == grow.index() {
                rows
            } else if keep {
                r.rows
            } else {
                used(r)
            };
            self.place(SymbolId(s as u32), next, rows)?;
            next += rows;
        }
        self.next_row = next;
        self.compactions += 1;
        Ok(())
    }

    /// Records that the scanner closed `slot` of `symbol`.
    fn closed(
        &mut self,
        symbol: SymbolId,
        hit: Hit,
        out: &mut Vec<Liquidation>,
    ) -> Result<(), EngineError> {
        let region = &mut self.regions[symbol.index()];
        let local = hit
            .slot
            .checked_sub(region.base_row * self.model.lanes() as u32);
        let id = local.and_then(|local| self.slots.id_at(symbol, local));
        let (Some(local), Some(id)) = (local, id) else {
            return Err(EngineError::Backend(format!(
                "scanner reported slot {} outside symbol {}'s positions",
                hit.slot, symbol.0
            )));
        };
        region.slots[local as usize] = None;
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
        let old = self.slots.get(position.id);
        let at = self.slots.place(position.id, position.symbol);
        if let Some(old) = old.filter(|old| *old != at) {
            self.write_slot(old.symbol, old.slot, None)?;
        }
        self.reserve(at.symbol, at.slot as usize + 1)?;
        let grew = at.slot as usize == self.regions[at.symbol.index()].slots.len();
        self.write_slot(at.symbol, at.slot, Some(position.constants(&self.market)))?;
        if grew {
            let region = &self.regions[at.symbol.index()];
            let (base_row, count) = (region.base_row, region.slots.len() as u32);
            self.model.write_region(at.symbol.0, base_row, count)?;
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

    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        // Reserve each symbol's final size first, so that no region moves twice.
        let mut added = vec![0usize; self.regions.len()];
        for p in positions {
            self.market.check_symbol(p.symbol)?;
            added[p.symbol.index()] += usize::from(self.slots.get(p.id).is_none());
        }
        for (s, &n) in added.iter().enumerate().filter(|(_, &n)| n > 0) {
            let symbol = SymbolId(s as u32);
            self.reserve(symbol, self.slots.region_len(symbol) as usize + n)?;
        }
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
        let mut sim = SimEngine::new(scenario.market.clone(), 8).unwrap_or_else(|e| panic!("{e}"));
        sim.row_limit = 1_000 / 8 + 24;
        let mut cpu = CpuScanner::new(scenario.market.clone());
        // One at a time, so that regions grow by doubling and fragment the memory.
        for p in &scenario.positions {
            sim.upsert(p).unwrap();
            cpu.upsert(p).unwrap();
        }
        assert!(
            sim.next_row <= sim.row_limit && sim.compactions > 0,
            "{} compactions",
            sim.compactions
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
