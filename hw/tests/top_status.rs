//! `liqscan_top`'s `STATUS` in rust-hdl's simulator: `BUSY` holds from a
//! tick's start until its completion record has been accepted by the
//! stream, so a host that reads `STATUS` idle has every record of the tick,
//! and `TICK_DONE_SEQ` shows it.

mod top_common;

use liqscan_core::spec::registers::{reg, status};
use liqscan_core::spec::{BracketConst, PositionConst, NOTIONAL_MAX};
use liqscan_testkit::board::{self, Record};
use top_common::{big_stack, Bench};

type Small = Bench<1, 4>;

/// Any of the bits that say the card has work left.
const WORKING: u32 = status::BUSY | status::TICK_PENDING | status::CMD_PENDING;

/// Symbol 1 with an uncapped bracket and a region of slots 0..4; slot 2
/// holds a position that liquidates at any price, the rest holes.
fn load_one_doomed(bench: &mut Small) {
    let uncapped = BracketConst {
        cap: NOTIONAL_MAX,
        maint: 0,
        mmr: 0,
        weight_long: 1,
        weight_short: 1,
    };
    let doomed = PositionConst {
        qty_lots: 1,
        offset: -(1 << 100),
    };
    bench.command(&board::bracket(1, 0, &uncapped));
    bench.command(&board::region(1, 0, 4));
    bench.command(&board::region(2, 0, 0));
    bench.command(&board::position(2, Some(doomed)));
    bench.commit();
}

/// Whether the bench has taken the completion record of tick `seq`.
fn completion_taken(bench: &Small, seq: u32) -> bool {
    bench
        .records
        .iter()
        .any(|w| matches!(board::decode(w), Ok(Record::Completion { seq: s, .. }) if s == seq))
}

/// A completion record held at the stream's output by `tready` low keeps
/// `BUSY` set (the scanner itself went idle long before); it clears once the
/// record is taken, with `TICK_DONE_SEQ` then naming the tick.
#[test]
fn busy_holds_while_the_completion_waits_on_tready() {
    big_stack(|| {
        let mut bench = Small::new(21);
        load_one_doomed(&mut bench);
        bench.stream_ready = 0.0;
        // Symbol 2 scans an empty region: its only record is the completion.
        bench.ring(2, 1000, 1);
        for _ in 0..200 {
            bench.clock();
        }
        assert!(
            bench.uut.m_axis_tvalid.val() && bench.uut.m_axis_tlast.val(),
            "the completion record waits at the stream's output"
        );
        assert_eq!(
            bench.read_ok(reg::STATUS),
            status::BUSY,
            "the completion has not left"
        );
        assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), 0);
        assert!(bench.records.is_empty());

        bench.stream_ready = 1.0;
        let records = bench.until_completion(1, 100);
        assert!(matches!(
            records[..],
            [Record::Completion {
                seq: 1,
                count: 0,
                ..
            }]
        ));
        assert_eq!(bench.read_ok(reg::STATUS), 0);
        assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), 1);

        // With a liquidation: neither record leaves, BUSY holds; then the
        // liquidation alone leaves and BUSY still holds for the completion.
        bench.stream_ready = 0.0;
        bench.ring(1, 1000, 2);
        for _ in 0..200 {
            bench.clock();
        }
        assert_eq!(bench.read_ok(reg::STATUS), status::BUSY);
        while !bench.uut.m_axis_tlast.val() {
            bench.stream_ready = 1.0;
            bench.clock();
            bench.stream_ready = 0.0;
            for _ in 0..5 {
                bench.clock();
            }
        }
        assert!(
            matches!(
                board::decode(bench.records.last().expect("the liquidation")),
                Ok(Record::Liquidation {
                    seq: 2,
                    slot: 2,
                    ..
                })
            ),
            "{:?}",
            bench.records
        );
        assert_eq!(bench.read_ok(reg::STATUS), status::BUSY);
        assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), 1);
        bench.stream_ready = 1.0;
        let records = bench.until_completion(2, 100);
        assert!(
            matches!(
                records[..],
                [
                    Record::Liquidation {
                        seq: 2,
                        slot: 2,
                        ..
                    },
                    Record::Completion {
                        seq: 2,
                        count: 1,
                        ..
                    }
                ]
            ),
            "{records:?}"
        );
        assert_eq!(bench.read_ok(reg::STATUS), 0);
        assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), 2);
    });
}

/// A host polling `STATUS` under a random `tready`: whenever it reads no
/// work left, the tick's completion record has already been taken and
/// `TICK_DONE_SEQ` names the tick; until then every read shows work.
#[test]
fn status_idle_means_every_record_has_left() {
    big_stack(|| {
        let mut bench = Small::new(22);
        load_one_doomed(&mut bench);
        bench.stream_ready = 0.3;
        bench.bus_ready = 0.7;
        bench.bus_delay = 2;
        let doomed = PositionConst {
            qty_lots: 1,
            offset: -(1 << 100),
        };
        let mut busy_reads = 0;
        for seq in 1..=12 {
            // Every other tick has a liquidation: slot 2 written again.
            if seq % 2 == 1 {
                bench.command(&board::position(2, Some(doomed)));
                bench.commit();
            }
            let symbol = if seq % 3 == 0 { 2 } else { 1 };
            bench.ring(symbol, 1000, seq);
            let mut polls = 0;
            loop {
                let s = bench.read_ok(reg::STATUS);
                if s & WORKING == 0 {
                    break;
                }
                busy_reads += 1;
                polls += 1;
                assert!(polls < 500, "tick {seq}: STATUS stays {s:#x}");
            }
            assert!(
                completion_taken(&bench, seq),
                "tick {seq}: STATUS idle before its completion record left"
            );
            assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), seq);
        }
        assert!(busy_reads > 12, "the polls never saw a tick running");
    });
}
