//! Shared by the co-simulation tests: random symbols and positions in spec
//! integers, a mirror of the scanner's memory, and the software reference
//! (`SymbolUnits::margin_sum` + `spec::liquidates`) every tick is checked against.
#![allow(dead_code)]

use liqscan_core::spec::{self, BracketInput, PositionConst, SymbolUnits};
use liqscan_sim::{Hit, ScannerModel, TickStats};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

/// `T` as the spec bounds it: `(−2^99, 2^107)` (see `spec::limits::OFFSET_BITS`).
pub const OFFSET_MIN: i128 = -(1 << 99) + 1;
pub const OFFSET_MAX: i128 = (1 << 107) - 1;

/// The model for `lanes`, or a failure that says why (and how to install Verilator).
pub fn model(lanes: usize) -> ScannerModel {
    ScannerModel::new(lanes).unwrap_or_else(|e| panic!("{e}"))
}

/// A seeded generator; `LIQSCAN_SIM_SEED` replays a run.
pub fn rng(test: u64) -> ChaCha8Rng {
    let seed = std::env::var("LIQSCAN_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0000 + test);
    println!("seed {seed} (LIQSCAN_SIM_SEED)");
    ChaCha8Rng::seed_from_u64(seed)
}

/// Uniform over bit lengths, then uniform within: small and huge values alike, `≤ max`.
pub fn log_uniform(rng: &mut impl Rng, max: u128) -> u128 {
    let bits = rng.gen_range(0..=128 - max.leading_zeros());
    let top = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    rng.gen_range(0..=top.min(max))
}

fn decimal(mantissa: u128, scale: u32) -> Decimal {
    Decimal::from_i128_with_scale(mantissa as i128, scale)
}

/// A random symbol the spec accepts: random steps, 1–16 brackets with caps
/// spread over the whole notional range, random rates and amounts.
pub fn random_symbol(rng: &mut impl Rng) -> SymbolUnits {
    loop {
        let (dt, dl) = (
            rng.gen_range(0..=spec::MAX_STEP_DECIMALS),
            rng.gen_range(0..=spec::MAX_STEP_DECIMALS),
        );
        let (t, l) = (
            *[1u128, 2, 5, 10, 25, 50, 125].choose(rng).unwrap(),
            *[1u128, 2, 5, 10, 20].choose(rng).unwrap(),
        );
        let n = rng.gen_range(1..=spec::MAX_BRACKETS);
        // Caps drawn in X = |Q|·P units, then written as notionals with at most 8 decimals.
        let mut caps_x: Vec<u128> = (1..n)
            .map(|_| 1 + log_uniform(rng, u128::from(spec::NOTIONAL_MAX) / 2))
            .collect();
        caps_x.sort_unstable();
        let step_decimals = dt + dl;
        let to_e8 = |x: u128| {
            let units = x * t * l; // notional in 10^-(dt+dl)
            if step_decimals <= 8 {
                units * 10u128.pow(8 - step_decimals)
            } else {
                units / 10u128.pow(step_decimals - 8)
            }
        };
        let caps_e8: Vec<u128> = caps_x.iter().map(|&x| to_e8(x)).collect();
        let limit_e8 = u128::from(spec::NOTIONAL_CAP_LIMIT) * 100_000_000;
        if caps_e8.windows(2).any(|w| w[0] >= w[1])
            || caps_e8.iter().any(|&c| c == 0 || c >= limit_e8)
        {
            continue;
        }
        let ladder: Vec<BracketInput> = (0..n)
            .map(|i| BracketInput {
                notional_cap: caps_e8.get(i).map(|&c| decimal(c, 8)),
                mmr: decimal(
                    if rng.gen_bool(0.1) {
                        0
                    } else {
                        rng.gen_range(0..spec::MMR_ONE) as u128
                    },
                    6,
                ),
                maint_amount: decimal(
                    if rng.gen_bool(0.2) {
                        0
                    } else {
                        log_uniform(rng, u128::from(spec::AMOUNT_LIMIT) * 100_000_000 - 1)
                    },
                    8,
                ),
            })
            .collect();
        if let Ok(units) = SymbolUnits::new(&decimal(t, dt), &decimal(l, dl), &ladder) {
            return units;
        }
    }
}

/// How far from its liquidation threshold a generated position sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Margin {
    /// Margin sum in `−2 ..= 2`.
    Near,
    /// Margin sum negative, anywhere down to `−2^100`.
    Under,
    /// Margin sum positive, anywhere up to `2^100`.
    Over,
}

impl Margin {
    /// 35% near the threshold, 15% under, 50% over.
    pub fn random(rng: &mut impl Rng) -> Self {
        match rng.gen_range(0..100) {
            0..35 => Margin::Near,
            35..50 => Margin::Under,
            _ => Margin::Over,
        }
    }

    fn target(self, rng: &mut impl Rng) -> i128 {
        match self {
            Margin::Near => rng.gen_range(-2..=2),
            Margin::Under => -1 - log_uniform(rng, 1 << 100) as i128,
            Margin::Over => 1 + log_uniform(rng, 1 << 100) as i128,
        }
    }
}

