//! The lane's blocks in the rust-hdl simulator against the spec's integer
//! reference, one vector per clock with random clock-enable stalls, and their
//! generated Verilog through yosys and `verilator --lint-only -Wall`.

use std::collections::VecDeque;
use std::fmt::Debug;
use std::process::Command;

use liqscan_core::decimal::parse_decimal;
use liqscan_core::spec::units::format_scaled;
use liqscan_core::spec::{self, BracketInput, PositionConst, SymbolUnits};
use liqscan_hw::compare::CapCompare;
use liqscan_hw::delay::DelayLine;
use liqscan_hw::lane::{Lane, BRACKETS};
use liqscan_hw::mul::{width, MulNotional, MulProduct, WideAdder};
use liqscan_hw::table::{self, TableField};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

// ---------------------------------------------------------------- driver

/// A block with a clock input, driven directly (no testbench threads).
trait Clocked: Block {
    /// The enable pin is the next cycle's enable (registered inside).
    const ENABLE_AHEAD: bool;
    fn clock_pin(&mut self) -> &mut Signal<In, Clock>;
    fn enable_pin(&mut self) -> &mut Signal<In, bool>;
}

macro_rules! clocked {
    ($ahead:expr, $enable:ident: $($t:ty),*) => {$(
        impl Clocked for $t {
            const ENABLE_AHEAD: bool = $ahead;
            fn clock_pin(&mut self) -> &mut Signal<In, Clock> {
                &mut self.clock
            }
            fn enable_pin(&mut self) -> &mut Signal<In, bool> {
                &mut self.$enable
            }
        }
    )*};
}
clocked!(false, enable: MulNotional, MulProduct, WideAdder);
clocked!(true, enable_next: Lane, CapCompare);
clocked!(true, enable_next: DelayLine<32, 2>, DelayLine<{ width::OFFSET }, 15>, DelayLine<32, 16>);
clocked!(false, select_enable: TableField<{ width::WEIGHT }>);

fn new_uut<U: Block + Default>() -> Box<U> {
    let mut uut = Box::new(U::default());
    uut.connect_all();
    check_all(uut.as_ref()).expect("circuit checks");
    uut
}

fn settle<U: Block>(uut: &mut U) {
    assert!(simulate(uut, 100), "circuit did not settle");
}

/// One clock period with the inputs already applied.
fn cycle<U: Clocked>(uut: &mut U) {
    uut.clock_pin().next = Clock { clk: false };
    settle(uut);
    uut.clock_pin().next = Clock { clk: true };
    settle(uut);
}

/// Feeds `inputs` one per enabled clock, stalling `enable` at random
/// (`stall` = probability), and checks that the output after the
/// `latency`-th enabled edge is `expect(input)` and that a stalled cycle
/// changes no output. Returns the number of stall cycles.
#[allow(clippy::too_many_arguments)] // one harness for every block: each argument is one knob
fn run_pipeline<U: Clocked, I, O: PartialEq + Debug>(
    uut: &mut U,
    latency: usize,
    inputs: &[I],
    stall: f64,
    rng: &mut ChaCha8Rng,
    apply: impl Fn(&mut U, &I),
    read: impl Fn(&U) -> O,
    expect: impl Fn(&I) -> O,
) -> usize {
    let mut pending: VecDeque<&I> = VecDeque::new();
    let mut stalls = 0;
    let mut next = 0;
    let mut enabled_next = true;
    if U::ENABLE_AHEAD {
        // Loads the enable registers for the first cycle.
        uut.enable_pin().next = true;
        cycle(uut);
    }
    while next < inputs.len() {
        let enabled = if U::ENABLE_AHEAD {
            std::mem::replace(&mut enabled_next, !rng.gen_bool(stall))
        } else {
            !rng.gen_bool(stall)
        };
        uut.enable_pin().next = if U::ENABLE_AHEAD {
            enabled_next
        } else {
            enabled
        };
        apply(uut, &inputs[next]);
        let before = read(uut);
        cycle(uut);
        if !enabled {
            stalls += 1;
            assert_eq!(read(uut), before, "a stalled cycle changed the outputs");
            continue;
        }
        pending.push_back(&inputs[next]);
        next += 1;
        if pending.len() == latency {
            let input = pending.pop_front().unwrap();
            assert_eq!(
                read(uut),
                expect(input),
                "vector {} of {}",
                next - latency,
                inputs.len()
            );
        }
    }
    stalls
}

