//! Slot allocation: every open position lives in one slot of its symbol's
//! region; closed slots become holes that later positions reuse. The `cpu`
//! scanner, the Verilator model and the board lay positions out this way, so
//! a tick touches only its symbol's slots.

use std::collections::HashMap;

use crate::engine::Liquidation;
use crate::market::SymbolId;

/// Where a position lives: its symbol and its slot within the symbol's region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub symbol: SymbolId,
    pub slot: u32,
}

#[derive(Debug, Clone, Default)]
struct Region {
    /// Position id per slot; `None` is a hole.
    ids: Vec<Option<u64>>,
    /// Holes, reused last-freed first.
    holes: Vec<u32>,
}

/// Id ↔ slot mapping per symbol.
#[derive(Debug, Clone, Default)]
pub struct SlotMap {
    placements: HashMap<u64, Placement>,
    regions: Vec<Region>,
}

impl SlotMap {
    pub fn new(symbols: usize) -> Self {
        Self {
            placements: HashMap::new(),
            regions: vec![Region::default(); symbols],
        }
    }

    /// Places `id` in `symbol`: keeps its slot if it is already there,
    /// otherwise frees its old slot and takes a hole or a new slot.
    pub fn place(&mut self, id: u64, symbol: SymbolId) -> Placement {
        if let Some(&old) = self.placements.get(&id) {
            if old.symbol == symbol {
                return old;
            }
            self.remove(id);
        }
        let region = &mut self.regions[symbol.index()];
        let slot = region.holes.pop().unwrap_or_else(|| {
            region.ids.push(None);
            // Every slot may become a hole: room for all of them is kept as
            // the region grows, so that freeing the slots of a tick's hits
            // never allocates (the scanner's hot path).
            let room = region.ids.capacity() - region.holes.len();
            region.holes.reserve(room);
            (region.ids.len() - 1) as u32
        });
        region.ids[slot as usize] = Some(id);
        let placement = Placement { symbol, slot };
        self.placements.insert(id, placement);
        placement
    }

    /// Frees the slot of `id`; returns where it was.
    /// Frees the slots of a tick's `hits` and sorts them, as the scanners
    /// report them.
    pub(crate) fn retire(&mut self, hits: &mut [Liquidation]) {
        for hit in hits.iter() {
            self.remove(hit.position);
        }
        hits.sort_unstable();
    }

    pub fn remove(&mut self, id: u64) -> Option<Placement> {
        let placement = self.placements.remove(&id)?;
        let region = &mut self.regions[placement.symbol.index()];
        region.ids[placement.slot as usize] = None;
        region.holes.push(placement.slot);
        Some(placement)
    }

    pub fn get(&self, id: u64) -> Option<Placement> {
        self.placements.get(&id).copied()
    }

    /// The position in a slot, `None` for a hole.
    pub fn id_at(&self, symbol: SymbolId, slot: u32) -> Option<u64> {
        self.regions[symbol.index()]
            .ids
            .get(slot as usize)
            .copied()
            .flatten()
    }

    /// Slots of a symbol's region, holes included: what a scan walks.
    pub fn region_len(&self, symbol: SymbolId) -> u32 {
        self.regions[symbol.index()].ids.len() as u32
    }

    /// Open positions.
    pub fn len(&self) -> usize {
        self.placements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.placements.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_holes_and_moves_between_symbols() {
        let (a, b) = (SymbolId(0), SymbolId(1));
        let mut map = SlotMap::new(2);
        assert_eq!(map.place(10, a).slot, 0);
        assert_eq!(map.place(11, a).slot, 1);
        assert_eq!(map.place(10, a).slot, 0, "same symbol keeps its slot");
        assert_eq!(map.remove(10), Some(Placement { symbol: a, slot: 0 }));
        assert_eq!(map.id_at(a, 0), None);
        assert_eq!(map.place(12, a).slot, 0, "hole reused");
        assert_eq!(map.place(11, b), Placement { symbol: b, slot: 0 });
        assert_eq!(map.id_at(a, 1), None);
        assert_eq!(map.region_len(a), 2);
        assert_eq!(map.len(), 2);
        assert_eq!(map.remove(99), None);
    }
}
