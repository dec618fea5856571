//! One side of a symbol in `indexed` (its longs, or its shorts): the
//! positions' records by slot, the holes, and the index of their gaps.

use crate::ends::Ends;
use crate::engine::Liquidation;
use crate::gap::{self, Gap};
use crate::slots::Side;
use crate::spec::{liquidates, PositionConst, SymbolUnits};
use crate::threshold::HIGHEST;

/// `above` keeps a gap's upper end `hi` as the key `!hi = HIGHEST − hi`, so
/// that a tick takes its crossed entries from the top, as from `below`.
const _: () = assert!(HIGHEST == u32::MAX);

/// `Q` of a hole: below every valid `Q` (`|Q| ≤ QTY_MAX = 2^31 − 1`).
pub(super) const HOLE_QTY: i32 = i32::MIN;

/// Candidates whose records are read together before any is decided, so
/// that their cache misses overlap instead of following one another.
const TOUCH: usize = 16;

/// What `indexed` keeps of the position in one slot, in one 32-byte record:
/// everything a tick needs to decide it and report it (`Q`, `T`, its id)
/// and the end of its gap on the side's danger direction, so a candidate on
/// a continuous ladder costs one cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
struct SlotRecord {
    /// `T` of [`PositionConst`].
    offset: i128,
    id: u64,
    /// `Q`; [`HOLE_QTY`] in a hole.
    qty_lots: i32,
    /// The gap's end on the danger side: `lo` for longs, `hi` for shorts.
    near: u32,
}

const _: () = assert!(std::mem::size_of::<SlotRecord>() == 32);

impl SlotRecord {
    fn konst(&self) -> PositionConst {
        PositionConst {
            qty_lots: self.qty_lots,
            offset: self.offset,
        }
    }
}

/// A gap with two finite ends (only on a jumping ladder): kept under two
/// index entries.
fn two_ended(gap: Gap) -> bool {
    !gap.is_doomed() && gap.lo > 0 && gap.hi < HIGHEST
}

/// Grows `v`'s capacity to at least `n`, keeping its contents.
pub(super) fn keep_room<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() < n {
        v.reserve(n - v.len());
    }
}

/// The largest keys of a side's two index halves and whether it holds
/// doomed positions: all a tick reads to learn that it takes nothing.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Tops {
    below: u32,
    above: u32,
    doomed: bool,
}

impl Tops {
    /// A tick at `price` takes some slot of the side.
    pub fn crossed_by(self, price: u32) -> bool {
        self.below > price || self.above > !price || self.doomed
    }
}

/// One side of a symbol: its positions by slot, indexed by their gaps.
#[derive(Debug, Clone)]
pub(super) struct SideIndex {
    side: Side,
    records: Vec<SlotRecord>,
    /// The other end of each slot's gap (`hi` for longs, `lo` for shorts):
    /// empty until the side first holds a gap with two finite ends or a
    /// doomed one, or its ladder jumps; then one per slot.
    far: Vec<u32>,
    /// Holes, reused last-freed first; room for every slot.
    holes: Vec<u32>,
    /// `(lo, slot)` of gaps with `lo > 0`: a tick at `P` takes `lo > P`.
    below: Ends,
    /// `(!hi, slot)` of gaps with `hi < HIGHEST`: a tick takes `!hi > !P`,
    /// that is `hi < P`.
    above: Ends,
    /// Slots with no safe mark.
    doomed: Vec<u32>,
    /// Slots kept under both ends of their gap.
    two_ended: usize,
}

impl SideIndex {
    pub fn new(side: Side) -> Self {
        Self {
            side,
            records: Vec::new(),
            far: Vec::new(),
            holes: Vec::new(),
            below: Ends::default(),
            above: Ends::default(),
            doomed: Vec::new(),
            two_ended: 0,
        }
    }

    /// Slots, holes included.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// `(near, far)` of a gap on this side.
    fn ends_of(&self, gap: Gap) -> (u32, u32) {
        match self.side {
            Side::Long => (gap.lo, gap.hi),
            Side::Short => (gap.hi, gap.lo),
        }
    }

    /// The far end of a one-ended gap (and of [`Gap::NEVER`]).
    fn far_default(&self) -> u32 {
        self.ends_of(Gap::NEVER).1
    }

    fn hole(&self) -> SlotRecord {
        SlotRecord {
            offset: 0,
            id: 0,
            qty_lots: HOLE_QTY,
            near: self.ends_of(Gap::NEVER).0,
        }
    }

    /// The index half holding the near ends of this side's gaps (`below`
    /// for longs, `above` for shorts), and the other.
    fn near_and_far(&self) -> (&Ends, &Ends) {
        match self.side {
            Side::Long => (&self.below, &self.above),
            Side::Short => (&self.above, &self.below),
        }
    }

