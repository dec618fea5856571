//! `cpu`: the brute-force scanner, the software fallback of the circuit:
//! every slot of the ticked symbol is looked at on every tick, and every
//! liquidation is decided by exactly the circuit's arithmetic
//! (`SymbolUnits::margin_sum`, then `liquidates`), slot for slot.
//!
//! To run at the memory-bandwidth limit the scan reads [`SCAN_BYTES_PER_SLOT`]
//! (4) bytes a slot, not the 20 of its `(Q, T)` row. Each slot is kept under
//! its *safe gap* (`lo ..= hi`, marks at none of which the rule liquidates
//! it; see [`crate::gap`], the same exact integer divisions `indexed` uses),
//! and a symbol's longs and shorts are kept apart, each side in its own
//! region of slots. A long is in danger only below its gap and a short only
//! above it, and on a continuous ladder that is the gap's only finite end;
//! so each slot needs one 4-byte key, its *near* key, which a tick compares
//! with one value per side:
//!
//! - a gap's lower end `lo` is crossed at `P < lo`, that is `P − 1 < lo − 1`
//!   (key `lo − 1`, or 0 when `lo ≤ 1`: never, as `P ≥ 1`);
//! - its upper end `hi` is crossed at `P > hi`, that is `!P < !hi` (key
//!   `!hi = HIGHEST − hi`, 0 when `hi = HIGHEST`: never);
//! - a position every mark liquidates has key `u32::MAX`, which both
//!   `P − 1` and `!P` are below for every `P ≥ 1`.
//!
//! So a slot is a candidate iff `q < key`, with `q = P − 1` for longs and
//! `!P` for shorts, an unsigned compare the compiler vectorises; the scan
//! tests 64 keys at a time and looks slot by slot only inside a block with a
//! candidate. The other end of a gap (a long's `hi`, a short's `lo`) is
//! finite only on a jumping ladder, where the mark may jump over a window of
//! liquidating marks: a side that has such a gap keeps a *far* key per slot
//! too and reads 8 bytes a slot while it does. A mark of 0 (below every
//! valid price, which no input holds) sends every open slot to the rule.
//!
//! The filter is exact, not approximate: a slot inside its gap is safe by
//! construction, so the rule decides every liquidation. A candidate the rule
//! spares (a jumping ladder's mark skipped over a window) gets the gap that
//! contains `P`. Holes have the gap of every mark.

use std::sync::Arc;

use crate::book::Position;
use crate::engine::{Engine, EngineError, Liquidation, Tick};
use crate::gap::{self, Gap};
use crate::market::{Market, SymbolId};
use crate::slots::{Region, Side, SideOf, SlotMap};
use crate::spec::{liquidates, PositionConst};
use crate::threshold::HIGHEST;

/// Bytes a tick reads per slot of the ticked symbol: its near key. A side
/// that holds a gap with two finite ends (only on a jumping ladder) reads
/// [`SCAN_BYTES_PER_SLOT_TWO_ENDED`] until no such gap is left.
pub const SCAN_BYTES_PER_SLOT: usize = std::mem::size_of::<u32>();

/// Bytes a tick reads per slot of a side that also keeps far keys.
pub const SCAN_BYTES_PER_SLOT_TWO_ENDED: usize = 2 * std::mem::size_of::<u32>();

/// Keys tested at once: a block without a candidate costs one test.
const BLOCK: usize = 64;

/// A 4-byte key as the scan compares it: a tick's value `q` crosses key `k`
/// iff `q < k` as unsigned integers, kept with the top bit flipped as a
/// signed integer so that the compare is one signed instruction (the
/// baseline x86-64 vector unit has no unsigned 32-bit compare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(transparent)]
struct Key(i32);

impl Key {
    const fn of(unsigned: u32) -> Key {
        Key((unsigned ^ 0x8000_0000) as i32)
    }
}

