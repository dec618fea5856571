//! The liquidation rule on spec integers: the formula the `cpu` scanner runs
//! and the circuit implements stage by stage.

use super::limits::{MAX_BRACKETS, MMR_ONE};
use super::units::{BracketConst, PositionConst, SymbolUnits};

/// Liquidate iff `E − MM < 0`, or `≤ 0` when the book sets `liquidate_at_equal`.
#[inline]
pub fn liquidates(margin_sum: i128, liquidate_at_equal: bool) -> bool {
    margin_sum < 0 || (liquidate_at_equal && margin_sum == 0)
}

/// The bracket of notional `X` in a padded table: the first of the first
/// `MAX_BRACKETS − 1` with `X ≤ cap`, else the last, whose cap is never
/// compared (a padded table's is `NOTIONAL_MAX`, above every `X`): the
/// circuit's 15 parallel compares and priority encoder.
#[inline]
pub fn bracket_index(brackets: &[BracketConst; MAX_BRACKETS], notional: u64) -> usize {
    brackets[..MAX_BRACKETS - 1]
        .iter()
        .position(|b| notional <= b.cap)
        .unwrap_or(MAX_BRACKETS - 1)
}

/// `E − MM = T + A_b + σ·X·W_b,σ` in units of `10^-s`, from a padded bracket
/// table as the circuit holds it (the board's card model scans with this).
#[inline]
pub fn margin_sum(
    brackets: &[BracketConst; MAX_BRACKETS],
    position: PositionConst,
    price: u32,
) -> i128 {
    let x = u64::from(position.qty_lots.unsigned_abs()) * u64::from(price);
    let bracket = &brackets[bracket_index(brackets, x)];
    let base = position.offset + bracket.maint as i128;
    // Long and short are equally likely in a book, so pick the weight and
    // the sign without branches: `σ·p = (p ⊕ m) − m` with `m = 0` (long) or `−1` (short).
    let short = position.qty_lots < 0;
    let weight = if short {
        bracket.weight_short
    } else {
        bracket.weight_long
    };
    let product = (u128::from(x) * u128::from(weight)) as i128;
    let mask = -i128::from(short);
    base + ((product ^ mask) - mask)
}

impl SymbolUnits {
    /// `X = |Q|·P` (< 2^63).
    #[inline]
    pub fn notional(&self, qty_lots: i32, price: u32) -> u64 {
        u64::from(qty_lots.unsigned_abs()) * u64::from(price)
    }

    /// The bracket of notional `X`: the first with `X ≤ cap` (the padded table always has one).
    #[inline]
    pub fn bracket_of(&self, notional: u64) -> usize {
        bracket_index(&self.brackets, notional)
    }

    /// `E − MM = T + A_b + σ·X·W_b,σ` in units of `10^-s`.
    #[inline]
    pub fn margin_sum(&self, position: PositionConst, price: u32) -> i128 {
        margin_sum(&self.brackets, position, price)
    }

    /// Equity `E = T + Q·P·k6·10^6` in units of `10^-s`.
    pub fn equity(&self, position: PositionConst, price: u32) -> i128 {
        position.offset + i128::from(position.qty_lots) * i128::from(price) * self.lot_tick_value()
    }

    /// Maintenance margin `MM = X·k6·R_b − A_b` in units of `10^-s` (negative
    /// when the maintenance amount exceeds `N·mmr`).
    pub fn maintenance(&self, position: PositionConst, price: u32) -> i128 {
        let x = self.notional(position.qty_lots, price);
        let bracket = &self.brackets[self.bracket_of(x)];
        i128::from(x) * i128::from(self.k6) * i128::from(bracket.mmr) - bracket.maint as i128
    }
}

const _: () = assert!(MMR_ONE == 1_000_000);
