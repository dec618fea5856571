//! The card model's register semantics, access by access.

use liqscan_core::spec::registers::{self, cmd, errors, record, reg, status};
use liqscan_core::spec::{scan_cycles, BracketConst, PositionConst, NOTIONAL_MAX};

use super::*;

const LANES: usize = 4;

fn card() -> CardModel {
    CardModel::new(LANES, 64, 4).unwrap()
}

/// Writes `command` into entry `index` (all 16 words).
fn put(card: &mut CardModel, index: u32, command: Command) {
    let (words, _) = command.encode();
    let base = CMD_BASE + (index % CMD_ENTRIES) * CMD_WORDS * 4;
    for (i, &w) in words.iter().enumerate() {
        card.write(base + 4 * i as u32, w).unwrap();
    }
}

/// Writes `commands` from entry `first` and commits them.
fn commit(card: &mut CardModel, first: u32, commands: &[Command]) -> u32 {
    for (i, &c) in commands.iter().enumerate() {
        put(card, first + i as u32, c);
    }
    let producer = first + commands.len() as u32;
    card.write(reg::CMD_PRODUCER, producer).unwrap();
    producer
}

fn ring(card: &mut CardModel, symbol: u32, price: u32, seq: u32) {
    card.write(reg::TICK_SYMBOL, symbol).unwrap();
    card.write(reg::TICK_PRICE, price).unwrap();
    card.write(reg::TICK_SEQ, seq).unwrap();
}

fn clock(card: &mut CardModel, cycles: u64) -> Vec<ResultRecord> {
    let mut out = Vec::new();
    card.clock(cycles, true, &mut out).unwrap();
    out.iter()
        .map(|r| ResultRecord::decode(r).unwrap())
        .collect()
}

/// A table whose only bracket liquidates every long with `T + A < X·W`:
/// `A = 0`, `W+ = 1`, so a long of `Q` lots with offset `−k` liquidates iff `Q·P < k`.
fn simple_brackets(symbol: u32) -> Vec<Command> {
    (0..16)
        .map(|index| Command::Bracket {
            symbol,
            index,
            bracket: BracketConst {
                cap: NOTIONAL_MAX,
                maint: 0,
                mmr: 0,
                weight_long: 1,
                weight_short: 1,
            },
        })
        .collect()
}

fn long(offset: i128) -> Option<PositionConst> {
    Some(PositionConst {
        qty_lots: 1,
        offset,
    })
}

#[test]
fn identification_reads_the_build() {
    let mut card = card();
    assert_eq!(card.read(reg::MAGIC).unwrap(), registers::MAGIC);
    assert_eq!(card.read(reg::VERSION).unwrap(), registers::MAP_VERSION);
    assert_eq!(card.read(reg::SPEC_HASH).unwrap(), registers::spec_hash());
    assert_eq!(card.read(reg::LANES).unwrap(), LANES as u32);
    assert_eq!(card.read(reg::SLOTS).unwrap(), 64);
    assert_eq!(card.read(reg::SYMBOLS).unwrap(), 4);
    assert_eq!(
        card.read(reg::PIPELINE_DEPTH).unwrap(),
        PIPELINE_DEPTH as u32
    );
    assert_eq!(card.read(reg::CMD_ENTRIES).unwrap(), CMD_ENTRIES);
    // Read-only: a write is ignored.
    card.write(reg::MAGIC, 0).unwrap();
    assert_eq!(card.read(reg::MAGIC).unwrap(), registers::MAGIC);
    assert!(CardModel::new(4, 63, 1).is_err());
}

