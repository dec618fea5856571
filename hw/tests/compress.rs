//! The 3:2 compressor over a value in two parts, in the rust-hdl simulator
//! against integer sums, and its Verilog through yosys and Verilator's lint.

mod common;

use common::{check_verilog, new_uut, settle};
use liqscan_hw::compress::{Compressor, LOW};
use liqscan_hw::mul::SUM_HI;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BITS: usize = LOW + SUM_HI;
const MASK: u128 = (1 << BITS) - 1;

/// Operands in which bit 63 is set in two or three of them (its carry
/// crosses into the high part), all ones, zero, or random.
fn operand(rng: &mut ChaCha8Rng) -> u128 {
    let bit63 = 1u128 << 63;
    match rng.gen_range(0..4) {
        0 => MASK,
        1 => 0,
        2 => (rng.gen::<u128>() & MASK) | bit63,
        _ => rng.gen::<u128>() & MASK,
    }
}

#[test]
fn compressor_sum_matches_integers() {
    let mut uut: Box<Compressor<SUM_HI>> = new_uut();
    let mut rng = ChaCha8Rng::seed_from_u64(0x637361);
    let mut crossed = 0;
    for _ in 0..5_000 {
        let (x, y, z) = (operand(&mut rng), operand(&mut rng), operand(&mut rng));
        let carry_in = rng.gen_bool(0.5);
        uut.x_lo.next = (x as u64).into();
        uut.x_hi.next = ((x >> 64) as u64).into();
        uut.y_lo.next = (y as u64).into();
        uut.y_hi.next = ((y >> 64) as u64).into();
        uut.z_lo.next = (z as u64).into();
        uut.z_hi.next = ((z >> 64) as u64).into();
        uut.carry_in.next = carry_in;
        settle(&mut *uut);
        let s = uut.s_lo.val().to_u128() | (uut.s_hi.val().to_u128() << 64);
        let c = uut.c_lo.val().to_u128() | (uut.c_hi.val().to_u128() << 64);
        let want = (x + y + z + carry_in as u128) & MASK;
        assert_eq!(
            (s + c) & MASK,
            want,
            "x {x:#x} y {y:#x} z {z:#x} cin {carry_in}"
        );
        assert_eq!(s, x ^ y ^ z, "s is the bitwise sum");
        assert_eq!(c & 1, carry_in as u128, "bit 0 of c is the carry-in");
        if (x >> 63 & 1) + (y >> 63 & 1) + (z >> 63 & 1) >= 2 {
            assert_eq!(
                c >> 64 & 1,
                1,
                "the majority of bit 63 enters the high part"
            );
            crossed += 1;
        }
    }
    assert!(
        crossed > 1_000,
        "too few carries across the parts: {crossed}"
    );
}

#[test]
fn compressor_synthesizes() {
    check_verilog::<Compressor<SUM_HI>>("compressor");
}
