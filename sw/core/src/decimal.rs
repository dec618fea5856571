//! Strict parsing of decimal strings at the input edge.
//!
//! Accepts `[-+]?digits[.digits]` (or `.digits`) and nothing else: no
//! exponent, no underscores, no spaces. The value is normalised (trailing
//! zeros dropped), so "0.10" has one decimal.

use rust_decimal::Decimal;

/// Why a decimal string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Empty field.
    #[error("empty value")]
    Empty,
    /// Not of the form `[-+]digits[.digits]`.
    #[error("not a decimal number: {0:?}")]
    Syntax(String),
    /// More than the 28 significant digits a decimal holds.
    #[error("too many digits: {0:?}")]
    TooLong(String),
}

/// Parses a decimal string exactly (see the module doc for the grammar).
pub fn parse_decimal(text: &str) -> Result<Decimal, DecimalError> {
    if text.is_empty() {
        return Err(DecimalError::Empty);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits_only(int) || !digits_only(frac) {
        return Err(DecimalError::Syntax(text.to_owned()));
    }
    Decimal::from_str_exact(text)
        .map(|d| d.normalize())
        .map_err(|_| DecimalError::TooLong(text.to_owned()))
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
        assert_eq!(parts(&parse_decimal(".5").unwrap()), (5, 1));
        assert_eq!(parts(&parse_decimal("7.").unwrap()), (7, 0));
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "", "-", ".", "1e5", "1_000", " 1", "1 ", "0x10", "1.2.3", "--1", "NaN", "inf",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad:?} accepted");
        }
        assert!(matches!(
            parse_decimal("1234567890123456789012345678901234"),
            Err(DecimalError::TooLong(_))
        ));
    }
}