// ---------------------------------------------------------------- multipliers

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
        |u| u.y.val().to_u128(),
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
            u.a.next = a.to_bits();
            u.b.next = b.to_bits();
            u.cin.next = cin;
        },
        |u| (u.sum.val().to_u128(), u.negative_without_cin.val()),
        |&(a, b, cin)| {
            let sign_bit = 1 << (width::SUM - 1);
            ((a + b + cin as u128) & MASK, (a + b) & sign_bit != 0)
        },
    );
}

#[test]
fn multiplier_budget() {
    assert_eq!(Lane::MULTIPLIERS, 16);
    // The blocks plus S1, S6 (the compares' copies of X), S9–S11 (select,
    // its copies, the table read), S18 (carry-save) and S21 (sign test).
    assert_eq!(
        MulNotional::LATENCY + CapCompare::LATENCY + MulProduct::LATENCY + WideAdder::LATENCY + 7,
        Lane::LATENCY
    );
    assert_eq!(BRACKETS, spec::MAX_BRACKETS);
    assert_eq!(width::SUM as u32, spec::SUM_BITS);
}

// ---------------------------------------------------------------- cap compare

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
        uut.enable_next.next = false;
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

// ---------------------------------------------------------------- delay line

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

// ---------------------------------------------------------------- table field

/// A table field against a plain array: random tables loaded through the
/// load protocol (random words on the row ports outside the load edges),
/// then random selects with a random select enable; between loads the
/// output must be the word at the last enabled select, and a load must
/// replace every word.
#[test]
fn table_field_matches_model() {
    const W: usize = width::WEIGHT;
    let mut rng = ChaCha8Rng::seed_from_u64(0x7461626c);
    let mut uut: Box<TableField<W>> = new_uut();
    let word = |rng: &mut ChaCha8Rng| rng.gen::<u64>() & ((1 << W) - 1);
    let mut selected = 0usize;
    let mut reads = 0;
    for _ in 0..200 {
        let table: Vec<u64> = (0..spec::MAX_BRACKETS).map(|_| word(&mut rng)).collect();
        uut.select_enable.next = false;
        uut.load.next = true;
        cycle(&mut *uut);
        uut.load.next = false;
        for m in 0..table::ROWS {
            for (r, row) in uut.rows.iter_mut().enumerate() {
                row.next = table[table::BANKS * m + r].into();
            }
            cycle(&mut *uut);
        }
        for _ in 0..100 {
            for row in uut.rows.iter_mut() {
                row.next = word(&mut rng).into();
            }
            let enable = rng.gen_bool(0.7);
            let select = rng.gen_range(0..spec::MAX_BRACKETS);
            uut.select_enable.next = enable;
            uut.select_next.next = (select as u64).into();
            cycle(&mut *uut);
            if enable {
                selected = select;
            }
            assert_eq!(
                uut.value.val().to_u64(),
                table[selected],
                "bracket {selected}"
            );
            reads += 1;
        }
    }
    assert_eq!(reads, 20_000);
}

// ---------------------------------------------------------------- lane

/// A lane input: `None` is an idle slot (garbage data, `in_valid` low).
#[derive(Debug, Clone)]
struct Slot {
    position: Option<PositionConst>,
    tag: u32,
    garbage: (i32, i128),
}

/// What the lane must output for a slot: (valid, hit, tag, shortfall);
/// tag and shortfall are don't-care (zero) for idle slots.
type LaneOut = (bool, bool, u32, i128);

/// One scan: a symbol's table, a mark and a run of slots.
struct Batch {
    units: SymbolUnits,
    price: u32,
    at_equal: bool,
    slots: Vec<Slot>,
}

const OFFSET_MIN: i128 = -(1 << (spec::OFFSET_BITS - 1));
const OFFSET_MAX: i128 = (1 << (spec::OFFSET_BITS - 1)) - 1;

fn to_signed<const N: usize>(x: i128) -> Signed<N> {
    let mask = (1u128 << N) - 1;
    signed_cast(((x as u128) & mask).to_bits::<N>())
}

fn from_signed<const N: usize>(x: Signed<N>) -> i128 {
    let shift = 128 - N;
    ((x.inner().to_u128() << shift) as i128) >> shift
}

