//! `indexed`: an output-sensitive software scanner. Each open position is
//! kept under the two ends of one *safe gap*: a run of marks `lo ..= hi`
//! at none of which the rule (`margin_sum`, then `liquidates`) liquidates it,
//! and which cannot be widened (`lo − 1` and `hi + 1` liquidate, or lie off
//! the price range); see [`gap`]. A tick at `P` looks only at the positions
//! whose gap does not contain `P`, and lets the rule itself decide each one
//! with the same `margin_sum` as `cpu`.
//!
//! Per side of a symbol (its longs, its shorts: like `cpu`, each in its own
//! region of slots, so a crash reads one side's records densely):
//! - `below`: `(lo, slot)` of every gap with `lo > 0`, in order ([`Ends`]);
//!   a tick at `P` takes those with `lo > P`, a suffix;
//! - `above`: `(!hi, slot)` of every gap with `hi < PRICE_MAX`; a tick
//!   takes those with `hi < P`, again a suffix;
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
//! Cost, for `n` positions in the ticked symbol, `k` liquidated and `r`
//! candidates spared: a tick that takes nothing compares the mark with four
//! cached top entries; one that takes `k + r` is `O(k + r·log n)`: the
//! crossed entries leave as a suffix (whole chunks, one cut), each candidate
//! costs one record (`Q`, `T` and the gap in 32 bytes), the rule and a slot
//! write, and only a spared one is inserted again. On a continuous ladder a
//! position's set is one interval reaching `0` or `PRICE_MAX`, so its gap
//! has one finite end, crossing it always liquidates and `r = 0`. On a
//! jumping ladder `r` counts the positions whose window the mark jumped
//! clean over since their gap was last set; a mark that moves one tick at a
//! time never does that (it lands on `lo − 1` or `hi + 1`, which liquidate),
//! and a candidate kept under both ends of its gap loses its other entry
//! (one removal, or one pass over the side when a crash takes many).
//! A tick that takes at least one slot in 16 of a side
//! handles them in slot order (a bitmap over the side), so a crash reads
//! records and slot map front to back, as `cpu` does, after reading only
//! the index entries it takes instead of every slot.
//! An upsert costs `O(B)` (at most two walks over the `B ≤ 16` brackets
//! from the mark's bracket, one division each) plus `O(log n + CHUNK)`; a
//! close is `O(log n + CHUNK)`. Memory is `O(n)` with a small constant: one
//! 32-byte record per slot and at most two 8-byte index entries per
//! position, however many windows a jumping ladder gives it.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::book::Position;
use crate::ends::Ends;
use crate::engine::{Engine, EngineError, Liquidation, Tick};
use crate::gap::{self, Gap};
use crate::market::Market;
use crate::slots::{Region, SideOf, SlotMap};
use crate::spec::{liquidates, PositionConst, SymbolUnits};
use crate::threshold::HIGHEST;

/// `above` keeps a gap's upper end `hi` as the key `!hi = HIGHEST − hi`, so
/// that a tick takes its crossed entries from the top, as from `below`.
const _: () = assert!(HIGHEST == u32::MAX);

/// A tick that takes at least one slot in this many of a side handles them
/// in slot order.
const IN_SLOT_ORDER: usize = 16;

/// What `indexed` keeps of the position in one slot: its constants and the
/// gap it is kept under, in one 32-byte record, so a candidate costs one
/// cache line.
#[derive(Debug, Clone, Copy)]
#[repr(align(32))]
struct SlotRecord {
    /// `T` of [`PositionConst`].
    offset: i128,
    /// `Q`; 0 in a hole.
    qty_lots: i32,
    /// The gap ([`Gap::NEVER`] for holes: no entry).
    lo: u32,
    hi: u32,
}

impl SlotRecord {
    const HOLE: SlotRecord = SlotRecord {
        offset: 0,
        qty_lots: 0,
        lo: Gap::NEVER.lo,
        hi: Gap::NEVER.hi,
    };

    fn konst(&self) -> PositionConst {
        PositionConst {
            qty_lots: self.qty_lots,
            offset: self.offset,
        }
    }

    fn gap(&self) -> Gap {
        Gap {
            lo: self.lo,
            hi: self.hi,
        }
    }

    fn set_gap(&mut self, gap: Gap) {
        self.lo = gap.lo;
        self.hi = gap.hi;
    }
}

/// A gap with two finite ends (only on a jumping ladder): kept under two
/// index entries.
fn two_ended(gap: Gap) -> bool {
    !gap.is_doomed() && gap.lo > 0 && gap.hi < HIGHEST
}

