//! A tick's liquidations in id order (the events' order), without
//! allocating: the bits in which their ids differ, each shifted above the
//! liquidation's index, are sorted as one `u64` each, and the liquidations
//! then moved once into the order those keys give.
//!
//! `indexed` finds candidates in price order, so their ids come in no
//! order. Sorting the 32-byte liquidations themselves by a comparison sort
//! moves 32 bytes a step; sorting 8-byte keys and permuting once costs 9 to
//! 15 ns an element from `k = 30` to 4,500 where the former costs 15 to 24
//! (random ids, the minimum of nine runs on the machine of
//! `docs/benchmarks.md`). Keys already in order (a crash handled in slot
//! order on a book opened in id order) cost one pass. Below about 25
//! elements sorting the liquidations directly is the faster.

use crate::engine::Liquidation;

/// Slices this short are sorted directly (an insertion sort).
const SMALL: usize = 24;

/// Sorts `hits` by position id (ids are distinct), with `keys` as room for
/// one `u64` a liquidation (it does not allocate when it has that room).
pub(super) fn sort_by_id(hits: &mut [Liquidation], keys: &mut Vec<u64>) {
    if hits.len() <= SMALL {
        hits.sort_unstable_by_key(|hit| hit.position);
        return;
    }
    // Bits from the highest in which two ids differ up are the same for
    // every id, and leave room for the index.
    let first = hits[0].position;
    let differ = hits.iter().fold(0, |acc, hit| acc | (hit.position ^ first));
    let id_bits = u64::BITS - differ.leading_zeros();
    let index_bits = usize::BITS - (hits.len() - 1).leading_zeros();
    if id_bits + index_bits > u64::BITS {
        hits.sort_unstable_by_key(|hit| hit.position);
        return;
    }
    let low = u64::MAX >> (u64::BITS - id_bits);
    keys.clear();
    keys.extend(
        (0u64..)
            .zip(hits.iter())
            .map(|(i, hit)| ((hit.position & low) << index_bits) | i),
    );
    keys.sort_unstable();
    permute(hits, keys, (1 << index_bits) - 1);
}

/// Moves `hits[keys[j] & index]` to `j` for every `j`, following each
/// cycle of the permutation once; a key whose index is its own position
/// marks a place done.
fn permute(hits: &mut [Liquidation], keys: &mut [u64], index: u64) {
    for i in 0..hits.len() {
        if (keys[i] & index) as usize == i {
            continue;
        }
        let held = hits[i];
        let mut j = i;
        loop {
            let from = (keys[j] & index) as usize;
            keys[j] = (keys[j] & !index) | j as u64;
            if from == i {
                hits[j] = held;
                break;
            }
            hits[j] = hits[from];
            j = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hits(ids: &[u64]) -> Vec<Liquidation> {
        ids.iter()
            .map(|&position| Liquidation {
                position,
                shortfall: position as i128 * 3 - 7,
            })
            .collect()
    }

    /// Ids that share high bytes, differ only in low ones, span the whole
    /// range, or cluster in one bucket of a pass.
    fn ids() -> impl Strategy<Value = Vec<u64>> {
        let id = prop_oneof![
            0..2_000u64,
            (0..64u64).prop_map(|i| i << 56),
            (0..300u64).prop_map(|i| 0xdead_0000_0000 | (i << 16) | 7),
            any::<u64>(),
        ];
        proptest::collection::btree_set(id, 0..2_000)
            .prop_map(|set| set.into_iter().collect())
            .prop_shuffle()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The same order as `sort_unstable_by_key`, each id with its own
        /// shortfall.
        #[test]
        fn sorts_as_a_comparison_sort(ids in ids()) {
            let mut got = hits(&ids);
            sort_by_id(&mut got, &mut Vec::new());
            let mut want = hits(&ids);
            want.sort_unstable_by_key(|hit| hit.position);
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn extremes() {
        let mut got = hits(&[u64::MAX, 0, 1 << 63, 255, 256]);
        sort_by_id(&mut got, &mut Vec::new());
        let ids: Vec<u64> = got.iter().map(|h| h.position).collect();
        assert_eq!(ids, [0, 255, 256, 1 << 63, u64::MAX]);
        let mut many: Vec<u64> = (0..5_000u64).map(|i| (i * 7_919) % 5_003).collect();
        many.push(u64::MAX);
        let mut got = hits(&many);
        let mut keys = Vec::with_capacity(many.len());
        sort_by_id(&mut got, &mut keys);
        many.sort_unstable();
        assert!(got.iter().map(|h| h.position).eq(many.iter().copied()));
        assert_eq!(keys.capacity(), many.len(), "the room given, no more");
        // Ids that leave no room for the index: sorted all the same.
        let mut wide: Vec<u64> = (0..100u64).map(|i| (i * 37 % 100) << 57 | i).collect();
        let mut got = hits(&wide);
        sort_by_id(&mut got, &mut keys);
        wide.sort_unstable();
        assert!(got.iter().map(|h| h.position).eq(wide));
    }
}
