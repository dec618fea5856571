//! Slot allocation: every open position lives in one slot of a region (a
//! symbol's positions, or for `cpu` one side of them); closed slots become
//! holes that later positions reuse. The `cpu` scanner, the Verilator model
//! and the board lay positions out this way, so a tick touches only its
//! symbol's slots.
//!
//! A tick that liquidates a position frees its slot with [`SlotMap::vacate`]
//! and touches no hash map: the id's entry in the id → slot map is left to
//! go stale (an entry is live only while its slot still holds its id) and
//! is removed later, one each time a position opens. So the map never holds
//! more entries than the most positions ever open at once (see
//! `SlotMap::purge_one`), and a liquidation costs a tick one slot write
//! instead of a hash-map removal.

use std::collections::HashMap;
use std::fmt::Debug;

use crate::book::Position;
use crate::market::SymbolId;

/// A run of slots that one scan walks: a symbol's positions, or one side of
/// them (`cpu` keeps longs and shorts apart).
pub trait Region: Copy + Eq + Debug {
    /// Its index among the map's regions.
    fn index(self) -> usize;
}

impl Region for SymbolId {
    fn index(self) -> usize {
        SymbolId::index(self)
    }
}

/// Which side of a symbol a position is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `Q ≥ 0`: in danger below its safe gap (`Q = 0` never is).
    Long,
    /// `Q < 0`: in danger above it.
    Short,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Long, Side::Short];

    pub fn of(qty_lots: i32) -> Side {
        match qty_lots < 0 {
            true => Side::Short,
            false => Side::Long,
        }
    }
}

/// One side of a symbol: the region the software scanners keep a symbol's
/// longs or shorts in, so a crash, which takes one side, reads that side's
/// slots only (densely) and a scan compares each slot one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SideOf {
    pub symbol: SymbolId,
    pub side: Side,
}

impl Region for SideOf {
    /// A symbol's longs, then its shorts.
    fn index(self) -> usize {
        2 * self.symbol.index() + usize::from(self.side == Side::Short)
    }
}

impl SideOf {
    pub fn of(position: &Position) -> Self {
        Self {
            symbol: position.symbol,
            side: Side::of(position.qty_lots),
        }
    }

    /// Both sides of `symbol`, longs first.
    pub fn both(symbol: SymbolId) -> [SideOf; 2] {
        Side::BOTH.map(|side| SideOf { symbol, side })
    }
}

/// Where a position lives: its region and its slot within the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement<R = SymbolId> {
    pub region: R,
    pub slot: u32,
}

#[derive(Debug, Clone, Default)]
struct Slots {
    /// Position id per slot; `None` is a hole.
    ids: Vec<Option<u64>>,
    /// Holes, reused last-freed first.
    holes: Vec<u32>,
}

/// Id ↔ slot mapping per region.
#[derive(Debug, Clone)]
pub struct SlotMap<R = SymbolId> {
    /// Every open position's placement, and stale ones of vacated ids
    /// (whose slot no longer holds them) not yet purged.
    placements: HashMap<u64, Placement<R>>,
    regions: Vec<Slots>,
    /// Ids vacated by ticks whose entries may still be in `placements`.
    vacated: Vec<u64>,
    open: usize,
}

impl<R: Region> SlotMap<R> {
    pub fn new(regions: usize) -> Self {
        Self {
            placements: HashMap::new(),
            regions: vec![Slots::default(); regions],
            vacated: Vec::new(),
            open: 0,
        }
    }

    /// The entry of `id` if it is live.
    fn live(&self, id: u64) -> Option<Placement<R>> {
        let at = *self.placements.get(&id)?;
        let holds = self.regions[at.region.index()].ids[at.slot as usize] == Some(id);
        holds.then_some(at)
    }

    /// Places `id` in `region`: keeps its slot if it is already there,
    /// otherwise frees its old slot and takes a hole or a new slot.
    pub fn place(&mut self, id: u64, region: R) -> Placement<R> {
        self.replace(id, region).0
    }

