//! When `liqscan_top` starts a rung tick, in rust-hdl's simulator: never
//! before every command committed ahead of it is applied (the ring's
//! emptiness is a registered flag), never losing a command, and doorbells
//! rung while the previous tick runs all run, in order.

mod top_common;

use liqscan_core::spec::registers::{errors, reg, status};
use liqscan_core::spec::{BracketConst, PositionConst, NOTIONAL_MAX};
use liqscan_testkit::board::{self, Record};
use top_common::{big_stack, Bench};

type Small = Bench<1, 4>;

/// Liquidates at any price under [`UNCAPPED`].
const DOOMED: PositionConst = PositionConst {
    qty_lots: 1,
    offset: -(1 << 100),
};

/// Symbol 1: an uncapped bracket and a region of slots 0..4, all holes;
/// symbol 2: an empty region (its ticks' only record is the completion).
fn load(bench: &mut Small) {
    let uncapped = BracketConst {
        cap: NOTIONAL_MAX,
        maint: 0,
        mmr: 0,
        weight_long: 1,
        weight_short: 1,
    };
    bench.command(&board::bracket(1, 0, &uncapped));
    bench.command(&board::region(1, 0, 4));
    bench.command(&board::region(2, 0, 0));
    bench.commit();
}

/// The slots the tick `seq` among `records` liquidated, checking that its
/// completion counts them.
fn liquidated(records: &[Record], seq: u32) -> Vec<u32> {
    let (last, hits) = records.split_last().expect("a completion");
    let slots: Vec<u32> = hits
        .iter()
        .map(|r| match *r {
            Record::Liquidation { seq: s, slot, .. } if s == seq => slot,
            other => panic!("{other:?} in tick {seq}"),
        })
        .collect();
    assert!(
        matches!(*last, Record::Completion { seq: s, count, .. }
            if s == seq && count as usize == slots.len()),
        "{last:?} ends tick {seq}"
    );
    slots
}

/// A tick waits behind the previous one's completion, held by `tready`;
/// a command that makes slot 2 liquidate is committed while `STATUS` is
/// read, and the stream is let go a sweep of cycles after the commit
/// began. Whenever the read shows the tick still pending behind the
/// commit, the tick must see the command; whenever it does not, the next
/// tick must. Across the sweep both happen, a later release never missing
/// what an earlier one saw, and the read sees the commit ahead of the tick
/// at least once.
#[test]
fn a_tick_waits_for_every_command_committed_before_it_starts() {
    big_stack(|| {
        let mut bench = Small::new(31);
        load(&mut bench);
        let both = status::TICK_PENDING | status::CMD_PENDING;
        let mut seq = 0;
        let (mut seen, mut unseen, mut caught) = (0, 0, 0);
        for offset in 0..12 {
            for read_at in 0..4 {
                bench.stream_ready = 0.0;
                seq += 1;
                let held = seq;
                bench.ring(2, 1000, held);
                while !(bench.uut.m_axis_tvalid.val() && bench.uut.m_axis_tlast.val()) {
                    bench.clock();
                }
                seq += 1;
                let waiting = seq;
                bench.ring(1, 1000, waiting);
                assert_eq!(
                    bench.read_ok(reg::STATUS),
                    status::BUSY | status::TICK_PENDING
                );
                bench.command(&board::position(2, Some(DOOMED)));
                bench.stream_ready_at = Some(bench.cycles + offset);
                let status = bench.commit_reading(reg::STATUS, read_at);
                let records = bench.until_completion(held, 200);
                assert!(liquidated(&records, held).is_empty());
                let records = bench.until_completion(waiting, 500);
                let hit = liquidated(&records, waiting) == [2];
                if status & both == both {
                    caught += 1;
                    assert!(
                        hit,
                        "offset {offset}, read at {read_at}: STATUS {status:#x} showed the tick \
                         pending behind the commit, and the tick missed the command"
                    );
                }
                if hit {
                    seen += 1;
                } else {
                    assert_eq!(
                        seen, 0,
                        "offset {offset}: a later release missed the commit"
                    );
                    unseen += 1;
                    // Applied after the scan: the next tick liquidates it.
                    seq += 1;
                    bench.ring(1, 1000, seq);
                    let records = bench.until_completion(seq, 500);
                    assert_eq!(liquidated(&records, seq), [2], "offset {offset}");
                }
                assert_eq!(bench.read_ok(reg::CMD_CONSUMER), bench.producer());
            }
        }
        eprintln!("seen {seen}, unseen {unseen}, pending behind the commit {caught}");
        assert!(seen > 0 && unseen > 0, "seen {seen}, unseen {unseen}");
        assert!(caught > 0, "no read saw the tick pending behind the commit");
        assert_eq!(bench.read_ok(reg::ERRORS), 0);
        assert_eq!(bench.read_ok(reg::TICKS), seq);
    });
}

