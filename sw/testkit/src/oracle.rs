//! An independent model of the liquidation rule for the tests: exact
//! rationals computed straight from the input strings, with none of the spec
//! integers (no `SymbolUnits`, no scales, no bracket table).
//!
//! `N = |qty|·m`; the bracket is the first whose `notional_cap ≥ N` (the last
//! if none); `MM = N·mmr − maint_amount`; `E = margin + qty·(m − entry)`;
//! liquidated iff `E < MM` (`E ≤ MM` with `at_equal`).

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Signed;

use crate::with_point;

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
    margin_for_equality(ladder, qty, entry, mark).filter(|needed| !needed.is_negative())
}

/// The margin, of either sign, that puts a position exactly at `E = MM` at
/// `mark`, or `None` if it needs more than 8 decimals or is outside the
/// spec's margin range `(−10^10, 10^10)`.
pub fn margin_for_equality(
    ladder: &[BracketDef],
    qty: &str,
    entry: &str,
    mark: &str,
) -> Option<BigRational> {
    let v = judge(ladder, qty, entry, "0", mark, false);
    let needed = v.maintenance - (dec(qty) * (dec(mark) - dec(entry)));
    let units = &needed * BigRational::from_integer(BigInt::from(10).pow(8));
    let limit = BigRational::from_integer(BigInt::from(10).pow(10));
    (units.is_integer() && needed.abs() < limit).then_some(needed)
}

/// An exact decimal (a rational whose denominator divides a power of ten)
/// in its shortest form, as liqscan prints amounts: no trailing zeros after
/// the point, no point for an integer, `-` only below zero.
pub fn canonical(value: &BigRational) -> String {
    let ten = BigRational::from_integer(BigInt::from(10));
    let (mut scaled, mut decimals) = (value.clone(), 0u32);
    while !scaled.is_integer() {
        assert!(decimals < 64, "oracle: {value} is not a decimal");
        scaled *= &ten;
        decimals += 1;
    }
    let units = scaled.to_integer();
    with_point(units.is_negative(), &units.abs().to_string(), decimals)
}

/// A rational with a denominator dividing `10^decimals`, as a decimal string
/// with `decimals` fraction digits.
pub fn to_decimal(value: &BigRational, decimals: u32) -> String {
    let units = value * BigRational::from_integer(BigInt::from(10).pow(decimals));
    assert!(
        units.is_integer(),
        "oracle: {value} has more than {decimals} decimals"
    );
    let units = units.to_integer();
    with_point(units.is_negative(), &units.abs().to_string(), decimals)
}

/// The oracle itself, on cases worked out by hand (in the comments), so that
/// the tests it judges rest on arithmetic anyone can check.
#[cfg(test)]
mod tests {
    use super::*;

    /// The README's ladder: up to a notional of 50,000 mmr 0.4 % and no
    /// maintenance amount; above it mmr 0.5 % less 50.
    fn ladder() -> Vec<BracketDef> {
        let bracket = |cap: Option<&str>, mmr: &str, maint_amount: &str| BracketDef {
            notional_cap: cap.map(String::from),
            mmr: mmr.into(),
            maint_amount: maint_amount.into(),
        };
        vec![
            bracket(Some("50000"), "0.004", "0"),
            bracket(None, "0.005", "50"),
        ]
    }

    #[test]
    fn reads_decimals_exactly() {
        assert_eq!(dec("-0.50"), BigRational::new((-1).into(), 2.into()));
        assert_eq!(dec("+3"), BigRational::from_integer(3.into()));
        assert_eq!(dec(".25"), BigRational::new(1.into(), 4.into()));
        assert_eq!(scaled(-15, 1), dec("-1.5"));
        assert_eq!(to_decimal(&dec("-1.5"), 3), "-1.500");
        assert_eq!(to_decimal(&dec("0.0228"), 4), "0.0228");
    }

    /// Long 1 at 50,000 with margin 5,000, the README's example.
    /// At 45,180.7: N = 45,180.7 ≤ 50,000, bracket 0; MM = 45,180.7 · 0.004
    /// = 180.7228; E = 5,000 + 1 · (45,180.7 − 50,000) = 180.7 < MM:
    /// liquidated, shortfall 0.0228. One tick up, at 45,180.8: MM = 180.7232,
    /// E = 180.8 > MM: not liquidated, shortfall 180.7232 − 180.8 = −0.0768.
    #[test]
    fn readme_long_either_side_of_its_liquidation_price() {
        let v = judge(&ladder(), "1", "50000", "5000", "45180.7", false);
        assert_eq!(v.bracket, 0);
        assert_eq!(v.maintenance, dec("180.7228"));
        assert_eq!(v.equity, dec("180.7"));
        assert_eq!(v.shortfall, dec("0.0228"));
        assert!(v.liquidated);
        let v = judge(&ladder(), "1", "50000", "5000", "45180.8", false);
        assert_eq!((v.maintenance, v.equity), (dec("180.7232"), dec("180.8")));
        assert_eq!(v.shortfall, dec("-0.0768"));
        assert!(!v.liquidated);
    }

