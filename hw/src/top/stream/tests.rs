//! The stream's registered flags against what they stand for, every cycle,
//! under random lanes, completions and `tready`: the skid register's flags
//! and their twins (beside the pick stage and per word of the output
//! register), the output register's valid twins, the registered pick
//! decision (never a pick into a held record) and its twin, each lane's
//! registered FIFO head whenever it is picked, its registered FIFO write,
//! the head's lanes (lowest, second, rest, and the last flag, pushed with
//! the row), the row FIFO's `full` flag and the row flag of the mask a
//! stage before the push.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

use super::{ResultStream, ROOM, WORDS};

const LANES: usize = 4;

fn settle<U: Block>(uut: &mut U) {
    assert!(simulate(uut, 100), "circuit did not settle");
}

/// Cycles the skid register held a record, both its slots, the row FIFO
/// was full, and picks.
fn flags_follow(seed: u64, p_ready: f64) -> (u64, u64, u64, u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut uut: Box<ResultStream<LANES>> = Box::default();
    uut.connect_all();
    let (mut skid_cycles, mut both_cycles, mut full_cycles, mut picks) = (0, 0, 0, 0);
    // As the sequencer does: a tick's results, then its completion once
    // its last row is pushed (quiet cycles), owed until taken.
    let mut results_left = 0u32;
    let mut quiet = 0u32;
    let mut owed = false;
    for cycle in 0..20_000 {
        let lanes_on = results_left > 0;
        for lane in 0..LANES {
            uut.res_valid[lane].next = lanes_on && rng.gen_bool(0.5);
            uut.res_slot[lane].next = u64::from(rng.gen::<u32>()).into();
            uut.res_shortfall[lane].next = Signed::from(num_bigint::BigInt::from(rng.gen::<i64>()));
        }
        uut.completion.next = owed;
        uut.m_axis_tready.next = rng.gen_bool(p_ready);
        uut.clock.next = Clock { clk: false };
        settle(&mut *uut);
        let held = [uut.skid_held[0].q.val(), uut.skid_held[1].q.val()];
        let skid = held[0] | held[1];
        let both = held[0] & held[1];
        assert_eq!(uut.skid_any.q.val(), skid, "cycle {cycle}: a slot held");
        assert_eq!(
            uut.skid_any_at_pick.q.val(),
            skid,
            "cycle {cycle}: a slot held, beside the pick"
        );
        assert_eq!(
            uut.skid_full_at_pick.q.val(),
            both,
            "cycle {cycle}: both slots held, beside the pick"
        );
        // The ring: the read slot is the older record's, the write slot free.
        let (rd, wr) = (uut.skid_rd.q.val(), uut.skid_wr.q.val());
        if skid {
            assert!(held[usize::from(rd)], "cycle {cycle}: the read slot empty");
        }
        if !both {
            assert!(!held[usize::from(wr)], "cycle {cycle}: the write slot held");
        }
        assert_eq!(
            rd == wr,
            !skid || both,
            "cycle {cycle}: the pointers against the slots"
        );
        for k in 0..WORDS {
            assert_eq!(
                uut.out_valid_word[k].q.val(),
                uut.out_valid.q.val(),
                "cycle {cycle}: word {k}'s valid twin"
            );
            assert_eq!(
                uut.from_skid_word[k].q.val(),
                skid,
                "cycle {cycle}: word {k}'s skid select"
            );
            assert_eq!(
                uut.skid_rd_word[k].q.val(),
                rd,
                "cycle {cycle}: word {k}'s read slot"
            );
        }
        // A pick lands in an empty pick stage or one that hands its record
        // over this cycle.
        let pick = uut.pick_now.q.val();
        assert!(
            !pick || uut.head_loaded.q.val(),
            "cycle {cycle}: a pick without a head row"
        );
        assert!(
            !pick || !uut.pick_valid.q.val() || !both,
            "cycle {cycle}: a pick into a held record"
        );
        assert_eq!(
            uut.pick_fields.q.val(),
            pick,
            "cycle {cycle}: the pick decision's twin"
        );
        picks += u64::from(pick);
        for lane in 0..LANES {
            assert_eq!(
                uut.lane_write[lane].q.val(),
                uut.relay_valid[lane].q.val() & uut.ready_relayed.q.val(),
                "cycle {cycle}: lane {lane}'s FIFO write"
            );
        }
        if uut.head_loaded.q.val() && !uut.head_completion.q.val() {
            let onehot = uut.head_onehot.q.val().to_u64();
            let second = uut.head_second.q.val().to_u64();
            let rest = uut.head_rest.q.val().to_u64();
            assert_eq!(
                onehot.count_ones(),
                1,
                "cycle {cycle}: the head's lowest lane"
            );
            assert!(
                second.count_ones() <= 1 && (second == 0 || second > onehot),
                "cycle {cycle}: the head's second lane {second:#x} after {onehot:#x}"
            );
            assert!(
                rest == 0 || (second != 0 && rest & (2 * second - 1) == 0),
                "cycle {cycle}: the head's rest {rest:#x} after {second:#x}"
            );
            assert!(
                second != 0 || rest == 0,
                "cycle {cycle}: lanes after no second"
            );
            assert!(
                rest >> LANES == 0,
                "cycle {cycle}: the rest beyond the lanes"
            );
            assert_eq!(
                uut.head_last.q.val(),
                second == 0,
                "cycle {cycle}: the head's last lane"
            );
        }
        for lane in 0..LANES {
            if pick && uut.head_onehot.q.val().get_bit(lane) {
                assert_eq!(
                    uut.lane_head_slot[lane].q.val(),
                    uut.slot_mem[lane].read_data.val(),
                    "cycle {cycle}: lane {lane}'s registered FIFO head"
                );
                assert_eq!(
                    uut.lane_head_shortfall[lane].q.val(),
                    uut.shortfall_mem[lane].read_data.val(),
                    "cycle {cycle}: lane {lane}'s registered FIFO head"
                );
            }
        }
        let count = uut.count.q.val().to_u64() as usize;
        assert!(count <= ROOM, "cycle {cycle}: {count} rows");
        assert_eq!(
            uut.full.q.val(),
            count >= ROOM,
            "cycle {cycle}: full with {count} rows"
        );
        assert_eq!(
            uut.row_any.q.val(),
            uut.push_onehot.q.val().any(),
            "cycle {cycle}: the row flag"
        );
        skid_cycles += u64::from(skid);
        both_cycles += u64::from(both);
        full_cycles += u64::from(count >= ROOM);
        let taken = uut.completion_taken.val();
        assert!(!taken || owed, "cycle {cycle}: a completion not owed taken");
        if owed {
            owed = !taken;
        } else if lanes_on {
            results_left -= u32::from(uut.res_ready.val());
            quiet = 6;
        } else if quiet > 0 {
            quiet -= 1;
            owed = quiet == 0;
        } else {
            results_left = rng.gen_range(0..40);
            owed = results_left == 0;
        }
        uut.clock.next = Clock { clk: true };
        settle(&mut *uut);
    }
    (skid_cycles, both_cycles, full_cycles, picks)
}

#[test]
fn registered_flags_follow_what_they_stand_for() {
    // Mostly low `tready` fills the row FIFO to its room (completion rows
    // after the rows `res_ready` admits); random `tready` keeps the skid
    // register busy.
    let (_, _, full, _) = flags_follow(1, 0.05);
    assert!(full > 1_000, "the row FIFO was full for {full} cycles only");
    let (skid, both, _, picks) = flags_follow(2, 0.5);
    assert!(picks > 1_000, "{picks} picks only");
    assert!(
        skid > 1_000,
        "the skid register held for {skid} cycles only"
    );
    assert!(
        both > 100,
        "the skid register held two records for {both} cycles only"
    );
}
