//! The board's host-memory formats for the tests of `liqscan_top`: command
//! entries encoded and result records decoded after
//! `liqscan_core::spec::registers`, every word position taken from there.

use liqscan_core::spec::registers::{cmd, record, RECORD_WORDS};
use liqscan_core::spec::{BracketConst, PositionConst};

/// `value`'s `words` 32-bit words, least significant first (two's
/// complement, so a negative value is sign-extended into the last word).
fn split(value: u128, words: u32) -> impl Iterator<Item = u32> {
    (0..words).map(move |i| (value >> (32 * i)) as u32)
}

/// An entry's words from 0 up to its last field.
fn entry(opcode: u32, fields: &[(u32, u128, u32)]) -> Vec<u32> {
    let len = fields
        .iter()
        .map(|&(at, _, words)| at + words)
        .max()
        .unwrap_or(1);
    let mut words = vec![0u32; len as usize];
    words[cmd::OPCODE as usize] = opcode;
    for &(at, value, n) in fields {
        for (i, word) in split(value, n).enumerate() {
            words[at as usize + i] = word;
        }
    }
    words
}

/// `OP_POSITION`: slot `slot` holds `position`, or is a hole (`None`).
pub fn position(slot: u32, position: Option<PositionConst>) -> Vec<u32> {
    use cmd::position::*;
    let p = position.unwrap_or_default();
    entry(
        cmd::OP_POSITION,
        &[
            (SLOT, slot.into(), 1),
            (VALID, position.is_some().into(), 1),
            (QTY, u128::from(p.qty_lots as u32), 1),
            (OFFSET, p.offset as u128, 4),
        ],
    )
}

/// `OP_BRACKET`: entry `index` of `symbol`'s bracket table.
pub fn bracket(symbol: u32, index: u32, b: &BracketConst) -> Vec<u32> {
    use cmd::bracket::*;
    entry(
        cmd::OP_BRACKET,
        &[
            (SYMBOL, symbol.into(), 1),
            (INDEX, index.into(), 1),
            (CAP, b.cap.into(), 2),
            (MAINT, b.maint, 4),
            (WEIGHT_LONG, b.weight_long.into(), 2),
            (WEIGHT_SHORT, b.weight_short.into(), 2),
        ],
    )
}

/// `OP_REGION`: `symbol` scans `count` slots from row `base_row`.
pub fn region(symbol: u32, base_row: u32, count: u32) -> Vec<u32> {
    use cmd::region::*;
    entry(
        cmd::OP_REGION,
        &[
            (SYMBOL, symbol.into(), 1),
            (BASE_ROW, base_row.into(), 1),
            (COUNT, count.into(), 1),
        ],
    )
}

/// One decoded result record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Liquidation {
        seq: u32,
        slot: u32,
        shortfall: i128,
    },
    Completion {
        seq: u32,
        cycles: u32,
        count: u32,
        stalls: u32,
    },
}

/// Decodes a record; `Err` names what is wrong with it.
pub fn decode(words: &[u32; RECORD_WORDS as usize]) -> Result<Record, String> {
    let w = |i: u32| words[i as usize];
    let unused = |from: u32, to: u32| (from..to).all(|i| w(i) == 0);
    match w(record::KIND) {
        record::LIQUIDATION => {
            let at = record::SHORTFALL;
            let shortfall = (0..4).fold(0u128, |v, i| v | (u128::from(w(at + i)) << (32 * i)));
            if !unused(record::SLOT + 1, at) {
                return Err(format!("liquidation record with stray words: {words:08x?}"));
            }
            Ok(Record::Liquidation {
                seq: w(record::SEQ),
                slot: w(record::SLOT),
                shortfall: shortfall as i128,
            })
        }
        record::COMPLETION => {
            if !unused(record::STALLS + 1, RECORD_WORDS) {
                return Err(format!("completion record with stray words: {words:08x?}"));
            }
            Ok(Record::Completion {
                seq: w(record::SEQ),
                cycles: w(record::CYCLES),
                count: w(record::COUNT),
                stalls: w(record::STALLS),
            })
        }
        kind => Err(format!("unknown record kind {kind}: {words:08x?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_fields_are_split_least_significant_first_and_sign_extended() {
        let words = position(
            7,
            Some(PositionConst {
                qty_lots: -2,
                offset: -3,
            }),
        );
        assert_eq!(words.len(), 8);
        assert_eq!(&words[..4], &[cmd::OP_POSITION, 7, 1, 0xFFFF_FFFE]);
        assert_eq!(&words[4..], &[0xFFFF_FFFD, u32::MAX, u32::MAX, u32::MAX]);
        assert_eq!(position(1, None)[2], 0);
        let b = BracketConst {
            cap: 0x1_0000_0002,
            maint: 5,
            mmr: 0,
            weight_long: 6,
            weight_short: 0x7_0000_0008,
        };
        let words = bracket(3, 15, &b);
        assert_eq!(words.len(), 13);
        assert_eq!(&words[3..5], &[2, 1]);
        assert_eq!(&words[11..13], &[8, 7]);
        assert_eq!(region(2, 9, 10), vec![cmd::OP_REGION, 2, 9, 10]);
    }

    #[test]
    fn decodes_both_kinds_and_refuses_others() {
        let mut words = [0u32; 8];
        words[0] = record::LIQUIDATION;
        words[1] = 4;
        words[2] = 9;
        words[4..8].copy_from_slice(&[0xFFFF_FFFF; 4]);
        assert_eq!(
            decode(&words),
            Ok(Record::Liquidation {
                seq: 4,
                slot: 9,
                shortfall: -1
            })
        );
        let completion = [record::COMPLETION, 4, 40, 1, 2, 0, 0, 0];
        assert_eq!(
            decode(&completion),
            Ok(Record::Completion {
                seq: 4,
                cycles: 40,
                count: 1,
                stalls: 2
            })
        );
        assert!(decode(&[9, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }
}