#[test]
fn rw_reads_back_wo_reads_zero_and_bad_addresses_fail() {
    let mut card = card();
    card.write(reg::SCRATCH, 0xDEAD_BEEF).unwrap();
    assert_eq!(card.read(reg::SCRATCH).unwrap(), 0xDEAD_BEEF);
    card.write(CMD_BASE + 8, 7).unwrap();
    assert_eq!(
        card.read(CMD_BASE + 8).unwrap(),
        0,
        "command words are write-only"
    );
    card.write(reg::ERRORS_CLEAR, 1).unwrap();
    assert_eq!(card.read(reg::ERRORS_CLEAR).unwrap(), 0);
    assert_eq!(card.errors(), 0);
    for offset in [0x03C, 0x002, WINDOW_BYTES_OUTSIDE] {
        assert!(
            matches!(card.read(offset), Err(DriverError::Bus(_))),
            "{offset:#x}"
        );
        assert!(card.write(offset, 1).is_err());
    }
    assert_eq!(card.read(reg::ERRORS).unwrap(), errors::BAD_ADDRESS);
    card.write(reg::ERRORS_CLEAR, errors::BAD_ADDRESS).unwrap();
    assert_eq!(card.read(reg::ERRORS).unwrap(), 0);
}

const WINDOW_BYTES_OUTSIDE: u32 = registers::WINDOW_BYTES;

#[test]
fn commands_apply_in_order_one_a_cycle_and_a_tick_scans_them() {
    let mut card = card();
    let mut commands = simple_brackets(1);
    commands.push(Command::Position {
        slot: 8,
        position: long(-10),
    });
    commands.push(Command::Position {
        slot: 9,
        position: long(-3),
    });
    commands.push(Command::Position {
        slot: 9,
        position: long(-30),
    });
    commands.push(Command::Position {
        slot: 10,
        position: None,
    });
    commands.push(Command::Region {
        symbol: 1,
        base_row: 2,
        count: 3,
    });
    let n = commands.len() as u32;
    let producer = commit(&mut card, 0, &commands);
    assert_eq!(card.read(reg::STATUS).unwrap(), status::CMD_PENDING);
    assert!(clock(&mut card, 5).is_empty());
    assert_eq!(card.read(reg::CMD_CONSUMER).unwrap(), 5, "one a cycle");
    // The doorbell waits for the commands committed before it.
    ring(&mut card, 1, 20, 1);
    assert_eq!(
        card.read(reg::STATUS).unwrap(),
        status::CMD_PENDING | status::TICK_PENDING
    );
    let out = clock(&mut card, u64::from(n) - 5);
    assert!(out.is_empty());
    assert_eq!(card.read(reg::CMD_CONSUMER).unwrap(), producer);
    assert_eq!(card.slot(9), long(-30), "applied in order");
    // Accept, then Q·P = 20 liquidates offsets −30 (slot 9), not −10 (slot 8).
    let cycles = scan_cycles(3, LANES as u64);
    let out = clock(&mut card, 1 + cycles + 1);
    assert_eq!(
        out,
        [
            ResultRecord::Liquidation {
                seq: 1,
                slot: 9,
                shortfall: 10
            },
            ResultRecord::Completion {
                seq: 1,
                cycles: cycles as u32,
                count: 1,
                stalls: 0
            }
        ]
    );
    assert_eq!(card.slot(9), None, "a liquidated slot is cleared");
    assert_eq!(card.slot(8), long(-10));
    assert_eq!(card.read(reg::STATUS).unwrap(), 0);
    assert_eq!(card.read(reg::TICK_DONE_SEQ).unwrap(), 1);
    assert_eq!(card.read(reg::TICKS).unwrap(), 1);
    assert_eq!(card.read(reg::RESULTS).unwrap(), 1);
    assert_eq!(card.read(reg::LAST_SCAN_CYCLES).unwrap(), cycles as u32);
    assert_eq!(card.read(reg::ERRORS).unwrap(), 0);
    // A write of the same TICK_SEQ is no new tick.
    card.write(reg::TICK_SEQ, 1).unwrap();
    assert_eq!(card.read(reg::STATUS).unwrap(), 0);
    let total = card.read(reg::CYCLES_LO).unwrap();
    assert_eq!(u64::from(total), card.simulated_cycles());
}

