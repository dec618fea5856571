//! Strict parsing of decimal strings at the input edge.
//!
//! The grammar is written once, in `docs/input.md` ("Numbers"); in short, a
//! decimal is `[+-]?D+(\.D+)?` with `D` an ASCII digit: an optional sign,
//! one or more digits, then optionally a point and one or more digits. So
//! `.5`, `5.`, `+.5`, `1e5`, `1_000`, ` 1` and `0x10` are refused. Leading
//! zeros of the integer part and trailing zeros of the fraction are allowed
//! and do not count: the value is normalised ("0.10" has one decimal), and
//! after dropping them it may have at most [`MAX_DIGITS`] digits after the
//! point and at most [`MAX_DIGITS`] significant digits.

use rust_decimal::Decimal;

use crate::input::error::shown;

/// Most digits after the point, and most significant digits, of a decimal
/// (leading zeros and trailing zeros after the point not counted).
pub const MAX_DIGITS: usize = 28;

/// Why a decimal string was refused. Echoed values are cut to a few dozen
/// characters (see [`shown`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Empty field.
    #[error("empty value")]
    Empty,
    /// Not of the form `[+-]digits[.digits]`; the value as shown.
    #[error("not a decimal number: {0} (expected [+-]digits[.digits])")]
    Syntax(String),
    /// More than [`MAX_DIGITS`] digits after the point.
    #[error("too many digits after the point: {shown} has {got}, at most {MAX_DIGITS} digits after the point")]
    TooManyDecimals { shown: String, got: usize },
    /// More than [`MAX_DIGITS`] significant digits.
    #[error("too many digits: {shown} has {got} significant digits, at most {MAX_DIGITS} significant digits")]
    TooManyDigits { shown: String, got: usize },
}

/// Parses a decimal string exactly (see the module doc for the grammar and
/// its limits, and `docs/input.md` for the contract).
pub fn parse_decimal(text: &str) -> Result<Decimal, DecimalError> {
    if text.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (negative, unsigned) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(DecimalError::Syntax(shown(text)));
    }
    let int = int.trim_start_matches('0');
    let frac = frac.unwrap_or("").trim_end_matches('0');
    if frac.len() > MAX_DIGITS {
        return Err(DecimalError::TooManyDecimals {
            shown: shown(text),
            got: frac.len(),
        });
    }
    let significant = if int.is_empty() {
        frac.trim_start_matches('0').len()
    } else {
        int.len() + frac.len()
    };
    if significant > MAX_DIGITS {
        return Err(DecimalError::TooManyDigits {
            shown: shown(text),
            got: significant,
        });
    }
    // At most 28 significant digits: below 10^28, well inside i128 and
    // rust_decimal's 96-bit mantissa.
    let magnitude = int
        .bytes()
        .chain(frac.bytes())
        .fold(0i128, |m, b| m * 10 + i128::from(b - b'0'));
    let mantissa = if negative { -magnitude } else { magnitude };
    let value = Decimal::try_from_i128_with_scale(mantissa, frac.len() as u32)
        .expect("at most 28 digits and 28 decimals fit a Decimal");
    Ok(value.normalize())
}

/// The number of decimals of a normalised value.
pub fn decimals(value: &Decimal) -> u32 {
    value.normalize().scale()
}

/// The value as `mantissa · 10^-decimals` (normalised).
pub fn parts(value: &Decimal) -> (i128, u32) {
    let n = value.normalize();
    (n.mantissa(), n.scale())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_decimals() {
        assert_eq!(parts(&parse_decimal("45180.7").unwrap()), (451807, 1));
        assert_eq!(parts(&parse_decimal("-0.0010").unwrap()), (-1, 3));
        assert_eq!(parts(&parse_decimal("+12").unwrap()), (12, 0));
        assert_eq!(parts(&parse_decimal("0.5").unwrap()), (5, 1));
        assert_eq!(parts(&parse_decimal("7").unwrap()), (7, 0));
    }

    /// Every edge of the grammar in docs/input.md, accepted side.
    #[test]
    fn accepts_the_documented_forms() {
        for (text, expected) in [
            ("0", (0, 0)),
            ("-0", (0, 0)),
            ("+0", (0, 0)),
            ("-0.000", (0, 0)),
            ("007", (7, 0)),
            ("+007.50", (75, 1)),
            ("-1.5", (-15, 1)),
            ("0.10", (1, 1)),
            // 28 digits after the point, then 28 significant digits.
            ("0.0000000000000000000000000001", (1, 28)),
            (
                "9999999999999999999999999999",
                (9999999999999999999999999999, 0),
            ),
            (
                "-9.999999999999999999999999999",
                (-9999999999999999999999999999, 27),
            ),
            // Zeros that do not count.
            (
                "0000000000000000000000000000001.1000000000000000000000000000000",
                (11, 1),
            ),
            ("0.00000000000000000000000000010000", (1, 28)),
        ] {
            let value = parse_decimal(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(parts(&value), expected, "{text:?}");
            assert!(
                !value.is_sign_negative() || !value.is_zero(),
                "{text:?}: -0"
            );
        }
    }

    /// Every edge of the grammar in docs/input.md, refused side.
    #[test]
    fn refuses_everything_else() {
        assert_eq!(parse_decimal(""), Err(DecimalError::Empty));
        for bad in [
            "-", "+", ".", ".5", "5.", "+.5", "-.5", "-5.", "+-1", "--1", "1e5", "1E5", "1_000",
            " 1", "1 ", "0x10", "1.2.3", "NaN", "inf", "1,5", "١", "５", "1.-5", "1.+5",
        ] {
            assert!(
                matches!(parse_decimal(bad), Err(DecimalError::Syntax(_))),
                "{bad:?}: {:?}",
                parse_decimal(bad)
            );
        }
    }

    #[test]
    fn states_the_digit_limits() {
        let error = parse_decimal("0.00000000000000000000000000001").unwrap_err();
        assert_eq!(
            error,
            DecimalError::TooManyDecimals {
                shown: "\"0.00000000000000000000000000001\"".into(),
                got: 29
            }
        );
        assert!(
            error
                .to_string()
                .contains("at most 28 digits after the point"),
            "{error}"
        );
        let error = parse_decimal("1234567890123456789012345678901234").unwrap_err();
        assert!(matches!(error, DecimalError::TooManyDigits { got: 34, .. }));
        assert!(
            error
                .to_string()
                .contains("has 34 significant digits, at most 28 significant digits"),
            "{error}"
        );
        let error = parse_decimal("10000000000000000000000000000").unwrap_err();
        assert!(matches!(error, DecimalError::TooManyDigits { got: 29, .. }));
        let error = parse_decimal("1.0000000000000000000000000001").unwrap_err();
        assert!(matches!(error, DecimalError::TooManyDigits { got: 29, .. }));
    }

    #[test]
    fn echoes_a_huge_value_cut() {
        let huge = "1".repeat(1 << 20) + "x";
        let message = parse_decimal(&huge).unwrap_err().to_string();
        assert!(message.len() < 200, "{} bytes", message.len());
        assert!(message.contains("… (1048577 bytes)"), "{message}");
        let huge = "1".repeat(1 << 20);
        let message = parse_decimal(&huge).unwrap_err().to_string();
        assert!(message.len() < 200, "{} bytes", message.len());
        assert!(
            message.contains("has 1048576 significant digits"),
            "{message}"
        );
    }
}
