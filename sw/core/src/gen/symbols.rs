//! Exchange-like symbols: tick and lot sizes, starting prices and tiered
//! bracket ladders scaled to each symbol's liquidity.

use rand::Rng;
use rust_decimal::Decimal;

use crate::market::{Market, Symbol};
use crate::spec::{BracketInput, MMR_DECIMALS, MMR_ONE, PRICE_MAX};

use super::GenError;

/// Maintenance rates of a full ladder, in `R = mmr·10^6` (0.4 % … 50 %).
const MMRS: [u32; 10] = [
    4_000, 5_000, 10_000, 25_000, 50_000, 100_000, 125_000, 150_000, 250_000, 500_000,
];
/// Notional caps (whole quote units) of a ladder's first nine brackets on
/// the most liquid symbol; others divide them by their liquidity divisor.
const BASE_CAPS: [u64; 9] = [
    50_000,
    600_000,
    3_000_000,
    12_000_000,
    70_000_000,
    100_000_000,
    230_000_000,
    480_000_000,
    600_000_000,
];
/// One symbol in five has a jumping (rounded) ladder.
const JUMPING_EVERY: usize = 5;
/// Volatility multiplier by the index in `MMRS` of a ladder's first rate.
const VOLATILITY: [f64; 5] = [1.0, 1.25, 1.5, 2.0, 2.5];
/// Highest leverage offered in any bracket.
pub const MAX_LEVERAGE: u32 = 125;

/// A symbol to imitate: `(units, decimals)` steps and a starting price in ticks.
struct Template {
    base: &'static str,
    tick: (u64, u32),
    lot: (u64, u32),
    /// Starting price in ticks.
    price: u64,
    /// Index in `MMRS` of the first bracket's rate.
    first_mmr: usize,
    brackets: usize,
    /// Caps are `BASE_CAPS / divisor`.
    divisor: u64,
}

const fn t(
    base: &'static str,
    tick: (u64, u32),
    lot: (u64, u32),
    price: u64,
    first_mmr: usize,
    brackets: usize,
    divisor: u64,
) -> Template {
    Template {
        base,
        tick,
        lot,
        price,
        first_mmr,
        brackets,
        divisor,
    }
}

/// In popularity order. Prices span 0.00015 (1000SATS) to 97,000 (BTC).
#[rustfmt::skip]
const TEMPLATES: [Template; 20] = [
    t("BTC",      (1, 1), (1, 3),   970_000,    0, 10, 1),
    t("ETH",      (1, 2), (1, 3),   350_000,    0, 10, 2),
    t("SOL",      (1, 2), (1, 0),    15_000,    1,  9, 5),
    t("BNB",      (5, 2), (1, 2),    11_600,    1,  9, 5),
    t("XRP",      (1, 4), (1, 1),     6_000,    1,  8, 5),
    t("DOGE",     (1, 5), (1, 0),    15_000,    1,  8, 5),
    t("ADA",      (1, 4), (1, 0),     4_500,    2,  7, 10),
    t("AVAX",     (1, 3), (1, 0),    35_000,    2,  7, 10),
    t("LINK",     (1, 3), (1, 2),    15_000,    2,  7, 10),
    t("1000PEPE", (1, 7), (100, 0), 120_000,    2,  7, 10),
    t("LTC",      (1, 2), (1, 3),     8_000,    2,  7, 20),
    t("DOT",      (1, 3), (1, 1),     7_000,    3,  6, 20),
    t("TRX",      (1, 5), (1, 0),    12_000,    3,  6, 20),
    t("1000SHIB", (1, 6), (1, 0),    25_000,    3,  6, 20),
    t("YFI",      (5, 0), (1, 3),     1_400,    3,  6, 50),
    t("NEAR",     (1, 3), (1, 0),     6_000,    3,  6, 20),
    t("ATOM",     (1, 3), (1, 2),     8_000,    3,  6, 20),
    t("XLM",      (1, 5), (1, 0),    11_000,    4,  6, 50),
    t("FIL",      (1, 3), (1, 1),     5_000,    4,  5, 50),
    t("1000SATS", (1, 8), (1, 0),    15_000,    4,  6, 50),
];

const _: () = {
    let mut i = 0;
    while i < TEMPLATES.len() {
        let t = &TEMPLATES[i];
        assert!(
            t.first_mmr + t.brackets <= MMRS.len()
                && t.brackets >= 5
                && t.first_mmr < VOLATILITY.len()
        );
        // Caps stay whole.
        let mut j = 0;
        while j < BASE_CAPS.len() {
            assert!(BASE_CAPS[j] % t.divisor == 0);
            j += 1;
        }
        i += 1;
    }
};

