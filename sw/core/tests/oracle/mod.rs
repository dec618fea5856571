//! An independent model of the liquidation rule for the tests: exact
//! rationals computed straight from the input strings, with none of the spec
//! integers (no `SymbolUnits`, no scales, no bracket table).
//!
//! `N = |qty|·m`; the bracket is the first whose `notional_cap ≥ N` (the last
//! if none); `MM = N·mmr − maint_amount`; `E = margin + qty·(m − entry)`;
//! liquidated iff `E < MM` (`E ≤ MM` with `at_equal`).

#![allow(dead_code)]

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Signed;

/// One bracket as written in the symbols file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BracketDef {
    pub notional_cap: Option<String>,
    pub mmr: String,
    pub maint_amount: String,
}

/// The oracle's verdict on one position at one mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub liquidated: bool,
    pub equity: BigRational,
    pub maintenance: BigRational,
    /// `MM − E`.
    pub shortfall: BigRational,
    /// Index of the bracket used.
    pub bracket: usize,
}

/// A decimal string `[-+]digits[.digits]` as an exact rational.
pub fn dec(text: &str) -> BigRational {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    assert!(
        !(int.is_empty() && frac.is_empty())
            && (int.to_owned() + frac).bytes().all(|b| b.is_ascii_digit()),
        "oracle: not a decimal: {text:?}"
    );
    let digits: BigInt = format!("0{int}{frac}").parse().expect("digits");
    let value = BigRational::new(digits, BigInt::from(10).pow(frac.len() as u32));
    if negative {
        -value
    } else {
        value
    }
}

/// `value · 10^-decimals` for an integer `value`.
pub fn scaled(value: i128, decimals: u32) -> BigRational {
    BigRational::new(BigInt::from(value), BigInt::from(10).pow(decimals))
}

/// The bracket of notional `n`.
pub fn bracket_of(ladder: &[BracketDef], n: &BigRational) -> usize {
    ladder
        .iter()
        .position(|b| b.notional_cap.as_deref().is_some_and(|cap| dec(cap) >= *n))
        .unwrap_or(ladder.len() - 1)
}

/// Judges a position (`qty` signed) at `mark`.
pub fn judge(
    ladder: &[BracketDef],
    qty: &str,
    entry: &str,
    margin: &str,
    mark: &str,
    at_equal: bool,
) -> Verdict {
    let (qty, entry, margin, mark) = (dec(qty), dec(entry), dec(margin), dec(mark));
    let notional = qty.abs() * &mark;
    let bracket = bracket_of(ladder, &notional);
    let b = &ladder[bracket];
    let maintenance = notional * dec(&b.mmr) - dec(&b.maint_amount);
    let equity = margin + qty * (mark - entry);
    let liquidated = if at_equal {
        equity <= maintenance
    } else {
        equity < maintenance
    };
    let shortfall = &maintenance - &equity;
    Verdict {
        liquidated,
        equity,
        maintenance,
        shortfall,
        bracket,
    }
}

/// The margin that puts a position exactly at `E = MM` at `mark`
/// (`MM − qty·(mark − entry)`), or `None` if it is negative or needs more
/// than 8 decimals.
pub fn margin_at_equality(
    ladder: &[BracketDef],
    qty: &str,
    entry: &str,
    mark: &str,
) -> Option<BigRational> {
    let v = judge(ladder, qty, entry, "0", mark, false);
    let needed = v.maintenance - (dec(qty) * (dec(mark) - dec(entry)));
    let units = &needed * BigRational::from_integer(BigInt::from(10).pow(8));
    (units.is_integer() && !needed.is_negative()).then_some(needed)
}

/// A non-negative rational with a denominator dividing 10^decimals, as a decimal string.
pub fn to_decimal(value: &BigRational, decimals: u32) -> String {
    let units = value * BigRational::from_integer(BigInt::from(10).pow(decimals));
    assert!(
        units.is_integer(),
        "oracle: {value} has more than {decimals} decimals"
    );
    let units = units.to_integer();
    let sign = if units.is_negative() { "-" } else { "" };
    let digits = format!(
        "{:0>width$}",
        units.abs().to_string(),
        width = decimals as usize + 1
    );
    let (int, frac) = digits.split_at(digits.len() - decimals as usize);
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}
