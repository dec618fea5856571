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

#[test]
fn result_skid_matches_history() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x736b6964);
    let mut uut: Box<ResultSkid> = new_uut();
    // What left the lane on the last three enabled edges, the newest first
    // (the registers power up at zero).
    let mut history: VecDeque<Result> = VecDeque::from(vec![(false, 0, 0); 3]);
    let mut seen = [0usize; 4];
    for _ in 0..20_000 {
        let input: Result = (rng.gen(), rng.gen(), rng.gen::<i64>().into());
        let back = rng.gen_range(0..4usize);
        let enable = rng.gen_bool(0.7);
        uut.hit.next = input.0;
        uut.slot.next = u64::from(input.1).into();
        uut.shortfall.next = Signed::from(num_bigint::BigInt::from(input.2));
        uut.back0.next = back == 0;
        uut.back_le1.next = back <= 1;
        uut.back2.next = back == 2;
        uut.enable.next = enable;
        uut.clock.next = Clock { clk: false };
        settle(&mut *uut);
        let expected = if back == 0 { input } else { history[back - 1] };
        assert_eq!(read(&uut), expected, "{back} back");
        seen[back] += 1;
        uut.clock.next = Clock { clk: true };
        settle(&mut *uut);
        if enable {
            history.push_front(input);
            history.truncate(3);
        }
    }
    assert!(seen.iter().all(|&n| n > 4_000), "{seen:?}");
}

#[test]
fn result_skid_synthesizes() {
    check_verilog::<ResultSkid>("result_skid");
}