    /// [`Self::place`], also returning where `id` was open before, if it was
    /// (one lookup for both).
    pub fn replace(&mut self, id: u64, region: R) -> (Placement<R>, Option<Placement<R>>) {
        let old = self.live(id);
        match old {
            Some(old) if old.region == region => return (old, Some(old)),
            Some(old) => self.free(old),
            // A position opens: the map may grow, so it shrinks first.
            None => self.purge_one(),
        }
        let slots = &mut self.regions[region.index()];
        let slot = slots.holes.pop().unwrap_or_else(|| {
            slots.ids.push(None);
            // Every slot may become a hole: room for all of them is kept as
            // the region grows, so that freeing the slots of a tick's hits
            // never allocates (the scanner's hot path).
            let room = slots.ids.capacity() - slots.holes.len();
            slots.holes.reserve(room);
            (slots.ids.len() - 1) as u32
        });
        slots.ids[slot as usize] = Some(id);
        let placement = Placement { region, slot };
        // Replaces the old entry of the same id (live or stale), if any.
        self.placements.insert(id, placement);
        self.open += 1;
        // Every open position may be vacated by a tick before the next
        // open: room for all of them, so a tick's `vacate` never allocates.
        self.vacated.reserve(self.open);
        (placement, old)
    }

    /// Frees the slot of `id`; returns where it was.
    pub fn remove(&mut self, id: u64) -> Option<Placement<R>> {
        let at = self.live(id);
        // A stale entry goes too.
        self.placements.remove(&id);
        let at = at?;
        self.free(at);
        Some(at)
    }

    /// Makes `at` a hole (its entry is the caller's to drop).
    fn free(&mut self, at: Placement<R>) {
        let slots = &mut self.regions[at.region.index()];
        slots.ids[at.slot as usize] = None;
        slots.holes.push(at.slot);
        self.open -= 1;
    }

    /// Frees a slot a tick liquidated and returns the id it held, leaving
    /// the id's entry to be purged by later updates.
    ///
    /// # Panics
    /// If the slot is a hole: a scanner vacates only the slots it found open.
    pub fn vacate(&mut self, region: R, slot: u32) -> u64 {
        let slots = &mut self.regions[region.index()];
        let id = slots.ids[slot as usize]
            .take()
            .expect("a vacated slot holds a position");
        slots.holes.push(slot);
        self.vacated.push(id);
        self.open -= 1;
        id
    }

    /// Removes the entry of one vacated id, if it is still stale (an id
    /// opened again since is live and stays).
    ///
    /// Why this bounds the map: entries ≤ open + `vacated.len()` (every
    /// stale entry's id is in `vacated`). A tick moves positions from open
    /// to `vacated` (the sum stays), a close lowers it, and an open purges
    /// one vacated id first: the sum grows only when `vacated` is empty,
    /// when it is the number open. So the map never holds more entries than
    /// the most positions open at once.
    fn purge_one(&mut self) {
        if let Some(id) = self.vacated.pop() {
            if self.live(id).is_none() {
                self.placements.remove(&id);
            }
        }
    }

    pub fn get(&self, id: u64) -> Option<Placement<R>> {
        self.live(id)
    }

    /// The position in a slot, `None` for a hole.
    pub fn id_at(&self, region: R, slot: u32) -> Option<u64> {
        self.regions[region.index()]
            .ids
            .get(slot as usize)
            .copied()
            .flatten()
    }

    /// Slots of a region, holes included: what a scan walks.
    pub fn region_len(&self, region: R) -> u32 {
        self.regions[region.index()].ids.len() as u32
    }

    /// Open positions.
    pub fn len(&self) -> usize {
        self.open
    }

    pub fn is_empty(&self) -> bool {
        self.open == 0
    }