/// Key of a never-crossed end.
const NEVER: Key = Key::of(0);
/// Key of a slot every mark liquidates (no safe mark, [`Gap::DOOMED`]).
const ALWAYS: Key = Key::of(u32::MAX);

const _: () = assert!(HIGHEST == u32::MAX);

/// `lo`'s key: crossed iff `P − 1 < key` (for `P ≥ 1`).
fn lower_key(lo: u32) -> Key {
    Key::of(lo.saturating_sub(1))
}

/// `hi`'s key: crossed iff `!P < key`.
fn upper_key(hi: u32) -> Key {
    Key::of(!hi)
}

/// One side's slots as columns; `Q = 0` with both keys [`NEVER`] is a hole.
#[derive(Debug, Clone)]
struct Columns {
    side: Side,
    /// The key of each slot's end on this side's danger direction, what a
    /// tick reads.
    near: Vec<Key>,
    /// The key of each slot's other end ([`NEVER`] unless finite): empty
    /// until the side first holds such a gap, read while `two_ended > 0`.
    far: Vec<Key>,
    /// Slots whose far key is not [`NEVER`].
    two_ended: usize,
    /// `(Q, T)`, read for candidates only.
    konst: Vec<PositionConst>,
}

impl Columns {
    fn new(side: Side) -> Self {
        Self {
            side,
            near: Vec::new(),
            far: Vec::new(),
            two_ended: 0,
            konst: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.near.len()
    }

    /// Grows the columns to hold `slot` (at most one past the end).
    fn reach(&mut self, slot: usize) {
        if slot == self.len() {
            self.near.push(NEVER);
            self.konst.push(PositionConst {
                qty_lots: 0,
                offset: 0,
            });
            if !self.far.is_empty() {
                self.far.push(NEVER);
            }
        }
    }

    fn set_gap(&mut self, slot: usize, gap: Gap) {
        let (near, far) = match (gap.is_doomed(), self.side) {
            (true, _) => (ALWAYS, NEVER),
            (false, Side::Long) => (lower_key(gap.lo), upper_key(gap.hi)),
            (false, Side::Short) => (upper_key(gap.hi), lower_key(gap.lo)),
        };
        self.near[slot] = near;
        let old = self.far.get(slot).copied().unwrap_or(NEVER);
        if far != NEVER && self.far.is_empty() {
            self.far = vec![NEVER; self.len()];
        }
        if old != NEVER || far != NEVER {
            self.far[slot] = far;
        }
        self.two_ended = self.two_ended + usize::from(far != NEVER) - usize::from(old != NEVER);
    }

    fn clear(&mut self, slot: usize) {
        self.konst[slot] = PositionConst {
            qty_lots: 0,
            offset: 0,
        };
        self.set_gap(slot, Gap::NEVER);
    }

    /// Bytes a tick reads from these columns.
    fn scan_bytes(&self) -> usize {
        self.len()
            * match self.two_ended {
                0 => SCAN_BYTES_PER_SLOT,
                _ => SCAN_BYTES_PER_SLOT_TWO_ENDED,
            }
    }

    /// Appends the slots whose gap does not contain `price`, in slot order.
    fn candidates(&self, price: u32, out: &mut Vec<u32>) {
        if price == 0 {
            // Below every key's range: the rule decides every open slot.
            let open = self.konst.iter().map(|k| k.qty_lots != 0);
            out.extend(
                (0u32..)
                    .zip(open)
                    .filter_map(|(slot, open)| open.then_some(slot)),
            );
            return;
        }
        let (lower, upper) = (Key::of(price - 1), Key::of(!price));
        let (q_near, q_far) = match self.side {
            Side::Long => (lower, upper),
            Side::Short => (upper, lower),
        };
        match self.two_ended {
            0 => near_candidates(&self.near, q_near, out),
            _ => two_ended_candidates(&self.near, &self.far, q_near, q_far, out),
        }
    }
}

/// The slots with `q < near[slot]`, in order.
fn near_candidates(near: &[Key], q: Key, out: &mut Vec<u32>) {
    let mut blocks = near.chunks_exact(BLOCK);
    let mut base = 0u32;
    for block in &mut blocks {
        // One test per block: an OR of 64 compares, branch-free.
        if block.iter().fold(false, |any, &key| any | (q < key)) {
            push_hits(base, block.iter().map(|&key| q < key), out);
        }
        base += BLOCK as u32;
    }
    push_hits(base, blocks.remainder().iter().map(|&key| q < key), out);
}

/// The slots with `q_near < near[slot]` or `q_far < far[slot]`, in order.
fn two_ended_candidates(near: &[Key], far: &[Key], q_near: Key, q_far: Key, out: &mut Vec<u32>) {
    let crossed = |(&n, &f): (&Key, &Key)| (q_near < n) | (q_far < f);
    let mut blocks = near.chunks_exact(BLOCK).zip(far.chunks_exact(BLOCK));
    let mut base = 0u32;
    for (n, f) in &mut blocks {
        if n.iter().zip(f).fold(false, |any, keys| any | crossed(keys)) {
            push_hits(base, n.iter().zip(f).map(crossed), out);
        }
        base += BLOCK as u32;
    }
    let done = base as usize;
    push_hits(
        base,
        near[done..].iter().zip(&far[done..]).map(crossed),
        out,
    );
}

/// Appends `base + i` for every `i` whose flag is set.
fn push_hits(base: u32, flags: impl Iterator<Item = bool>, out: &mut Vec<u32>) {
    for (slot, hit) in (base..).zip(flags) {
        if hit {
            out.push(slot);
        }
    }
}

/// Grows `v`'s capacity to at least `n`, keeping its contents.
fn keep_room<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() < n {
        v.reserve(n - v.len());
    }
}

