//! `liqscan_top`'s bus side in rust-hdl's simulator: the AXI4-Lite
//! protocol under random back-pressure on every channel, the register map
//! read back, and the command ring's and doorbell's error handling.

mod top_common;

use liqscan_core::spec::registers::{self as map, cmd, errors, reg, status, CMD_BASE, CMD_ENTRIES};
use liqscan_core::spec::{BracketConst, PositionConst, PIPELINE_DEPTH};
use liqscan_hw::top::{readable, ReadSelect, RESP_SLVERR};
use liqscan_testkit::board::{self, Record};
use top_common::{big_stack, Bench, SYMBOLS};

type Small = Bench<1, 4>;

#[test]
fn every_readable_register_has_an_input() {
    let select = ReadSelect::default();
    for r in readable() {
        assert!(select.input(r.name).is_some(), "no input for {}", r.name);
    }
}

/// Identification values, RW read back, WO read 0, unmapped answered
/// `SLVERR` with `BAD_ADDRESS`, reads repeatable, partial strobes refused.
#[test]
fn register_map_reads_back() {
    big_stack(|| {
        let mut bench = Small::new(1);
        let id = [
            (reg::MAGIC, map::MAGIC),
            (reg::VERSION, map::MAP_VERSION),
            (reg::SPEC_HASH, map::spec_hash()),
            (reg::LANES, 1),
            (reg::SLOTS, Small::SLOTS as u32),
            (reg::SYMBOLS, SYMBOLS as u32),
            (reg::PIPELINE_DEPTH, PIPELINE_DEPTH as u32),
            (reg::CMD_ENTRIES, CMD_ENTRIES),
        ];
        for (offset, value) in id {
            assert_eq!(bench.read_ok(offset), value, "register {offset:#x}");
            assert_eq!(bench.read_ok(offset), value, "second read of {offset:#x}");
        }
        // RW registers read back what was written (CONTROL its defined bit).
        for (offset, value, back) in [
            (reg::SCRATCH, 0xDEAD_BEEF, 0xDEAD_BEEF),
            (reg::SCRATCH, 0x1234_5678, 0x1234_5678),
            (reg::TICK_SYMBOL, 0xFFFF_FFFF, 0xFFFF_FFFF),
            (reg::TICK_PRICE, 77, 77),
            (reg::CONTROL, 0xFFFF_FFFF, map::control::AT_EQUAL),
            (reg::CONTROL, 0, 0),
        ] {
            bench.write_ok(offset, value);
            assert_eq!(bench.read_ok(offset), back, "register {offset:#x}");
        }
        // Write-only words read 0; read-only ones ignore writes.
        bench.write_ok(CMD_BASE + 4, 0x55);
        assert_eq!(bench.read_ok(CMD_BASE + 4), 0);
        assert_eq!(bench.read_ok(reg::ERRORS_CLEAR), 0);
        bench.write_ok(reg::MAGIC, 0);
        assert_eq!(bench.read_ok(reg::MAGIC), map::MAGIC);
        assert_eq!(bench.read_ok(reg::ERRORS), 0);
        // Every unmapped word of the first page: SLVERR and BAD_ADDRESS.
        for offset in (0..CMD_BASE).step_by(4) {
            let mapped = map::register_at(offset).is_some();
            let (value, resp) = bench.read(offset);
            assert_eq!(resp == RESP_SLVERR, !mapped, "read at {offset:#x}");
            if !mapped {
                assert_eq!(value, 0);
            }
        }
        assert_eq!(bench.read_ok(reg::ERRORS), errors::BAD_ADDRESS);
        bench.write_ok(reg::ERRORS_CLEAR, errors::BAD_ADDRESS);
        assert_eq!(bench.read_ok(reg::ERRORS), 0);
        assert_eq!(bench.write(0x03C, 1), RESP_SLVERR);
        assert_eq!(bench.read_ok(reg::ERRORS), errors::BAD_ADDRESS);
        bench.write_ok(reg::ERRORS_CLEAR, errors::ALL);
        // A partial write is refused and not performed.
        assert_eq!(bench.write_strobed(reg::SCRATCH, 1, 0b0011), RESP_SLVERR);
        assert_eq!(bench.read_ok(reg::SCRATCH), 0x1234_5678);
        assert_eq!(bench.read_ok(reg::ERRORS), 0);
        // Address bits 1:0 are ignored.
        assert_eq!(bench.read_ok(reg::MAGIC + 2), map::MAGIC);
        // The free-running cycle counter moves between reads.
        let a = bench.read_ok(reg::CYCLES_LO);
        let b = bench.read_ok(reg::CYCLES_LO);
        assert!(b > a && bench.read_ok(reg::CYCLES_HI) == 0);
    });
}