    /// Entries in the id map, stale ones included (diagnostics and tests).
    pub fn entries(&self) -> usize {
        self.placements.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reuses_holes_and_moves_between_symbols() {
        let (a, b) = (SymbolId(0), SymbolId(1));
        let mut map = SlotMap::new(2);
        assert_eq!(map.place(10, a).slot, 0);
        assert_eq!(map.place(11, a).slot, 1);
        assert_eq!(map.place(10, a).slot, 0, "same symbol keeps its slot");
        assert_eq!(map.remove(10), Some(Placement { region: a, slot: 0 }));
        assert_eq!(map.id_at(a, 0), None);
        assert_eq!(map.place(12, a).slot, 0, "hole reused");
        assert_eq!(map.place(11, b), Placement { region: b, slot: 0 });
        assert_eq!(map.id_at(a, 1), None);
        assert_eq!(map.region_len(a), 2);
        assert_eq!(map.len(), 2);
        assert_eq!(map.remove(99), None);
    }

    /// A vacated id is gone at once (`get`, `remove`, `len`), its slot is
    /// reused, and the id can be opened again; its stale entry is purged by
    /// the next updates.
    #[test]
    fn vacated_ids_are_gone_and_purged_later() {
        let a = SymbolId(0);
        let mut map = SlotMap::new(1);
        map.place(1, a);
        map.place(2, a);
        assert_eq!(map.vacate(a, 0), 1);
        assert_eq!((map.get(1), map.len(), map.entries()), (None, 1, 2));
        assert_eq!(map.id_at(a, 0), None);
        assert_eq!(map.place(3, a).slot, 0, "the vacated slot is reused");
        assert_eq!(map.entries(), 2, "1's entry purged by that open");
        assert_eq!(map.get(1), None, "slot 0 now holds 3, not 1");
        // 1 opened again and vacated with 2, then opened once more: its
        // queued id outlives its stale entry and must not take the live one.
        let one = map.place(1, a).slot;
        assert_eq!(map.vacate(a, one), 1);
        assert_eq!(map.vacate(a, 1), 2);
        map.place(1, a);
        assert_eq!(map.entries(), 2, "2's stale entry purged, 1 live again");
        map.place(4, a);
        assert!(map.get(1).is_some(), "1's queued id purged nothing");
        assert_eq!((map.len(), map.entries()), (3, 3));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Place(u64, u32),
        Remove(u64),
        /// Vacate the open position of this rank, if any.
        Vacate(usize),
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Against a plain map of open positions: the same open ids in the
        /// same regions, every open slot holding its id, and never more
        /// entries than the most positions open at once.
        #[test]
        fn agrees_with_a_plain_map(ops in proptest::collection::vec(
            prop_oneof![
                4 => (0..40u64, 0..3u32).prop_map(|(id, r)| Op::Place(id, r)),
                2 => (0..40u64).prop_map(Op::Remove),
                3 => any::<usize>().prop_map(Op::Vacate),
            ],
            1..400,
        )) {
            let mut map = SlotMap::<SymbolId>::new(3);
            let mut model: std::collections::BTreeMap<u64, u32> = Default::default();
            let mut peak = 0;
            for op in ops {
                match op {
                    Op::Place(id, r) => {
                        let at = map.place(id, SymbolId(r));
                        prop_assert_eq!(at.region, SymbolId(r));
                        model.insert(id, r);
                    }
                    Op::Remove(id) => {
                        let at = map.remove(id);
                        prop_assert_eq!(at.map(|p| p.region.0), model.remove(&id));
                    }
                    Op::Vacate(i) => {
                        if !model.is_empty() {
                            let (&id, &r) = model.iter().nth(i % model.len()).unwrap();
                            let at = map.get(id).unwrap();
                            prop_assert_eq!(map.vacate(SymbolId(r), at.slot), id);
                            model.remove(&id);
                        }
                    }
                }
                peak = peak.max(model.len());
                prop_assert_eq!(map.len(), model.len());
                prop_assert!(map.entries() <= peak, "{} entries, peak {}", map.entries(), peak);
                for id in 0..40 {
                    let at = map.get(id);
                    prop_assert_eq!(at.map(|p| p.region.0), model.get(&id).copied());
                    if let Some(at) = at {
                        prop_assert_eq!(map.id_at(at.region, at.slot), Some(id));
                    }
                }
            }
        }
    }
}
