//! The board's command entries and result records as words, both ways:
//! the driver encodes commands and decodes records, the card model and the
//! circuit's tests decode commands (as the circuit does: each field
//! truncated to its width) and encode records. Field positions are `spec::registers`'; wide values take
//! consecutive words, least significant first, sign-extended into the last.

use crate::spec::registers::{cmd, record, CMD_WORDS, RECORD_WORDS};
use crate::spec::{
    BracketConst, PositionConst, MAINT_BITS, NOTIONAL_BITS, OFFSET_BITS, WEIGHT_BITS,
};

/// One command entry's words.
pub type Entry = [u32; CMD_WORDS as usize];
/// One result record: one 256-bit stream beat.
pub type Record = [u32; RECORD_WORDS as usize];

/// A command to the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Write slot `slot` of the whole memory: a position or a hole.
    Position {
        slot: u32,
        position: Option<PositionConst>,
    },
    /// Write bracket `index` of `symbol`'s table.
    Bracket {
        symbol: u32,
        index: u32,
        bracket: BracketConst,
    },
    /// Give `symbol` the slots `base_row·L .. base_row·L + count`.
    Region {
        symbol: u32,
        base_row: u32,
        count: u32,
    },
}

impl Command {
    /// The entry's words, and how many of them carry fields (the driver
    /// writes only those; the card reads no other).
    pub fn encode(&self) -> (Entry, usize) {
        let mut e = Entry::default();
        let used = match *self {
            Command::Position { slot, position } => {
                use cmd::position as f;
                let p = position.unwrap_or_default();
                e[cmd::OPCODE as usize] = cmd::OP_POSITION;
                e[f::SLOT as usize] = slot;
                e[f::VALID as usize] = u32::from(position.is_some());
                e[f::QTY as usize] = p.qty_lots as u32;
                put(&mut e, f::OFFSET, 4, p.offset as u128);
                f::OFFSET + 4
            }
            Command::Bracket {
                symbol,
                index,
                bracket: b,
            } => {
                use cmd::bracket as f;
                e[cmd::OPCODE as usize] = cmd::OP_BRACKET;
                e[f::SYMBOL as usize] = symbol;
                e[f::INDEX as usize] = index;
                put(&mut e, f::CAP, 2, u128::from(b.cap));
                put(&mut e, f::MAINT, 4, b.maint);
                put(&mut e, f::WEIGHT_LONG, 2, u128::from(b.weight_long));
                put(&mut e, f::WEIGHT_SHORT, 2, u128::from(b.weight_short));
                f::WEIGHT_SHORT + 2
            }
            Command::Region {
                symbol,
                base_row,
                count,
            } => {
                use cmd::region as f;
                e[cmd::OPCODE as usize] = cmd::OP_REGION;
                e[f::SYMBOL as usize] = symbol;
                e[f::BASE_ROW as usize] = base_row;
                e[f::COUNT as usize] = count;
                f::COUNT + 1
            }
        };
        (e, used as usize)
    }

    /// The command an entry holds, read as the circuit reads it: each field
    /// truncated to its width (`T` to `OFFSET_BITS` signed, `cap` to
    /// `NOTIONAL_BITS`, `A_b` to `MAINT_BITS`, `W` to `WEIGHT_BITS`), `valid`
    /// its bit 0. An unknown opcode is returned as the error.
    pub fn decode(e: &Entry) -> Result<Command, u32> {
        Ok(match e[cmd::OPCODE as usize] {
            cmd::OP_POSITION => {
                use cmd::position as f;
                let valid = e[f::VALID as usize] & 1 == 1;
                Command::Position {
                    slot: e[f::SLOT as usize],
                    position: valid.then(|| PositionConst {
                        qty_lots: e[f::QTY as usize] as i32,
                        offset: sign_extend(get(e, f::OFFSET, 4), OFFSET_BITS),
                    }),
                }
            }
            cmd::OP_BRACKET => {
                use cmd::bracket as f;
                Command::Bracket {
                    symbol: e[f::SYMBOL as usize],
                    index: e[f::INDEX as usize],
                    bracket: BracketConst {
                        cap: truncate(get(e, f::CAP, 2), NOTIONAL_BITS) as u64,
                        maint: truncate(get(e, f::MAINT, 4), MAINT_BITS),
                        // The rate is not on the card: the weights carry it.
                        mmr: 0,
                        weight_long: truncate(get(e, f::WEIGHT_LONG, 2), WEIGHT_BITS) as u64,
                        weight_short: truncate(get(e, f::WEIGHT_SHORT, 2), WEIGHT_BITS) as u64,
                    },
                }
            }
            cmd::OP_REGION => {
                use cmd::region as f;
                Command::Region {
                    symbol: e[f::SYMBOL as usize],
                    base_row: e[f::BASE_ROW as usize],
                    count: e[f::COUNT as usize],
                }
            }
            opcode => return Err(opcode),
        })
    }
}

/// A result record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultRecord {
    /// Tick `seq` liquidated slot `slot` (the card cleared it).
    Liquidation {
        seq: u32,
        slot: u32,
        shortfall: i128,
    },
    /// Tick `seq` is complete: `count` liquidation records came before it.
    Completion {
        seq: u32,
        cycles: u32,
        count: u32,
        stalls: u32,
    },
}