/// A host that rings the next tick as soon as `STATUS` shows the previous
/// one started, with a command committed between: every tick runs, in
/// order, each seeing the command committed before its doorbell, and no
/// doorbell is an overrun, under random back-pressure on the bus and the
/// stream.
#[test]
fn back_to_back_doorbells_all_run() {
    big_stack(|| {
        let mut bench = Small::new(32);
        load(&mut bench);
        bench.stream_ready = 0.4;
        bench.bus_ready = 0.7;
        bench.bus_delay = 2;
        let ticks = 24;
        for seq in 1..=ticks {
            bench.command(&board::position(2, Some(DOOMED)));
            bench.commit();
            bench.ring(1, 1000, seq);
            let mut polls = 0;
            while bench.read_ok(reg::STATUS) & status::TICK_PENDING != 0 {
                polls += 1;
                assert!(polls < 200, "tick {seq} never started");
            }
        }
        for seq in 1..=ticks {
            let records = bench.until_completion(seq, 2_000);
            assert_eq!(liquidated(&records, seq), [2], "tick {seq}");
        }
        assert_eq!(bench.read_ok(reg::ERRORS), 0);
        assert_eq!(bench.read_ok(reg::TICKS), ticks);
        assert_eq!(bench.read_ok(reg::RESULTS), ticks);
        assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), ticks);
    });
}

/// Doorbells as fast as the bus takes them, so some land on the edge a
/// pending tick would start: the first runs, the completions come in the
/// order rung, `TICK_OVERRUN` is set exactly when some doorbell did not
/// run, and the card ends idle with `TICK_DONE_SEQ` the last tick run.
#[test]
fn rapid_doorbells_run_or_overrun() {
    big_stack(|| {
        for (seed, ready) in [(33, 1.0), (34, 0.3)] {
            let mut bench = Small::new(seed);
            load(&mut bench);
            bench.stream_ready = ready;
            bench.write_ok(reg::TICK_SYMBOL, 2);
            bench.write_ok(reg::TICK_PRICE, 1000);
            let rung = 40;
            for seq in 1..=rung {
                bench.write_ok(reg::TICK_SEQ, seq);
            }
            let mut polls = 0;
            while bench.read_ok(reg::STATUS) != 0 {
                polls += 1;
                assert!(polls < 500, "the card never went idle");
            }
            let done: Vec<u32> = bench
                .records
                .iter()
                .map(|w| match board::decode(w) {
                    Ok(Record::Completion { seq, count: 0, .. }) => seq,
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(done.first(), Some(&1), "the first doorbell runs");
            assert!(
                done.windows(2).all(|w| w[0] < w[1]) && done.iter().all(|s| *s <= rung),
                "completions {done:?}"
            );
            assert!(done.len() > 1, "only the first ran: {done:?}");
            let dropped = done.len() < rung as usize;
            assert_eq!(
                bench.read_ok(reg::ERRORS),
                if dropped { errors::TICK_OVERRUN } else { 0 },
                "{} of {rung} ran",
                done.len()
            );
            assert_eq!(bench.read_ok(reg::TICKS), done.len() as u32);
            assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), *done.last().unwrap());
        }
    });
}