/// Loads the batch's table the way the scanner does: a `load_brackets`
/// pulse, then row 0, 1, 2, 3 (caps and amounts) on the four load edges. The
/// pipeline keeps running meanwhile (draining the previous batch), and the
/// bracket ports carry random words before and after the load edges, which
/// the lane must not take.
fn load_table(uut: &mut Lane, batch: &Batch, rng: &mut ChaCha8Rng) {
    let brackets = &batch.units.brackets;
    let scramble = |uut: &mut Lane, rng: &mut ChaCha8Rng| {
        let mask = |bits: usize| (1u128 << bits) - 1;
        for row in uut.rows.iter_mut() {
            row.cap.next = rng.gen::<u64>().into();
            row.maint.next = (rng.gen::<u128>() & mask(width::MAINT)).to_bits();
            row.weight_long.next = ((rng.gen::<u128>() & mask(width::WEIGHT)) as u64).into();
            row.weight_short.next = ((rng.gen::<u128>() & mask(width::WEIGHT)) as u64).into();
        }
    };
    scramble(uut, rng);
    uut.load_brackets.next = true;
    cycle(uut);
    uut.load_brackets.next = false;
    for m in 0..table::ROWS {
        for (r, row) in uut.rows.iter_mut().enumerate() {
            let b = &brackets[table::BANKS * m + r];
            row.cap.next = b.cap.into();
            row.maint.next = b.maint.to_bits();
            row.weight_long.next = b.weight_long.into();
            row.weight_short.next = b.weight_short.into();
        }
        cycle(uut);
        scramble(uut, rng);
    }
    uut.price.next = u64::from(batch.price).into();
    uut.at_equal.next = batch.at_equal;
}

fn apply_slot(uut: &mut Lane, slot: &Slot) {
    let (qty, offset) = match slot.position {
        Some(p) => (p.qty_lots, p.offset),
        None => slot.garbage,
    };
    uut.in_valid.next = slot.position.is_some();
    uut.in_tag.next = u64::from(slot.tag).into();
    uut.in_qty.next = to_signed(qty.into());
    uut.in_offset.next = to_signed(offset);
}

fn read_lane(uut: &Lane) -> LaneOut {
    if !uut.out_valid.val() {
        return (false, uut.out_hit.val(), 0, 0);
    }
    (
        true,
        uut.out_hit.val(),
        uut.out_tag.val().to_u32(),
        from_signed(uut.out_shortfall.val()),
    )
}

fn expect_lane(batch: &Batch, slot: &Slot) -> LaneOut {
    match slot.position {
        None => (false, false, 0, 0),
        Some(p) => {
            let sum = batch.units.margin_sum(p, batch.price);
            (true, spec::liquidates(sum, batch.at_equal), slot.tag, -sum)
        }
    }
}

/// Log-uniform in `1 ..= max`.
fn log_uniform(rng: &mut ChaCha8Rng, max: u128) -> u128 {
    let len = rng.gen_range(1..=128 - max.leading_zeros());
    (rng.gen::<u128>() & ((1u128 << len) - 1)).clamp(1, max)
}

fn symbol(
    tick: &str,
    lot: &str,
    ladder: &[(Option<String>, String, String)],
) -> Result<SymbolUnits, spec::FieldError> {
    let d = |text: &str| parse_decimal(text).expect("valid decimal");
    let ladder: Vec<BracketInput> = ladder
        .iter()
        .map(|(cap, mmr, maint)| BracketInput {
            notional_cap: cap.as_deref().map(d),
            mmr: d(mmr),
            maint_amount: d(maint),
        })
        .collect();
    SymbolUnits::new(&d(tick), &d(lot), &ladder)
}

/// A valid symbol with random steps and a random ladder of 1 to 16 brackets.
fn random_units(rng: &mut ChaCha8Rng) -> SymbolUnits {
    loop {
        let tick = format_scaled(
            rng.gen_range(1..=999),
            rng.gen_range(0..=spec::MAX_STEP_DECIMALS),
        );
        let lot = format_scaled(
            rng.gen_range(1..=99),
            rng.gen_range(0..=spec::MAX_STEP_DECIMALS),
        );
        let count = rng.gen_range(1..=BRACKETS);
        // Caps in units of 10^-8, below NOTIONAL_CAP_LIMIT.
        let cap_limit = u128::from(spec::NOTIONAL_CAP_LIMIT) * 100_000_000 - 1;
        let mut caps: Vec<u128> = (1..count).map(|_| log_uniform(rng, cap_limit)).collect();
        caps.sort_unstable();
        caps.dedup();
        let amount_limit = u128::from(spec::AMOUNT_LIMIT) * 100_000_000 - 1;
        let mut ladder: Vec<(Option<String>, String, String)> = Vec::new();
        for cap in caps.iter().map(Some).chain([None]) {
            let mmr = format_scaled(rng.gen_range(0..spec::MMR_ONE as i128), spec::MMR_DECIMALS);
            let maint = if rng.gen_bool(0.2) {
                0
            } else {
                log_uniform(rng, amount_limit)
            };
            ladder.push((
                cap.map(|&c| format_scaled(c as i128, 8)),
                mmr,
                format_scaled(maint as i128, 8),
            ));
        }
        if let Ok(units) = symbol(&tick, &lot, &ladder) {
            return units;
        }
    }
}

