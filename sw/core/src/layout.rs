//! The slot layout of the circuit's position memory, shared by every backend
//! that holds positions in it (the Verilator model `sim` and the board):
//! each symbol owns a row-aligned region of the slot memory, grown by
//! relocation (and a relayout, squeezing out holes, when the memory is
//! fragmented). A [`Layout`] decides where positions go and mirrors what it
//! wrote; the slot and region writes themselves go to a [`SlotWrites`]
//! (the model's ports, or the board's command ring).
//!
//! # Capacity
//!
//! A region starts on a whole row of `L` slots, so `n` positions of one
//! symbol take `ceil(n / L)` rows and a book fits if and only if
//! `Σ ceil(n_s / L) · L ≤ capacity` ([`check_fit`]). Any book of at most
//! `capacity − (symbols − 1)·(L − 1)` positions fits
//! ([`CapacityError::guaranteed`]: 1,048,562 on 3 symbols with 8 lanes in a
//! million slots, all of them on one symbol or on one lane); a larger book
//! fits only if its symbols' rounding leaves room, and is refused
//! otherwise. A book or an update that does not fit is refused before
//! anything is written, with a [`CapacityError`] that says what the memory
//! holds and what the book needs; the layout is unchanged and the backend
//! keeps scanning what it holds.
//!
//! Every layout step is bounded: a growing region moves to the free rows at
//! the end (doubling, so a region moves `O(log n)` times), and when they run
//! out one relayout writes every open position once.

use crate::market::SymbolId;
use crate::report::grouped;
use crate::slots::SlotMap;
use crate::spec::PositionConst;

/// Smallest region, in rows, given to a symbol that holds any position.
const MIN_ROWS: u64 = 4;

/// Where a [`Layout`] sends its writes: the slot memory and the region
/// table of a scanner with the layout's lane count.
pub trait SlotWrites {
    /// The writer's own error; a layout refusal or inconsistency converts into it.
    type Error: From<LayoutError>;

    /// Writes slot `slot` of the whole memory (`base_row·L` + the slot in
    /// its region): a position, or a hole (`None`).
    fn position(&mut self, slot: u32, position: Option<PositionConst>) -> Result<(), Self::Error>;

    /// Gives `symbol` the slots `base_row·L .. base_row·L + count`.
    fn region(&mut self, symbol: u32, base_row: u32, count: u32) -> Result<(), Self::Error>;
}

/// Why the layout refused or failed a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// The book with the change does not fit (nothing was written).
    #[error(transparent)]
    Capacity(#[from] CapacityError),
    /// The mirror and a report disagree, e.g. a scanner reported a slot
    /// outside the tick's region: the scanner or the layout is broken.
    #[error("slot layout: {0}")]
    Inconsistent(String),
}

/// A book (or an update) whose regions do not fit in the slot memory.
///
/// Each symbol's region starts on a whole row of `lanes` slots, so `n`
/// positions of one symbol take `ceil(n / L)` rows: any book of at most
/// `capacity − (symbols − 1)·(L − 1)` positions fits (the capacity is whole
/// rows), and a larger one fits only if its symbols' rounding leaves room.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} holds {} slots; {} {} after rounding each region up to whole rows of {} {} ({} positions; {})",
    .holder,
    grouped(*.capacity),
    these(*.symbols),
    grouped(*.needed),
    .lanes,
    if *.lanes == 1 { "lane" } else { "lanes" },
    grouped(*.positions),
    these_fit(*.symbols, *.capacity, *.lanes),
)]
pub struct CapacityError {
    /// What holds the slots, for the message: `the sim model`, `the board`.
    pub holder: &'static str,
    /// Slots of the memory (as configured).
    pub capacity: u64,
    /// Lanes `L`: the width of a row.
    pub lanes: u64,
    /// Symbols holding positions (after the refused change).
    pub symbols: u64,
    /// Open positions, holes excluded (after the refused change).
    pub positions: u64,
    /// Slots their regions need, each rounded up to whole rows.
    pub needed: u64,
}

impl CapacityError {
    /// Positions that `symbols` symbols can always hold, however they are
    /// spread, in `capacity` slots of whole rows of `lanes`: with `T`
    /// positions the rounding needs at most the largest multiple of `L` not
    /// above `T + symbols·(L − 1)`.
    pub fn guaranteed(capacity: u64, lanes: u64, symbols: u64) -> u64 {
        capacity.saturating_sub(symbols.saturating_sub(1) * (lanes - 1))
    }
}

fn these(symbols: u64) -> String {
    if symbols == 1 {
        "this symbol needs".into()
    } else {
        format!("these {} symbols need", grouped(symbols))
    }
}

