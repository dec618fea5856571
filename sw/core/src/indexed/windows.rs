//! A stabbing index for intervals of marks that touch neither end of the
//! price range (positions on a jumping ladder that liquidate only inside a
//! window of marks): a segment tree over the 2^32 marks, stored sparsely.
//!
//! An interval is stored at the aligned blocks `[k·2^j, (k+1)·2^j)` that tile
//! it exactly (at most two per level, so ≤ 64). A mark lies in exactly one
//! block per level, so a query visits 33 blocks and finds every stored
//! interval containing the mark exactly once: `O(33·log w + k)` for `w`
//! stored blocks and `k` hits, `O(64·log w)` per insert or removal.

use std::collections::BTreeSet;

use crate::threshold::Interval;

/// Levels `0 ..= 32`: block sizes `1 ..= 2^32`.
const LEVELS: u32 = 33;

#[derive(Debug, Clone, Default)]
pub(super) struct Windows {
    /// (block key, position id).
    blocks: BTreeSet<(u64, u64)>,
}

/// Block `index` of size `2^level`: the level above the 32 index bits.
fn key(level: u32, index: u64) -> u64 {
    (u64::from(level) << 32) | index
}

/// The blocks tiling `interval`, largest aligned block first at each step.
fn tiles(interval: Interval) -> impl Iterator<Item = u64> {
    let (mut at, end) = (u64::from(interval.lo), u64::from(interval.hi) + 1);
    std::iter::from_fn(move || {
        if at >= end {
            return None;
        }
        let mut level = at.trailing_zeros().min(LEVELS - 1);
        while at + (1 << level) > end {
            level -= 1;
        }
        let tile = key(level, at >> level);
        at += 1 << level;
        Some(tile)
    })
}

impl Windows {
    pub(super) fn insert(&mut self, interval: Interval, id: u64) {
        for tile in tiles(interval) {
            self.blocks.insert((tile, id));
        }
    }

    pub(super) fn remove(&mut self, interval: Interval, id: u64) {
        for tile in tiles(interval) {
            self.blocks.remove(&(tile, id));
        }
    }

    /// Appends the id of every interval containing `price`.
    pub(super) fn stab(&self, price: u32, out: &mut Vec<u64>) {
        if self.blocks.is_empty() {
            return;
        }
        for level in 0..LEVELS {
            let block = key(level, u64::from(price) >> level);
            out.extend(
                self.blocks
                    .range((block, 0)..=(block, u64::MAX))
                    .map(|&(_, id)| id),
            );
        }
    }

    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::HIGHEST;

    #[test]
    fn tiles_cover_exactly() {
        for (lo, hi) in [
            (0, 0),
            (1, 1),
            (3, 17),
            (5, 64),
            (0, HIGHEST),
            (1, HIGHEST - 1),
            (HIGHEST, HIGHEST),
            (1000, 1 << 20),
        ] {
            let mut covered = 0u64;
            let mut next = u64::from(lo);
            let mut tiles: Vec<u64> = tiles(Interval { lo, hi }).collect();
            tiles.sort_unstable_by_key(|t| (t & 0xffff_ffff) << (t >> 32));
            for tile in tiles {
                let (level, index) = (tile >> 32, tile & 0xffff_ffff);
                assert_eq!(index << level, next, "tiles of {lo}..={hi} are contiguous");
                next += 1 << level;
                covered += 1;
            }
            assert_eq!(next, u64::from(hi) + 1);
            assert!(covered <= 64);
        }
    }

    #[test]
    fn stabs_each_interval_once() {
        let intervals = [(3, 17), (10, 10), (0, 2), (16, 40), (100, HIGHEST - 1)];
        let mut windows = Windows::default();
        for (id, &(lo, hi)) in intervals.iter().enumerate() {
            windows.insert(Interval { lo, hi }, id as u64);
        }
        for price in (0..120).chain([HIGHEST - 1, HIGHEST]) {
            let mut got = Vec::new();
            windows.stab(price, &mut got);
            got.sort_unstable();
            let want: Vec<u64> = (0..intervals.len() as u64)
                .filter(|&i| {
                    Interval {
                        lo: intervals[i as usize].0,
                        hi: intervals[i as usize].1,
                    }
                    .contains(price)
                })
                .collect();
            assert_eq!(got, want, "price {price}");
        }
        for (id, &(lo, hi)) in intervals.iter().enumerate() {
            windows.remove(Interval { lo, hi }, id as u64);
        }
        assert!(windows.is_empty());
    }
}
