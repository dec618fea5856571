//! Symbols and positions drawn directly in spec integers, for the circuit's
//! tests: random symbols the spec accepts, positions placed at a chosen
//! distance from their liquidation threshold, and marks over the whole range.

use liqscan_core::spec::{self, BracketInput, PositionConst, SymbolUnits};
use rand::seq::SliceRandom;
use rand::Rng;
use rust_decimal::Decimal;

use crate::log_uniform;

/// `T` as the spec bounds it: `(−2^107, 2^107)`, margins of either sign
/// (see `spec::limits::OFFSET_BITS`).
pub const OFFSET_MIN: i128 = -(1 << 107) + 1;
pub const OFFSET_MAX: i128 = (1 << 107) - 1;

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
            .map(|_| log_uniform(rng, 1, u128::from(spec::NOTIONAL_MAX) / 2 + 1))
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
                        log_uniform(rng, 1, u128::from(spec::AMOUNT_LIMIT) * 100_000_000 - 1)
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
            Margin::Under => -(log_uniform(rng, 1, (1 << 100) + 1) as i128),
            Margin::Over => log_uniform(rng, 1, (1 << 100) + 1) as i128,
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
            lo + log_uniform(rng, 1, u128::from(hi - lo)) as u64
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
    log_uniform(rng, 1, u128::from(spec::PRICE_MAX)) as u32
}
