//! The multipliers and the wide adder in the rust-hdl simulator against
//! plain integer products and sums, one vector per clock with random
//! clock-enable stalls, and their Verilog through yosys and Verilator's lint.

mod common;

use common::{check_verilog, clocked, new_uut, run_pipeline};
use liqscan_core::spec;
use liqscan_hw::mul::{width, MulNotional, MulProduct, WideAdder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

clocked!(false, enable: MulNotional, MulProduct, WideAdder);

/// Operand values that stress the digit boundaries, below `2^bits`.
fn corner_operands(bits: u32) -> Vec<u128> {
    let max = (1u128 << bits) - 1;
    let mut v = vec![
        0,
        1,
        2,
        max,
        max - 1,
        max >> 1,
        (max >> 1) + 1,
        0xFFFF,
        0x1_0000,
        0xFFFF_FFFF,
    ];
    v.extend((0..bits).step_by(16).map(|k| 1u128 << k));
    v.extend((16..bits).step_by(16).map(|k| (1u128 << k) - 1));
    v.push(max & 0x5555_5555_5555_5555_5555);
    v.push(max & 0xAAAA_AAAA_AAAA_AAAA_AAAA);
    v.retain(|&x| x <= max);
    v.sort_unstable();
    v.dedup();
    v
}

/// Random operand below `2^bits`: uniform, or of random length (small and
/// mid-sized values too).
fn random_operand(rng: &mut ChaCha8Rng, bits: u32) -> u128 {
    let len = if rng.gen_bool(0.5) {
        bits
    } else {
        rng.gen_range(1..=bits)
    };
    rng.gen::<u128>() & ((1u128 << len) - 1)
}

fn operand_pairs(
    rng: &mut ChaCha8Rng,
    a_bits: u32,
    b_bits: u32,
    random: usize,
) -> Vec<(u128, u128)> {
    let mut pairs = Vec::new();
    for &a in &corner_operands(a_bits) {
        for &b in &corner_operands(b_bits) {
            pairs.push((a, b));
        }
    }
    pairs.extend((0..random).map(|_| (random_operand(rng, a_bits), random_operand(rng, b_bits))));
    pairs
}

const MUL_RANDOM: usize = 20_000;

#[test]
fn mul_notional_matches_spec() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x6e6f74);
    let pairs = operand_pairs(&mut rng, spec::QTY_BITS, spec::PRICE_BITS, MUL_RANDOM);
    let mut uut: Box<MulNotional> = new_uut();
    run_pipeline(
        &mut *uut,
        MulNotional::LATENCY,
        &pairs,
        0.2,
        &mut rng,
        |u, &(a, b)| {
            u.a.next = (a as u64).into();
            u.b.next = (b as u64).into();
        },
        |u| u.y.val().to_u64(),
        |&(a, b)| (a as u64) * (b as u64),
    );
}

#[test]
fn mul_product_matches_spec() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x707264);
    let pairs = operand_pairs(&mut rng, spec::NOTIONAL_BITS, spec::WEIGHT_BITS, MUL_RANDOM);
    let mut uut: Box<MulProduct> = new_uut();
    run_pipeline(
        &mut *uut,
        MulProduct::LATENCY,
        &pairs,
        0.2,
        &mut rng,
        |u, &(a, b)| {
            u.a.next = (a as u64).into();
            u.b.next = (b as u64).into();
        },
        |u| u.y_lo.val().to_u128() | (u.y_hi.val().to_u128() << 64),
        |&(a, b)| a * b,
    );
}

/// Sums whose limbs (bits 0–36, 37–73, 74–109) are each zero, all ones
/// or random, so the carries into each limb go both ways, for the sum with
/// and without its carry-in (whose sign tells a sum of 0 from one of 1).
#[test]
fn wide_adder_matches_model() {
    const MASK: u128 = (1 << width::SUM) - 1;
    let limbs = [(0, 37), (37, 37), (74, 36)];
    let mut rng = ChaCha8Rng::seed_from_u64(0x616464);
    let vectors: Vec<(u128, u128, bool)> = (0..MUL_RANDOM)
        .map(|_| {
            let mut sum = 0u128;
            for &(at, len) in &limbs {
                let limb = match rng.gen_range(0..3) {
                    0 => 0,
                    1 => (1u128 << len) - 1,
                    _ => rng.gen::<u128>() & ((1u128 << len) - 1),
                };
                sum |= limb << at;
            }
            let a = random_operand(&mut rng, width::SUM as u32);
            let cin = rng.gen_bool(0.5);
            let b = sum.wrapping_sub(a).wrapping_sub(cin as u128) & MASK;
            (a, b, cin)
        })
        .collect();
    // `a + b` of 0 or −1: the sign without the carry-in at its flip.
    let at_zero = vectors
        .iter()
        .filter(|&&(a, b, _)| matches!((a + b) & MASK, 0 | MASK))
        .count();
    assert!(at_zero > MUL_RANDOM / 40, "too few sums at zero: {at_zero}");
    let mut uut: Box<WideAdder> = new_uut();
    run_pipeline(
        &mut *uut,
        WideAdder::LATENCY,
        &vectors,
        0.2,
        &mut rng,
        |u, &(a, b, cin)| {
            u.a_lo.next = (a as u64).into();
            u.a_hi.next = ((a >> 64) as u64).into();
            u.b_lo.next = (b as u64).into();
            u.b_hi.next = ((b >> 64) as u64).into();
            u.cin.next = cin;
        },
        |u| {
            let sum = u.sum_lo.val().to_u128() | (u.sum_hi.val().to_u128() << 64);
            (sum, u.negative_without_cin.val())
        },
        |&(a, b, cin)| {
            let sign_bit = 1 << (width::SUM - 1);
            ((a + b + cin as u128) & MASK, (a + b) & sign_bit != 0)
        },
    );
}

#[test]
fn mul_synthesizes() {
    check_verilog::<MulNotional>("mul_notional");
    check_verilog::<MulProduct>("mul_product");
}