#[test]
fn at_equal_and_a_held_stream() {
    let mut card = card();
    let mut commands = simple_brackets(0);
    commands.extend((0..3).map(|slot| Command::Position {
        slot,
        position: long(-20),
    }));
    commands.push(Command::Region {
        symbol: 0,
        base_row: 0,
        count: 3,
    });
    commit(&mut card, 0, &commands);
    // Q·P = 20 = −T: a sum of exactly 0.
    ring(&mut card, 0, 20, 1);
    let out = clock(&mut card, 200);
    assert_eq!(
        out.len(),
        1,
        "not liquidated at 0 without AT_EQUAL: {out:?}"
    );
    card.write(reg::CONTROL, control::AT_EQUAL).unwrap();
    ring(&mut card, 0, 20, 2);
    let mut beats = Vec::new();
    card.clock(1, true, &mut beats).unwrap(); // the accepting edge
    card.clock(10, false, &mut beats).unwrap();
    assert!(beats.is_empty(), "no beat with ready low");
    assert_eq!(card.read(reg::STATUS).unwrap(), status::BUSY);
    card.clock(200, true, &mut beats).unwrap();
    let out: Vec<ResultRecord> = beats
        .iter()
        .map(|r| ResultRecord::decode(r).unwrap())
        .collect();
    assert_eq!(out.len(), 4);
    let cycles = scan_cycles(3, LANES as u64) as u32;
    assert_eq!(
        out[3],
        ResultRecord::Completion {
            seq: 2,
            cycles: cycles + 10,
            count: 3,
            stalls: 10
        }
    );
    assert_eq!(card.read(reg::STALL_CYCLES).unwrap(), 10);
    assert_eq!(beats[0][record::KIND as usize], record::LIQUIDATION);
}

/// `BUSY` holds while any record of the tick, the completion included,
/// waits on `ready = false`, well after the scan itself is over; the next
/// rung tick waits for it too. As the circuit does (hw/tests/top_status.rs).
#[test]
fn busy_holds_until_the_completion_has_left() {
    let mut card = card();
    let mut commands = simple_brackets(0);
    commands.push(Command::Position {
        slot: 1,
        position: long(-100),
    });
    commands.push(Command::Region {
        symbol: 0,
        base_row: 0,
        count: 4,
    });
    commands.push(Command::Region {
        symbol: 1,
        base_row: 1,
        count: 0,
    });
    commit(&mut card, 0, &commands);
    let mut beats = Vec::new();
    // An empty region: its only record is the completion, which waits.
    ring(&mut card, 1, 20, 1);
    card.clock(500, false, &mut beats).unwrap();
    assert!(beats.is_empty());
    assert_eq!(card.read(reg::STATUS).unwrap(), status::BUSY);
    assert_eq!(card.read(reg::TICK_DONE_SEQ).unwrap(), 0);
    // A doorbell now is pending behind it, not started.
    ring(&mut card, 0, 20, 2);
    card.clock(500, false, &mut beats).unwrap();
    assert_eq!(
        card.read(reg::STATUS).unwrap(),
        status::BUSY | status::TICK_PENDING
    );
    // One cycle of ready: the completion leaves; the next tick starts and
    // holds BUSY with its liquidation waiting.
    card.clock(1, true, &mut beats).unwrap();
    assert_eq!(beats.len(), 1);
    assert_eq!(card.read(reg::TICK_DONE_SEQ).unwrap(), 1);
    card.clock(500, false, &mut beats).unwrap();
    assert_eq!(card.read(reg::STATUS).unwrap(), status::BUSY);
    // The liquidation leaves, the completion still waits: still BUSY.
    card.clock(1, true, &mut beats).unwrap();
    card.clock(500, false, &mut beats).unwrap();
    assert_eq!(beats.len(), 2);
    assert_eq!(beats[1][record::KIND as usize], record::LIQUIDATION);
    assert_eq!(card.read(reg::STATUS).unwrap(), status::BUSY);
    assert_eq!(card.read(reg::TICK_DONE_SEQ).unwrap(), 1);
    card.clock(1, true, &mut beats).unwrap();
    assert_eq!(beats.len(), 3);
    assert_eq!(card.read(reg::STATUS).unwrap(), 0);
    assert_eq!(card.read(reg::TICK_DONE_SEQ).unwrap(), 2);
}