/// The largest values the spec allows: s = 22, k6 = 2^16 − 1, mmr 0.999999
/// (the largest weight) and the largest maintenance amount.
fn extreme_units() -> SymbolUnits {
    let top = |cap: Option<&str>| {
        (
            cap.map(str::to_owned),
            "0.999999".to_owned(),
            "9999999999.99999999".to_owned(),
        )
    };
    let units = symbol(
        "0.00065535",
        "0.00000001",
        &[top(Some("999999999999.99999999")), top(None)],
    )
    .unwrap();
    assert_eq!(units.quote_decimals, spec::MAX_QUOTE_DECIMALS);
    assert_eq!(units.k6, spec::K6_LIMIT - 1);
    units
}

fn idle_slot(rng: &mut ChaCha8Rng) -> Slot {
    Slot {
        position: None,
        tag: rng.gen(),
        garbage: (rng.gen(), rng.gen_range(OFFSET_MIN..=OFFSET_MAX)),
    }
}

/// `T` for a position: realistic, on or next to the liquidation boundary,
/// uniform over 108 bits, or an extreme.
fn random_offset(rng: &mut ChaCha8Rng, units: &SymbolUnits, price: u32, qty: i32) -> i128 {
    let realistic = |rng: &mut ChaCha8Rng| {
        let entry = (i64::from(price) + rng.gen_range(-1000..=1000))
            .clamp(1, spec::PRICE_MAX as i64) as u32;
        let margin = log_uniform(
            rng,
            u128::from(spec::AMOUNT_LIMIT) * 10u128.pow(units.quote_decimals) - 1,
        );
        units.position_const(qty, entry, margin as i128).offset
    };
    match rng.gen_range(0..10) {
        0..=2 => realistic(rng),
        3..=7 => {
            // sum = delta exactly: 0, ±1 or a little further.
            let base = units.margin_sum(
                PositionConst {
                    qty_lots: qty,
                    offset: 0,
                },
                price,
            );
            let delta = match rng.gen_range(0..4) {
                0 => 0,
                1 => 1,
                2 => -1,
                _ => rng.gen_range(-1_000_000..=1_000_000),
            };
            let offset = delta - base;
            if (OFFSET_MIN..=OFFSET_MAX).contains(&offset) {
                offset
            } else {
                realistic(rng)
            }
        }
        8 => rng.gen_range(OFFSET_MIN..=OFFSET_MAX),
        _ => [OFFSET_MIN, OFFSET_MAX, 0, -1][rng.gen_range(0..4)],
    }
}

/// `|Q|` giving a notional in bracket `b`'s range (or a plain random one).
fn random_qty(rng: &mut ChaCha8Rng, units: &SymbolUnits, price: u32) -> i32 {
    let abs = match rng.gen_range(0..8) {
        0 => [1, spec::QTY_MAX][rng.gen_range(0..2)],
        1 | 2 => log_uniform(rng, u128::from(spec::QTY_MAX)) as u64,
        _ => {
            let b = rng.gen_range(0..units.bracket_count);
            let high = units.brackets[b].cap;
            let low = if b == 0 { 0 } else { units.brackets[b - 1].cap };
            let x = rng.gen_range(low..=high);
            (x / u64::from(price) + rng.gen_range(0..=1)).clamp(1, spec::QTY_MAX)
        }
    };
    let abs = abs as i32;
    if rng.gen_bool(0.5) {
        abs
    } else {
        -abs
    }
}