impl ResultRecord {
    pub fn encode(&self) -> Record {
        let mut r = Record::default();
        match *self {
            ResultRecord::Liquidation {
                seq,
                slot,
                shortfall,
            } => {
                r[record::KIND as usize] = record::LIQUIDATION;
                r[record::SEQ as usize] = seq;
                r[record::SLOT as usize] = slot;
                put(&mut r, record::SHORTFALL, 4, shortfall as u128);
            }
            ResultRecord::Completion {
                seq,
                cycles,
                count,
                stalls,
            } => {
                r[record::KIND as usize] = record::COMPLETION;
                r[record::SEQ as usize] = seq;
                r[record::CYCLES as usize] = cycles;
                r[record::COUNT as usize] = count;
                r[record::STALLS as usize] = stalls;
            }
        }
        r
    }

    /// The record in `r`; an unknown kind is returned as the error.
    pub fn decode(r: &Record) -> Result<ResultRecord, u32> {
        let seq = r[record::SEQ as usize];
        Ok(match r[record::KIND as usize] {
            record::LIQUIDATION => ResultRecord::Liquidation {
                seq,
                slot: r[record::SLOT as usize],
                shortfall: get(r, record::SHORTFALL, 4) as i128,
            },
            record::COMPLETION => ResultRecord::Completion {
                seq,
                cycles: r[record::CYCLES as usize],
                count: r[record::COUNT as usize],
                stalls: r[record::STALLS as usize],
            },
            kind => return Err(kind),
        })
    }

    /// The tick's sequence number.
    pub fn seq(&self) -> u32 {
        match *self {
            ResultRecord::Liquidation { seq, .. } | ResultRecord::Completion { seq, .. } => seq,
        }
    }
}

/// Writes the low `words` words of `value` from word `at`, least significant first.
fn put(out: &mut [u32], at: u32, words: u32, value: u128) {
    for i in 0..words {
        out[(at + i) as usize] = (value >> (32 * i)) as u32;
    }
}

/// `words` words from `at` as one value, sign-extended from the last word's
/// top bit (a value of 4 words is its own two's complement).
fn get(from: &[u32], at: u32, words: u32) -> u128 {
    let value = (0..words).fold(0u128, |v, i| {
        v | u128::from(from[(at + i) as usize]) << (32 * i)
    });
    if words < 4 {
        sign_extend(value, 32 * words) as u128
    } else {
        value
    }
}

/// The low `bits` bits of `value`, unsigned.
fn truncate(value: u128, bits: u32) -> u128 {
    value & ((1u128 << bits) - 1)
}

/// The low `bits` bits of `value` as a two's-complement number.
fn sign_extend(value: u128, bits: u32) -> i128 {
    let shift = 128 - bits;
    ((value << shift) as i128) >> shift
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::NOTIONAL_MAX;

    #[test]
    fn commands_round_trip() {
        let commands = [
            Command::Position {
                slot: 77,
                position: Some(PositionConst {
                    qty_lots: -5,
                    offset: -(1i128 << 100) + 3,
                }),
            },
            Command::Position {
                slot: 1 << 20,
                position: Some(PositionConst {
                    qty_lots: i32::MAX,
                    offset: (1i128 << 107) - 1,
                }),
            },
            Command::Position {
                slot: 3,
                position: None,
            },
            Command::Bracket {
                symbol: 4095,
                index: 15,
                bracket: BracketConst {
                    cap: NOTIONAL_MAX,
                    maint: (1u128 << 107) - 1,
                    mmr: 0,
                    weight_long: (1 << 37) - 1,
                    weight_short: 12_345,
                },
            },
            Command::Region {
                symbol: 2,
                base_row: 9,
                count: 70,
            },
        ];
        for c in commands {
            let (entry, used) = c.encode();
            assert!(entry[used..].iter().all(|&w| w == 0), "{c:?}");
            assert_eq!(Command::decode(&entry), Ok(c));
        }
        let mut entry = Entry::default();
        entry[0] = 9;
        assert_eq!(Command::decode(&entry), Err(9));
    }

    #[test]
    fn the_card_truncates_fields_to_their_widths() {
        let (mut entry, _) = Command::Position {
            slot: 0,
            position: Some(PositionConst {
                qty_lots: 1,
                offset: 1,
            }),
        }
        .encode();
        // Bit 107 set in a positive 4-word value: negative at 108 bits.
        entry[cmd::position::OFFSET as usize + 3] = 1 << (107 - 96);
        let Ok(Command::Position {
            position: Some(p), ..
        }) = Command::decode(&entry)
        else {
            panic!()
        };
        assert_eq!(p.offset, -(1i128 << 107) + 1);
    }

    #[test]
    fn records_round_trip() {
        for r in [
            ResultRecord::Liquidation {
                seq: 7,
                slot: 12,
                shortfall: (1i128 << 109) - 1,
            },
            ResultRecord::Liquidation {
                seq: u32::MAX,
                slot: 0,
                shortfall: -1,
            },
            ResultRecord::Completion {
                seq: 8,
                cycles: 100,
                count: 3,
                stalls: 2,
            },
        ] {
            assert_eq!(ResultRecord::decode(&r.encode()), Ok(r));
        }
        assert_eq!(ResultRecord::decode(&Record::default()), Err(0));
    }
}
