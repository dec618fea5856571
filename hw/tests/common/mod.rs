//! What the block tests share: a driver that clocks a block directly (no
//! testbench threads) and checks a pipeline against a model with random
//! stalls, random symbols from the spec, and the Verilog lint.

// Each test crate compiles this module and uses only part of it.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::fmt::Debug;
use std::process::Command;

use liqscan_core::decimal::parse_decimal;
use liqscan_core::spec::units::format_scaled;
use liqscan_core::spec::{self, BracketInput, PositionConst, SymbolUnits};
use liqscan_hw::verilog::lint_waiver;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

/// Entries of a bracket table.
pub const BRACKETS: usize = spec::MAX_BRACKETS;

// ---------------------------------------------------------------- driver

/// A block with a clock input, driven directly (no testbench threads).
pub trait Clocked: Block {
    /// The block registers its enable inside: an edge is enabled when the
    /// enable was high in the cycle before it.
    const ENABLE_AHEAD: bool;
    fn clock_pin(&mut self) -> &mut Signal<In, Clock>;
    /// Drives the enable of this cycle (`now`) and of the next (`next`).
    fn drive_enable(&mut self, now: bool, next: bool);
}

/// `clocked!(ahead, pin: Type, ...)`: the types' enable is `pin`, the next
/// cycle's enable if `ahead`, else this cycle's.
#[allow(unused_macros)] // not every test crate has a block with an enable
macro_rules! clocked {
    ($ahead:expr, $enable:ident: $($t:ty),*) => {$(
        impl $crate::common::Clocked for $t {
            const ENABLE_AHEAD: bool = $ahead;
            fn clock_pin(&mut self) -> &mut Signal<In, Clock> {
                &mut self.clock
            }
            fn drive_enable(&mut self, now: bool, next: bool) {
                self.$enable.next = if $ahead { next } else { now };
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use clocked;

pub fn new_uut<U: Block + Default>() -> Box<U> {
    let mut uut = Box::new(U::default());
    uut.connect_all();
    check_all(uut.as_ref()).expect("circuit checks");
    uut
}

/// What [`new_uut`] does, for a block built with arguments.
pub fn prepare<U: Block>(mut uut: Box<U>) -> Box<U> {
    uut.connect_all();
    check_all(uut.as_ref()).expect("circuit checks");
    uut
}

/// Runs `f` on a thread with a large stack: rust-hdl blocks are plain
/// structs, and one holding a lane is built on the stack before it is boxed.
pub fn big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

pub fn settle<U: Block>(uut: &mut U) {
    assert!(simulate(uut, 100), "circuit did not settle");
}

/// One clock period with the inputs already applied.
pub fn cycle<U: Clocked>(uut: &mut U) {
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
pub fn run_pipeline<U: Clocked, I, O: PartialEq + Debug>(
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
        uut.drive_enable(false, true);
        cycle(uut);
    }
    while next < inputs.len() {
        let enabled = if U::ENABLE_AHEAD {
            std::mem::replace(&mut enabled_next, !rng.gen_bool(stall))
        } else {
            !rng.gen_bool(stall)
        };
        uut.drive_enable(enabled, enabled_next);
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

// ---------------------------------------------------------------- symbols

/// Log-uniform in `1 ..= max`.
pub fn log_uniform(rng: &mut ChaCha8Rng, max: u128) -> u128 {
    let len = rng.gen_range(1..=128 - max.leading_zeros());
    (rng.gen::<u128>() & ((1u128 << len) - 1)).clamp(1, max)
}

pub fn symbol(
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
pub fn random_units(rng: &mut ChaCha8Rng) -> SymbolUnits {
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
pub fn extreme_units() -> SymbolUnits {
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

// ---------------------------------------------------------------- positions

/// `T`'s range (`OFFSET_BITS` signed).
pub const OFFSET_MIN: i128 = -(1 << (spec::OFFSET_BITS - 1));
pub const OFFSET_MAX: i128 = (1 << (spec::OFFSET_BITS - 1)) - 1;

/// `x` as an `N`-bit two's complement signal value (`x` must fit).
pub fn to_signed_bits<const N: usize>(x: i128) -> Signed<N> {
    let mask = (1u128 << N) - 1;
    signed_cast(((x as u128) & mask).to_bits::<N>())
}

/// An `N`-bit signed signal value (`N ≤ 128`) as an integer.
pub fn from_signed_bits<const N: usize>(x: Signed<N>) -> i128 {
    let shift = 128 - N;
    ((x.inner().to_u128() << shift) as i128) >> shift
}

/// A position whose margin sum at `price` is exactly 0, ±1, a little off
/// the boundary or far from it on either side; `|Q|` anywhere, or with its
/// notional at one of the table's caps or one lot above it.
pub fn boundary_position(rng: &mut ChaCha8Rng, units: &SymbolUnits, price: u32) -> PositionConst {
    loop {
        let abs = if rng.gen_bool(0.25) {
            let cap = units.brackets[rng.gen_range(0..units.bracket_count)].cap;
            (cap / u64::from(price) + rng.gen_range(0..=1)).clamp(1, spec::QTY_MAX)
        } else {
            log_uniform(rng, spec::QTY_MAX.into()) as u64
        } as i32;
        let qty_lots = if rng.gen() { abs } else { -abs };
        let base = units.margin_sum(
            PositionConst {
                qty_lots,
                offset: 0,
            },
            price,
        );
        let sum = match rng.gen_range(0..6) {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => rng.gen_range(-1000..=1000),
            _ => {
                let far = log_uniform(rng, 1 << 100) as i128;
                if rng.gen() {
                    far
                } else {
                    -far
                }
            }
        };
        let offset = sum - base;
        if (OFFSET_MIN..=OFFSET_MAX).contains(&offset) {
            return PositionConst { qty_lots, offset };
        }
    }
}

// ---------------------------------------------------------------- synthesis

pub fn check_verilog<U: Block + Default>(name: &str) {
    let uut: Box<U> = new_uut();
    check_verilog_waiving(name, uut.as_ref(), |line, verilog| {
        lint_waiver(line, verilog).is_some()
    });
}

/// [`check_verilog`] of a connected block (see [`prepare`]), accepting the
/// lint messages `waiver(message, verilog)` accepts.
pub fn check_verilog_waiving<U: Block>(name: &str, uut: &U, waiver: impl Fn(&str, &str) -> bool) {
    let verilog = generate_verilog(uut);
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
        .filter(|l| l.starts_with('%') && !waiver(l, &verilog))
        .collect();
    assert!(
        out.status.success() && unwaived.is_empty(),
        "verilator lint of {name}:\n{}",
        unwaived.join("\n")
    );
}