fn random_batch(rng: &mut ChaCha8Rng, units: SymbolUnits, price: u32, len: usize) -> Batch {
    let slots = (0..len)
        .map(|_| {
            if rng.gen_bool(0.1) {
                return idle_slot(rng);
            }
            let qty = random_qty(rng, &units, price);
            let offset = random_offset(rng, &units, price, qty);
            Slot {
                position: Some(PositionConst {
                    qty_lots: qty,
                    offset,
                }),
                tag: rng.gen(),
                garbage: (0, 0),
            }
        })
        .collect();
    Batch {
        units,
        price,
        at_equal: rng.gen_bool(0.5),
        slots,
    }
}

/// Caps set to `q_b·P + d` (`d` ∈ {−1, 0, 1}) and positions `q_b − 1 ..= q_b + 1`:
/// notionals exactly on, just below and just above each cap.
fn cap_edge_batch(rng: &mut ChaCha8Rng, price: u32) -> Batch {
    let mut units = random_units(rng);
    let max_q = spec::NOTIONAL_MAX / u64::from(price) - 2;
    let mut qs: Vec<u64> = (0..BRACKETS - 1)
        .map(|_| log_uniform(rng, max_q.min(spec::QTY_MAX - 1).into()) as u64 + 1)
        .collect();
    qs.sort_unstable();
    qs.dedup();
    let mut caps = Vec::new();
    for &q in &qs {
        let cap = q * u64::from(price) + rng.gen_range(0..=2) - 1;
        if caps.last().map_or(true, |&last| cap > last) {
            caps.push(cap);
        }
    }
    for b in 0..BRACKETS {
        units.brackets[b].cap = caps.get(b).copied().unwrap_or(spec::NOTIONAL_MAX);
    }
    let mut batch = random_batch(rng, units, price, 0);
    for &q in &qs {
        for abs in [q - 1, q, q + 1]
            .into_iter()
            .filter(|&a| (1..=spec::QTY_MAX).contains(&a))
        {
            for sign in [1, -1] {
                let qty = sign * abs as i32;
                let offset = random_offset(rng, &batch.units, price, qty);
                batch.slots.push(Slot {
                    position: Some(PositionConst {
                        qty_lots: qty,
                        offset,
                    }),
                    tag: rng.gen(),
                    garbage: (0, 0),
                });
            }
        }
    }
    batch
}

/// Largest price, largest |Q|, one lot, long and short, on the largest spec
/// values, with offsets at the boundary and at the extremes.
fn extreme_batch(rng: &mut ChaCha8Rng, at_equal: bool) -> Batch {
    let units = extreme_units();
    let price = spec::PRICE_MAX as u32;
    let mut slots = Vec::new();
    for abs in [1, 2, spec::QTY_MAX as i32 - 1, spec::QTY_MAX as i32] {
        for qty in [abs, -abs] {
            let base = units.margin_sum(
                PositionConst {
                    qty_lots: qty,
                    offset: 0,
                },
                price,
            );
            let mut offsets = vec![OFFSET_MIN, OFFSET_MAX, 0];
            offsets.extend(
                [-1, 0, 1]
                    .map(|d| d - base)
                    .into_iter()
                    .filter(|t| (OFFSET_MIN..=OFFSET_MAX).contains(t)),
            );
            for offset in offsets {
                slots.push(Slot {
                    position: Some(PositionConst {
                        qty_lots: qty,
                        offset,
                    }),
                    tag: rng.gen(),
                    garbage: (0, 0),
                });
            }
        }
    }
    Batch {
        units,
        price,
        at_equal,
        slots,
    }
}

/// Vectors through the lane in `lane_matches_spec` (about; plus flushes).
const LANE_VECTORS: usize = 20_000;

