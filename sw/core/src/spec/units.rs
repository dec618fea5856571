//! Per-symbol and per-position integer constants, computed once by the host
//! when a symbol or a position is written. Hardware and software share them.

use rust_decimal::Decimal;

use super::limits::*;
use super::step::{Step, StepError};
use crate::decimal::parts;

/// A field that could not be turned into spec integers, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The input field, e.g. `qty` or `brackets[2].mmr`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl ToString) -> Self {
        Self {
            field: field.into(),
            reason: reason.to_string(),
        }
    }
}

/// One bracket as written in the symbols file.
#[derive(Debug, Clone, PartialEq)]
pub struct BracketInput {
    /// Upper notional bound, `None` for the last bracket.
    pub notional_cap: Option<Decimal>,
    /// Maintenance margin rate, `0 ≤ mmr < 1`, at most 6 decimals.
    pub mmr: Decimal,
    /// Maintenance amount subtracted from `N·mmr`, `≥ 0`, at most 8 decimals.
    pub maint_amount: Decimal,
}

/// One bracket in spec integers: exactly one entry of the circuit's bracket table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BracketConst {
    /// `cap_b` in `X = |Q|·P` units (`NOTIONAL_MAX` when uncapped), `NOTIONAL_BITS` wide.
    pub cap: u64,
    /// `A_b = maint_amount·10^s`, `MAINT_BITS` wide.
    pub maint: u128,
    /// `R_b = mmr·10^6`.
    pub mmr: u32,
    /// `W_b,+ = k6·(10^6 − R_b)`, `WEIGHT_BITS` wide.
    pub weight_long: u64,
    /// `W_b,− = k6·(10^6 + R_b)`, `WEIGHT_BITS` wide.
    pub weight_short: u64,
}

/// A symbol in spec integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolUnits {
    pub tick: Step,
    pub lot: Step,
    /// `s`: quote amounts are integers in units of `10^-s`.
    pub quote_decimals: u32,
    /// `k6 = t·l·10^(s − dt − dl − 6)`, `< 2^K6_BITS`.
    pub k6: u64,
    /// Brackets as written (`1 ..= MAX_BRACKETS`).
    pub bracket_count: usize,
    /// The bracket table, padded to `MAX_BRACKETS` by repeating the last bracket.
    pub brackets: [BracketConst; MAX_BRACKETS],
    /// The ladder is continuous (`A_{i+1} = A_i + cap_i·(mmr_{i+1} − mmr_i)`),
    /// so every position's fate is monotone in the mark.
    pub continuous: bool,
}

/// A position in spec integers: exactly one slot of the circuit's position memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PositionConst {
    /// `Q`, signed lots, `0 < |Q| ≤ QTY_MAX`.
    pub qty_lots: i32,
    /// `T = C·10^s − Q·Pe·k6·10^6`, `OFFSET_BITS` signed.
    pub offset: i128,
}

