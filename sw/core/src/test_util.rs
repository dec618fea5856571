//! Helpers shared by the unit tests of several modules.

use rust_decimal::Decimal;

use crate::decimal::parse_decimal;
use crate::spec::BracketInput;

/// `s` as a decimal (which must parse).
pub fn d(s: &str) -> Decimal {
    parse_decimal(s).unwrap()
}

/// A bracket up to `cap` (`None`: the last, unbounded one).
pub fn bracket(cap: Option<&str>, mmr: &str, maint_amount: &str) -> BracketInput {
    BracketInput {
        notional_cap: cap.map(d),
        mmr: d(mmr),
        maint_amount: d(maint_amount),
    }
}