/// Random delays and readies on all five channels; the monitor checks
/// every cycle that valids hold until ready, each access is answered once
/// and no output follows an input combinationally.
#[test]
fn bus_protocol_under_backpressure() {
    big_stack(|| {
        let mut bench = Small::new(2);
        bench.bus_ready = 0.4;
        bench.bus_delay = 3;
        bench.stream_ready = 0.5;
        bench.check_registered = true;
        let mut value = 0x9E37_79B9u32;
        for i in 0..60 {
            value = value.wrapping_mul(0x0100_0193) ^ i;
            bench.write_ok(reg::SCRATCH, value);
            assert_eq!(bench.read_ok(reg::SCRATCH), value);
            assert_eq!(bench.read_ok(reg::SCRATCH), value, "reads are repeatable");
        }
        // The stream under back-pressure: ticks of an empty region.
        bench.command(&board::region(0, 0, 0));
        bench.commit();
        for seq in 1..=5 {
            bench.ring(0, 1, seq);
            let records = bench.until_completion(seq, 2_000);
            assert!(matches!(
                records[..],
                [Record::Completion { seq: s, count: 0, .. }] if s == seq
            ));
        }
        assert_eq!(bench.read_ok(reg::TICKS), 5);
        assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), 5);
        assert_eq!(bench.read_ok(reg::ERRORS), 0);
    });
}

