//! The LUT RAM delay line in the rust-hdl simulator against a shift
//! register, with random clock-enable stalls.

mod common;

use common::{clocked, new_uut, run_pipeline, Clocked};
use liqscan_hw::delay::DelayLine;
use liqscan_hw::mul::width;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

clocked!(true, enable_next: DelayLine<32, 2>, DelayLine<{ width::OFFSET }, 15>, DelayLine<32, 16>);

fn check_delay_line<const W: usize, const DEPTH: usize>(seed: u64)
where
    DelayLine<W, DEPTH>: Clocked,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut uut: Box<DelayLine<W, DEPTH>> = new_uut();
    let mask = if W >= 128 {
        u128::MAX
    } else {
        (1u128 << W) - 1
    };
    let words: Vec<u128> = (0..5_000).map(|_| rng.gen::<u128>() & mask).collect();
    let stalls = run_pipeline(
        &mut *uut,
        DEPTH,
        &words,
        0.3,
        &mut rng,
        |u, &w| u.d.next = w.to_bits::<W>(),
        |u| u.q.val().to_u128(),
        |&w| w,
    );
    assert!(stalls > 1_000, "{stalls} stalls");
}

/// A LUT RAM delay line against a shift register of `DEPTH` stages, at the
/// shortest and longest depths and the lane's offset line, with 30% stalls.
#[test]
fn delay_line_matches_shift_register() {
    check_delay_line::<32, 2>(0x646c32);
    check_delay_line::<{ width::OFFSET }, 15>(0x646c0f);
    check_delay_line::<32, 16>(0x646c10);
}
