//! The stream's registered flags against what they stand for, every cycle,
//! under random lanes, completions and `tready`: the skid flag's twin
//! beside the pick stage, the registered pick decision and its twin, each
//! lane's registered FIFO head whenever it is picked, its registered FIFO
//! write, the head's one-hot and last flags (pushed with the row), the
//! row FIFO's `full` flag and the row flag of the mask a stage before the
//! push.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

use super::{ResultStream, ROOM};

const LANES: usize = 4;

fn settle<U: Block>(uut: &mut U) {
    assert!(simulate(uut, 100), "circuit did not settle");
}

fn flags_follow(seed: u64, p_ready: f64) -> (u64, u64, u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut uut: Box<ResultStream<LANES>> = Box::default();
    uut.connect_all();
    let (mut skid_cycles, mut full_cycles, mut picks) = (0, 0, 0);
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
        let skid = uut.skid_valid.q.val();
        assert_eq!(
            uut.skid_at_pick.q.val(),
            skid,
            "cycle {cycle}: the skid flag's twin"
        );
        let pick = uut.head_loaded.q.val() & (!uut.pick_valid.q.val() | !skid);
        assert_eq!(
            uut.pick_now.q.val(),
            pick,
            "cycle {cycle}: the pick decision"
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
        if uut.head_loaded.q.val() {
            let mask = uut.head_mask.q.val().to_u64();
            let onehot = uut.head_onehot.q.val().to_u64();
            assert_eq!(
                onehot,
                mask & mask.wrapping_neg(),
                "cycle {cycle}: the head's lowest lane"
            );
            assert_eq!(
                uut.head_last.q.val(),
                (mask & !onehot) == 0,
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
            uut.push_mask.q.val().any(),
            "cycle {cycle}: the row flag"
        );
        skid_cycles += u64::from(skid);
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
    (skid_cycles, full_cycles, picks)
}

#[test]
fn registered_flags_follow_what_they_stand_for() {
    // Mostly low `tready` fills the row FIFO to its room (completion rows
    // after the rows `res_ready` admits); random `tready` keeps the skid
    // register busy.
    let (_, full, _) = flags_follow(1, 0.05);
    assert!(full > 1_000, "the row FIFO was full for {full} cycles only");
    let (skid, _, picks) = flags_follow(2, 0.5);
    assert!(picks > 1_000, "{picks} picks only");
    assert!(
        skid > 1_000,
        "the skid register held for {skid} cycles only"
    );
}