/// Unknown opcodes and out-of-range commands are skipped with their flag;
/// a producer too far ahead or behind is refused with `CMD_OVERRUN`; the
/// doorbell's overrun and gap; an out-of-range tick completes at once.
#[test]
fn command_ring_and_doorbell_errors() {
    big_stack(|| {
        let mut bench = Small::new(3);
        let slots = Small::SLOTS as u32;
        let doomed = PositionConst {
            qty_lots: 1,
            offset: -(1 << 100),
        };
        let uncapped = BracketConst {
            cap: liqscan_core::spec::NOTIONAL_MAX,
            maint: 0,
            mmr: 0,
            weight_long: 1,
            weight_short: 1,
        };
        // Valid set-up: symbol 1, slots 0..4, slot 2 doomed.
        bench.command(&board::bracket(1, 0, &uncapped));
        bench.command(&board::region(1, 0, 4));
        bench.command(&board::position(2, Some(doomed)));
        bench.commit();
        assert_eq!(bench.read_ok(reg::ERRORS), 0);

        let check = |bench: &mut Small, words: Vec<u32>, flag: u32, what: &str| {
            bench.command(&words);
            bench.commit();
            // Applied within a few dozen cycles: poll the consumer.
            for _ in 0..20 {
                if bench.read_ok(reg::CMD_CONSUMER) == bench.producer() {
                    break;
                }
            }
            assert_eq!(bench.read_ok(reg::CMD_CONSUMER), bench.producer(), "{what}");
            assert_eq!(bench.read_ok(reg::ERRORS), flag, "{what}");
            bench.write_ok(reg::ERRORS_CLEAR, flag);
            assert_eq!(bench.read_ok(reg::ERRORS), 0, "{what} cleared");
        };
        let mut unknown = board::region(1, 0, 4);
        unknown[cmd::OPCODE as usize] = 0;
        check(&mut bench, unknown, errors::BAD_OPCODE, "opcode 0");
        let mut unknown = board::region(1, 0, 4);
        unknown[cmd::OPCODE as usize] = 99;
        check(&mut bench, unknown, errors::BAD_OPCODE, "opcode 99");
        let ok = Some(doomed);
        check(
            &mut bench,
            board::position(slots, ok),
            errors::OUT_OF_RANGE,
            "slot = SLOTS",
        );
        check(
            &mut bench,
            board::position(u32::MAX, ok),
            errors::OUT_OF_RANGE,
            "slot 2^32-1",
        );
        check(
            &mut bench,
            board::bracket(SYMBOLS as u32, 0, &uncapped),
            errors::OUT_OF_RANGE,
            "bracket symbol",
        );
        check(
            &mut bench,
            board::bracket(1, 16, &uncapped),
            errors::OUT_OF_RANGE,
            "bracket index 16",
        );
        check(
            &mut bench,
            board::region(SYMBOLS as u32, 0, 1),
            errors::OUT_OF_RANGE,
            "region symbol",
        );
        check(
            &mut bench,
            board::region(1, 0, slots + 1),
            errors::OUT_OF_RANGE,
            "region too long",
        );
        check(
            &mut bench,
            board::region(1, slots, 0),
            errors::OUT_OF_RANGE,
            "region row beyond",
        );
        check(
            &mut bench,
            board::region(1, 1, slots),
            errors::OUT_OF_RANGE,
            "region end beyond",
        );
        check(
            &mut bench,
            board::region(1, u32::MAX, 2),
            errors::OUT_OF_RANGE,
            "region row 2^32-1",
        );
        // The skipped commands changed nothing: slot 2 still liquidates, once.
        bench.ring(1, 1000, 1);
        let records = bench.until_completion(1, 2_000);
        assert!(
            matches!(
                records[..],
                [
                    Record::Liquidation {
                        seq: 1,
                        slot: 2,
                        ..
                    },
                    Record::Completion {
                        seq: 1,
                        count: 1,
                        ..
                    }
                ]
            ),
            "{records:?}"
        );
        assert_eq!(bench.read_ok(reg::ERRORS), 0);

        // The producer: more than CMD_ENTRIES ahead, or backwards, is refused.
        let p = bench.producer();
        bench.write_ok(reg::CMD_PRODUCER, p + CMD_ENTRIES + 1);
        assert_eq!(bench.read_ok(reg::CMD_PRODUCER), p);
        assert_eq!(bench.read_ok(reg::ERRORS), errors::CMD_OVERRUN);
        bench.write_ok(reg::ERRORS_CLEAR, errors::ALL);
        bench.write_ok(reg::CMD_PRODUCER, p.wrapping_sub(1));
        assert_eq!(bench.read_ok(reg::CMD_PRODUCER), p);
        assert_eq!(bench.read_ok(reg::ERRORS), errors::CMD_OVERRUN);
        bench.write_ok(reg::ERRORS_CLEAR, errors::ALL);
        assert_eq!(bench.read_ok(reg::STATUS), 0);

        // A doorbell while a tick waits for commands: TICK_OVERRUN, dropped.
        for _ in 0..12 {
            bench.command(&board::position(0, None));
        }
        bench.commit();
        bench.ring(1, 1000, 2);
        assert_eq!(
            bench.read_ok(reg::STATUS) & (status::TICK_PENDING | status::CMD_PENDING),
            status::TICK_PENDING | status::CMD_PENDING
        );
        bench.ring(1, 1000, 3);
        assert_eq!(bench.read_ok(reg::ERRORS), errors::TICK_OVERRUN);
        assert_eq!(bench.read_ok(reg::TICK_SEQ), 3);
        let records = bench.until_completion(2, 3_000);
        assert!(
            matches!(
                records[..],
                [Record::Completion {
                    seq: 2,
                    count: 0,
                    ..
                }]
            ),
            "{records:?}"
        );
        bench.write_ok(reg::ERRORS_CLEAR, errors::ALL);
        // A sequence gap still runs; a symbol out of range completes at once.
        bench.ring(1, 1000, 7);
        let records = bench.until_completion(7, 2_000);
        assert!(
            matches!(records[..], [Record::Completion { seq: 7, .. }]),
            "{records:?}"
        );
        assert_eq!(bench.read_ok(reg::ERRORS), errors::TICK_SEQ_GAP);
        bench.write_ok(reg::ERRORS_CLEAR, errors::ALL);
        bench.ring(SYMBOLS as u32, 1000, 8);
        let records = bench.until_completion(8, 200);
        assert_eq!(
            records,
            [Record::Completion {
                seq: 8,
                cycles: 0,
                count: 0,
                stalls: 0
            }]
        );
        assert_eq!(bench.read_ok(reg::ERRORS), errors::OUT_OF_RANGE);
        // Rewriting the same TICK_SEQ does not ring.
        bench.write_ok(reg::TICK_SEQ, 8);
        for _ in 0..60 {
            bench.clock();
        }
        assert_eq!(bench.read_ok(reg::TICKS), 4);
        assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), 8);
        assert_eq!(bench.read_ok(reg::RESULTS), 1);
        assert_eq!(bench.read_ok(reg::STATUS), 0);
    });
}
