//! Liquidation prices on the tick grid, from the same integer rule as the
//! scanners (through [`crate::threshold`]).

use crate::spec::{PositionConst, SymbolUnits};
use crate::threshold::liquidation_set;

/// The mark nearest to `reference` in the adverse direction at which the
/// rule liquidates `position`: for a long the highest `P ≤ reference`, for a
/// short the lowest `P ≥ reference` (`1 ≤ P ≤ PRICE_MAX`, in ticks). `None`
/// when there is no such mark (or `Q = 0`).
///
/// On a jumping ladder this is not always a single threshold: a long may be
/// liquidatable just above a bracket's lower edge and safe again below it;
/// the answer is still the first liquidating mark met moving adversely from
/// `reference`.
pub fn liquidation_price(
    units: &SymbolUnits,
    position: PositionConst,
    reference: u32,
    liquidate_at_equal: bool,
) -> Option<u32> {
    let set = liquidation_set(units, position, liquidate_at_equal);
    match position.qty_lots {
        0 => None,
        q if q > 0 => set.highest_at_or_below(reference).filter(|&p| p >= 1),
        _ => set.lowest_at_or_above(reference.max(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{bracket, d};

    /// The README's long (1 BTC at 50,000, 5,000 margin, 0.4% bracket) is
    /// liquidated at 45,180.7 and not at 45,180.8; for the mirrored short,
    /// in the 0.5% bracket E − MM = 55,050 − 1.005·P < 0 from P = 54,776.2.
    #[test]
    fn hand_computed_prices() {
        let ladder = [
            bracket(Some("50000"), "0.004", "0"),
            bracket(Some("250000"), "0.005", "50"),
            bracket(None, "0.01", "1300"),
        ];
        let units = SymbolUnits::new(&d("0.1"), &d("0.001"), &ladder).unwrap();
        assert!(units.continuous);
        let margin = units.quote_units(&d("5000"), "margin").unwrap();
        let entry = units.ticks(&d("50000"), "entry").unwrap();
        let long = units.position_const(1000, entry, margin);
        assert_eq!(liquidation_price(&units, long, entry, false), Some(451_807));
        assert_eq!(
            liquidation_price(&units, long, 451_807, false),
            Some(451_807)
        );
        assert_eq!(
            liquidation_price(&units, long, 451_806, false),
            Some(451_806)
        );
        let short = units.position_const(-1000, entry, margin);
        // 55,050 / 1.005 = 54,776.119…; the 0.4% bracket (N ≤ 50,000) never liquidates it.
        let expected = units.ticks(&d("54776.2"), "mark").unwrap();
        assert_eq!(
            liquidation_price(&units, short, entry, false),
            Some(expected)
        );
        assert!(
            units.margin_sum(short, expected) < 0 && units.margin_sum(short, expected - 1) >= 0
        );
        let zero = units.position_const(0, entry, margin);
        assert_eq!(liquidation_price(&units, zero, entry, false), None);
    }
}