/// The brute-force scanner.
#[derive(Debug, Clone)]
pub struct CpuScanner {
    market: Arc<Market>,
    slots: SlotMap<SideOf>,
    /// Per symbol, its longs then its shorts (indexed as [`SideOf`]).
    columns: Vec<Columns>,
    /// Per symbol, the last mark ticked, near which new positions' gaps
    /// are placed.
    last_marks: Vec<Option<u32>>,
    candidates: Vec<u32>,
    /// `(region, slot, shortfall)` of this tick's liquidations.
    hits: Vec<(SideOf, u32, i128)>,
}

impl CpuScanner {
    pub fn new(market: Arc<Market>) -> Self {
        let symbols = market.len();
        let columns = (0..symbols)
            .flat_map(|_| Side::BOTH.map(Columns::new))
            .collect();
        Self {
            market,
            slots: SlotMap::new(2 * symbols),
            columns,
            last_marks: vec![None; symbols],
            candidates: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// Bytes a tick of `symbol` reads now to find its candidates: what a
    /// streaming read would take at least as long for.
    pub fn scan_bytes(&self, symbol: SymbolId) -> usize {
        SideOf::both(symbol)
            .iter()
            .map(|side| self.columns[side.index()].scan_bytes())
            .sum()
    }
}

impl Engine for CpuScanner {
    fn name(&self) -> &str {
        "cpu"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        let region = SideOf::of(position);
        let (placement, old) = self.slots.replace(position.id, region);
        if let Some(old) = old.filter(|old| *old != placement) {
            self.columns[old.region.index()].clear(old.slot as usize);
        }
        let konst = position.constants(&self.market);
        let units = self.market.units(position.symbol);
        let at_equal = self.market.liquidate_at_equal;
        let reference = self.last_marks[position.symbol.index()].unwrap_or(position.entry_ticks);
        let columns = &mut self.columns[region.index()];
        let slot = placement.slot as usize;
        columns.reach(slot);
        columns.konst[slot] = konst;
        columns.set_gap(slot, gap::place(units, konst, at_equal, reference));
        // A tick may find every slot of a side a candidate and liquidate
        // both sides: room for that now, so that no tick allocates.
        let sides = SideOf::both(position.symbol).map(|side| self.columns[side.index()].len());
        keep_room(&mut self.candidates, sides[0].max(sides[1]));
        keep_room(&mut self.hits, sides[0] + sides[1]);
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        Ok(match self.slots.remove(id) {
            Some(at) => {
                self.columns[at.region.index()].clear(at.slot as usize);
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
        self.hits.clear();
        for region in SideOf::both(tick.symbol) {
            let columns = &mut self.columns[region.index()];
            self.candidates.clear();
            columns.candidates(tick.price, &mut self.candidates);
            for &slot in &self.candidates {
                let konst = columns.konst[slot as usize];
                let sum = units.margin_sum(konst, tick.price);
                if liquidates(sum, at_equal) {
                    self.hits.push((region, slot, -sum));
                    columns.clear(slot as usize);
                } else {
                    columns.set_gap(
                        slot as usize,
                        gap::around(units, konst, at_equal, tick.price),
                    );
                }
            }
        }
        let first = out.len();
        for &(region, slot, shortfall) in &self.hits {
            out.push(Liquidation {
                position: self.slots.vacate(region, slot),
                shortfall,
            });
        }
        // Ids are distinct: their order is the events' order.
        out[first..].sort_unstable_by_key(|hit| hit.position);
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

    /// The scan reads one key per slot, two on a side that holds a gap with
    /// two finite ends, and `scan_bytes` says so as gaps come and go.
    #[test]
    fn scan_bytes_per_slot_are_the_key_columns() {
        fn element_size<T>(_: &[T]) -> usize {
            std::mem::size_of::<T>()
        }
        let columns = Columns::new(Side::Long);
        assert_eq!(element_size(&columns.near), SCAN_BYTES_PER_SLOT);
        assert_eq!(
            element_size(&columns.near) + element_size(&columns.far),
            SCAN_BYTES_PER_SLOT_TWO_ENDED
        );

        // J: 0.01 up to notional 1,000, 0.5 above; a long of 1 lot at 1,000
        // with 400 margin liquidates at P ≤ 606 and in the window 1,001 ..= 1,199.
        let ladder = vec![
            bracket(Some("1000"), "0.01", "0"),
            bracket(None, "0.5", "0"),
        ];
        let mut market = Market::new(false);
        market
            .add(Symbol::new("J", d("1"), d("1"), ladder).unwrap())
            .unwrap();
        let market = Arc::new(market);
        let position = |id, qty_lots, margin| Position {
            id,
            account: String::new(),
            symbol: SymbolId(0),
            qty_lots,
            entry_ticks: 1000,
            margin_units: market
                .units(SymbolId(0))
                .quote_units(&d(margin), "margin")
                .unwrap(),
        };
        let mut cpu = CpuScanner::new(market.clone());
        // One-ended: far from the window (10 lots, notional above every cap).
        cpu.upsert(&position(1, 10, "4000")).unwrap();
        cpu.upsert(&position(2, -1, "400")).unwrap();
        assert_eq!(cpu.scan_bytes(SymbolId(0)), 2 * SCAN_BYTES_PER_SLOT);
        // Under a gap 607 ..= 1,000 (placed at its entry): two ends.
        cpu.upsert(&position(3, 1, "400")).unwrap();
        assert_eq!(
            cpu.scan_bytes(SymbolId(0)),
            2 * SCAN_BYTES_PER_SLOT_TWO_ENDED + SCAN_BYTES_PER_SLOT
        );
        assert!(cpu.close(3).unwrap());
        assert_eq!(
            cpu.scan_bytes(SymbolId(0)),
            3 * SCAN_BYTES_PER_SLOT,
            "one-ended again; the hole is scanned"
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
