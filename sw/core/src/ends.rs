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

/// Entries `(key, slot)` in ascending order (key first), in chunks.
#[derive(Debug, Default)]
pub(crate) struct Ends {
    /// Non-empty sorted chunks; every entry of a chunk is below every entry
    /// of the next.
    chunks: Vec<Vec<u64>>,
    /// The last (largest) entry of each chunk, what a search reads first.
    lasts: Vec<u64>,
    len: usize,
    /// The largest entry (0 when empty), kept here so that a tick that
    /// takes nothing reads no chunk.
    top: u64,
    /// Emptied chunks, kept for the next split; its capacity is at least
    /// the number of chunks held, so returning one never allocates.
    spare: Vec<Vec<u64>>,
}

/// A copy holds as many chunks and as much room as the original, so it
/// does not allocate where the original would not.
impl Clone for Ends {
    fn clone(&self) -> Self {
        let chunk = |from: &Vec<u64>| {
            let mut chunk = Vec::with_capacity(CHUNK);
            chunk.extend_from_slice(from);
            chunk
        };
        let mut chunks = Vec::with_capacity(self.chunks.capacity());
        chunks.extend(self.chunks.iter().map(chunk));
        let mut lasts = Vec::with_capacity(self.lasts.capacity());
        lasts.extend_from_slice(&self.lasts);
        let mut spare = Vec::with_capacity(self.spare.capacity());
        spare.extend(self.spare.iter().map(chunk));
        Self {
            chunks,
            lasts,
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

/// How many entries of a sorted chunk are below `entry`: a count over the
/// whole chunk rather than a binary search, so a chunk not in cache costs
/// its lines fetched together, not one miss per step of a search.
fn rank(chunk: &[u64], entry: u64) -> usize {
    chunk.iter().map(|&e| usize::from(e < entry)).sum()
}

fn slot_of(entry: u64) -> u32 {
    entry as u32
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
            self.lasts
                .partition_point(|&last| last < entry)
                .min(self.chunks.len() - 1),
        )
    }

    fn fresh_chunk(&mut self) -> Vec<u64> {
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
        keep_room(&mut self.lasts, most);
        keep_room(&mut self.spare, most);
        while self.held() < most {
            self.spare.push(Vec::with_capacity(CHUNK));
        }
    }

    fn sync_top(&mut self) {
        self.top = self.lasts.last().copied().unwrap_or(0);
    }

    /// Adds `(key, slot)`; the pair must not be there already.
    pub fn insert(&mut self, key: u32, slot: u32) {
        let entry = entry(key, slot);
        self.len += 1;
        self.top = self.top.max(entry);
        let Some(c) = self.chunk_for(entry) else {
            let mut chunk = self.fresh_chunk();
            chunk.push(entry);
            self.chunks.push(chunk);
            self.lasts.push(entry);
            return;
        };
        let chunk = &mut self.chunks[c];
        let at = rank(chunk, entry);
        debug_assert!(
            chunk.get(at) != Some(&entry),
            "{key} {slot} is there already"
        );
        chunk.insert(at, entry);
        self.lasts[c] = *chunk.last().expect("not empty");
        if chunk.len() >= CHUNK {
            let mut upper = self.fresh_chunk();
            let chunk = &mut self.chunks[c];
            upper.extend_from_slice(&chunk[CHUNK / 2..]);
            chunk.truncate(CHUNK / 2);
            self.lasts[c] = *chunk.last().expect("half a chunk");
            self.lasts
                .insert(c + 1, *upper.last().expect("half a chunk"));
            self.chunks.insert(c + 1, upper);
        }
    }

    /// Takes `(key, slot)` out; `false` if it is not there.
    pub fn remove(&mut self, key: u32, slot: u32) -> bool {
        let entry = entry(key, slot);
        let Some(c) = self.chunk_for(entry) else {
            return false;
        };
        let chunk = &mut self.chunks[c];
        let at = rank(chunk, entry);
        if chunk.get(at) != Some(&entry) {
            return false;
        }
        chunk.remove(at);
        self.len -= 1;
        match chunk.last() {
            // Only the last chunk may empty (the others hold `MIN_FILL`).
            None => {
                let empty = self.chunks.remove(c);
                self.lasts.remove(c);
                self.spare.push(empty);
            }
            Some(&last) => {
                self.lasts[c] = last;
                if chunk.len() < MIN_FILL && c + 1 < self.chunks.len() {
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
        let len = self.chunks[c].len();
        let fits = |other: usize| other + len < CHUNK;
        if c > 0 && fits(self.chunks[c - 1].len()) {
            self.merge_next(c - 1);
        } else if fits(self.chunks[c + 1].len()) {
            self.merge_next(c);
        } else if c > 0 && self.chunks[c - 1].len() > self.chunks[c + 1].len() {
            // From the end of the one below to the front of `c`.
            let moved = (self.chunks[c - 1].len() - len) / 2;
            let (below, rest) = self.chunks.split_at_mut(c);
            let below = &mut below[c - 1];
            let from = below.len() - moved;
            rest[0].extend(below.drain(from..));
            rest[0].rotate_right(moved);
            self.lasts[c - 1] = *below.last().expect("kept most");
        } else {
            // From the front of the one above to the end of `c`.
            let moved = (self.chunks[c + 1].len() - len) / 2;
            let (chunk, above) = self.chunks.split_at_mut(c + 1);
            chunk[c].extend(above[0].drain(..moved));
            self.lasts[c] = *chunk[c].last().expect("just filled");
        }
    }

    /// Appends chunk `c + 1` to chunk `c` and keeps the emptied one.
    fn merge_next(&mut self, c: usize) {
        let mut moved = self.chunks.remove(c + 1);
        self.lasts.remove(c + 1);
        self.chunks[c].extend_from_slice(&moved);
        self.lasts[c] = *self.chunks[c].last().expect("merged");
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
        let mut first = self.lasts.len() - 1;
        while first > 0 && self.lasts[first - 1] > bound {
            first -= 1;
        }
        // Counted from the end rather than searched: reads only the entries
        // taken and one more, not a search's chain of cache lines.
        let chunk = &mut self.chunks[first];
        let cut = chunk.len() - chunk.iter().rev().take_while(|&&e| e > bound).count();
        out.extend(chunk[cut..].iter().map(|&e| slot_of(e)));
        self.len -= chunk.len() - cut;
        chunk.truncate(cut);
        // The cut chunk is the last now, which may hold any number.
        let keep = match chunk.last() {
            Some(&last) => {
                self.lasts[first] = last;
                first + 1
            }
            None => first,
        };
        for mut chunk in self.chunks.drain(keep..) {
            out.extend(chunk.iter().map(|&e| slot_of(e)));
            self.len -= chunk.len();
            chunk.clear();
            self.spare.push(chunk);
        }
        self.lasts.truncate(keep);
        self.sync_top();
    }

    /// Keeps only the entries for which `keep(key, slot)` holds, in one pass
    /// over the entries and one over the chunks (which merges or refills
    /// those left short).
    pub fn retain(&mut self, mut keep: impl FnMut(u32, u32) -> bool) {
        for chunk in &mut self.chunks {
            chunk.retain(|&e| keep(key_of(e), slot_of(e)));
        }
        // Chunks `..=w` are done: in order, all but the last `MIN_FILL` or more.
        let mut w: Option<usize> = None;
        for r in 0..self.chunks.len() {
            if self.chunks[r].is_empty() {
                continue;
            }
            let w_len = w.map(|w| self.chunks[w].len());
            match w_len {
                Some(w_len) if w_len < MIN_FILL => {
                    let w = w.expect("some");
                    let (done, rest) = self.chunks.split_at_mut(r);
                    let (into, from) = (&mut done[w], &mut rest[0]);
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
        for mut chunk in self.chunks.drain(used..) {
            chunk.clear();
            self.spare.push(chunk);
        }
        self.lasts.clear();
        self.lasts.extend(
            self.chunks
                .iter()
                .map(|chunk| *chunk.last().expect("kept chunks hold entries")),
        );
        self.len = self.chunks.iter().map(Vec::len).sum();
        self.sync_top();
    }

    /// Every entry in ascending order (for tests and diagnostics).
    #[cfg(test)]
    pub fn entries(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.chunks
            .iter()
            .flatten()
            .map(|&e| (key_of(e), slot_of(e)))
    }

    /// The structure's invariants hold (for tests).
    #[cfg(test)]
    pub fn check(&self) {
        assert_eq!(self.chunks.len(), self.lasts.len());
        assert_eq!(self.len, self.chunks.iter().map(Vec::len).sum::<usize>());
        assert_eq!(self.top, self.lasts.last().copied().unwrap_or(0));
        assert!(self.spare.capacity() >= self.held(), "room for every chunk");
        assert!(self.chunks.len() <= self.len / MIN_FILL + 1);
        let mut previous = None;
        for (c, (chunk, &last)) in self.chunks.iter().zip(&self.lasts).enumerate() {
            assert!(!chunk.is_empty() && chunk.len() < CHUNK);
            if c + 1 < self.chunks.len() {
                assert!(chunk.len() >= MIN_FILL, "chunk {c} of {}", chunk.len());
            }
            assert_eq!(chunk.last(), Some(&last));
            for &e in chunk {
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
            let room = |e: &Ends| (e.held(), e.chunks.as_ptr(), e.lasts.as_ptr(), e.spare.as_ptr());
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