/// A position whose margin sum at `price` is of kind `margin`: `Q` puts the
/// notional in a random bracket (often on a cap or one unit off), then
/// `T = target − A_b − σ·X·W_b,σ`, redrawn until it is within the spec's range.
pub fn position_at(
    rng: &mut impl Rng,
    units: &SymbolUnits,
    price: u32,
    margin: Margin,
) -> PositionConst {
    loop {
        let b = rng.gen_range(0..units.bracket_count);
        let lo = if b == 0 { 0 } else { units.brackets[b - 1].cap };
        let hi = units.brackets[b].cap;
        let x_target = if rng.gen_bool(0.2) {
            (hi + rng.gen_range(0..=2)).saturating_sub(1)
        } else {
            lo + log_uniform(rng, u128::from(hi - lo)) as u64
        };
        let lots = (x_target / u64::from(price)).clamp(1, spec::QTY_MAX) as i32;
        let qty_lots = if rng.gen_bool(0.5) { lots } else { -lots };
        let target = margin.target(rng);
        let base = units.margin_sum(
            PositionConst {
                qty_lots,
                offset: 0,
            },
            price,
        );
        let offset = target - base;
        if (OFFSET_MIN..=OFFSET_MAX).contains(&offset) {
            let position = PositionConst { qty_lots, offset };
            debug_assert_eq!(units.margin_sum(position, price), target);
            return position;
        }
    }
}

/// A random mark, spread over the whole price range.
pub fn random_price(rng: &mut impl Rng) -> u32 {
    1 + log_uniform(rng, u128::from(spec::PRICE_MAX) - 1) as u32
}

/// One symbol as loaded into the scanner, mirrored for the reference.
#[derive(Debug)]
pub struct LoadedSymbol {
    pub id: u32,
    pub units: SymbolUnits,
    pub first_slot: u32,
    /// The region's slots: `None` is a hole.
    pub slots: Vec<Option<PositionConst>>,
}

/// Writes `symbol`'s padded bracket table, its region at `base_row` and its slots.
pub fn load(
    model: &mut ScannerModel,
    id: u32,
    units: SymbolUnits,
    base_row: u32,
    slots: Vec<Option<PositionConst>>,
) -> LoadedSymbol {
    model.write_brackets(id, &units.brackets).unwrap();
    let first_slot = base_row * model.lanes() as u32;
    for (i, slot) in slots.iter().enumerate() {
        model.write_position(first_slot + i as u32, *slot).unwrap();
    }
    model
        .write_region(id, base_row, slots.len() as u32)
        .unwrap();
    LoadedSymbol {
        id,
        units,
        first_slot,
        slots,
    }
}

/// The liquidations the reference expects from a tick, in slot order.
pub fn expected(symbol: &LoadedSymbol, price: u32, at_equal: bool) -> Vec<Hit> {
    symbol
        .slots
        .iter()
        .enumerate()
        .filter_map(|(i, slot)| {
            let sum = symbol.units.margin_sum((*slot)?, price);
            spec::liquidates(sum, at_equal).then(|| Hit {
                slot: symbol.first_slot + i as u32,
                shortfall: -sum,
            })
        })
        .collect()
}

/// Ticks `symbol` at `price` and asserts the scanner reports exactly the
/// reference's liquidations, bit for bit, and meets the timing contract.
/// Reported slots are closed in the mirror, as the scanner closes them.
pub fn check_tick(
    model: &mut ScannerModel,
    symbol: &mut LoadedSymbol,
    price: u32,
    at_equal: bool,
) -> (usize, TickStats) {
    model.set_at_equal(at_equal);
    let want = expected(symbol, price, at_equal);
    let mut got = Vec::new();
    let stats = model.tick(symbol.id, price, &mut got).unwrap();
    compare(&got, &want, symbol.id, price);
    assert_contract(stats, symbol.slots.len() as u64, model.lanes() as u64);
    for hit in &want {
        symbol.slots[(hit.slot - symbol.first_slot) as usize] = None;
    }
    (want.len(), stats)
}

/// The scanner's hits (any order within the scan) equal the reference's.
pub fn compare(got: &[Hit], want: &[Hit], symbol: u32, price: u32) {
    let mut got = got.to_vec();
    got.sort_unstable();
    if got != want {
        let first = got
            .iter()
            .zip(want)
            .position(|(g, w)| g != w)
            .unwrap_or(got.len().min(want.len()));
        panic!(
            "symbol {symbol} at price {price}: scanner reported {} hits, reference {}; first difference at #{first}: scanner {:?}, reference {:?}",
            got.len(),
            want.len(),
            got.get(first),
            want.get(first)
        );
    }
}

/// `K = scan_cycles(n, L) + stalls`, and the scanner's counter agrees.
pub fn assert_contract(stats: TickStats, slots: u64, lanes: u64) {
    assert_eq!(
        stats.cycles,
        spec::scan_cycles(slots, lanes) + stats.stalls,
        "cycles of a {slots}-slot scan on {lanes} lanes: {stats:?}"
    );
    assert_eq!(
        stats.counter, stats.cycles,
        "the scanner's cycle counter: {stats:?}"
    );
}
