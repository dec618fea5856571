//! `indexed`: an output-sensitive software scanner. Each open position is
//! kept under the two ends of one *safe gap*: a run of marks `lo ..= hi`
//! at none of which the rule (`margin_sum`, then `liquidates`) liquidates it,
//! and which cannot be widened (`lo − 1` and `hi + 1` liquidate, or lie off
//! the price range); see [`gap`]. A tick at `P` looks only at the positions
//! whose gap does not contain `P`, and lets the rule itself decide each one
//! with the same `margin_sum` as `cpu`.
//!
//! Per symbol:
//! - `below`: `(lo, slot)` of every gap with `lo > 0`; a tick at `P` takes
//!   those with `lo > P`, a range scan from the top.
//! - `above`: `(hi, slot)` of every gap with `hi < PRICE_MAX`; a tick takes
//!   those with `hi < P`.
//! - `doomed`: positions that every mark liquidates (no gap at all).
//!
//! Exactness: a position liquidated at `P` has `P` outside its gap, so
//! `P < lo` (and then `lo > 0`: it is in `below`) or `P > hi` (in `above`),
//! or it is doomed; so every liquidation is among the candidates, and the
//! rule decides every candidate. A candidate the rule spares (the mark
//! jumped over a window of its set into another gap) is re-kept under the
//! gap that contains `P`, so the invariant holds after every tick. A gap's
//! ends are exact integer divisions, checked against the rule in debug
//! builds.
//!
//! Cost, for `n` positions in the ticked symbol and `k` liquidated: a tick is
//! `O((k + r + 1)·log n)` where `r` counts spared candidates. On a continuous
//! ladder a position's set is one interval reaching `0` or `PRICE_MAX`, so
//! its gap has one finite end, crossing it always liquidates and `r = 0`. On
//! a jumping ladder `r` counts the positions whose window the mark jumped
//! clean over since their gap was last set; a mark that moves one tick at a
//! time never does that (it lands on `lo − 1` or `hi + 1`, which liquidate).
//! A tick whose candidates reach a quarter of the symbol's index entries (a
//! crash) drops the index and rebuilds it from the survivors' gaps in bulk
//! (`O(n log n)` at worst, `O(n)` when every candidate liquidates), with the
//! candidates in slot order so columns and slot map are read in sequence.
//! An upsert costs `O(B)` (at most two walks over the `B ≤ 16` brackets
//! from the mark's bracket, one division each) plus `O(log n)`; a close is
//! `O(log n)`. Memory is `O(n)` with a small constant: `Q`, `T` and the gap
//! per slot (like `cpu`'s columns) and at most two 8-byte index entries,
//! however many windows a jumping ladder gives the position.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::book::Position;
use crate::engine::{Engine, EngineError, Liquidation, Tick};
use crate::gap::{self, Gap};
use crate::market::Market;
use crate::slots::SlotMap;
use crate::spec::{liquidates, PositionConst};
use crate::threshold::HIGHEST;

/// One symbol's positions as columns by slot, indexed by their gaps.
#[derive(Debug, Clone, Default)]
struct SymbolIndex {
    qty: Vec<i32>,
    offset: Vec<i128>,
    /// The gap each slot is kept under ([`Gap::NEVER`] for holes: no entry).
    gaps: Vec<Gap>,
    /// `(lo, slot)` of gaps with `lo > 0`.
    below: BTreeSet<(u32, u32)>,
    /// `(hi, slot)` of gaps with `hi < HIGHEST`.
    above: BTreeSet<(u32, u32)>,
    /// Slots with no safe mark.
    doomed: BTreeSet<u32>,
    /// The last mark ticked, where new positions' gaps are placed.
    last_mark: Option<u32>,
}

impl SymbolIndex {
    fn konst(&self, slot: u32) -> PositionConst {
        PositionConst {
            qty_lots: self.qty[slot as usize],
            offset: self.offset[slot as usize],
        }
    }

    fn store(&mut self, slot: u32, konst: PositionConst) {
        let slot = slot as usize;
        if slot == self.qty.len() {
            self.qty.push(0);
            self.offset.push(0);
            self.gaps.push(Gap::NEVER);
        }
        self.qty[slot] = konst.qty_lots;
        self.offset[slot] = konst.offset;
    }