#[test]
fn sticky_errors_are_flagged_and_cleared() {
    let mut card = card();
    // A sequence gap: the tick still runs.
    ring(&mut card, 0, 5, 3);
    assert_eq!(card.errors(), errors::TICK_SEQ_GAP);
    // Rung again before it started: dropped.
    ring(&mut card, 0, 5, 4);
    assert_eq!(card.errors(), errors::TICK_SEQ_GAP | errors::TICK_OVERRUN);
    let out = clock(&mut card, 100);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].seq(), 3);
    card.write(reg::ERRORS_CLEAR, errors::ALL).unwrap();

    // A bad opcode and an out-of-range slot are skipped; the rest applies.
    let mut bad = Entry::default();
    bad[cmd::OPCODE as usize] = 99;
    for (i, &w) in bad.iter().enumerate() {
        card.write(CMD_BASE + 4 * i as u32, w).unwrap();
    }
    put(
        &mut card,
        1,
        Command::Position {
            slot: 64,
            position: long(1),
        },
    );
    put(
        &mut card,
        2,
        Command::Region {
            symbol: 0,
            base_row: 15,
            count: 5,
        },
    );
    put(
        &mut card,
        3,
        Command::Position {
            slot: 63,
            position: long(1),
        },
    );
    card.write(reg::CMD_PRODUCER, 4).unwrap();
    clock(&mut card, 10);
    assert_eq!(card.errors(), errors::BAD_OPCODE | errors::OUT_OF_RANGE);
    assert_eq!(card.slot(63), long(1));
    card.write(reg::ERRORS_CLEAR, errors::ALL).unwrap();

    // A producer more than CMD_ENTRIES ahead: overrun, refused.
    card.write(reg::CMD_PRODUCER, 4 + CMD_ENTRIES + 1).unwrap();
    assert_eq!(card.errors(), errors::CMD_OVERRUN);
    assert_eq!(card.read(reg::CMD_PRODUCER).unwrap(), 4);
    assert_eq!(card.read(reg::CMD_CONSUMER).unwrap(), 4);
    card.write(reg::ERRORS_CLEAR, errors::ALL).unwrap();
    // Backwards.
    card.write(reg::CMD_PRODUCER, 2).unwrap();
    assert_eq!(card.errors(), errors::CMD_OVERRUN);
    card.write(reg::ERRORS_CLEAR, errors::CMD_OVERRUN).unwrap();

    // A tick of a symbol beyond the build: completed at once, no liquidation.
    ring(&mut card, 9, 5, 5);
    assert_eq!(
        clock(&mut card, 100),
        [ResultRecord::Completion {
            seq: 5,
            cycles: 0,
            count: 0,
            stalls: 0
        }]
    );
    assert_eq!(card.errors(), errors::OUT_OF_RANGE);
    assert_eq!(card.read(reg::TICK_DONE_SEQ).unwrap(), 5);
}

#[test]
fn commands_after_a_doorbell_wait_for_its_scan() {
    let mut card = card();
    let mut commands = simple_brackets(0);
    commands.push(Command::Position {
        slot: 0,
        position: long(-20),
    });
    commands.push(Command::Region {
        symbol: 0,
        base_row: 0,
        count: 1,
    });
    let producer = commit(&mut card, 0, &commands);
    ring(&mut card, 0, 10, 1);
    // Committed after the doorbell: replaces the position with a safe one.
    commit(
        &mut card,
        producer,
        &[Command::Position {
            slot: 0,
            position: long(100),
        }],
    );
    let out = clock(&mut card, 500);
    assert_eq!(
        out.len(),
        2,
        "the scan saw the position before the later command"
    );
    assert_eq!(card.slot(0), long(100));
}
