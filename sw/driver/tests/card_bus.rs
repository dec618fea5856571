//! The driver against the card model in the same process (`CardBus`):
//! every tick equal to the `cpu` scanner's, event for event; a card it
//! cannot use or a book that does not fit refused before anything is
//! written; credits with more commands than the ring holds; a crash tick
//! with more records than the result ring; card errors named; failover.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{card, generated, replay, testkit, Hang, Op, Run};
use liqscan_core::report::grouped;
use liqscan_core::spec::registers::{
    self, cmd, reg, CMD_BASE, CMD_ENTRIES, CMD_WORDS, RING_RECORDS,
};
use liqscan_core::{CpuScanner, Engine, Market, Position, Tick};
use liqscan_driver::{
    Board, BoardOptions, Bus, Card, CardBus, CardModel, DriverError, ErrorFlags, Failover,
};
use liqscan_testkit::book::Profile;

/// Fast enough for an in-process card; the hang tests wait this long once.
const TIMEOUT: Duration = Duration::from_millis(50);

fn options() -> BoardOptions {
    BoardOptions { timeout: TIMEOUT }
}

fn board(market: &Arc<Market>, slots: usize) -> Board<CardBus<CardModel>> {
    Board::open_with(CardBus::new(card(market, slots)), market.clone(), options())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn generated_books_match_cpu() {
    for (seed, symbols) in [(1, 1), (2, 5), (3, 12)] {
        let run = generated(3_000, symbols, 400, seed);
        let mut board = board(&run.market, 1 << 14);
        let events = replay(&mut board, &run, |_| {});
        let stats = board.stats();
        println!("seed {seed}: {events} liquidations, {stats:?}");
        assert!(events > 20, "only {events} liquidations");
        assert_eq!(stats.ticks, run.ticks() as u64);
        assert_eq!(
            stats.tick_accesses.reads, 0,
            "a tick reads no card register"
        );
        assert_eq!(
            stats.tick_accesses.writes,
            3 * stats.ticks,
            "three posted writes a tick"
        );
        board.check_errors().unwrap();
    }
}

/// Edge books (positions exactly at `E = MM`, liquidated only with
/// `liquidate_at_equal`) and the widest values every field carries.
#[test]
fn adversarial_books_match_cpu() {
    let mut events = 0;
    for seed in 0..24 {
        for profile in [Profile::Random, Profile::Edges, Profile::Limits] {
            let run = testkit(seed, profile);
            let mut board = board(&run.market, 1 << 12);
            events += replay(&mut board, &run, |_| {});
            board.check_errors().unwrap();
        }
    }
    assert!(events > 100, "{events}");
}

/// Every mismatched identification register is named, with what was found
/// and what is needed.
#[test]
fn identify_refuses_a_card_it_cannot_use() {
    struct Patch<B> {
        inner: B,
        patches: Vec<(u32, u32)>,
    }
    impl<B: Bus> Bus for Patch<B> {
        fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
            match self.patches.iter().find(|(o, _)| *o == offset) {
                Some(&(_, value)) => Ok(value),
                None => self.inner.read(offset),
            }
        }
        fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
            self.inner.write(offset, value)
        }
        fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
            self.inner.ring_read(byte)
        }
        fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
            self.inner.ring_write(byte, value)
        }
    }
    let run = generated(50, 3, 1, 1);
    let refuse = |patches: Vec<(u32, u32)>, symbols: usize| {
        let card = CardModel::new(8, 1024, symbols).unwrap();
        let bus = Patch {
            inner: CardBus::new(card),
            patches,
        };
        match Board::open_with(bus, run.market.clone(), options()) {
            Err(e @ DriverError::Identify(_)) => {
                assert!(!e.is_fault());
                e.to_string()
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("accepted"),
        }
    };
    let all = refuse(
        vec![
            (reg::MAGIC, 0x1234_5678),
            // A card of the previous map version.
            (reg::VERSION, registers::MAP_VERSION - 1),
            (reg::SPEC_HASH, 7),
            (reg::PIPELINE_DEPTH, 33),
            (reg::CMD_ENTRIES, 32),
            (reg::LANES, 3),
            (reg::SLOTS, 1001),
        ],
        3,
    );
    println!("{all}");
    let version = registers::MAP_VERSION;
    let old = version - 1;
    let version_part = format!("VERSION is {old:#010x} ({old}), expected {version}");
    for part in [
        "MAGIC is 0x12345678 (305419896), expected 0x4c515343 (\"LQSC\")",
        &version_part,
        "SPEC_HASH is 0x00000007 (7), expected",
        "PIPELINE_DEPTH is 0x00000021 (33), expected 34",
        "CMD_ENTRIES is 0x00000020 (32), expected 64",
        "LANES is 3, expected one of [1, 2, 4, 8, 16]",
        "SLOTS is 1001, expected a positive whole number of rows of LANES = 3",
    ] {
        assert!(all.contains(part), "{part:?} in {all}");
    }
    assert!(!all.contains("SYMBOLS"), "{all}");
    let symbols = refuse(vec![], 2);
    assert_eq!(
        symbols,
        "the board cannot be used: SYMBOLS is 2, expected at least 3 (the book's symbols)"
    );
    let scratch = refuse(vec![(reg::SCRATCH, 0)], 3);
    assert!(
        scratch.contains("SCRATCH is 0x00000000, expected 0xa5c3"),
        "{scratch}"
    );
}