/// One side of a symbol: its positions by slot, indexed by their gaps.
#[derive(Debug, Clone, Default)]
struct SideIndex {
    slots: Vec<SlotRecord>,
    /// `(lo, slot)` of gaps with `lo > 0`: a tick at `P` takes `lo > P`.
    below: Ends,
    /// `(!hi, slot)` of gaps with `hi < HIGHEST`: a tick takes `!hi > !P`,
    /// that is `hi < P`.
    above: Ends,
    /// Slots with no safe mark.
    doomed: BTreeSet<u32>,
    /// Slots kept under both ends of their gap.
    two_ended: usize,
}

impl SideIndex {
    fn gap(&self, slot: u32) -> Gap {
        self.slots[slot as usize].gap()
    }

    /// Writes `slot`'s constants (it must be under no gap).
    fn store(&mut self, slot: u32, konst: PositionConst) {
        let slot = slot as usize;
        if slot == self.slots.len() {
            self.slots.push(SlotRecord::HOLE);
        }
        let record = &mut self.slots[slot];
        record.qty_lots = konst.qty_lots;
        record.offset = konst.offset;
    }

    /// Keeps `slot` under `gap` (it must be under none).
    fn keep(&mut self, slot: u32, gap: Gap) {
        self.slots[slot as usize].set_gap(gap);
        self.two_ended += usize::from(two_ended(gap));
        if gap.is_doomed() {
            self.doomed.insert(slot);
            return;
        }
        if gap.lo > 0 {
            self.below.insert(gap.lo, slot);
        }
        if gap.hi < HIGHEST {
            self.above.insert(!gap.hi, slot);
        }
    }

    /// Takes `slot` out of every index and makes it a hole.
    fn release(&mut self, slot: u32) {
        let gap = self.gap(slot);
        self.slots[slot as usize] = SlotRecord::HOLE;
        self.two_ended -= usize::from(two_ended(gap));
        if gap.is_doomed() {
            self.doomed.remove(&slot);
            return;
        }
        if gap.lo > 0 {
            self.below.remove(gap.lo, slot);
        }
        if gap.hi < HIGHEST {
            self.above.remove(!gap.hi, slot);
        }
    }

    /// Takes every slot whose gap does not contain `price` out of the
    /// indexes and appends it, the crossed ends in bulk (a slot kept under
    /// two ends keeps its other, uncrossed one).
    fn take_candidates(&mut self, price: u32, out: &mut Vec<u32>) {
        self.below.take_above(price, out);
        self.above.take_above(!price, out);
        if !self.doomed.is_empty() {
            out.extend(std::mem::take(&mut self.doomed));
        }
    }

    /// After [`Self::take_candidates`] at `price`: takes `slot` out of the
    /// index it is still in (the uncrossed end of its gap, if finite).
    fn release_taken(&mut self, slot: u32, price: u32) {
        let gap = self.gap(slot);
        self.slots[slot as usize].set_gap(Gap::NEVER);
        if !two_ended(gap) {
            return;
        }
        self.two_ended -= 1;
        if gap.lo <= price {
            self.below.remove(gap.lo, slot);
        } else {
            self.above.remove(!gap.hi, slot);
        }
    }

    /// After [`Self::take_candidates`], when many candidates are kept under
    /// two ends: takes every candidate out of the index in one pass over
    /// both sides instead of one removal each.
    fn release_taken_in_bulk(&mut self, candidates: &[u32]) {
        for &slot in candidates {
            self.two_ended -= usize::from(two_ended(self.gap(slot)));
            self.slots[slot as usize].set_gap(Gap::NEVER);
        }
        // Every other entry still matches its slot's gap; the candidates'
        // gaps are `NEVER` now, so none of theirs does.
        let slots = &self.slots;
        self.below
            .retain(|key, slot| slots[slot as usize].lo == key);
        self.above
            .retain(|key, slot| !slots[slot as usize].hi == key);
    }

    /// Decides the candidates of a tick at `price` (taken out of the index,
    /// in `candidates`): appends `(slot, shortfall)` of those the rule
    /// liquidates to `hits` (the slot is then under no gap, the record's
    /// constants are left for the caller to clear), and keeps the others
    /// under the gap that contains `price`.
    fn decide(
        &mut self,
        units: &SymbolUnits,
        at_equal: bool,
        price: u32,
        candidates: &[u32],
        hits: &mut Vec<(u32, i128)>,
    ) {
        let kept_twice = match self.two_ended {
            0 => 0,
            _ => candidates
                .iter()
                .filter(|&&slot| two_ended(self.gap(slot)))
                .count(),
        };
        // A crash on a jumping ladder may take many positions kept under
        // both ends: one pass drops their other ends, not one removal each.
        let bulk = kept_twice > 0 && kept_twice * 8 >= self.entries();
        if bulk {
            self.release_taken_in_bulk(candidates);
        }
        for &slot in candidates {
            let konst = self.slots[slot as usize].konst();
            let sum = units.margin_sum(konst, price);
            if !bulk {
                self.release_taken(slot, price);
            }
            if liquidates(sum, at_equal) {
                hits.push((slot, -sum));
            } else {
                // The mark jumped over a window of this position's set:
                // keep it under the gap it is in now.
                self.keep(slot, gap::around(units, konst, at_equal, price));
            }
        }
    }