    /// Keeps `slot` under `gap` (it must be under none).
    fn keep(&mut self, slot: u32, gap: Gap) {
        self.gaps[slot as usize] = gap;
        if gap.is_doomed() {
            self.doomed.insert(slot);
            return;
        }
        if gap.lo > 0 {
            self.below.insert((gap.lo, slot));
        }
        if gap.hi < HIGHEST {
            self.above.insert((gap.hi, slot));
        }
    }

    /// Takes `slot` out of every index.
    fn release(&mut self, slot: u32) {
        let gap = std::mem::replace(&mut self.gaps[slot as usize], Gap::NEVER);
        if gap.is_doomed() {
            self.doomed.remove(&slot);
            return;
        }
        if gap.lo > 0 {
            self.below.remove(&(gap.lo, slot));
        }
        if gap.hi < HIGHEST {
            self.above.remove(&(gap.hi, slot));
        }
    }

    /// Takes every slot whose gap does not contain `price` out of the
    /// indexes and appends it: the crossed ends leave in bulk (`split_off`),
    /// so a crash costs no removal per position from them.
    fn take_candidates(&mut self, price: u32, out: &mut Vec<u32>) {
        if price < HIGHEST {
            let crossed = self.below.split_off(&(price + 1, 0));
            out.extend(crossed.iter().map(|&(_, slot)| slot));
        }
        let kept = self.above.split_off(&(price, 0));
        let crossed = std::mem::replace(&mut self.above, kept);
        out.extend(crossed.iter().map(|&(_, slot)| slot));
        out.extend(std::mem::take(&mut self.doomed));
    }

    /// After [`Self::take_candidates`] at `price`: takes `slot` out of the
    /// index it is still in (the uncrossed end of its gap, if finite).
    fn release_taken(&mut self, slot: u32, price: u32) {
        let gap = std::mem::replace(&mut self.gaps[slot as usize], Gap::NEVER);
        if gap.is_doomed() {
            return;
        }
        if gap.lo > 0 && gap.lo <= price {
            self.below.remove(&(gap.lo, slot));
        }
        if gap.hi < HIGHEST && gap.hi >= price {
            self.above.remove(&(gap.hi, slot));
        }
    }

    /// Rebuilds `below`, `above` and `doomed` from the gaps (in bulk: a sort
    /// and a linear build instead of one descent per entry).
    fn rebuild(&mut self) {
        let (mut below, mut above, mut doomed) = (Vec::new(), Vec::new(), Vec::new());
        for (slot, gap) in (0u32..).zip(&self.gaps) {
            if gap.is_doomed() {
                doomed.push(slot);
                continue;
            }
            if gap.lo > 0 {
                below.push((gap.lo, slot));
            }
            if gap.hi < HIGHEST {
                above.push((gap.hi, slot));
            }
        }
        self.below = below.into_iter().collect();
        self.above = above.into_iter().collect();
        self.doomed = doomed.into_iter().collect();
    }

    fn entries(&self) -> usize {
        self.below.len() + self.above.len() + self.doomed.len()
    }
}

/// The output-sensitive scanner.
#[derive(Debug, Clone)]
pub struct IndexedScanner {
    market: Arc<Market>,
    slots: SlotMap,
    symbols: Vec<SymbolIndex>,
    candidates: Vec<u32>,
    /// `(slot, shortfall)` of this tick's liquidations.
    hits: Vec<(u32, i128)>,
}

