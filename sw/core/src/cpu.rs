//! `cpu`: the brute-force scanner, the software fallback of the circuit:
//! every slot of the ticked symbol is looked at on every tick, and every
//! liquidation is decided by exactly the circuit's arithmetic
//! (`SymbolUnits::margin_sum`, then `liquidates`), slot for slot.
//!
//! To run near the memory-bandwidth limit the scan reads 8 bytes a slot,
//! not the 20 of its `(Q, T)` row: beside each slot sits its *safe gap*
//! (`lo ..= hi`, marks at none of which the rule liquidates it; see
//! [`crate::gap`], the same exact integer divisions `indexed` uses). A tick
//! at `P` compares `P` with every slot's two ends in a branch-free loop the
//! compiler vectorises, and sends only the slots whose gap does not contain
//! `P` to the rule. That filter is exact, not approximate: a slot inside its
//! gap is safe by construction, so the rule decides every liquidation. A
//! candidate the rule spares (a jumping ladder's mark skipped over a window)
//! gets the gap that contains `P`. Holes have the gap of every mark.

use std::sync::Arc;

use crate::book::Position;
use crate::engine::{Engine, EngineError, Liquidation, Tick};
use crate::gap::{self, Gap};
use crate::market::Market;
use crate::slots::SlotMap;
use crate::spec::{liquidates, PositionConst};

/// Slots compared per step of the filter: one bit each in a mask.
const CHUNK: usize = 16;

/// Bytes a tick reads per slot: the two ends of its safe gap (`lo`, `hi`),
/// the columns the filter streams (the bench's floor reads as many).
pub const SCAN_BYTES_PER_SLOT: usize = 8;

/// One symbol's slots as columns; `qty == 0` marks a hole.
#[derive(Debug, Clone, Default)]
struct Columns {
    /// Safe-gap ends, what a tick reads.
    lo: Vec<u32>,
    hi: Vec<u32>,
    /// `(Q, T)`, read for candidates only.
    qty: Vec<i32>,
    offset: Vec<i128>,
    /// The last mark ticked, near which new positions' gaps are placed.
    last_mark: Option<u32>,
}

impl Columns {
    fn set_gap(&mut self, slot: usize, gap: Gap) {
        self.lo[slot] = gap.lo;
        self.hi[slot] = gap.hi;
    }

    fn clear(&mut self, slot: usize) {
        self.qty[slot] = 0;
        self.set_gap(slot, Gap::NEVER);
    }

    /// Appends the slots whose gap does not contain `price`, in slot order.
    fn candidates(&self, price: u32, out: &mut Vec<u32>) {
        let chunks = self.lo.chunks_exact(CHUNK).zip(self.hi.chunks_exact(CHUNK));
        let mut base = 0u32;
        for (lo, hi) in chunks {
            let mut mask = 0u32;
            for i in 0..CHUNK {
                mask |= u32::from((price < lo[i]) | (price > hi[i])) << i;
            }
            while mask != 0 {
                out.push(base + mask.trailing_zeros());
                mask &= mask - 1;
            }
            base += CHUNK as u32;
        }
        let tail = base as usize..self.lo.len();
        for (slot, (&lo, &hi)) in tail
            .clone()
            .zip(self.lo[tail.clone()].iter().zip(&self.hi[tail]))
        {
            if price < lo || price > hi {
                out.push(slot as u32);
            }
        }
    }
}

/// The brute-force scanner.
#[derive(Debug, Clone)]
pub struct CpuScanner {
    market: Arc<Market>,
    slots: SlotMap,
    columns: Vec<Columns>,
    candidates: Vec<u32>,
    hits: Vec<u32>,
}

impl CpuScanner {
    pub fn new(market: Arc<Market>) -> Self {
        let symbols = market.len();
        Self {
            market,
            slots: SlotMap::new(symbols),
            columns: vec![Columns::default(); symbols],
            candidates: Vec::new(),
            hits: Vec::new(),
        }
    }
}