    fn entries(&self) -> usize {
        self.below.len() + self.above.len() + self.doomed.len()
    }
}

/// Sorts distinct `slots` (all below `len`) through a bitmap: `O(k + len/64)`.
fn into_slot_order(slots: &mut Vec<u32>, bits: &mut Vec<u64>, len: usize) {
    bits.clear();
    bits.resize(len.div_ceil(64), 0);
    for &slot in slots.iter() {
        bits[slot as usize / 64] |= 1 << (slot % 64);
    }
    slots.clear();
    for (word, &set) in (0u32..).zip(bits.iter()) {
        let mut set = set;
        while set != 0 {
            slots.push(word * 64 + set.trailing_zeros());
            set &= set - 1;
        }
    }
}

/// The output-sensitive scanner.
#[derive(Debug, Clone)]
pub struct IndexedScanner {
    market: Arc<Market>,
    slots: SlotMap<SideOf>,
    /// Per symbol, its longs then its shorts (indexed as [`SideOf`]).
    sides: Vec<SideIndex>,
    /// Per symbol, the last mark ticked, where new positions' gaps are placed.
    last_marks: Vec<Option<u32>>,
    candidates: Vec<u32>,
    /// One bit per slot, to put a crash's candidates in slot order.
    bits: Vec<u64>,
    /// `(slot, shortfall)` of this tick's liquidations on one side.
    hits: Vec<(u32, i128)>,
}

impl IndexedScanner {
    pub fn new(market: Arc<Market>) -> Self {
        Self {
            slots: SlotMap::new(2 * market.len()),
            sides: vec![SideIndex::default(); 2 * market.len()],
            last_marks: vec![None; market.len()],
            market,
            candidates: Vec::new(),
            bits: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// Index entries held over all symbols: at most two per open position
    /// on any ladder (diagnostics for the resource tests).
    pub fn index_entries(&self) -> usize {
        self.sides.iter().map(SideIndex::entries).sum()
    }
}

impl Engine for IndexedScanner {
    fn name(&self) -> &str {
        "indexed"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        let konst = position.constants(&self.market);
        // Keeps the slot within the side, or frees the old one (a hole).
        let region = SideOf::of(position);
        let (at, old) = self.slots.replace(position.id, region);
        if let Some(old) = old {
            self.sides[old.region.index()].release(old.slot);
        }
        let slot = at.slot;
        let side = &mut self.sides[region.index()];
        side.store(slot, konst);
        let reference = self.last_marks[position.symbol.index()].unwrap_or(position.entry_ticks);
        // Q = 0 gets `Gap::NEVER`: never liquidated, like a hole in `cpu`.
        let gap = gap::place(
            self.market.units(position.symbol),
            konst,
            self.market.liquidate_at_equal,
            reference,
        );
        side.keep(slot, gap);
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        Ok(match self.slots.remove(id) {
            Some(at) => {
                self.sides[at.region.index()].release(at.slot);
                true
            }
            None => false,
        })
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        self.market.check_symbol(tick.symbol)?;
        let units = self.market.units(tick.symbol);
        let at_equal = self.market.liquidate_at_equal;
        self.last_marks[tick.symbol.index()] = Some(tick.price);
        let first = out.len();
        for region in SideOf::both(tick.symbol) {
            let side = &mut self.sides[region.index()];
            self.candidates.clear();
            side.take_candidates(tick.price, &mut self.candidates);
            if self.candidates.is_empty() {
                continue;
            }
            if self.candidates.len() * IN_SLOT_ORDER >= side.slots.len() {
                // A crash takes many slots, in price order; in slot order
                // the records and the slot map are read front to back, as
                // `cpu` reads them, rather than a cache line apart each.
                into_slot_order(&mut self.candidates, &mut self.bits, side.slots.len());
            }
            self.hits.clear();
            side.decide(
                units,
                at_equal,
                tick.price,
                &self.candidates,
                &mut self.hits,
            );
            for &(slot, shortfall) in &self.hits {
                side.slots[slot as usize] = SlotRecord::HOLE;
                out.push(Liquidation {
                    position: self.slots.vacate(region, slot),
                    shortfall,
                });
            }
        }
        // Ids are distinct: their order is the events' order.
        out[first..].sort_unstable_by_key(|hit| hit.position);
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