#[test]
fn lane_matches_spec() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x6c616e65);
    let mut batches = vec![
        extreme_batch(&mut rng, false),
        extreme_batch(&mut rng, true),
    ];
    for price in [1, 2, 1000, spec::PRICE_MAX as u32] {
        batches.push(cap_edge_batch(&mut rng, price));
    }
    let random_price = |rng: &mut ChaCha8Rng| log_uniform(rng, spec::PRICE_MAX.into()) as u32;
    let price = random_price(&mut rng);
    batches.push(cap_edge_batch(&mut rng, price));
    // The priority select must pick the first match even in an unordered table.
    for _ in 0..2 {
        let mut units = random_units(&mut rng);
        let mut caps: Vec<u64> = units.brackets.iter().map(|b| b.cap).collect();
        caps.shuffle(&mut rng);
        for (b, cap) in units.brackets.iter_mut().zip(caps) {
            b.cap = cap;
        }
        let price = random_price(&mut rng);
        batches.push(random_batch(&mut rng, units, price, 400));
    }
    let fixed: usize = batches.iter().map(|b| b.slots.len()).sum();
    let per_batch = 400;
    for _ in 0..LANE_VECTORS.saturating_sub(fixed) / per_batch {
        let units = random_units(&mut rng);
        let price = random_price(&mut rng);
        batches.push(random_batch(&mut rng, units, price, per_batch));
    }

    let mut uut: Box<Lane> = new_uut();
    let (mut vectors, mut hits, mut ties, mut stalls) = (0, 0, 0, 0);
    for batch in &mut batches {
        // Drain with idle slots before the next table is applied.
        batch
            .slots
            .extend((0..Lane::LATENCY).map(|_| idle_slot(&mut rng)));
        load_table(&mut uut, batch, &mut rng);
        let batch = &*batch;
        stalls += run_pipeline(
            &mut *uut,
            Lane::LATENCY,
            &batch.slots,
            0.1,
            &mut rng,
            apply_slot,
            read_lane,
            |slot| expect_lane(batch, slot),
        );
        for slot in &batch.slots {
            if let Some(p) = slot.position {
                let sum = batch.units.margin_sum(p, batch.price);
                vectors += 1;
                hits += usize::from(spec::liquidates(sum, batch.at_equal));
                ties += usize::from(sum == 0);
            }
        }
    }
    eprintln!(
        "lane: {vectors} positions, {hits} hits, {ties} ties (sum = 0), {stalls} stall cycles"
    );
    // The vectors must exercise both outcomes and the tie.
    assert!(vectors >= LANE_VECTORS * 8 / 10, "{vectors} vectors");
    assert!(
        hits > vectors / 10 && hits < vectors * 9 / 10,
        "{hits} hits of {vectors}"
    );
    assert!(ties > vectors / 50, "{ties} ties of {vectors}");
    assert!(stalls > vectors / 20, "{stalls} stalls");
}

// ---------------------------------------------------------------- synthesis

/// Lint messages accepted, each for a stated reason.
fn waived(line: &str) -> bool {
    // rust-hdl widens (`bit_cast`) by masking with a wider constant and
    // writes 32-bit literals: zero-extensions, never truncations.
    if line.starts_with("%Warning-WIDTH") {
        let bits = |key: &str| -> Option<u32> {
            let tail = &line[line.find(key)? + key.len()..];
            tail.split_whitespace().next()?.parse().ok()
        };
        return matches!((bits("expects "), bits("generates ")), (Some(want), Some(got)) if got < want);
    }
    if !line.starts_with("%Warning-UNUSEDSIGNAL") {
        return false;
    }
    // `MulProduct` uses 100 of its 110-bit adder's bits and not the sign
    // without the carry-in.
    line.ends_with("Bits of signal are not used: 'add$sum'[109:100]")
        || line.ends_with("Signal is not used: 'add$negative_without_cin'")
        // Only the borrow (bit 32) of each half difference is read.
        || (line.contains("Bits of signal are not used: 'diff_") && line.ends_with("'[31:0]"))
        // Only the carry (bit 37) of the adder's low limb without its carry-in is read.
        || line.ends_with("Bits of signal are not used: 'lo_without_cin'[36:0]")
}

fn check_verilog<U: Block + Default>(name: &str) {
    let uut: Box<U> = new_uut();
    let verilog = generate_verilog(uut.as_ref());
    yosys_validate(&format!("liqscan_hw_{name}"), &verilog)
        .unwrap_or_else(|e| panic!("yosys: {e:?}"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("top.v");
    std::fs::write(&path, &verilog).unwrap();
    let out = Command::new("verilator")
        // rust-hdl writes every module into one file.
        .args([
            "--lint-only",
            "-Wall",
            "-Wno-DECLFILENAME",
            "-Wno-fatal",
            "--top-module",
            "top",
        ])
        .arg(&path)
        .output()
        .expect("verilator is installed (scripts/install-deps.sh)");
    let log = String::from_utf8_lossy(&out.stderr);
    let unwaived: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with('%') && !waived(l))
        .collect();
    assert!(
        out.status.success() && unwaived.is_empty(),
        "verilator lint of {name}:\n{}",
        unwaived.join("\n")
    );
}

#[test]
fn mul_synthesizes() {
    check_verilog::<MulNotional>("mul_notional");
    check_verilog::<MulProduct>("mul_product");
}

#[test]
fn lane_synthesizes() {
    check_verilog::<Lane>("lane");
}