/// A book or an update that does not fit is refused before anything is
/// written, naming the board's slots and what the book needs; the board
/// keeps scanning what it holds.
#[test]
fn capacity_is_refused_before_any_write() {
    let run = generated(1_000, 3, 50, 4);
    let Op::Load(book) = &run.ops[0] else {
        panic!()
    };
    let all: Vec<&Position> = book.iter().collect();
    let slots = 512;
    let mut board = board(&run.market, slots);
    assert_eq!(board.capacity(), slots);
    let before = board.stats();
    let e = board.load_positions(&all).unwrap_err();
    let message = e.to_string();
    println!("{message}");
    assert!(matches!(e, DriverError::Capacity(_)), "{message}");
    assert!(!e.is_fault());
    assert!(
        message.starts_with(&format!(
            "the board holds {} slots; these 3 symbols need",
            grouped(slots as u64)
        )),
        "{message}"
    );
    assert!(message.contains("whole rows of 8 lanes"), "{message}");
    let after = board.stats();
    assert_eq!(
        after.update_accesses, before.update_accesses,
        "nothing written"
    );
    assert!(board.positions().is_empty());

    // What fits loads, and one more position in a full symbol is refused.
    let some: Vec<&Position> = all.iter().take(400).copied().collect();
    board.load_positions(&some).unwrap();
    let mut cpu = CpuScanner::new(run.market.clone());
    cpu.load(&some).unwrap();
    let mut refused = 0;
    for p in &all[400..] {
        let before = board.stats().update_accesses;
        match board.open_position(p) {
            Ok(()) => cpu.upsert(p).unwrap(),
            Err(DriverError::Capacity(_)) => {
                assert_eq!(board.stats().update_accesses, before, "nothing written");
                refused += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(refused > 0);
    assert!(board.failure().is_none());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for op in &run.ops {
        if let Op::Tick(tick) = op {
            board.scan(*tick, &mut a).unwrap();
            cpu.tick(*tick, &mut b).unwrap();
            assert_eq!(a, b);
        }
    }
    assert!(!b.is_empty());
}

/// More commands than the ring holds: the host never runs more than
/// `CMD_ENTRIES` entries ahead of the card, reads `CMD_CONSUMER` only when
/// out of credit (and then until a quarter of the ring is free), and the
/// card sees no overrun.
#[test]
fn credits_bound_the_commands_in_flight() {
    struct Watch<C> {
        inner: CardBus<C>,
        /// Entries the host has written (opcode words).
        written: u32,
        /// `CMD_CONSUMER` as last returned to the host.
        consumer: Option<u32>,
        reads: u32,
    }
    impl<C: Card> Bus for Watch<C> {
        fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
            let value = self.inner.read(offset)?;
            if offset == reg::CMD_CONSUMER {
                if let Some(last) = self.consumer {
                    // Out of credit, or waiting for a quarter ring of it.
                    let credit = CMD_ENTRIES - self.written.wrapping_sub(last);
                    assert!(
                        credit < CMD_ENTRIES / 4,
                        "CMD_CONSUMER read with {credit} credit"
                    );
                    self.reads += 1;
                }
                self.consumer = Some(value);
            }
            Ok(value)
        }
        fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
            if offset >= CMD_BASE && (offset - CMD_BASE) % (CMD_WORDS * 4) == 4 * cmd::OPCODE {
                self.written += 1;
                let applied = self.inner.card_mut().read(reg::CMD_CONSUMER)?;
                assert!(
                    self.written.wrapping_sub(applied) <= CMD_ENTRIES,
                    "{} entries written, {applied} applied",
                    self.written
                );
            }
            self.inner.write(offset, value)
        }
        fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
            self.inner.ring_read(byte)
        }
        fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
            self.inner.ring_write(byte, value)
        }
    }
    let run = generated(2_000, 6, 100, 5);
    let watch = Watch {
        // A slow card: 4 cycles (commands) per host read.
        inner: CardBus::with_cycles_per_read(card(&run.market, 1 << 13), 4),
        written: 0,
        consumer: None,
        reads: 0,
    };
    let mut board = Board::open_with(watch, run.market.clone(), options()).unwrap();
    replay(&mut board, &run, |_| {});
    let stats = board.stats();
    println!("{stats:?}");
    let watch = board.bus();
    assert!(
        watch.written > 10 * CMD_ENTRIES,
        "{} entries",
        watch.written
    );
    assert!(watch.reads > 0, "the credit ran out");
    assert_eq!(u64::from(watch.reads), stats.credit_reads);
    board.check_errors().unwrap();
}

