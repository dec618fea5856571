//! A grid step (`tick_size`, `lot_size`) as `units · 10^-decimals`.

use rust_decimal::Decimal;

use super::limits::MAX_STEP_DECIMALS;
use crate::decimal::parts;

/// A positive grid step `units · 10^-decimals`, normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// `t` (or `l`): the step's digits.
    pub units: u64,
    /// `dt` (or `dl`): the step's decimals.
    pub decimals: u32,
}

/// Why a value is not a whole number of steps, or a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("must be > 0")]
    NotPositive,
    #[error("at most {MAX_STEP_DECIMALS} decimals allowed, got {0}")]
    TooManyDecimals(u32),
    #[error("too large")]
    TooLarge,
    #[error("not a multiple of {0}")]
    NotMultiple(Decimal),
}

impl Step {
    /// Checks and normalises a step.
    pub fn new(value: &Decimal) -> Result<Self, StepError> {
        let (mantissa, decimals) = parts(value);
        if mantissa <= 0 {
            return Err(StepError::NotPositive);
        }
        if decimals > MAX_STEP_DECIMALS {
            return Err(StepError::TooManyDecimals(decimals));
        }
        let units = u64::try_from(mantissa).map_err(|_| StepError::TooLarge)?;
        Ok(Self { units, decimals })
    }

    /// The step as a decimal.
    pub fn value(&self) -> Decimal {
        Decimal::from_i128_with_scale(self.units.into(), self.decimals)
    }

    /// `value / step` exactly, or an error when it is not a whole number.
    pub fn count(&self, value: &Decimal) -> Result<i128, StepError> {
        let (mantissa, decimals) = parts(value);
        // value·10^decimals(step) = mantissa·10^(dstep − dvalue); whole only if dvalue ≤ dstep.
        let not_multiple = || StepError::NotMultiple(self.value());
        let shift = self
            .decimals
            .checked_sub(decimals)
            .ok_or_else(not_multiple)?;
        let scaled = 10i128
            .checked_pow(shift)
            .and_then(|p| mantissa.checked_mul(p))
            .ok_or(StepError::TooLarge)?;
        let units = i128::from(self.units);
        if scaled % units != 0 {
            return Err(not_multiple());
        }
        Ok(scaled / units)
    }

    /// `count · step` as an exact decimal string (trailing zeros trimmed).
    pub fn format(&self, count: i128) -> String {
        super::units::format_scaled(count * i128::from(self.units), self.decimals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::d;

    #[test]
    fn counts_whole_steps_only() {
        let lot = Step::new(&d("0.5")).unwrap();
        assert_eq!(
            lot,
            Step {
                units: 5,
                decimals: 1
            }
        );
        assert_eq!(lot.count(&d("1.5")), Ok(3));
        assert_eq!(lot.count(&d("-2")), Ok(-4));
        assert!(matches!(
            lot.count(&d("0.25")),
            Err(StepError::NotMultiple(_))
        ));
        assert!(matches!(
            lot.count(&d("0.7")),
            Err(StepError::NotMultiple(_))
        ));
        let tick = Step::new(&d("25")).unwrap();
        assert_eq!(tick.count(&d("100")), Ok(4));
        assert!(tick.count(&d("110")).is_err());
        assert_eq!(tick.format(3), "75");
        assert_eq!(Step::new(&d("0.001")).unwrap().format(-1500), "-1.5");
    }

    #[test]
    fn refuses_bad_steps() {
        assert_eq!(Step::new(&d("0")), Err(StepError::NotPositive));
        assert_eq!(Step::new(&d("-1")), Err(StepError::NotPositive));
        assert_eq!(
            Step::new(&d("0.000000001")),
            Err(StepError::TooManyDecimals(9))
        );
        assert!(Step::new(&d("0.00000001")).is_ok());
    }
}
