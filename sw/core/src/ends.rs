//! [`Ends`]: one side of `indexed`'s index, the finite gap ends of one
//! symbol's positions on that side, as `(key, slot)` entries in ascending
//! order, cut into sorted chunks of fewer than [`CHUNK`] entries.
//!
//! A tick takes every entry whose key lies beyond its mark: a suffix of the
//! order. Whole chunks of that suffix leave at once and the one chunk the
//! mark falls in is cut where a count from its end stops, so a tick that
//! takes `k` entries costs `O(k)` (reading `k` consecutive entries, no
//! per-entry removal), and one that takes none costs a comparison with the
//! largest key, kept beside the chunks. An insert or a removal is a binary
//! search over the chunks' last entries, a count over the chunk and a move
//! of at most `CHUNK` entries: `O(log n + CHUNK)`, however large the symbol.
//!
//! Every chunk but the last holds at least [`MIN_FILL`] entries (a removal
//! that leaves one shorter merges it with a neighbour or borrows from one),
//! so `n` entries never need more than `n / MIN_FILL + 1` chunks.
//!
//! Allocation: chunks that leave with a tick are kept (emptied) for later
//! splits, and `spare` always has room for every chunk held, so a take
//! never allocates. A tick inserts only on a jumping ladder (a candidate the
//! rule spares); [`Ends::reserve_for`] keeps chunks and room enough for any
//! number of entries up to a bound, so that such a tick does not allocate
//! either.

/// Chunks split when they reach this many entries: a split moves half of
/// them (1 KB), an insert or a removal moves at most all of them.
pub(crate) const CHUNK: usize = 256;

/// The fewest entries of a chunk that is not the last.
pub(crate) const MIN_FILL: usize = CHUNK * 3 / 8;

/// One sorted chunk and its last (largest) entry, side by side in 32
/// bytes: the search for an entry's chunk reads the last entries, and the
/// one it stops at gives the chunk's buffer from the same cache line.
#[derive(Debug)]
#[repr(align(32))]
struct Chunk {
    last: u64,
    entries: Vec<u64>,
}

const _: () = assert!(std::mem::size_of::<Chunk>() == 32);

/// Entries `(key, slot)` in ascending order (key first), in chunks.
#[derive(Debug, Default)]
pub(crate) struct Ends {
    /// Non-empty chunks; every entry of a chunk is below every entry of the
    /// next.
    chunks: Vec<Chunk>,
    len: usize,
    /// The largest entry (0 when empty), kept here so that a tick that
    /// takes nothing reads no chunk.
    top: u64,
    /// Emptied chunks, kept for the next split; its capacity is at least
    /// the number of chunks held, so returning one never allocates.
    spare: Vec<Vec<u64>>,
}

/// A chunk's buffer with room for [`CHUNK`] entries, holding `entries`.
fn buffer_with(entries: &[u64]) -> Vec<u64> {
    let mut buffer = Vec::with_capacity(CHUNK);
    buffer.extend_from_slice(entries);
    buffer
}

/// A copy holds as many chunks and as much room as the original, so it
/// does not allocate where the original would not.
impl Clone for Ends {
    fn clone(&self) -> Self {
        let mut chunks = Vec::with_capacity(self.chunks.capacity());
        chunks.extend(self.chunks.iter().map(|chunk| Chunk {
            last: chunk.last,
            entries: buffer_with(&chunk.entries),
        }));
        let mut spare = Vec::with_capacity(self.spare.capacity());
        spare.extend(self.spare.iter().map(|buffer| buffer_with(buffer)));
        Self {
            chunks,
            len: self.len,
            top: self.top,
            spare,
        }
    }
}

fn entry(key: u32, slot: u32) -> u64 {
    (u64::from(key) << 32) | u64::from(slot)
}

fn key_of(entry: u64) -> u32 {
    (entry >> 32) as u32
}

/// Entries a rank counts in one step: a cache line's worth.
const BLOCK: usize = 8;