/// A crash tick liquidating more positions than the result ring holds: the
/// DMA engine holds the stream while the ring is full, the host's consumer
/// index frees it, the indices wrap, and nothing is lost.
#[test]
fn a_crash_tick_wraps_the_result_ring() {
    let run = generated(240_000, 1, 1, 6);
    let Op::Load(book) = &run.ops[0] else {
        panic!()
    };
    let all: Vec<&Position> = book.iter().collect();
    let mut board = board(&run.market, 1 << 18);
    board.load_positions(&all).unwrap();
    let mut cpu = CpuScanner::new(run.market.clone());
    cpu.load(&all).unwrap();
    let symbol = all[0].symbol;
    let (mut got, mut want) = (Vec::new(), Vec::new());
    for (seq, price) in [(1, 1), (2, u32::MAX), (3, 1)] {
        let tick = Tick { seq, symbol, price };
        got.clear();
        want.clear();
        board.scan(tick, &mut got).unwrap();
        cpu.tick(tick, &mut want).unwrap();
        assert!(
            got == want,
            "tick {seq}: {} vs {} liquidations",
            got.len(),
            want.len()
        );
        println!("tick {seq}: {} liquidations", got.len());
        if seq == 1 {
            assert!(
                got.len() > RING_RECORDS as usize,
                "{} liquidations",
                got.len()
            );
        }
    }
    board.check_errors().unwrap();
}

/// A card error is named: a doorbell out of sequence (the card flags a
/// gap, and its records carry another number) and a bad opcode.
#[test]
fn card_errors_are_named() {
    /// Adds `skew` to every `TICK_SEQ` write after the first `after`, and
    /// turns position commands into an unknown opcode when `bad_opcode`.
    struct Skew<B> {
        inner: B,
        after: usize,
        rung: usize,
        bad_opcode: bool,
    }
    impl<B: Bus> Bus for Skew<B> {
        fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
            self.inner.read(offset)
        }
        fn write(&mut self, offset: u32, mut value: u32) -> Result<(), DriverError> {
            if offset == reg::TICK_SEQ {
                self.rung += 1;
                if self.rung > self.after {
                    value += 1;
                }
            }
            let opcode = offset >= CMD_BASE && (offset - CMD_BASE) % (CMD_WORDS * 4) == 0;
            if self.bad_opcode && opcode && value == cmd::OP_POSITION {
                value = 0x77;
            }
            self.inner.write(offset, value)
        }
        fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
            self.inner.ring_read(byte)
        }
        fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
            self.inner.ring_write(byte, value)
        }
    }
    let run = generated(300, 2, 20, 7);
    let skew = |after, bad_opcode| Skew {
        inner: CardBus::new(card(&run.market, 1 << 12)),
        after,
        rung: 0,
        bad_opcode,
    };
    let mut board = Board::open_with(skew(3, false), run.market.clone(), options()).unwrap();
    let mut out = Vec::new();
    let mut error = None;
    for op in &run.ops {
        let result = match op {
            Op::Load(book) => board.load_positions(&book.iter().collect::<Vec<_>>()),
            Op::Upsert(p) => board.open_position(p),
            Op::Close(id) => board.close_position(*id).map(|_| ()),
            Op::Tick(tick) => board.scan(*tick, &mut out),
        };
        if let Err(e) = result {
            error = Some(e);
            break;
        }
    }
    let e = error.expect("the skewed doorbell went unnoticed");
    let message = e.to_string();
    println!("{message}");
    assert!(
        matches!(&e, DriverError::Anomaly { errors: ErrorFlags::Read(flags), .. }
            if flags & registers::errors::TICK_SEQ_GAP != 0),
        "{message}"
    );
    assert!(message.contains("tick sequence gap"), "{message}");
    assert!(
        message.contains("expected a record of doorbell 4"),
        "{message}"
    );
    assert!(e.is_fault());
    // The board is not used again.
    let next = board.scan(
        Tick {
            seq: 99,
            symbol: liqscan_core::SymbolId(0),
            price: 1,
        },
        &mut out,
    );
    assert!(matches!(next, Err(DriverError::Failed(_))), "{next:?}");

    let mut board =
        Board::open_with(skew(usize::MAX, true), run.market.clone(), options()).unwrap();
    let Op::Load(book) = &run.ops[0] else {
        panic!()
    };
    board
        .load_positions(&book.iter().collect::<Vec<_>>())
        .unwrap();
    board
        .scan(
            Tick {
                seq: 1,
                symbol: liqscan_core::SymbolId(0),
                price: 1,
            },
            &mut out,
        )
        .unwrap();
    let e = board.check_errors().unwrap_err().to_string();
    assert!(e.contains("bad opcode"), "{e}");
}

