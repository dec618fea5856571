//! The cap compare in the rust-hdl simulator against `X ≤ cap`, with caps
//! loaded through the load protocol and random clock-enable stalls.

mod common;

use common::{clocked, cycle, new_uut, run_pipeline};
use liqscan_core::spec;
use liqscan_hw::compare::CapCompare;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

clocked!(false, enable: CapCompare);

/// `X` values around `cap`: equal, one either side, the same high or low
/// half with the other half moved, and anywhere.
fn near_cap(rng: &mut ChaCha8Rng, cap: u64) -> u64 {
    let max = (1u64 << spec::NOTIONAL_BITS) - 1;
    let half = u64::from(u32::MAX);
    let hi = cap >> 32;
    let x = match rng.gen_range(0..8) {
        0 => cap,
        1 => cap.saturating_sub(1),
        2 => cap + 1,
        3 => (hi << 32) | (rng.gen::<u64>() & half),
        4 => (rng.gen::<u64>() << 32) | (cap & half),
        5 => (hi.saturating_sub(rng.gen_range(0..2)) << 32) | (rng.gen::<u64>() & half),
        6 => ((hi + 1) << 32) | (rng.gen::<u64>() & half),
        _ => rng.gen::<u64>() >> rng.gen_range(1..64),
    };
    x.min(max)
}

/// A cap compare against `X ≤ cap`: 200 caps (0, the largest, halves at
/// their edges, random) loaded through the load protocol, 100 values of `X`
/// around each, with random stalls.
#[test]
fn cap_compare_matches_model() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x636d70);
    let mut uut: Box<CapCompare> = new_uut();
    let max = (1u64 << spec::NOTIONAL_BITS) - 1;
    let half = u64::from(u32::MAX);
    let (mut vectors, mut fits, mut ties) = (0, 0, 0);
    for round in 0..200 {
        let cap = match round {
            0 => 0,
            1 => max,
            2 => half,
            3 => half + 1,
            4 => max & !half,
            _ => rng.gen::<u64>() >> rng.gen_range(1..64),
        };
        uut.enable.next = false;
        uut.cap.next = cap.into();
        uut.load.next = true;
        cycle(&mut *uut);
        uut.load.next = false;
        cycle(&mut *uut);
        uut.cap.next = rng.gen::<u64>().into();
        let mut xs: Vec<u64> = (0..100).map(|_| near_cap(&mut rng, cap)).collect();
        vectors += xs.len();
        fits += xs.iter().filter(|&&x| x <= cap).count();
        ties += xs.iter().filter(|&&x| x == cap).count();
        // Padding that pushes the last real vector through.
        xs.extend((0..CapCompare::LATENCY).map(|_| rng.gen::<u64>() & max));
        run_pipeline(
            &mut *uut,
            CapCompare::LATENCY,
            &xs,
            0.2,
            &mut rng,
            |u, &x| u.x.next = x.into(),
            |u| u.fits.val(),
            |&x| x <= cap,
        );
    }
    assert_eq!(vectors, 20_000);
    assert!(
        fits > vectors / 4 && fits < vectors * 3 / 4,
        "{fits} of {vectors} fit"
    );
    assert!(ties > vectors / 20, "{ties} ties");
}