/// How many entries of a sorted chunk are below `entry`: a count over the
/// first entry of every block of [`BLOCK`], then over the one block where
/// the count stops. Not a binary search: the loads do not depend on one
/// another, so a chunk not yet in cache costs its lines fetched together
/// (and prefetched ones as they come), not one miss per step; and not a
/// count over every entry, which costs four times as long in cache.
fn rank(chunk: &[u64], entry: u64) -> usize {
    let below = |e: &&u64| **e < entry;
    let blocks = chunk.iter().step_by(BLOCK).filter(below).count();
    let Some(block) = blocks.checked_sub(1) else {
        return 0;
    };
    let from = block * BLOCK;
    let to = (from + BLOCK).min(chunk.len());
    from + chunk[from..to].iter().filter(below).count()
}

fn slot_of(entry: u64) -> u32 {
    entry as u32
}

/// The last entry of a non-empty chunk's buffer.
fn last_of(entries: &[u64]) -> u64 {
    *entries.last().expect("chunks in use hold entries")
}

/// Grows `v`'s capacity to at least `n`, keeping its contents.
fn keep_room<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() < n {
        v.reserve(n - v.len());
    }
}

impl Ends {
    pub fn len(&self) -> usize {
        self.len
    }

    /// The largest key held, 0 when empty: a take at `key` takes something
    /// iff this is above `key`.
    pub fn top_key(&self) -> u32 {
        key_of(self.top)
    }

    /// Chunks held, in use and spare.
    fn held(&self) -> usize {
        self.chunks.len() + self.spare.len()
    }

    /// The chunk an entry belongs in: the first whose last entry is not
    /// below it, else the last chunk. `None` when there are no chunks.
    fn chunk_for(&self, entry: u64) -> Option<usize> {
        if self.chunks.is_empty() {
            return None;
        }
        Some(
            self.chunks
                .partition_point(|chunk| chunk.last < entry)
                .min(self.chunks.len() - 1),
        )
    }

    /// Asks for the cache lines of the chunk where entries of `key` go (the
    /// first, if several chunks hold that key).
    pub fn prefetch(&self, key: u32) {
        if let Some(c) = self.chunk_for(entry(key, 0)) {
            crate::prefetch::lines(&self.chunks[c].entries);
        }
    }

    fn fresh_buffer(&mut self) -> Vec<u64> {
        self.spare.pop().unwrap_or_else(|| {
            // One more chunk held: room for it among the spares.
            let held = self.held();
            keep_room(&mut self.spare, held + 1);
            Vec::with_capacity(CHUNK)
        })
    }

    /// Holds enough chunks, and room enough, that the entries can grow to
    /// `entries` without allocating (a tick's inserts on a jumping ladder).
    pub fn reserve_for(&mut self, entries: usize) {
        let most = entries / MIN_FILL + 1;
        keep_room(&mut self.chunks, most);
        keep_room(&mut self.spare, most);
        while self.held() < most {
            self.spare.push(Vec::with_capacity(CHUNK));
        }
    }

    fn sync_top(&mut self) {
        self.top = self.chunks.last().map_or(0, |chunk| chunk.last);
    }

    /// Adds `(key, slot)`; the pair must not be there already.
    pub fn insert(&mut self, key: u32, slot: u32) {
        let entry = entry(key, slot);
        self.len += 1;
        self.top = self.top.max(entry);
        let Some(c) = self.chunk_for(entry) else {
            let mut entries = self.fresh_buffer();
            entries.push(entry);
            self.chunks.push(Chunk {
                last: entry,
                entries,
            });
            return;
        };
        let chunk = &mut self.chunks[c];
        let at = rank(&chunk.entries, entry);
        debug_assert!(
            chunk.entries.get(at) != Some(&entry),
            "{key} {slot} is there already"
        );
        chunk.entries.insert(at, entry);
        chunk.last = last_of(&chunk.entries);
        if chunk.entries.len() >= CHUNK {
            let mut upper = self.fresh_buffer();
            let chunk = &mut self.chunks[c];
            upper.extend_from_slice(&chunk.entries[CHUNK / 2..]);
            chunk.entries.truncate(CHUNK / 2);
            chunk.last = last_of(&chunk.entries);
            let last = last_of(&upper);
            self.chunks.insert(
                c + 1,
                Chunk {
                    last,
                    entries: upper,
                },
            );
        }
    }