/// A card that stops answering: the board times out naming the tick; the
/// failover engine redoes that tick on cpu and the run's output is cpu's,
/// every event once.
#[test]
fn a_hung_card_fails_over_to_cpu() {
    let run = generated(3_000, 4, 200, 8);
    let hang_at = 120;

    let mut alone = Board::open_with(
        Hang::after(CardBus::new(card(&run.market, 1 << 14)), 0),
        run.market.clone(),
        options(),
    )
    .unwrap();
    let Op::Tick(tick) = run.ops.iter().find(|op| matches!(op, Op::Tick(_))).unwrap() else {
        unreachable!()
    };
    let e = alone.scan(*tick, &mut Vec::new()).unwrap_err();
    let message = e.to_string();
    assert!(matches!(e, DriverError::Timeout { .. }), "{message}");
    assert!(
        message.starts_with(&format!("tick {} (doorbell 1", tick.seq))
            && message.contains("no progress for 50ms; card errors: none"),
        "{message}"
    );

    let bus = Hang::after(CardBus::new(card(&run.market, 1 << 14)), hang_at);
    let board = Board::open_with(bus, run.market.clone(), options()).unwrap();
    let mut engine = Failover::new(board);
    assert_eq!(engine.name(), "board");
    let mut board_ticks = 0;
    let events = replay(&mut engine, &run, |i| {
        if i < hang_at {
            board_ticks += 1;
        }
    });
    assert_eq!(engine.failovers(), 1);
    assert_eq!(engine.name(), "cpu");
    assert!(engine.board().is_none());
    assert!(events > 0 && board_ticks == hang_at);
}

/// A bus that fails in the middle of an update: the update is redone on cpu.
#[test]
fn a_bus_error_during_an_update_fails_over() {
    struct FailAfter<B> {
        inner: B,
        writes: usize,
    }
    impl<B: Bus> Bus for FailAfter<B> {
        fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
            self.inner.read(offset)
        }
        fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
            if self.writes == 0 {
                return Err(DriverError::Bus(format!("write of {offset:#x} failed")));
            }
            self.writes -= 1;
            self.inner.write(offset, value)
        }
        fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
            self.inner.ring_read(byte)
        }
        fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
            self.inner.ring_write(byte, value)
        }
    }
    let run = generated(2_000, 3, 150, 9);
    let card = card(&run.market, 1 << 13);
    let opened = Board::open_with(CardBus::new(card), run.market.clone(), options()).unwrap();
    // Enough writes for the open and the load, then a failure some updates later.
    let budget = opened.stats().open.writes as usize + 8 * 2_000 + 500;
    let bus = FailAfter {
        inner: CardBus::new(common::card(&run.market, 1 << 13)),
        writes: budget,
    };
    let mut engine = Failover::new(Board::open_with(bus, run.market.clone(), options()).unwrap());
    replay(&mut engine, &run, |_| {});
    assert_eq!(engine.failovers(), 1);
}

/// The board's run, ticks through `Run`: guards that the helper runs
/// every kind of operation (a vacuous run would pass everything above).
#[test]
fn runs_hold_every_kind_of_operation() {
    let run: Run = generated(500, 2, 50, 10);
    let kinds = |f: fn(&Op) -> bool| run.ops.iter().filter(|op| f(op)).count();
    assert_eq!(kinds(|op| matches!(op, Op::Load(_))), 1);
    assert!(kinds(|op| matches!(op, Op::Upsert(_))) > 10);
    assert!(kinds(|op| matches!(op, Op::Close(_))) > 5);
    assert_eq!(run.ticks(), 50);
}