    /// The index key of `gap`'s near end on this side, if it is indexed
    /// under one (not doomed, and the end is finite).
    pub fn near_key(&self, gap: Gap) -> Option<u32> {
        if gap.is_doomed() {
            return None;
        }
        match self.side {
            Side::Long => (gap.lo > 0).then_some(gap.lo),
            Side::Short => (gap.hi < HIGHEST).then_some(!gap.hi),
        }
    }

    /// Asks for the index chunks that keeping a slot under `gap` will
    /// touch.
    pub fn prefetch_gap(&self, gap: Gap) {
        let (near, far) = self.near_and_far();
        if let Some(key) = self.near_key(gap) {
            near.prefetch(key);
        }
        if two_ended(gap) {
            match self.side {
                Side::Long => far.prefetch(!gap.hi),
                Side::Short => far.prefetch(gap.lo),
            }
        }
    }

    /// Asks for `slot`'s record (and far end), and for the index chunk
    /// holding its near entry if `near` (a hint of its key) is given.
    pub fn prefetch_slot(&self, slot: u32, near: Option<u32>) {
        if let Some(record) = self.records.get(slot as usize) {
            crate::prefetch::line(record);
        }
        if let Some(end) = self.far.get(slot as usize) {
            crate::prefetch::line(end);
        }
        if let Some(key) = near {
            self.near_and_far().0.prefetch(key);
        }
    }

    /// `slot` holds the open position `id`.
    pub fn holds(&self, slot: u32, id: u64) -> bool {
        let record = &self.records[slot as usize];
        record.qty_lots != HOLE_QTY && record.id == id
    }

    fn gap(&self, slot: u32) -> Gap {
        gap_of(self.side, &self.records, &self.far, slot)
    }

    fn set_gap(&mut self, slot: u32, gap: Gap) {
        let (near, far) = self.ends_of(gap);
        self.records[slot as usize].near = near;
        if far != self.far_default() && self.far.is_empty() {
            self.far_for_every_slot();
        }
        if let Some(end) = self.far.get_mut(slot as usize) {
            *end = far;
        }
    }

    /// Gives every slot a far end (room kept for every record).
    fn far_for_every_slot(&mut self) {
        if self.far.is_empty() {
            self.far = Vec::with_capacity(self.records.capacity());
            self.far.resize(self.records.len(), self.far_default());
        }
    }

    /// Takes a hole or a new slot for `id` (under no gap) and returns it.
    pub fn open(&mut self, id: u64, konst: PositionConst) -> u32 {
        let slot = self.holes.pop().unwrap_or_else(|| {
            self.records.push(self.hole());
            if !self.far.is_empty() {
                self.far.push(self.far_default());
            }
            // Every slot may become a hole in one tick: room for all.
            keep_room(&mut self.holes, self.records.capacity());
            (self.records.len() - 1) as u32
        });
        self.write(slot, id, konst);
        slot
    }

    /// Writes the position of an open slot (under no gap).
    pub fn write(&mut self, slot: u32, id: u64, konst: PositionConst) {
        let record = &mut self.records[slot as usize];
        record.id = id;
        record.qty_lots = konst.qty_lots;
        record.offset = konst.offset;
    }

    /// Keeps `slot` under `gap` (it must be under none).
    pub fn keep(&mut self, slot: u32, gap: Gap) {
        self.set_gap(slot, gap);
        self.two_ended += usize::from(two_ended(gap));
        if gap.is_doomed() {
            self.doomed.push(slot);
            return;
        }
        if gap.lo > 0 {
            self.below.insert(gap.lo, slot);
        }
        if gap.hi < HIGHEST {
            self.above.insert(!gap.hi, slot);
        }
    }

    /// Takes `slot` out of every index (it stays open, under no gap).
    pub fn unindex(&mut self, slot: u32) {
        let gap = self.gap(slot);
        self.set_gap(slot, Gap::NEVER);
        self.two_ended -= usize::from(two_ended(gap));
        if gap.is_doomed() {
            let at = self.doomed.iter().position(|&s| s == slot);
            self.doomed
                .swap_remove(at.expect("a doomed slot is listed"));
            return;
        }
        if gap.lo > 0 {
            self.below.remove(gap.lo, slot);
        }
        if gap.hi < HIGHEST {
            self.above.remove(!gap.hi, slot);
        }
    }

    /// Takes `slot` out of every index and makes it a hole.
    pub fn release(&mut self, slot: u32) {
        self.unindex(slot);
        self.records[slot as usize] = self.hole();
        self.holes.push(slot);
    }