fn these_fit(symbols: u64, capacity: u64, lanes: u64) -> String {
    let fit = grouped(CapacityError::guaranteed(capacity, lanes, symbols));
    if symbols == 1 {
        format!("one symbol always fits {fit}")
    } else {
        format!("any {} symbols always fit {fit}", grouped(symbols))
    }
}

/// Checks that regions of `region_slots` slots (one per symbol; empty ones
/// take nothing) fit in `capacity` slots of rows of `lanes` slots; returns
/// the rows they take. `holder` names the memory in the error.
pub fn check_fit(
    holder: &'static str,
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
            holder,
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

/// Where every open position lives in a slot memory of whole rows, and the
/// writes that keep the memory so.
#[derive(Debug, Clone)]
pub struct Layout {
    holder: &'static str,
    lanes: u64,
    slots: SlotMap,
    regions: Vec<Region>,
    /// First row not reserved by any region.
    next_row: u32,
    /// Rows of the memory.
    row_limit: u32,
    /// Times every region was laid out again.
    relayouts: u64,
}

impl Layout {
    /// An empty layout of `symbols` symbols (every region empty at row 0) in
    /// `capacity` slots of rows of `lanes`; `holder` names the memory in
    /// capacity errors.
    ///
    /// # Panics
    /// If `lanes` is 0 or `capacity` is not a whole number of rows below
    /// `2^32` slots: the backends check their geometry first.
    pub fn new(holder: &'static str, symbols: usize, lanes: usize, capacity: usize) -> Self {
        assert!(
            lanes > 0 && capacity % lanes == 0 && capacity <= u32::MAX as usize,
            "{capacity} slots on {lanes} lanes"
        );
        Self {
            holder,
            lanes: lanes as u64,
            slots: SlotMap::new(symbols),
            regions: vec![Region::default(); symbols],
            next_row: 0,
            row_limit: (capacity / lanes) as u32,
            relayouts: 0,
        }
    }

    /// Slots the layout may use.
    pub fn capacity(&self) -> usize {
        self.row_limit as usize * self.lanes as usize
    }

    /// Lanes `L`: slots per row.
    pub fn lanes(&self) -> usize {
        self.lanes as usize
    }

    /// Rows reserved by regions so far (the first free row).
    pub fn rows_reserved(&self) -> u32 {
        self.next_row
    }

    /// Rows of the memory.
    pub fn rows(&self) -> u32 {
        self.row_limit
    }

    /// Times every region was laid out again (when the free rows ran out).
    pub fn relayouts(&self) -> u64 {
        self.relayouts
    }

    /// Open positions.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// `symbol`'s region as the scanner holds it: `(base_row, count)`.
    pub fn region(&self, symbol: SymbolId) -> (u32, u32) {
        let region = &self.regions[symbol.index()];
        (region.base_row, region.slots.len() as u32)
    }

    /// The position in slot `slot` of the whole memory, if it lies in
    /// `symbol`'s region and holds one.
    pub fn id_at(&self, symbol: SymbolId, slot: u32) -> Option<u64> {
        let region = &self.regions[symbol.index()];
        let local = u64::from(slot).checked_sub(u64::from(region.base_row) * self.lanes)?;
        if local >= region.len() {
            return None;
        }
        self.slots.id_at(symbol, local as u32)
    }

    /// Opens position `id` of `symbol` with slot constants `position`, or
    /// replaces the open one with that id (in its slot if the symbol is the
    /// same). Refuses with [`CapacityError`], writing nothing, if a new slot
    /// does not fit.
    pub fn upsert<W: SlotWrites>(
        &mut self,
        writes: &mut W,
        id: u64,
        symbol: SymbolId,
        position: PositionConst,
    ) -> Result<(), W::Error> {
        let stays = matches!(self.slots.get(id), Some(old) if old.region == symbol);
        if !stays && self.regions[symbol.index()].holes() == 0 {
            // A new slot at the end of the region: make room first, so that
            // a refusal leaves the layout as it was.
            self.grow(writes, &[(symbol, 1)])?;
        }
        let old = self.slots.get(id);
        let at = self.slots.place(id, symbol);
        if let Some(old) = old.filter(|old| *old != at) {
            self.write_slot(writes, old.region, old.slot, None)?;
        }
        let region = &self.regions[symbol.index()];
        let grew = at.slot as usize == region.slots.len();
        if u64::from(at.slot) >= u64::from(region.rows) * self.lanes {
            return Err(LayoutError::Inconsistent(format!(
                "slot {} of symbol {} lies outside its {} rows",
                at.slot, symbol.0, region.rows
            ))
            .into());
        }
        self.write_slot(writes, symbol, at.slot, Some(position))?;
        if grew {
            let region = &self.regions[symbol.index()];
            writes.region(symbol.0, region.base_row, region.slots.len() as u32)?;
        }
        Ok(())
    }

    /// Closes position `id` (writes a hole); `Ok(false)` if it was not open.
    pub fn close<W: SlotWrites>(&mut self, writes: &mut W, id: u64) -> Result<bool, W::Error> {
        match self.slots.remove(id) {
            Some(at) => {
                self.write_slot(writes, at.region, at.slot, None)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Before loading many positions (`(id, symbol)`, each id at most
    /// once): checks that the whole book fits and reserves each symbol's
    /// final size (so that no region moves twice). Refuses, writing
    /// nothing, if it does not fit.
    pub fn reserve<W: SlotWrites>(
        &mut self,
        writes: &mut W,
        positions: impl IntoIterator<Item = (u64, SymbolId)>,
    ) -> Result<(), W::Error> {
        let mut added = vec![0u64; self.regions.len()];
        for (id, symbol) in positions {
            let stays = matches!(self.slots.get(id), Some(old) if old.region == symbol);
            added[symbol.index()] += u64::from(!stays);
        }
        let added: Vec<(SymbolId, u64)> = added
            .into_iter()
            .enumerate()
            .filter(|&(_, n)| n > 0)
            .map(|(s, n)| (SymbolId(s as u32), n))
            .collect();
        self.grow(writes, &added)
    }

    /// Records that the scanner itself cleared slot `slot` of the whole
    /// memory (a liquidation of a tick of `symbol`); returns its position.
    pub fn closed(&mut self, symbol: SymbolId, slot: u32) -> Result<u64, LayoutError> {
        let Some(id) = self.id_at(symbol, slot) else {
            return Err(LayoutError::Inconsistent(format!(
                "the scanner reported slot {slot} outside symbol {}'s positions",
                symbol.0
            )));
        };
        let region = &mut self.regions[symbol.index()];
        let local = u64::from(slot) - u64::from(region.base_row) * self.lanes;
        region.set(local as u32, None);
        self.slots.remove(id);
        Ok(id)
    }

    fn write_slot<W: SlotWrites>(
        &mut self,
        writes: &mut W,
        symbol: SymbolId,
        slot: u32,
        position: Option<PositionConst>,
    ) -> Result<(), W::Error> {
        let region = &mut self.regions[symbol.index()];
        region.set(slot, position);
        let memory_slot = u64::from(region.base_row) * self.lanes + u64::from(slot);
        writes.position(memory_slot as u32, position)
    }

    /// Makes room for `added` more positions in each listed symbol (each
    /// symbol at most once): holes are reused first, then a region that
    /// outgrows its rows moves to the free rows at the end, or every region
    /// is laid out again. Refuses, changing nothing, if the symbols' open
    /// positions with the additions do not fit in whole rows.
    fn grow<W: SlotWrites>(
        &mut self,
        writes: &mut W,
        added: &[(SymbolId, u64)],
    ) -> Result<(), W::Error> {
        let lanes = self.lanes;
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
        check_fit(
            self.holder,
            need.iter().copied(),
            lanes as usize,
            self.capacity(),
        )
        .map_err(LayoutError::from)?;
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
                self.place(writes, s, base_row, rows as u32)?;
            }
            return Ok(());
        }
        self.relayout(writes, &need, &wants)
    }

    /// Lays every region out again from row 0 with its holes squeezed out:
    /// each symbol gets at least `need[s]` rows, the growing ones (`wants`)
    /// their doubled reserve if that fits, the others keep theirs if that
    /// fits too; else every region gets its need and a share of the rows
    /// left. What is left after that stays free at the end for the next growth.
    fn relayout<W: SlotWrites>(
        &mut self,
        writes: &mut W,
        need: &[u64],
        wants: &[(usize, u64)],
    ) -> Result<(), W::Error> {
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
                self.place(writes, s, next, rows as u32)?;
            }
            next += rows as u32;
        }
        self.next_row = next;
        self.relayouts += 1;
        Ok(())
    }

    /// Renumbers every region's positions to its first slots, in slot
    /// order, dropping the holes; returns which regions changed.
    fn squeeze(&mut self) -> Result<Vec<bool>, LayoutError> {
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
                        return Err(LayoutError::Inconsistent(format!(
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
    fn place<W: SlotWrites>(
        &mut self,
        writes: &mut W,
        s: usize,
        base_row: u32,
        rows: u32,
    ) -> Result<(), W::Error> {
        let first = u64::from(base_row) * self.lanes;
        let region = &mut self.regions[s];
        region.base_row = base_row;
        region.rows = rows;
        for (i, slot) in region.slots.iter().enumerate() {
            writes.position((first + i as u64) as u32, *slot)?;
        }
        writes.region(s as u32, base_row, region.slots.len() as u32)
    }
}

#[cfg(test)]
mod tests;