    /// Takes `(key, slot)` out; `false` if it is not there.
    pub fn remove(&mut self, key: u32, slot: u32) -> bool {
        let entry = entry(key, slot);
        let Some(c) = self.chunk_for(entry) else {
            return false;
        };
        let chunk = &mut self.chunks[c];
        let at = rank(&chunk.entries, entry);
        if chunk.entries.get(at) != Some(&entry) {
            return false;
        }
        chunk.entries.remove(at);
        self.len -= 1;
        match chunk.entries.last() {
            // Only the last chunk may empty (the others hold `MIN_FILL`).
            None => {
                let empty = self.chunks.remove(c);
                self.spare.push(empty.entries);
            }
            Some(&last) => {
                chunk.last = last;
                if chunk.entries.len() < MIN_FILL && c + 1 < self.chunks.len() {
                    self.refill(c);
                }
            }
        }
        self.sync_top();
        true
    }

    /// Chunk `c` (not the last) is short: merges it with a neighbour when
    /// the two fit in one chunk, else moves entries from the larger
    /// neighbour so both hold at least `MIN_FILL`.
    fn refill(&mut self, c: usize) {
        let len = self.chunks[c].entries.len();
        let fits = |other: &Chunk| other.entries.len() + len < CHUNK;
        if c > 0 && fits(&self.chunks[c - 1]) {
            self.merge_next(c - 1);
        } else if fits(&self.chunks[c + 1]) {
            self.merge_next(c);
        } else if c > 0 && self.chunks[c - 1].entries.len() > self.chunks[c + 1].entries.len() {
            // From the end of the one below to the front of `c`.
            let (below, rest) = self.chunks.split_at_mut(c);
            let (below, chunk) = (&mut below[c - 1], &mut rest[0]);
            let moved = (below.entries.len() - len) / 2;
            let from = below.entries.len() - moved;
            chunk.entries.extend(below.entries.drain(from..));
            chunk.entries.rotate_right(moved);
            below.last = last_of(&below.entries);
        } else {
            // From the front of the one above to the end of `c`.
            let (chunk, above) = self.chunks.split_at_mut(c + 1);
            let (chunk, above) = (&mut chunk[c], &mut above[0]);
            let moved = (above.entries.len() - len) / 2;
            chunk.entries.extend(above.entries.drain(..moved));
            chunk.last = last_of(&chunk.entries);
        }
    }

    /// Appends chunk `c + 1` to chunk `c` and keeps the emptied buffer.
    fn merge_next(&mut self, c: usize) {
        let Chunk {
            last,
            entries: mut moved,
        } = self.chunks.remove(c + 1);
        let chunk = &mut self.chunks[c];
        chunk.entries.extend_from_slice(&moved);
        chunk.last = last;
        moved.clear();
        self.spare.push(moved);
    }

    /// Takes every entry whose key is above `key` and appends their slots,
    /// in ascending key order.
    pub fn take_above(&mut self, key: u32, out: &mut Vec<u32>) {
        // Every entry with a larger key is above `(key, u32::MAX)`.
        let bound = entry(key, u32::MAX);
        if self.top <= bound {
            return;
        }
        // Walk back from the top over the chunks that go whole: a tick
        // usually takes a few entries of the last chunk, and a crash pays
        // one step per chunk it takes anyway.
        let mut first = self.chunks.len() - 1;
        while first > 0 && self.chunks[first - 1].last > bound {
            first -= 1;
        }
        // Counted from the end rather than searched: reads only the entries
        // taken and one more, not a search's chain of cache lines.
        let chunk = &mut self.chunks[first];
        let entries = &mut chunk.entries;
        let cut = entries.len() - entries.iter().rev().take_while(|&&e| e > bound).count();
        out.extend(entries[cut..].iter().map(|&e| slot_of(e)));
        self.len -= entries.len() - cut;
        entries.truncate(cut);
        // The cut chunk is the last now, which may hold any number.
        let keep = match entries.last() {
            Some(&last) => {
                chunk.last = last;
                first + 1
            }
            None => first,
        };
        for Chunk {
            entries: mut taken, ..
        } in self.chunks.drain(keep..)
        {
            out.extend(taken.iter().map(|&e| slot_of(e)));
            self.len -= taken.len();
            taken.clear();
            self.spare.push(taken);
        }
        self.sync_top();
    }