    /// Short 2 at 30,000 with margin 1,000, marked at 30,500: N = 2 · 30,500
    /// = 61,000 > 50,000, the last bracket; MM = 61,000 · 0.005 − 50 = 255;
    /// E = 1,000 + (−2) · (30,500 − 30,000) = 0 < MM: liquidated, shortfall
    /// 255. The margin that would have put E on MM: 255 + 1,000 = 1,255.
    #[test]
    fn short_in_the_last_bracket() {
        let v = judge(&ladder(), "-2", "30000", "1000", "30500", false);
        assert_eq!(v.bracket, 1);
        assert_eq!(v.maintenance, dec("255"));
        assert_eq!(v.equity, dec("0"));
        assert_eq!(v.shortfall, dec("255"));
        assert!(v.liquidated);
        assert_eq!(
            margin_at_equality(&ladder(), "-2", "30000", "30500"),
            Some(dec("1255"))
        );
    }

    /// Long 2 at 25,000 with margin 200, marked at its entry: N = 50,000,
    /// exactly the cap, which is inclusive: bracket 0, MM = 50,000 · 0.004 =
    /// 200 = E. Liquidated only with `at_equal`; shortfall 0 either way.
    /// Marked 0.05 higher: N = 50,000.1, bracket 1, MM = 50,000.1 · 0.005 − 50
    /// = 200.0005; E = 200 + 2 · 0.05 = 200.1 > MM: shortfall −0.0995.
    #[test]
    fn a_notional_on_the_cap_and_just_above_it() {
        for at_equal in [false, true] {
            let v = judge(&ladder(), "2", "25000", "200", "25000", at_equal);
            assert_eq!((v.bracket, v.maintenance.clone()), (0, dec("200")));
            assert_eq!(v.shortfall, dec("0"));
            assert_eq!(v.liquidated, at_equal);
        }
        let v = judge(&ladder(), "2", "25000", "200", "25000.05", true);
        assert_eq!(v.bracket, 1);
        assert_eq!(v.maintenance, dec("200.0005"));
        assert_eq!(v.equity, dec("200.1"));
        assert_eq!(v.shortfall, dec("-0.0995"));
        assert!(!v.liquidated);
        assert_eq!(bracket_of(&ladder(), &dec("50000")), 0);
        assert_eq!(bracket_of(&ladder(), &dec("50000.00000001")), 1);
    }

    /// No margin at equality when it would be negative or finer than 10^-8:
    /// long 1 from 100 marked at 200 needs MM − PnL = 0.8 − 100 = −99.2;
    /// 0.001 lots at 0.000001 have MM = 10^-9 · 0.004 = 4 · 10^-12.
    #[test]
    fn canonical_decimals_as_liqscan_prints_them() {
        for (text, printed) in [
            ("180.72280", "180.7228"),
            ("-0.50", "-0.5"),
            ("-0", "0"),
            ("45000", "45000"),
            ("0.00000001", "0.00000001"),
        ] {
            assert_eq!(canonical(&dec(text)), printed);
        }
    }

    /// The same margins of either sign: long 1 from 100 marked at 200 needs
    /// MM − PnL = 0.8 − 100 = −99.2; within (−10^10, 10^10) only.
    #[test]
    fn margin_for_equality_of_either_sign() {
        assert_eq!(
            margin_for_equality(&ladder(), "1", "100", "200"),
            Some(dec("-99.2"))
        );
        assert_eq!(
            margin_for_equality(&ladder(), "-2", "30000", "30500"),
            Some(dec("1255"))
        );
        // A PnL of 2·10^10 (2,000 up 10^7 each) against MM ≈ 10^8: beyond the range.
        assert_eq!(
            margin_for_equality(&ladder(), "2000", "1", "10000001"),
            None
        );
    }

    #[test]
    fn margin_at_equality_only_when_it_is_a_margin() {
        assert_eq!(margin_at_equality(&ladder(), "1", "100", "200"), None);
        assert_eq!(
            margin_at_equality(&ladder(), "0.001", "0.000001", "0.000001"),
            None
        );
    }
}
