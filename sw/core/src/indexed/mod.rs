//! `indexed`: an output-sensitive software scanner. Each open position is
//! kept under the two ends of one *safe gap*: a run of marks `lo ..= hi`
//! at none of which the rule (`margin_sum`, then `liquidates`) liquidates it,
//! and which cannot be widened (`lo − 1` and `hi + 1` liquidate, or lie off
//! the price range); see [`gap`]. A tick at `P` looks only at the positions
//! whose gap does not contain `P`, and lets the rule itself decide each one
//! with the same `margin_sum` as `cpu`.
//!
//! Per side of a symbol (its longs, its shorts: like `cpu`, each in its own
//! region of slots, so a crash reads one side's records densely; see
//! [`side`]):
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
//! What a tick touches: a tick that takes nothing reads its symbol's
//! 32-byte state (the last mark and each side's largest keys) and nothing
//! else. One that takes candidates reads the crossed index entries (a
//! suffix: whole chunks and one cut) and, per candidate, one 32-byte record
//! holding `Q`, `T`, the position's id and its gap's end on the side's
//! danger direction: the rule needs nothing more, and a liquidation writes
//! the record back as a hole and appends its id; the id → slot map is not
//! touched (its entry goes stale and a later open purges it). The records
//! of up to 16 candidates (`side::TOUCH`) are read before any is decided,
//! so their cache misses overlap. A tick that takes at least one slot in
//! 16 of a side handles them in slot order (a bitmap over the side), so a
//! crash reads records front to back, as `cpu` does, after reading only
//! the index entries it takes instead of every slot.
//!
//! Cost, for `n` positions in the ticked symbol, `k` liquidated and `r`
//! candidates spared: `O(1)` for a tick that takes nothing, `O(k + r·log n)`
//! for one that takes `k + r`: only a spared candidate is inserted again.
//! On a continuous ladder a position's set is one interval reaching `0` or
//! `PRICE_MAX`, so its gap has one finite end, crossing it always
//! liquidates and `r = 0`. On a jumping ladder `r` counts the positions
//! whose window the mark jumped clean over since their gap was last set; a
//! mark that moves one tick at a time never does that (it lands on `lo − 1`
//! or `hi + 1`, which liquidate), and a candidate kept under both ends of
//! its gap loses its other entry (one removal, or one pass over the side
//! when a crash takes many). An upsert costs `O(B)` (at most two walks over
//! the `B ≤ 16` brackets from the mark's bracket, one division each) plus
//! `O(log n + CHUNK)`; a close is `O(log n + CHUNK)`.
//!
//! A book change to a random position of a large book misses the cache at
//! four lines (its id map entry, its record, the index chunk holding its
//! old gap's end, the one taking its new gap's): the map entry keeps, with
//! the slot, a hint of the old end's key (`home`), so the change asks for
//! the other three as soon as the entry arrives (the new chunk even
//! before), and waits for two misses in turn, not four.
//!
//! Allocation: none in a tick. Upserts make room for what a tick may do
//! (every slot of a side a candidate and a hole, every open position's id
//! liquidated, the index's spare chunks, and on a jumping ladder its
//! re-kept entries), bounded by the slots the book holds.
//!
//! Memory is `O(n)` with a small constant: a 32-byte record per slot (4
//! bytes more while a side holds gaps with two finite ends), at most two
//! 8-byte index entries per position however many windows a jumping ladder
//! gives it, and a 16-byte id map entry per open position at most half full.

mod home;
mod id_order;
mod side;

use std::sync::Arc;

use crate::book::Position;
use crate::engine::{Engine, EngineError, Liquidation, Tick};
use crate::gap;
use crate::id_map::IdMap;
use crate::market::Market;
use crate::slots::{Region, Side, SideOf};
use home::Home;
use side::{keep_room, SideIndex, Tops, HOLE_QTY};

/// A tick that takes at least one slot in this many of a side handles them
/// in slot order.
const IN_SLOT_ORDER: usize = 16;

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

/// What a tick of one symbol reads before touching its sides: 32 bytes,
/// two symbols to a cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(32))]
struct SymbolState {
    /// The last mark ticked, where new positions' gaps are placed.
    last_mark: Option<u32>,
    /// Of its longs, then its shorts.
    tops: [Tops; 2],
}