    /// Keeps only the entries for which `keep(key, slot)` holds, in one pass
    /// over the entries and one over the chunks (which merges or refills
    /// those left short).
    pub fn retain(&mut self, mut keep: impl FnMut(u32, u32) -> bool) {
        for chunk in &mut self.chunks {
            chunk.entries.retain(|&e| keep(key_of(e), slot_of(e)));
        }
        // Chunks `..=w` are done: in order, all but the last `MIN_FILL` or more.
        let mut w: Option<usize> = None;
        for r in 0..self.chunks.len() {
            if self.chunks[r].entries.is_empty() {
                continue;
            }
            let w_len = w.map(|w| self.chunks[w].entries.len());
            match w_len {
                Some(w_len) if w_len < MIN_FILL => {
                    let w = w.expect("some");
                    let (done, rest) = self.chunks.split_at_mut(r);
                    let (into, from) = (&mut done[w].entries, &mut rest[0].entries);
                    if w_len + from.len() < CHUNK {
                        into.append(from);
                        continue;
                    }
                    // Both end with at least `CHUNK / 2`.
                    let moved = (from.len() - w_len) / 2;
                    into.extend(from.drain(..moved));
                }
                _ => {}
            }
            let next = w.map_or(0, |w| w + 1);
            self.chunks.swap(next, r);
            w = Some(next);
        }
        let used = w.map_or(0, |w| w + 1);
        for Chunk {
            entries: mut emptied,
            ..
        } in self.chunks.drain(used..)
        {
            emptied.clear();
            self.spare.push(emptied);
        }
        for chunk in &mut self.chunks {
            chunk.last = last_of(&chunk.entries);
        }
        self.len = self.chunks.iter().map(|chunk| chunk.entries.len()).sum();
        self.sync_top();
    }

    /// Every entry in ascending order (for tests and diagnostics).
    #[cfg(test)]
    pub fn entries(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.chunks
            .iter()
            .flat_map(|chunk| &chunk.entries)
            .map(|&e| (key_of(e), slot_of(e)))
    }

