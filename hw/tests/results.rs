//! One lane's result skid and port multiplexer in the rust-hdl simulator
//! against a plain history of what left the lane: the ports show the lane's
//! output, or the result as many enabled edges back as the selects say.

mod common;

use std::collections::VecDeque;

use common::{check_verilog, new_uut, settle};
use liqscan_hw::scanner::ResultSkid;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

type Result = (bool, u32, i128);

fn read(uut: &ResultSkid) -> Result {
    let shortfall = i128::try_from(uut.res_shortfall.val().bigint()).expect("fits i128");
    (uut.res_valid.val(), uut.res_slot.val().to_u32(), shortfall)
}

/// Drives each field group's selects from a lead of its own (on the
/// scanner they agree; here they differ, so a group wired to another's
/// selects fails): each group shows its field of the lane's output or of
/// the result as many enabled edges back as its selects say.
#[test]
fn result_skid_matches_history() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x736b6964);
    let mut uut: Box<ResultSkid> = new_uut();
    // What left the lane on the last three enabled edges, the newest first
    // (the registers power up at zero).
    let mut history: VecDeque<Result> = VecDeque::from(vec![(false, 0, 0); 3]);
    let mut seen = [[0usize; 4]; 3];
    let low = (1i128 << 64) - 1;
    for _ in 0..20_000 {
        // A shortfall over both words, of either sign (110 bits).
        let wide = (i128::from(rng.gen::<i64>()) << 45) ^ i128::from(rng.gen::<u64>());
        let input: Result = (rng.gen(), rng.gen(), wide);
        // The lead of the head (hit, slot), the low word and the high word.
        let back: [usize; 3] = [
            rng.gen_range(0..4),
            rng.gen_range(0..4),
            rng.gen_range(0..4),
        ];
        let enable = rng.gen_bool(0.7);
        uut.hit.next = input.0;
        uut.slot.next = u64::from(input.1).into();
        uut.shortfall.next = Signed::from(num_bigint::BigInt::from(input.2));
        uut.back0_head.next = back[0] == 0;
        uut.back_le1_head.next = back[0] <= 1;
        uut.back2_head.next = back[0] == 2;
        uut.back0_lo.next = back[1] == 0;
        uut.back_le1_lo.next = back[1] <= 1;
        uut.back2_lo.next = back[1] == 2;
        uut.back0_hi.next = back[2] == 0;
        uut.back_le1_hi.next = back[2] <= 1;
        uut.back2_hi.next = back[2] == 2;
        uut.enable.next = enable;
        uut.clock.next = Clock { clk: false };
        settle(&mut *uut);
        let at = |b: usize| if b == 0 { input } else { history[b - 1] };
        let (head, lo, hi) = (at(back[0]), at(back[1]), at(back[2]));
        let expected = (head.0, head.1, (hi.2 & !low) | (lo.2 & low));
        assert_eq!(read(&uut), expected, "{back:?} back");
        for (g, &b) in back.iter().enumerate() {
            seen[g][b] += 1;
        }
        uut.clock.next = Clock { clk: true };
        settle(&mut *uut);
        if enable {
            history.push_front(input);
            history.truncate(3);
        }
    }
    assert!(seen.iter().flatten().all(|&n| n > 4_000), "{seen:?}");
}

#[test]
fn result_skid_synthesizes() {
    check_verilog::<ResultSkid>("result_skid");
}
