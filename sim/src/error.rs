//! Why the co-simulation could not run.

/// An error of the Verilator backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// The crate was built without Verilator.
    #[error("the Verilator model was not built ({0}); install Verilator with `apt-get install -y verilator` and rebuild")]
    Unavailable(String),
    #[error("no model verilated for {lanes} lane(s) (built: {built:?})")]
    NoModel { lanes: usize, built: Vec<usize> },
    #[error("the model could not be created (out of memory?)")]
    Create,
    #[error("the model has no port `{0}`")]
    MissingPort(String),
    #[error("port `{name}` is {width} bits wide, expected {expected}")]
    PortWidth {
        name: String,
        width: u32,
        expected: u32,
    },
    #[error("port `{0}` has the wrong direction")]
    PortDirection(String),
    #[error("{0} out of range")]
    Range(String),
    #[error("no `done` after {0} cycles")]
    Timeout(u64),
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// A bus access answered `SLVERR` (an address outside the register map,
    /// or a partial write).
    #[error("the {access} at {offset:#x} was answered SLVERR")]
    BusError { access: &'static str, offset: u32 },
    /// A bus access not answered within the bound.
    #[error("the {access} at {offset:#x} was not answered within {cycles} cycles")]
    NoResponse {
        access: &'static str,
        offset: u32,
        cycles: u64,
    },
    #[error(transparent)]
    Capacity(#[from] CapacityError),
}

/// A book (or an update) whose regions do not fit in the model's slot memory.
///
/// Each symbol's region starts on a whole row of `lanes` slots, so `n`
/// positions of one symbol take `ceil(n / L)` rows: any book of at most
/// `capacity − (symbols − 1)·(L − 1)` positions fits (the capacity is whole
/// rows), and a larger one fits only if its symbols' rounding leaves room.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the sim model holds {} slots; {} {} after rounding each region up to whole rows of {} {} ({} positions; {})",
    grouped(*.capacity),
    these(*.symbols),
    grouped(*.needed),
    .lanes,
    if *.lanes == 1 { "lane" } else { "lanes" },
    grouped(*.positions),
    these_fit(*.symbols, *.capacity, *.lanes),
)]
pub struct CapacityError {
    /// Slots of the model (as configured).
    pub capacity: u64,
    /// Lanes `L`: the width of a row.
    pub lanes: u64,
    /// Symbols holding positions (after the refused change).
    pub symbols: u64,
    /// Open positions, holes excluded (after the refused change).
    pub positions: u64,
    /// Slots their regions need, each rounded up to whole rows.
    pub needed: u64,
}

impl CapacityError {
    /// Positions that `symbols` symbols can always hold, however they are
    /// spread, in `capacity` slots of whole rows of `lanes`: with `T`
    /// positions the rounding needs at most the largest multiple of `L` not
    /// above `T + symbols·(L − 1)`.
    pub fn guaranteed(capacity: u64, lanes: u64, symbols: u64) -> u64 {
        capacity.saturating_sub(symbols.saturating_sub(1) * (lanes - 1))
    }
}

fn these(symbols: u64) -> String {
    if symbols == 1 {
        "this symbol needs".into()
    } else {
        format!("these {} symbols need", grouped(symbols))
    }
}

fn these_fit(symbols: u64, capacity: u64, lanes: u64) -> String {
    let fit = grouped(CapacityError::guaranteed(capacity, lanes, symbols));
    if symbols == 1 {
        format!("one symbol always fits {fit}")
    } else {
        format!("any {} symbols always fit {fit}", grouped(symbols))
    }
}

pub(crate) use liqscan_core::report::grouped;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_names_what_the_model_holds_and_what_the_book_needs() {
        let e = CapacityError {
            capacity: 1 << 20,
            lanes: 8,
            symbols: 3,
            positions: 1_048_573,
            needed: 1_048_584,
        };
        assert_eq!(
            e.to_string(),
            "the sim model holds 1,048,576 slots; these 3 symbols need 1,048,584 after rounding \
             each region up to whole rows of 8 lanes (1,048,573 positions; any 3 symbols always fit 1,048,562)"
        );
        let one = CapacityError {
            capacity: 64,
            lanes: 1,
            symbols: 1,
            positions: 65,
            needed: 65,
        };
        assert_eq!(
            one.to_string(),
            "the sim model holds 64 slots; this symbol needs 65 after rounding each region up \
             to whole rows of 1 lane (65 positions; one symbol always fits 64)"
        );
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(12_345_678), "12,345,678");
    }

    #[test]
    fn unavailable_names_the_install_command() {
        let message = SimError::Unavailable("cannot run `verilator`".into()).to_string();
        assert!(
            message.contains("apt-get install -y verilator"),
            "{message}"
        );
    }
}