    /// The structure's invariants hold (for tests).
    #[cfg(test)]
    pub fn check(&self) {
        let lens = self.chunks.iter().map(|chunk| chunk.entries.len());
        assert_eq!(self.len, lens.sum::<usize>());
        assert_eq!(self.top, self.chunks.last().map_or(0, |chunk| chunk.last));
        assert!(self.spare.capacity() >= self.held(), "room for every chunk");
        assert!(self.chunks.len() <= self.len / MIN_FILL + 1);
        let mut previous = None;
        for (c, chunk) in self.chunks.iter().enumerate() {
            let entries = &chunk.entries;
            assert!(!entries.is_empty() && entries.len() < CHUNK);
            if c + 1 < self.chunks.len() {
                assert!(entries.len() >= MIN_FILL, "chunk {c} of {}", entries.len());
            }
            assert_eq!(entries.last(), Some(&chunk.last));
            for &e in entries {
                assert!(previous < Some(e), "ascending");
                previous = Some(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u32, u32),
        Remove(u32, u32),
        /// Remove an entry that is there (by its rank).
        RemoveAt(usize),
        TakeAbove(u32),
        Retain(u32),
    }

    /// Keys from a small range, so that they collide and chunks fill, split
    /// and merge; slots from a small range too, so pairs repeat.
    fn op() -> impl Strategy<Value = Op> {
        let key = prop_oneof![0..40u32, Just(u32::MAX), Just(0), any::<u32>()];
        prop_oneof![
            8 => (key.clone(), 0..3000u32).prop_map(|(k, s)| Op::Insert(k, s)),
            2 => (key.clone(), 0..3000u32).prop_map(|(k, s)| Op::Remove(k, s)),
            4 => any::<usize>().prop_map(Op::RemoveAt),
            1 => key.prop_map(Op::TakeAbove),
            1 => (2..7u32).prop_map(Op::Retain),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Against a `BTreeSet` of the same pairs: the same entries in the
        /// same order after every operation, `take_above` taking exactly
        /// the keys above its bound in ascending order.
        #[test]
        fn agrees_with_a_sorted_set(ops in proptest::collection::vec(op(), 1..3000)) {
            let mut ends = Ends::default();
            let mut model = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(k, s) => {
                        if model.insert((k, s)) {
                            ends.insert(k, s);
                        }
                    }
                    Op::Remove(k, s) => prop_assert_eq!(ends.remove(k, s), model.remove(&(k, s))),
                    Op::RemoveAt(i) => {
                        if !model.is_empty() {
                            let &(k, s) = model.iter().nth(i % model.len()).unwrap();
                            model.remove(&(k, s));
                            prop_assert!(ends.remove(k, s));
                        }
                    }
                    Op::TakeAbove(k) => {
                        let mut got = Vec::new();
                        ends.take_above(k, &mut got);
                        let taken: Vec<(u32, u32)> =
                            model.iter().filter(|&&(key, _)| key > k).copied().collect();
                        model.retain(|&(key, _)| key <= k);
                        let want: Vec<u32> = taken.iter().map(|&(_, s)| s).collect();
                        prop_assert_eq!(got, want);
                    }
                    Op::Retain(m) => {
                        ends.retain(|k, s| (k ^ s) % m != 0);
                        model.retain(|&(k, s)| (k ^ s) % m != 0);
                    }
                }
                ends.check();
                prop_assert_eq!(ends.len(), model.len());
            }
            prop_assert!(ends.entries().eq(model.iter().copied()));
            let copy = ends.clone();
            copy.check();
            prop_assert!(copy.entries().eq(model.iter().copied()));
        }

        /// After `reserve_for(n)`, any operations that keep at most `n`
        /// entries take no new chunk and move none of the chunk lists (what
        /// lets a tick insert without allocating).
        #[test]
        fn reserved_room_is_enough(ops in proptest::collection::vec(op(), 1..3000)) {
            let most = 700;
            let mut ends = Ends::default();
            ends.reserve_for(most);
            let room = |e: &Ends| (e.held(), e.chunks.as_ptr(), e.spare.as_ptr());
            let before = room(&ends);
            for op in ops {
                match op {
                    Op::Insert(k, s) if ends.len() < most => {
                        // Inserted whether it was there or not.
                        ends.remove(k, s);
                        ends.insert(k, s);
                    }
                    Op::Remove(k, s) => {
                        ends.remove(k, s);
                    }
                    Op::TakeAbove(k) => ends.take_above(k, &mut Vec::with_capacity(most)),
                    Op::Retain(m) => ends.retain(|k, s| (k ^ s) % m != 0),
                    _ => {}
                }
                ends.check();
                prop_assert!(ends.len() <= most);
                prop_assert_eq!(room(&ends), before);
            }
        }
    }

    /// The rank by blocks is the count of entries below, at every position
    /// and between entries, for chunks of every length.
    #[test]
    fn rank_counts_the_entries_below() {
        for len in 0..40u64 {
            let chunk: Vec<u64> = (0..len).map(|i| 10 + 3 * i).collect();
            for probe in 0..(15 + 3 * len) {
                let want = chunk.iter().filter(|&&e| e < probe).count();
                assert_eq!(rank(&chunk, probe), want, "len {len}, probe {probe}");
            }
        }
    }

    /// A take leaves its chunks for the next inserts: refilling the same
    /// entries allocates no new chunk.
    #[test]
    fn taken_chunks_are_reused() {
        let mut ends = Ends::default();
        let fill = |ends: &mut Ends| (0..10_000u32).for_each(|i| ends.insert(i % 977 + 1, i));
        fill(&mut ends);
        let chunks = ends.chunks.len();
        assert!(chunks > 10_000 / CHUNK);
        let mut out = Vec::new();
        ends.take_above(0, &mut out);
        assert_eq!(out.len(), 10_000);
        assert_eq!(
            (ends.len(), ends.chunks.len(), ends.spare.len()),
            (0, 0, chunks)
        );
        fill(&mut ends);
        ends.check();
        assert_eq!((ends.chunks.len(), ends.spare.len()), (chunks, 0));
    }
}