impl IndexedScanner {
    pub fn new(market: Arc<Market>) -> Self {
        let symbols = vec![SymbolIndex::default(); market.len()];
        Self {
            slots: SlotMap::new(market.len()),
            market,
            symbols,
            candidates: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// Index entries held over all symbols: at most two per open position
    /// on any ladder (diagnostics for the resource tests).
    pub fn index_entries(&self) -> usize {
        self.symbols.iter().map(SymbolIndex::entries).sum()
    }
}

impl Engine for IndexedScanner {
    fn name(&self) -> &str {
        "indexed"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        let konst = position.constants(&self.market);
        if let Some(old) = self.slots.get(position.id) {
            self.symbols[old.symbol.index()].release(old.slot);
        }
        // Keeps the slot within the symbol, or frees the old one (now under no gap).
        let slot = self.slots.place(position.id, position.symbol).slot;
        let index = &mut self.symbols[position.symbol.index()];
        index.store(slot, konst);
        let reference = index.last_mark.unwrap_or(position.entry_ticks);
        // Q = 0 gets `Gap::NEVER`: never liquidated, like a hole in `cpu`.
        let gap = gap::place(
            self.market.units(position.symbol),
            konst,
            self.market.liquidate_at_equal,
            reference,
        );
        index.keep(slot, gap);
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        Ok(match self.slots.remove(id) {
            Some(at) => {
                self.symbols[at.symbol.index()].release(at.slot);
                true
            }
            None => false,
        })
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        self.market.check_symbol(tick.symbol)?;
        let units = self.market.units(tick.symbol);
        let at_equal = self.market.liquidate_at_equal;
        let index = &mut self.symbols[tick.symbol.index()];
        index.last_mark = Some(tick.price);
        self.candidates.clear();
        self.hits.clear();
        let entries = index.entries();
        index.take_candidates(tick.price, &mut self.candidates);
        // A tick that reaches a large share of the symbol (a crash) drops the
        // whole index and rebuilds it from the survivors' gaps, rather than
        // removing and re-inserting entries one by one.
        let bulk = self.candidates.len() * 4 >= entries;
        if bulk {
            index.below.clear();
            index.above.clear();
            // In slot order, the columns and the slot map are read in sequence.
            self.candidates.sort_unstable();
        }
        for &slot in &self.candidates {
            let sum = units.margin_sum(index.konst(slot), tick.price);
            if bulk {
                index.gaps[slot as usize] = Gap::NEVER;
            } else {
                index.release_taken(slot, tick.price);
            }
            if liquidates(sum, at_equal) {
                self.hits.push((slot, -sum));
            } else {
                // The mark jumped over a window of this position's set: keep
                // it under the gap it is in now.
                let gap = gap::around(units, index.konst(slot), at_equal, tick.price);
                match bulk {
                    true => index.gaps[slot as usize] = gap,
                    false => index.keep(slot, gap),
                }
            }
        }
        if bulk {
            index.rebuild();
        }
        let first = out.len();
        for &(slot, shortfall) in &self.hits {
            let position = self
                .slots
                .id_at(tick.symbol, slot)
                .expect("an indexed slot has an id");
            out.push(Liquidation {
                position,
                shortfall,
            });
        }
        self.slots.retire(&mut out[first..]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuScanner;
    use crate::market::{Symbol, SymbolId};
    use crate::test_util::{bracket, d};
    use crate::threshold::{liquidation_set, Interval};

    fn position(
        id: u64,
        qty_lots: i32,
        entry_ticks: u32,
        margin: &str,
        market: &Market,
    ) -> Position {
        let margin_units = market
            .units(SymbolId(0))
            .quote_units(&d(margin), "margin")
            .unwrap();
        Position {
            id,
            account: "a".into(),
            symbol: SymbolId(0),
            qty_lots,
            entry_ticks,
            margin_units,
        }
    }

    fn jumping_market() -> Arc<Market> {
        let ladder = vec![
            bracket(Some("1000"), "0.01", "0"),
            bracket(None, "0.5", "0"),
        ];
        let mut market = Market::new(false);
        market
            .add(Symbol::new("J", d("1"), d("1"), ladder).unwrap())
            .unwrap();
        Arc::new(market)
    }

    /// A long on a ladder whose maintenance jumps up at notional 1,000 is
    /// safe just below the cap, liquidated just above it, and safe again
    /// higher up: a window, which the index finds from either side and from
    /// every gap, exactly as `cpu`.
    #[test]
    fn jumping_ladder_window_matches_cpu() {
        let market = jumping_market();
        assert!(!market.units(SymbolId(0)).continuous);
        // Long 1 lot at entry 1,000 with 400 margin: E = P − 600.
        // P ≤ 1,000: MM = 0.01·P → liquidated iff P < 606.06…;
        // P > 1,000: MM = 0.5·P → liquidated iff P < 1,200.
        let long = position(7, 1, 1000, "400", &market);
        let konst = long.constants(&market);
        let set = liquidation_set(market.units(SymbolId(0)), konst, false);
        assert_eq!(
            set.intervals(),
            &[Interval { lo: 0, hi: 606 }, Interval { lo: 1001, hi: 1199 }]
        );
        let marks = [5000, 1200, 1199, 1001, 1000, 700, 607, 606, 1];
        for first in marks {
            for price in marks {
                let mut indexed = IndexedScanner::new(market.clone());
                let mut cpu = CpuScanner::new(market.clone());
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let tick = |seq, price| Tick {
                    seq,
                    symbol: SymbolId(0),
                    price,
                };
                // A first tick (with nothing open) sets where the gap is placed.
                indexed.tick(tick(1, first), &mut a).unwrap();
                indexed.upsert(&long).unwrap();
                cpu.upsert(&long).unwrap();
                assert!(indexed.index_entries() <= 2);
                indexed.tick(tick(2, price), &mut a).unwrap();
                cpu.tick(tick(2, price), &mut b).unwrap();
                assert_eq!(a, b, "placed at {first}, ticked at {price}");
                assert_eq!(a.len(), usize::from(set.contains(price)));
                if a.is_empty() {
                    assert!(indexed.index_entries() >= 1, "still kept");
                    assert!(indexed.close(7).unwrap());
                } else {
                    assert!(!indexed.close(7).unwrap());
                }
                assert_eq!(indexed.index_entries(), 0, "nothing left behind");
            }
        }
    }

    /// A sequence of marks jumping back and forth over the window re-keeps
    /// the position each time, until a mark lands in the window.
    #[test]
    fn marks_jumping_over_a_window_rekeep_the_position() {
        let market = jumping_market();
        let long = position(7, 1, 1000, "400", &market);
        let mut indexed = IndexedScanner::new(market.clone());
        let mut cpu = CpuScanner::new(market.clone());
        indexed.upsert(&long).unwrap();
        cpu.upsert(&long).unwrap();
        for (seq, price) in [900, 1300, 700, 5000, 1000, 1200, 1150]
            .into_iter()
            .enumerate()
        {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let tick = Tick {
                seq: seq as u64,
                symbol: SymbolId(0),
                price,
            };
            indexed.tick(tick, &mut a).unwrap();
            cpu.tick(tick, &mut b).unwrap();
            assert_eq!(a, b, "mark {price}");
            assert_eq!(a.len(), usize::from(price == 1150));
        }
        assert_eq!(indexed.index_entries(), 0);
    }

    /// A position written under water at the last mark is kept under a gap
    /// elsewhere and liquidated by the next tick inside its set; one that
    /// every mark liquidates is doomed, and liquidated by any tick.
    #[test]
    fn positions_written_under_water() {
        let tick = |seq, price| Tick {
            seq,
            symbol: SymbolId(0),
            price,
        };
        let market = jumping_market();
        let mut indexed = IndexedScanner::new(market.clone());
        let mut cpu = CpuScanner::new(market.clone());
        indexed.tick(tick(1, 1100), &mut Vec::new()).unwrap();
        // Liquidated at 1,100 (in its window 1,001 ..= 1,199).
        let long = position(7, 1, 1000, "400", &market);
        indexed.upsert(&long).unwrap();
        cpu.upsert(&long).unwrap();
        // Kept under its safe side above the window, 1,200 ..= PRICE_MAX: one entry.
        assert_eq!(indexed.index_entries(), 1);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        indexed.tick(tick(2, 1150), &mut a).unwrap();
        cpu.tick(tick(2, 1150), &mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 1);
        assert_eq!(indexed.index_entries(), 0);

        // One bracket at mmr 0.999999: a long of one lot at 10^6 with no
        // margin has E − MM = 10^-6·P − 10^6 < 0 at every mark.
        let mut market = Market::new(false);
        let ladder = vec![bracket(None, "0.999999", "0")];
        market
            .add(Symbol::new("D", d("1"), d("1"), ladder).unwrap())
            .unwrap();
        let market = Arc::new(market);
        let doomed = position(9, 1, 1_000_000, "0", &market);
        let set = liquidation_set(market.units(SymbolId(0)), doomed.constants(&market), false);
        assert_eq!(set.intervals(), &[Interval { lo: 0, hi: HIGHEST }]);
        for price in [1, HIGHEST] {
            let mut indexed = IndexedScanner::new(market.clone());
            let mut cpu = CpuScanner::new(market.clone());
            indexed.upsert(&doomed).unwrap();
            cpu.upsert(&doomed).unwrap();
            assert_eq!(indexed.index_entries(), 1);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            indexed.tick(tick(2, price), &mut a).unwrap();
            cpu.tick(tick(2, price), &mut b).unwrap();
            assert_eq!(a, b);
            assert_eq!(a.len(), 1);
            assert_eq!(indexed.index_entries(), 0);
        }
    }
}