/// The output-sensitive scanner.
#[derive(Debug, Clone)]
pub struct IndexedScanner {
    market: Arc<Market>,
    symbols: Vec<SymbolState>,
    /// Per symbol, its longs then its shorts (indexed as [`SideOf`]).
    sides: Vec<SideIndex>,
    /// Every open position's side and slot, and stale ones of ids that ticks
    /// liquidated (whose slot no longer holds them) not yet purged.
    ids: IdMap,
    /// Ids liquidated by ticks whose entries may still be in `ids`.
    vacated: Vec<u64>,
    open: usize,
    candidates: Vec<u32>,
    /// One bit per slot, to put a crash's candidates in slot order.
    bits: Vec<u64>,
    /// Room to sort a tick's liquidations by id: one key each.
    keys: Vec<u64>,
}

impl IndexedScanner {
    pub fn new(market: Arc<Market>) -> Self {
        Self {
            symbols: vec![SymbolState::default(); market.len()],
            sides: market
                .ids()
                .flat_map(|_| Side::BOTH.map(SideIndex::new))
                .collect(),
            market,
            ids: IdMap::default(),
            vacated: Vec::new(),
            open: 0,
            candidates: Vec::new(),
            bits: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// Index entries held over all symbols: at most two per open position
    /// on any ladder (diagnostics for the resource tests).
    pub fn index_entries(&self) -> usize {
        self.sides.iter().map(SideIndex::entries).sum()
    }

    /// Begins removing the map entry of one id a tick liquidated, if it is
    /// still stale (an id opened again since is live and stays): takes the
    /// id and asks for the record its entry names, which
    /// [`Self::finish_purge`] checks.
    ///
    /// Why this bounds the map: entries ≤ open + `vacated.len()` (every
    /// stale entry's id is in `vacated`). A tick moves positions from open
    /// to `vacated` (the sum stays), a close lowers it, and an open purges
    /// one vacated id before its own entry goes in: the sum grows only when
    /// `vacated` is empty, when it is the number open. So the map never
    /// holds more entries than the most positions open at once.
    fn start_purge(&mut self) -> Option<(u64, Home)> {
        let id = self.vacated.pop()?;
        let home = Home::unpack(self.ids.get(id)?);
        self.sides[home.side].prefetch_slot(home.slot, None);
        Some((id, home))
    }

    /// Removes the purged id's entry unless its record holds it.
    fn finish_purge(&mut self, purge: Option<(u64, Home)>) {
        if let Some((id, home)) = purge {
            if !self.sides[home.side].holds(home.slot, id) {
                self.ids.remove(id);
            }
        }
    }

    /// Asks for the record of the position at `home` and the index chunk
    /// of its near entry (by the home's hint).
    fn prefetch_home(&self, home: Home) {
        self.sides[home.side].prefetch_slot(home.slot, home.near);
    }

    /// The tops of `side` (an index into `sides`) into its symbol's state.
    fn refresh(&mut self, side: usize) {
        self.symbols[side / 2].tops[side % 2] = self.sides[side].tops();
    }
}

impl Engine for IndexedScanner {
    fn name(&self) -> &str {
        "indexed"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        if position.qty_lots == HOLE_QTY {
            return Err(EngineError::Backend(format!(
                "position {}: quantity {} lots is out of range",
                position.id, position.qty_lots
            )));
        }
        // A change to a random position of a large book misses the cache at
        // its map entry, its record, the index chunk holding its old gap's
        // end and the one taking its new gap's: the map entry is asked for
        // first, the new chunk as soon as the new gap is known (from the
        // event alone), the record and the old chunk as soon as the map entry
        // names the slot and the old key. Their misses overlap: two in turn.
        self.ids.prefetch(position.id);
        if let Some(&purged) = self.vacated.last() {
            // An open purges it.
            self.ids.prefetch(purged);
        }
        let konst = position.constants(&self.market);
        let region = SideOf::of(position).index();
        let units = self.market.units(position.symbol);
        let reference = self.symbols[position.symbol.index()]
            .last_mark
            .unwrap_or(position.entry_ticks);
        // Q = 0 gets `Gap::NEVER`: never liquidated, like a hole in `cpu`.
        let gap = gap::place(units, konst, self.market.liquidate_at_equal, reference);
        let continuous = units.continuous;
        self.sides[region].prefetch_gap(gap);
        let home = self.ids.get(position.id).map(Home::unpack);
        if let Some(home) = home {
            self.prefetch_home(home);
        }
        let live = home.filter(|home| self.sides[home.side].holds(home.slot, position.id));
        let mut purge = None;
        let slot = match live {
            // Keeps its slot within the side.
            Some(home) if home.side == region => {
                let side = &mut self.sides[region];
                side.unindex(home.slot);
                side.write(home.slot, position.id, konst);
                home.slot
            }
            // Frees the old one (a hole) and opens on the new side.
            moved => {
                match moved {
                    Some(home) => {
                        self.sides[home.side].release(home.slot);
                        self.refresh(home.side);
                        self.open -= 1;
                    }
                    // A position opens: the map may grow, so it shrinks
                    // first (the purge's record is checked below).
                    None => purge = self.start_purge(),
                }
                let slot = self.sides[region].open(position.id, konst);
                self.open += 1;
                // Every open position may be liquidated by a tick before
                // the next open: room for all their ids.
                self.vacated.reserve(self.open);
                slot
            }
        };
        let side = &mut self.sides[region];
        side.keep(slot, gap);
        let near = side.near_key(gap);
        // A tick may take every slot of the side: room for that now, so
        // that no tick allocates.
        side.make_room(continuous);
        let slots = side.len();
        keep_room(&mut self.candidates, slots);
        keep_room(&mut self.bits, slots.div_ceil(64));
        let symbol = region & !1;
        keep_room(
            &mut self.keys,
            self.sides[symbol].len() + self.sides[symbol + 1].len(),
        );
        self.finish_purge(purge);
        let home = Home {
            side: region,
            slot,
            near,
        };
        self.ids.insert(position.id, home.pack());
        self.refresh(region);
        Ok(())
    }

    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        // One table for the whole book rather than a rehash at each doubling.
        self.ids.reserve(positions.len());
        positions.iter().try_for_each(|p| self.upsert(p))
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        // A stale entry goes too.
        let home = self.ids.remove(id).map(Home::unpack);
        if let Some(home) = home {
            self.prefetch_home(home);
        }
        Ok(
            match home.filter(|home| self.sides[home.side].holds(home.slot, id)) {
                Some(home) => {
                    self.sides[home.side].release(home.slot);
                    self.refresh(home.side);
                    self.open -= 1;
                    true
                }
                None => false,
            },
        )
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        let Some(state) = self.symbols.get_mut(tick.symbol.index()) else {
            return Err(EngineError::UnknownSymbol(tick.symbol.0));
        };
        state.last_mark = Some(tick.price);
        let tops = state.tops;
        let first = out.len();
        for (region, tops) in SideOf::both(tick.symbol).into_iter().zip(tops) {
            if !tops.crossed_by(tick.price) {
                continue;
            }
            let side = &mut self.sides[region.index()];
            self.candidates.clear();
            side.take_candidates(tick.price, &mut self.candidates);
            if self.candidates.len() * IN_SLOT_ORDER >= side.len() {
                // A crash takes many slots, in price order; in slot order
                // the records are read front to back, as `cpu` reads them,
                // rather than a cache line apart each.
                into_slot_order(&mut self.candidates, &mut self.bits, side.len());
            }
            self.open -= side.decide(
                self.market.units(tick.symbol),
                self.market.liquidate_at_equal,
                tick.price,
                &self.candidates,
                out,
                &mut self.vacated,
            );
            self.refresh(region.index());
        }
        // Ids are distinct: their order is the events' order.
        id_order::sort_by_id(&mut out[first..], &mut self.keys);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuScanner;
    use crate::market::{Symbol, SymbolId};
    use crate::test_util::{bracket, d};
    use crate::threshold::{liquidation_set, Interval, HIGHEST};

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
