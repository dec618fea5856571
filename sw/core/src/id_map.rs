//! [`IdMap`]: position id → a packed `u64` (for `indexed`, the side and
//! slot the position lives in), an open-addressing hash table whose entries
//! hold key and value together, 16 bytes each, four to a cache line.
//!
//! A lookup of an id not in cache costs one line (rarely two): the table is
//! kept at most half full, an id's home is the top bits of a mixed hash of
//! it, and collisions probe the following entries (linear probing; a
//! removal shifts the entries after it back, so there are no tombstones).
//! `std`'s `HashMap` costs two lines (its control bytes and its bucket
//! live apart) and a SipHash of the key.

/// Marks an empty entry: no value packs to it (see [`IdMap::insert`]).
const EMPTY: u64 = u64::MAX;

/// Entries of the smallest table.
const MIN_ENTRIES: usize = 16;

#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Entry {
    id: u64,
    /// [`EMPTY`] in an empty entry.
    value: u64,
}

const VACANT: Entry = Entry {
    id: 0,
    value: EMPTY,
};

/// The id → value map.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdMap {
    /// A power of two of entries, or none before the first insert.
    entries: Vec<Entry>,
    len: usize,
}

/// The finaliser of SplitMix64: every bit of the id moves the top bits, so
/// ids that differ only in their low or only in their high bits (sequences,
/// multiples of a power of two) spread over the whole table.
fn mix(id: u64) -> u64 {
    let mut z = id;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl IdMap {
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    fn mask(&self) -> usize {
        self.entries.len() - 1
    }

    /// The entry an id probes first (the table is not empty).
    fn home(&self, id: u64) -> usize {
        let bits = self.entries.len().trailing_zeros();
        (mix(id) >> (64 - bits)) as usize
    }

    /// Where `id` is, or the empty entry that ends its probe.
    fn find(&self, id: u64) -> (usize, bool) {
        let mask = self.mask();
        let mut i = self.home(id);
        loop {
            let entry = self.entries[i];
            if entry.value == EMPTY {
                return (i, false);
            }
            if entry.id == id {
                return (i, true);
            }
            i = (i + 1) & mask;
        }
    }

    /// Asks for the cache line where a lookup of `id` starts.
    pub fn prefetch(&self, id: u64) {
        if !self.entries.is_empty() {
            crate::prefetch::line(&self.entries[self.home(id)]);
        }
    }

    pub fn get(&self, id: u64) -> Option<u64> {
        if self.entries.is_empty() {
            return None;
        }
        match self.find(id) {
            (i, true) => Some(self.entries[i].value),
            _ => None,
        }
    }

    /// Sets `id`'s value (`value != u64::MAX`); returns the one it replaced.
    pub fn insert(&mut self, id: u64, value: u64) -> Option<u64> {
        debug_assert_ne!(value, EMPTY, "u64::MAX marks empty entries");
        if !self.entries.is_empty() {
            if let (i, true) = self.find(id) {
                // A new value for an id already there: the table stays.
                return Some(std::mem::replace(&mut self.entries[i].value, value));
            }
        }
        self.reserve(1);
        let (i, _) = self.find(id);
        self.len += 1;
        self.entries[i] = Entry { id, value };
        None
    }

    /// Takes `id` out; returns its value.
    pub fn remove(&mut self, id: u64) -> Option<u64> {
        if self.entries.is_empty() {
            return None;
        }
        let (mut hole, found) = self.find(id);
        if !found {
            return None;
        }
        let value = self.entries[hole].value;
        self.len -= 1;
        // Shift back every later entry of the run that may move into the
        // hole (its home is not after the hole, cyclically), so that every
        // probe still reaches its entry before an empty one.
        let mask = self.mask();
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let entry = self.entries[j];
            if entry.value == EMPTY {
                break;
            }
            let home = self.home(entry.id);
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.entries[hole] = entry;
                hole = j;
            }
        }
        self.entries[hole] = VACANT;
        Some(value)
    }

    /// Makes room for `additional` more ids without growing.
    pub fn reserve(&mut self, additional: usize) {
        let wanted = self.len + additional;
        if 2 * wanted <= self.entries.len() {
            return;
        }
        let size = (2 * wanted).next_power_of_two().max(MIN_ENTRIES);
        let old = std::mem::replace(&mut self.entries, vec![VACANT; size]);
        for entry in old.into_iter().filter(|e| e.value != EMPTY) {
            let (i, _) = self.find(entry.id);
            self.entries[i] = entry;
        }
    }

    /// Bytes the table holds (diagnostics).
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.entries.len() * std::mem::size_of::<Entry>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u64, u64),
        Remove(u64),
    }

    /// Ids that collide: a few homes in a small table, runs that wrap
    /// around its end, and the extremes.
    fn id() -> impl Strategy<Value = u64> {
        prop_oneof![
            0..64u64,
            (0..64u64).prop_map(|i| i << 58),
            Just(u64::MAX),
            any::<u64>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Against `HashMap`: the same value for every id after every
        /// operation, and never more than half full.
        #[test]
        fn agrees_with_a_hash_map(ops in proptest::collection::vec(
            prop_oneof![
                3 => (id(), 0..1000u64).prop_map(|(id, v)| Op::Insert(id, v)),
                2 => id().prop_map(Op::Remove),
            ],
            1..600,
        )) {
            let mut map = IdMap::default();
            let mut model = HashMap::new();
            for op in ops {
                match op {
                    Op::Insert(id, v) => prop_assert_eq!(map.insert(id, v), model.insert(id, v)),
                    Op::Remove(id) => prop_assert_eq!(map.remove(id), model.remove(&id)),
                }
                prop_assert_eq!(map.len(), model.len());
                prop_assert!(2 * map.len() <= map.entries.len());
                for (&id, &v) in &model {
                    prop_assert_eq!(map.get(id), Some(v));
                }
            }
            for id in 0..64u64 {
                prop_assert_eq!(map.get(id), model.get(&id).copied());
            }
        }
    }

    /// A table that has room does not grow; removals shift entries back so
    /// every id stays reachable, across the table's end too.
    #[test]
    fn reserved_room_and_wrapping_runs() {
        let mut map = IdMap::default();
        map.reserve(1000);
        let bytes = map.bytes();
        for id in 0..1000u64 {
            assert_eq!(map.insert(id * 7919, id), None);
        }
        assert_eq!(map.bytes(), bytes, "no growth within the reservation");
        for id in (0..1000u64).step_by(3) {
            assert_eq!(map.remove(id * 7919), Some(id));
        }
        for id in 0..1000u64 {
            let want = (id % 3 != 0).then_some(id);
            assert_eq!(map.get(id * 7919), want);
        }
        assert_eq!(map.len(), 666);
        assert_eq!(map.remove(3), None);
    }
}
