//! The board's formats as the tests of `liqscan_top` use them: command
//! entries as the words a test bench writes (up to the opcode's last field)
//! and result records decoded strictly (a stray word is an error). The
//! encoding itself is `liqscan_core::board_format`'s, the driver's.

use liqscan_core::board_format::{Command, ResultRecord};
use liqscan_core::spec::registers::RECORD_WORDS;
use liqscan_core::spec::{BracketConst, PositionConst};

/// One decoded result record.
pub type Record = ResultRecord;

/// The words of `command` up to its opcode's last field.
fn words(command: Command) -> Vec<u32> {
    let (entry, used) = command.encode();
    entry[..used].to_vec()
}

/// `OP_POSITION`: slot `slot` holds `position`, or is a hole (`None`).
pub fn position(slot: u32, position: Option<PositionConst>) -> Vec<u32> {
    words(Command::Position { slot, position })
}

/// `OP_BRACKET`: entry `index` of `symbol`'s bracket table.
pub fn bracket(symbol: u32, index: u32, b: &BracketConst) -> Vec<u32> {
    let bracket = *b;
    words(Command::Bracket {
        symbol,
        index,
        bracket,
    })
}

/// `OP_REGION`: `symbol` scans `count` slots from row `base_row`.
pub fn region(symbol: u32, base_row: u32, count: u32) -> Vec<u32> {
    words(Command::Region {
        symbol,
        base_row,
        count,
    })
}

/// Decodes a record; `Err` names what is wrong with it, including a word
/// that its kind leaves unused and that is not 0.
pub fn decode(words: &[u32; RECORD_WORDS as usize]) -> Result<Record, String> {
    let record = ResultRecord::decode(words)
        .map_err(|kind| format!("unknown record kind {kind}: {words:08x?}"))?;
    if record.encode() != *words {
        return Err(format!("{record:?} with stray words: {words:08x?}"));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use liqscan_core::spec::registers::{cmd, record};

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