/// A generated symbol's starting state, alongside the market.
#[derive(Debug, Clone)]
pub struct Listing {
    /// Starting mark in ticks.
    pub price: u32,
    /// Relative popularity (ticks and positions), Zipf-like.
    pub weight: u32,
    /// Price moves relative to the most liquid symbols: thinner books move
    /// more, which is also why their ladders start at higher rates.
    pub volatility: f64,
}

fn decimal(units: u128, decimals: u32) -> Decimal {
    Decimal::from_i128_with_scale(units as i128, decimals)
}

/// The ladder of `template`: caps scaled to liquidity, `maint_amount` in
/// `10^-6` units chained so the ladder is continuous, or, for a jumping one,
/// rounded down to two significant figures in whole quote units (as some
/// venues publish them).
fn ladder(template: &Template, jumping: bool) -> Vec<BracketInput> {
    let divisor = template.divisor;
    let mmrs = &MMRS[template.first_mmr..template.first_mmr + template.brackets];
    let mut maint_e6: u128 = 0; // maint_amount·10^6
    let mut brackets = Vec::with_capacity(mmrs.len());
    for (i, &mmr) in mmrs.iter().enumerate() {
        if i > 0 {
            // maint[i] = maint[i−1] + cap[i−1]·(mmr[i] − mmr[i−1]); cap whole, mmr in 10^-6.
            let cap = u128::from(BASE_CAPS[i - 1] / divisor);
            maint_e6 += cap * u128::from(mmr - mmrs[i - 1]);
        }
        let maint = if jumping {
            decimal(two_significant(maint_e6 / u128::from(MMR_ONE)), 0)
        } else {
            decimal(maint_e6, MMR_DECIMALS)
        };
        let last = i + 1 == mmrs.len();
        brackets.push(BracketInput {
            notional_cap: (!last).then(|| decimal(u128::from(BASE_CAPS[i] / divisor), 0)),
            mmr: decimal(u128::from(mmr), MMR_DECIMALS),
            maint_amount: maint.normalize(),
        });
    }
    brackets
}

/// `value` rounded down to its two leading digits.
fn two_significant(value: u128) -> u128 {
    let mut unit = 1;
    while value / unit >= 100 {
        unit *= 10;
    }
    value / unit * unit
}

/// `count` symbols: the templates in order, then renamed copies (`BTC2USDT`,
/// …), each starting within ±10 % of its template's price.
pub fn market(rng: &mut impl Rng, count: usize) -> Result<(Market, Vec<Listing>), GenError> {
    let mut market = Market::new(false);
    let mut listings = Vec::with_capacity(count);
    for i in 0..count {
        let template = &TEMPLATES[i % TEMPLATES.len()];
        let round = i / TEMPLATES.len();
        let name = match round {
            0 => format!("{}USDT", template.base),
            _ => format!("{}{}USDT", template.base, round + 1),
        };
        let jumping = i % JUMPING_EVERY == JUMPING_EVERY - 1;
        let mut ladder = ladder(template, jumping);
        let tick = decimal(template.tick.0.into(), template.tick.1);
        let lot = decimal(template.lot.0.into(), template.lot.1);
        let mut symbol = Symbol::new(name.clone(), tick, lot, ladder.clone())
            .map_err(|e| GenError::Symbol(name.clone(), e))?;
        if jumping && symbol.units.continuous {
            // Rounding happened to keep it continuous: lift the last maintenance amount.
            let last = ladder.last_mut().expect("at least one bracket");
            last.maint_amount += Decimal::ONE;
            symbol = Symbol::new(name.clone(), tick, lot, ladder)
                .map_err(|e| GenError::Symbol(name.clone(), e))?;
        }
        debug_assert_eq!(symbol.units.continuous, !jumping);
        let jitter = 0.9 + 0.2 * rng.gen::<f64>();
        let price = ((template.price as f64 * jitter) as u64).clamp(1, PRICE_MAX) as u32;
        market.add(symbol)?;
        let volatility = VOLATILITY[template.first_mmr];
        listings.push(Listing {
            price,
            weight: (1_000_000 / (i + 1)) as u32,
            volatility,
        });
    }
    Ok((market, listings))
}

/// Highest leverage allowed in a bracket of rate `R`: initial margin at least
/// twice the maintenance rate, as exchanges set it.
pub fn max_leverage(mmr: u32) -> u32 {
    (MMR_ONE / (2 * u64::from(mmr.max(1)))).clamp(1, MAX_LEVERAGE.into()) as u32
}
