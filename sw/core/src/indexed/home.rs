//! [`Home`]: where an open position lives, as `indexed`'s id map keeps it
//! in one `u64`: its side, its slot, and a hint of the index key of its
//! gap's near end. With the hint, a book change finds the index chunk that
//! holds the position's old entry from the map entry alone, so the record
//! and that chunk are fetched together rather than one after the other.
//!
//! The hint is only ever used to prefetch: the entry removed is the one the
//! record names. It may be stale (a tick that spares a candidate re-keeps
//! it under a new gap without touching the map) or coarse (the key's two
//! low bits are dropped); a stale hint costs a miss, never a wrong answer.
//!
//! Layout: within the book's limits (8,192 sides of 4,096 symbols, slots
//! below 2^20: a side never holds more slots than positions were open on
//! it at once) a home is *narrow*: bit 63 clear, the side in bits 50–62,
//! the slot in bits 30–49 and the hint (`key >> 2`, 0 for none) in bits
//! 0–29. Beyond them it is *wide*, without a hint: bit 63 set, the side in
//! bits 32–62, the slot in bits 0–31. Neither is `u64::MAX` (the map's
//! empty mark): a wide home's side is below `2^31 − 1`.

/// Bit 63: a wide home.
const WIDE: u64 = 1 << 63;
const SIDE_BITS: u32 = 13;
const SLOT_BITS: u32 = 20;
const HINT_BITS: u32 = 30;
/// Low key bits the hint drops.
const HINT_SHIFT: u32 = 32 - HINT_BITS;

const _: () = assert!(1 + SIDE_BITS + SLOT_BITS + HINT_BITS == 64);
const _: () = assert!(crate::spec::MAX_SYMBOLS * 2 <= 1 << SIDE_BITS);
const _: () = assert!(crate::spec::MAX_POSITIONS <= 1 << SLOT_BITS);

/// An open position's side (an index into `indexed`'s sides), slot, and
/// the index key of its gap's near end, approximately, if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Home {
    pub side: usize,
    pub slot: u32,
    /// `key` with its low bits cleared; `None` when the gap has no near
    /// entry (or the home is wide, or the key is below `2^HINT_SHIFT`).
    pub near: Option<u32>,
}

impl Home {
    pub fn pack(self) -> u64 {
        let side = self.side as u64;
        let slot = u64::from(self.slot);
        if side < 1 << SIDE_BITS && slot < 1 << SLOT_BITS {
            let hint = self.near.map_or(0, |key| u64::from(key >> HINT_SHIFT));
            (side << (SLOT_BITS + HINT_BITS)) | (slot << HINT_BITS) | hint
        } else {
            debug_assert!(side < (1 << 31) - 1, "side {side}");
            WIDE | (side << 32) | slot
        }
    }

    pub fn unpack(packed: u64) -> Self {
        if packed & WIDE == 0 {
            let hint = (packed & ((1 << HINT_BITS) - 1)) as u32;
            Self {
                side: (packed >> (SLOT_BITS + HINT_BITS)) as usize,
                slot: ((packed >> HINT_BITS) & ((1 << SLOT_BITS) - 1)) as u32,
                near: (hint != 0).then_some(hint << HINT_SHIFT),
            }
        } else {
            Self {
                side: ((packed & !WIDE) >> 32) as usize,
                slot: packed as u32,
                near: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks() {
        let narrow = Home {
            side: (1 << SIDE_BITS) - 1,
            slot: (1 << SLOT_BITS) - 1,
            near: Some(u32::MAX),
        };
        let back = Home::unpack(narrow.pack());
        assert_eq!((back.side, back.slot), (narrow.side, narrow.slot));
        assert_eq!(back.near, Some(!((1 << HINT_SHIFT) - 1)));
        for key in [None, Some(0), Some(3), Some(4), Some(12_345)] {
            let home = Home {
                side: 7,
                slot: 0,
                near: key,
            };
            let want = key.filter(|&k| k >= 1 << HINT_SHIFT).map(|k| k & !3);
            assert_eq!(Home::unpack(home.pack()).near, want);
        }
        // Beyond the book's limits: wide, exact, without a hint.
        for (side, slot) in [
            (1 << SIDE_BITS, 0),
            (3, 1 << SLOT_BITS),
            (8_000_000, u32::MAX),
        ] {
            let home = Home {
                side,
                slot,
                near: Some(99),
            };
            let packed = home.pack();
            assert_ne!(packed, u64::MAX);
            assert_eq!(Home::unpack(packed), Home { near: None, ..home });
        }
    }
}