impl Engine for CpuScanner {
    fn name(&self) -> &str {
        "cpu"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        let old = self.slots.get(position.id);
        let placement = self.slots.place(position.id, position.symbol);
        if let Some(old) = old.filter(|old| *old != placement) {
            self.columns[old.symbol.index()].clear(old.slot as usize);
        }
        let konst = position.constants(&self.market);
        let units = self.market.units(position.symbol);
        let at_equal = self.market.liquidate_at_equal;
        let columns = &mut self.columns[placement.symbol.index()];
        let slot = placement.slot as usize;
        if slot == columns.qty.len() {
            columns.qty.push(0);
            columns.offset.push(0);
            columns.lo.push(0);
            columns.hi.push(0);
        }
        columns.qty[slot] = konst.qty_lots;
        columns.offset[slot] = konst.offset;
        let reference = columns.last_mark.unwrap_or(position.entry_ticks);
        columns.set_gap(slot, gap::place(units, konst, at_equal, reference));
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        Ok(match self.slots.remove(id) {
            Some(at) => {
                self.columns[at.symbol.index()].clear(at.slot as usize);
                true
            }
            None => false,
        })
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        self.market.check_symbol(tick.symbol)?;
        let units = self.market.units(tick.symbol);
        let at_equal = self.market.liquidate_at_equal;
        let columns = &mut self.columns[tick.symbol.index()];
        columns.last_mark = Some(tick.price);
        let first = out.len();
        self.candidates.clear();
        self.hits.clear();
        columns.candidates(tick.price, &mut self.candidates);
        for &slot in &self.candidates {
            let konst = PositionConst {
                qty_lots: columns.qty[slot as usize],
                offset: columns.offset[slot as usize],
            };
            let sum = units.margin_sum(konst, tick.price);
            if liquidates(sum, at_equal) {
                self.hits.push(slot);
                let position = self
                    .slots
                    .id_at(tick.symbol, slot)
                    .expect("an open slot has an id");
                out.push(Liquidation {
                    position,
                    shortfall: -sum,
                });
            } else {
                columns.set_gap(
                    slot as usize,
                    gap::around(units, konst, at_equal, tick.price),
                );
            }
        }
        for &slot in &self.hits {
            columns.clear(slot as usize);
        }
        self.slots.retire(&mut out[first..]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Symbol, SymbolId};
    use crate::report::event;
    use crate::test_util::{bracket, d};

    fn btc_market() -> Arc<Market> {
        let ladder = [
            bracket(Some("50000"), "0.004", "0"),
            bracket(None, "0.005", "50"),
        ];
        let mut market = Market::new(false);
        market
            .add(Symbol::new("BTCUSDT", d("0.1"), d("0.001"), ladder.to_vec()).unwrap())
            .unwrap();
        Arc::new(market)
    }

    /// The filter reads `lo` and `hi` per slot, and nothing else.
    #[test]
    fn scan_bytes_per_slot_are_the_gap_columns() {
        fn element_size<T>(_: &[T]) -> usize {
            std::mem::size_of::<T>()
        }
        let columns = Columns::default();
        assert_eq!(
            element_size(&columns.lo) + element_size(&columns.hi),
            SCAN_BYTES_PER_SLOT
        );
    }

    /// A long of 1 BTC at 50,000 with 5,000 margin in the 0.4% bracket:
    /// E = 180.7 < MM = 180.7228 at 45,180.7; E = 180.8 > MM = 180.7232 at 45,180.8.
    #[test]
    fn hand_computed_long_liquidates_at_45180_7_not_45180_8() {
        let market = btc_market();
        let units = market.units(SymbolId(0));
        let position = Position {
            id: 42,
            account: "a".into(),
            symbol: SymbolId(0),
            qty_lots: units.lots(&d("1")).unwrap(),
            entry_ticks: units.ticks(&d("50000"), "entry_price").unwrap(),
            margin_units: units.quote_units(&d("5000"), "margin").unwrap(),
        };
        let mut cpu = CpuScanner::new(market.clone());
        cpu.upsert(&position).unwrap();
        let mut out = Vec::new();
        let tick = |seq, mark| Tick {
            seq,
            symbol: SymbolId(0),
            price: units.ticks(&d(mark), "mark_price").unwrap(),
        };

        cpu.tick(tick(6, "45180.8"), &mut out).unwrap();
        assert!(out.is_empty());
        cpu.tick(tick(7, "45180.7"), &mut out).unwrap();
        assert_eq!(out.len(), 1);
        let line =
            serde_json::to_string(&event(&market, tick(7, "45180.7"), &position, out[0]).unwrap())
                .unwrap();
        assert_eq!(
            line,
            r#"{"tick":7,"position":42,"account":"a","symbol":"BTCUSDT","mark":"45180.7","equity":"180.7","maintenance":"180.7228"}"#
        );
        cpu.tick(tick(8, "1"), &mut out).unwrap();
        assert_eq!(out.len(), 1, "a liquidated position is closed");
    }
}