    /// Room for what a tick may do on this side without allocating: every
    /// slot a hole, and on a jumping ladder (whose ticks may keep spared
    /// candidates under new gaps) every slot under two index entries.
    pub fn make_room(&mut self, continuous: bool) {
        if !continuous {
            self.far_for_every_slot();
            self.below.reserve_for(self.records.len());
            self.above.reserve_for(self.records.len());
        }
    }

    pub fn tops(&self) -> Tops {
        Tops {
            below: self.below.top_key(),
            above: self.above.top_key(),
            doomed: !self.doomed.is_empty(),
        }
    }

    /// Takes every slot whose gap does not contain `price` out of the
    /// indexes and appends it, the crossed ends in bulk (a slot kept under
    /// two ends keeps its other, uncrossed one).
    pub fn take_candidates(&mut self, price: u32, out: &mut Vec<u32>) {
        self.below.take_above(price, out);
        self.above.take_above(!price, out);
        out.append(&mut self.doomed);
    }

    /// After [`Self::take_candidates`] at `price`: takes a two-ended `slot`
    /// out of the index it is still in, that of the uncrossed end of its
    /// gap (`lo ≤ P`: `hi < P` was crossed, `lo` is still below).
    fn release_other_end(&mut self, slot: u32, gap: Gap, price: u32) {
        self.two_ended -= 1;
        if gap.lo <= price {
            self.below.remove(gap.lo, slot);
        } else {
            self.above.remove(!gap.hi, slot);
        }
    }

    /// After [`Self::take_candidates`], when many candidates are kept under
    /// two ends: takes every candidate out of the index in one pass over
    /// both halves instead of one removal each.
    fn release_taken_in_bulk(&mut self, candidates: &[u32]) {
        for &slot in candidates {
            self.two_ended -= usize::from(two_ended(self.gap(slot)));
            self.set_gap(slot, Gap::NEVER);
        }
        // Every other entry still matches its slot's gap; the candidates'
        // gaps are `NEVER` now, so none of theirs does.
        let (side, records, far) = (self.side, &self.records, &self.far);
        self.below
            .retain(|key, slot| gap_of(side, records, far, slot).lo == key);
        self.above
            .retain(|key, slot| !gap_of(side, records, far, slot).hi == key);
    }

    /// Decides the candidates of a tick at `price` (taken out of the index,
    /// in `candidates`): appends a [`Liquidation`] to `out` and the id to
    /// `vacated` for each the rule liquidates (its slot becomes a hole),
    /// and keeps the others under the gap that contains `price`. Returns
    /// how many it liquidated.
    pub fn decide(
        &mut self,
        units: &SymbolUnits,
        at_equal: bool,
        price: u32,
        candidates: &[u32],
        out: &mut Vec<Liquidation>,
        vacated: &mut Vec<u64>,
    ) -> usize {
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
        let hole = self.hole();
        let far_default = self.far_default();
        let mut liquidated = 0;
        for batch in candidates.chunks(TOUCH) {
            // Read every record of the batch first: independent loads, whose
            // misses the core overlaps, where the rule's long dependent
            // arithmetic between them would let only one or two be in flight.
            let touched = batch
                .iter()
                .fold(0, |acc, &slot| acc ^ self.records[slot as usize].near);
            std::hint::black_box(touched);
            for &slot in batch {
                let record = self.records[slot as usize];
                let konst = record.konst();
                let sum = units.margin_sum(konst, price);
                if !bulk && self.two_ended > 0 {
                    let gap = self.gap(slot);
                    if two_ended(gap) {
                        self.release_other_end(slot, gap, price);
                    }
                }
                if liquidates(sum, at_equal) {
                    out.push(Liquidation {
                        position: record.id,
                        shortfall: -sum,
                    });
                    vacated.push(record.id);
                    self.records[slot as usize] = hole;
                    if let Some(end) = self.far.get_mut(slot as usize) {
                        *end = far_default;
                    }
                    self.holes.push(slot);
                    liquidated += 1;
                } else {
                    // The mark jumped over a window of this position's set:
                    // keep it under the gap it is in now.
                    self.keep(slot, gap::around(units, konst, at_equal, price));
                }
            }
        }
        liquidated
    }

    pub fn entries(&self) -> usize {
        self.below.len() + self.above.len() + self.doomed.len()
    }
}

/// The gap `slot` is kept under, from its record and far end.
fn gap_of(side: Side, records: &[SlotRecord], far: &[u32], slot: u32) -> Gap {
    let near = records[slot as usize].near;
    match side {
        Side::Long => Gap {
            lo: near,
            hi: far.get(slot as usize).copied().unwrap_or(HIGHEST),
        },
        Side::Short => Gap {
            lo: far.get(slot as usize).copied().unwrap_or(0),
            hi: near,
        },
    }
}