/// `value · 10^-decimals` as an exact decimal string, trailing zeros trimmed.
pub fn format_scaled(value: i128, decimals: u32) -> String {
    let digits = value.unsigned_abs().to_string();
    let width = decimals as usize + 1;
    let padded = format!("{digits:0>width$}");
    let (int, frac) = padded.split_at(padded.len() - decimals as usize);
    let frac = frac.trim_end_matches('0');
    let sign = if value < 0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

fn pow10(exp: u32) -> u128 {
    10u128.pow(exp)
}

/// A non-negative amount with at most `max_decimals` decimals, below `limit`,
/// as `(mantissa, decimals)`.
fn amount_parts(value: &Decimal, limit: u64, max_decimals: u32) -> Result<(u128, u32), String> {
    let (mantissa, decimals) = parts(value);
    if mantissa < 0 {
        return Err("must be >= 0".into());
    }
    if decimals > max_decimals {
        return Err(format!(
            "at most {max_decimals} decimals allowed, got {decimals}"
        ));
    }
    if *value >= Decimal::from(limit) {
        return Err(format!("out of range: must be < {limit}"));
    }
    Ok((mantissa as u128, decimals))
}

impl SymbolUnits {
    /// Checks a symbol's steps and bracket ladder and computes its constants.
    pub fn new(
        tick_size: &Decimal,
        lot_size: &Decimal,
        ladder: &[BracketInput],
    ) -> Result<Self, FieldError> {
        let tick = Step::new(tick_size).map_err(|e| FieldError::new("tick_size", e))?;
        let lot = Step::new(lot_size).map_err(|e| FieldError::new("lot_size", e))?;
        let step_decimals = tick.decimals + lot.decimals;
        let quote_decimals = MIN_QUOTE_DECIMALS.max(step_decimals + MMR_DECIMALS);
        let k6 = u128::from(tick.units)
            * u128::from(lot.units)
            * pow10(quote_decimals - step_decimals - MMR_DECIMALS);
        if k6 >= u128::from(K6_LIMIT) {
            return Err(FieldError::new(
                "tick_size",
                format!(
                    "tick_size × lot_size too coarse for the spec: k6 = {k6} must be < {K6_LIMIT}"
                ),
            ));
        }
        let k6 = k6 as u64;
        if ladder.is_empty() || ladder.len() > MAX_BRACKETS {
            return Err(FieldError::new(
                "brackets",
                format!("need 1 to {MAX_BRACKETS} brackets, got {}", ladder.len()),
            ));
        }

        let mut brackets = [BracketConst::default(); MAX_BRACKETS];
        // (cap in 10^-8 units, R, A in 10^-8 units) of each bracket, for the continuity check.
        let mut exact = Vec::with_capacity(ladder.len());
        for (i, bracket) in ladder.iter().enumerate() {
            let field = |name: &str| format!("brackets[{i}].{name}");
            let last = i + 1 == ladder.len();
            let (r, r_decimals) = amount_parts(&bracket.mmr, 1, MMR_DECIMALS)
                .map_err(|e| FieldError::new(field("mmr"), e))?;
            let mmr = (r * pow10(MMR_DECIMALS - r_decimals)) as u32;
            let (a, a_decimals) =
                amount_parts(&bracket.maint_amount, AMOUNT_LIMIT, MAX_AMOUNT_DECIMALS)
                    .map_err(|e| FieldError::new(field("maint_amount"), e))?;
            let (cap, cap_e8) = match (&bracket.notional_cap, last) {
                (None, true) => (NOTIONAL_MAX, None),
                (Some(_), true) => {
                    return Err(FieldError::new(
                        field("notional_cap"),
                        "the last bracket has no notional_cap",
                    ))
                }
                (None, false) => {
                    return Err(FieldError::new(
                        field("notional_cap"),
                        "missing (only the last bracket has none)",
                    ))
                }
                (Some(cap), false) => {
                    let (c, c_decimals) =
                        amount_parts(cap, NOTIONAL_CAP_LIMIT, MAX_AMOUNT_DECIMALS)
                            .map_err(|e| FieldError::new(field("notional_cap"), e))?;
                    if c == 0 {
                        return Err(FieldError::new(field("notional_cap"), "must be > 0"));
                    }
                    // N ≤ cap ⇔ X·t·l·10^-(dt+dl) ≤ c·10^-cd ⇔ X ≤ floor(c·10^(dt+dl) / (t·l·10^cd)).
                    let x_cap = c * pow10(step_decimals)
                        / (u128::from(tick.units * lot.units) * pow10(c_decimals));
                    (
                        x_cap.min(u128::from(NOTIONAL_MAX)) as u64,
                        Some(c * pow10(MAX_AMOUNT_DECIMALS - c_decimals)),
                    )
                }
            };
            if let (Some(this), Some(&(Some(prev), _, _))) = (cap_e8, exact.last()) {
                if this <= prev {
                    return Err(FieldError::new(
                        field("notional_cap"),
                        "caps must be strictly ascending",
                    ));
                }
            }
            exact.push((cap_e8, mmr, a * pow10(MAX_AMOUNT_DECIMALS - a_decimals)));
            brackets[i] = BracketConst {
                cap,
                maint: a * pow10(quote_decimals - a_decimals),
                mmr,
                weight_long: k6 * (MMR_ONE - u64::from(mmr)),
                weight_short: k6 * (MMR_ONE + u64::from(mmr)),
            };
        }
        for i in ladder.len()..MAX_BRACKETS {
            brackets[i] = brackets[ladder.len() - 1];
        }
        // Continuous iff A_{i+1}·10^6 = A_i·10^6 + cap_i·(R_{i+1} − R_i), all in 10^-14 units.
        let continuous = exact.windows(2).all(|w| {
            let (cap, r0, a0) = (
                w[0].0.expect("only the last bracket is uncapped") as i128,
                w[0].1 as i128,
                w[0].2 as i128,
            );
            let (r1, a1) = (w[1].1 as i128, w[1].2 as i128);
            a1 * MMR_ONE as i128 == a0 * MMR_ONE as i128 + cap * (r1 - r0)
        });
        Ok(Self {
            tick,
            lot,
            quote_decimals,
            k6,
            bracket_count: ladder.len(),
            brackets,
            continuous,
        })
    }

    /// `Q = qty / lot_size`: nonzero, whole, `|Q| ≤ QTY_MAX`.
    pub fn lots(&self, qty: &Decimal) -> Result<i32, FieldError> {
        let err = |reason: String| FieldError::new("qty", reason);
        let q = self.lot.count(qty).map_err(|e| err(e.to_string()))?;
        if q == 0 {
            return Err(err("must be nonzero".into()));
        }
        if q.unsigned_abs() > u128::from(QTY_MAX) {
            return Err(err(format!(
                "out of range: |qty| / lot_size must be < 2^{QTY_BITS}"
            )));
        }
        Ok(q as i32)
    }

    /// `P = price / tick_size`: whole, `1 ..= PRICE_MAX`.
    pub fn ticks(&self, price: &Decimal, field: &str) -> Result<u32, FieldError> {
        let err = |reason: String| FieldError::new(field, reason);
        let p = self.tick.count(price).map_err(|e| match e {
            StepError::TooLarge => err(format!(
                "out of range: {field} / tick_size must be < 2^{PRICE_BITS}"
            )),
            e => err(e.to_string()),
        })?;
        if p <= 0 {
            return Err(err("must be > 0".into()));
        }
        if p > i128::from(PRICE_MAX) {
            return Err(err(format!(
                "out of range: {field} / tick_size must be < 2^{PRICE_BITS}"
            )));
        }
        Ok(p as u32)
    }

    /// A quote amount (`margin`) in units of `10^-s`: `≥ 0`, at most 8 decimals, `< AMOUNT_LIMIT`.
    pub fn quote_units(&self, amount: &Decimal, field: &str) -> Result<i128, FieldError> {
        let (mantissa, decimals) = amount_parts(amount, AMOUNT_LIMIT, MAX_AMOUNT_DECIMALS)
            .map_err(|e| FieldError::new(field, e))?;
        Ok((mantissa * pow10(self.quote_decimals - decimals)) as i128)
    }

    /// A signed quote amount (a margin the spec holds, or a margin move) in
    /// units of `10^-s`: at most 8 decimals, in `(−AMOUNT_LIMIT, AMOUNT_LIMIT)`.
    pub fn signed_quote_units(&self, amount: &Decimal, field: &str) -> Result<i128, FieldError> {
        let (mantissa, decimals) = amount_parts(&amount.abs(), u64::MAX, MAX_AMOUNT_DECIMALS)
            .map_err(|e| FieldError::new(field, e))?;
        if amount.abs() >= Decimal::from(AMOUNT_LIMIT) {
            return Err(FieldError::new(
                field,
                format!("out of range: must be > -{AMOUNT_LIMIT} and < {AMOUNT_LIMIT}"),
            ));
        }
        let magnitude = (mantissa * pow10(self.quote_decimals - decimals)) as i128;
        Ok(if amount.is_sign_negative() {
            -magnitude
        } else {
            magnitude
        })
    }

    /// `AMOUNT_LIMIT` in this symbol's quote units: a margin `C` must have
    /// `|C| <` this (see [`Self::margin_in_range`]).
    pub fn amount_limit_units(&self) -> i128 {
        (u128::from(AMOUNT_LIMIT) * pow10(self.quote_decimals)) as i128
    }

    /// Whether `units` (of `10^-s`) is a margin the spec holds: in
    /// `(−AMOUNT_LIMIT, AMOUNT_LIMIT)`, either sign.
    pub fn margin_in_range(&self, units: i128) -> bool {
        units.unsigned_abs() < self.amount_limit_units() as u128
    }

    /// `k6·10^6`: one lot·tick in quote units.
    pub fn lot_tick_value(&self) -> i128 {
        i128::from(self.k6) * i128::from(MMR_ONE)
    }

    /// The slot constants of a position.
    pub fn position_const(
        &self,
        qty_lots: i32,
        entry_ticks: u32,
        margin_units: i128,
    ) -> PositionConst {
        let offset =
            margin_units - i128::from(qty_lots) * i128::from(entry_ticks) * self.lot_tick_value();
        PositionConst { qty_lots, offset }
    }

    /// A quote amount in units of `10^-s` as an exact decimal string.
    pub fn format_units(&self, units: i128) -> String {
        format_scaled(units, self.quote_decimals)
    }

    /// A price in ticks as an exact decimal string.
    pub fn format_price(&self, ticks: u32) -> String {
        self.tick.format(i128::from(ticks))
    }
}
