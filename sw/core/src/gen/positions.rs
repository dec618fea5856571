//! Positions: long and short, log-uniform sizes, leverage 1–125x limited by
//! the bracket, entries near the starting mark, margins of 2, 4 or 8 decimals.

use rand::distributions::{Distribution, WeightedIndex};
use rand::Rng;

use crate::book::Position;
use crate::market::{Market, SymbolId};
use crate::spec::{SymbolUnits, QTY_MAX};

use super::sample::{log_uniform, unit_noise};
use super::symbols::{max_leverage, Listing};

/// Leverage chosen by traders, and how often (before the bracket's limit).
const LEVERAGE: [(u32, u32); 11] = [
    (1, 8),
    (2, 8),
    (3, 8),
    (5, 14),
    (10, 20),
    (20, 16),
    (25, 6),
    (50, 8),
    (75, 4),
    (100, 5),
    (125, 3),
];
/// Smallest order, in quote units.
const MIN_NOTIONAL: f64 = 10.0;
/// One position in this many is a whale, up to 20 times the usual largest size.
const WHALE_EVERY: u32 = 50;
/// Entries spread around the starting mark (relative, standard deviation).
const ENTRY_SPREAD: f64 = 0.002;

/// `count` positions with ids `1 ..= count`.
pub fn positions(
    rng: &mut impl Rng,
    market: &Market,
    listings: &[Listing],
    count: usize,
) -> Vec<Position> {
    if count == 0 || listings.is_empty() {
        return Vec::new();
    }
    let trader = Trader::new(listings, (count / 4).max(1));
    (1..=count as u64)
        .map(|id| trader.open(rng, market, id, |symbol| listings[symbol.index()].price))
        .collect()
}

/// Draws positions as traders open them: a symbol by popularity, a
/// leverage, an account, then a size and an entry near the symbol's mark.
pub(super) struct Trader {
    pick_symbol: WeightedIndex<u32>,
    pick_leverage: WeightedIndex<u32>,
    accounts: usize,
}

impl Trader {
    /// Over non-empty `listings`, for accounts `0 .. accounts`.
    pub fn new(listings: &[Listing], accounts: usize) -> Self {
        Self {
            pick_symbol: WeightedIndex::new(listings.iter().map(|l| l.weight))
                .expect("positive weights"),
            pick_leverage: WeightedIndex::new(LEVERAGE.iter().map(|l| l.1))
                .expect("positive weights"),
            accounts,
        }
    }

    /// Position `id`, entered near `mark(symbol)` (ticks).
    pub fn open(
        &self,
        rng: &mut impl Rng,
        market: &Market,
        id: u64,
        mark: impl Fn(SymbolId) -> u32,
    ) -> Position {
        let symbol = SymbolId(self.pick_symbol.sample(rng) as u32);
        let units = market.units(symbol);
        let leverage = LEVERAGE[self.pick_leverage.sample(rng)].0;
        let account = format!("acct{:06}", rng.gen_range(0..self.accounts));
        let (qty_lots, entry_ticks, margin_units) = position(rng, units, mark(symbol), leverage);
        Position {
            id,
            account,
            symbol,
            qty_lots,
            entry_ticks,
            margin_units,
        }
    }
}

/// `(Q, Pe, C)` of one position on a symbol whose mark is `price` ticks.
fn position(
    rng: &mut impl Rng,
    units: &SymbolUnits,
    price: u32,
    leverage: u32,
) -> (i32, u32, i128) {
    let step_decimals = units.tick.decimals + units.lot.decimals;
    // Quote value of one lot·tick, for sizing only (the position is then exact).
    let lot_tick = (units.tick.units * units.lot.units) as f64 / 10u64.pow(step_decimals) as f64;
    // Usually up to the fourth bracket's cap, whales beyond.
    let usual = units.brackets[3.min(units.bracket_count - 2)].cap as f64 * lot_tick;
    let hi = if rng.gen_ratio(1, WHALE_EVERY) {
        usual * 20.0
    } else {
        usual
    };
    let notional = log_uniform(rng, MIN_NOTIONAL, hi.max(MIN_NOTIONAL));
    let entry = (f64::from(price) * (1.0 + ENTRY_SPREAD * unit_noise(rng))).max(1.0) as u32;
    let lots = ((notional / (f64::from(entry) * lot_tick)) as u64).clamp(1, QTY_MAX);
    let qty_lots = if rng.gen_bool(0.52) {
        lots as i32
    } else {
        -(lots as i32)
    };

    // Bracket of the entry notional caps the leverage.
    let x = units.notional(qty_lots, entry);
    let leverage = leverage.min(max_leverage(units.brackets[units.bracket_of(x)].mmr));
    // margin = N / leverage rounded up to `md` decimals, N = X·t·l·10^-(dt+dl):
    // C_md = ceil(X·t·l·10^md / (leverage·10^(dt+dl))); X·t·l·10^8 < 2^63·2^16·2^27 = 2^106.
    let md = [2u32, 4, 8][rng.gen_range(0..3)];
    let numerator = u128::from(x) * u128::from(units.tick.units * units.lot.units) * 10u128.pow(md);
    let denominator = u128::from(leverage) * 10u128.pow(step_decimals);
    let margin = numerator.div_ceil(denominator);
    let margin_units = (margin * 10u128.pow(units.quote_decimals - md)) as i128;
    (qty_lots, entry, margin_units)
}
