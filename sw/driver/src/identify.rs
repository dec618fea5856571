//! Identification: the driver reads the card's constants and refuses a card
//! it cannot use, naming every register that disagrees with what it needs.

use liqscan_core::spec::registers::{self, reg, CMD_ENTRIES, MAGIC, MAP_VERSION};
use liqscan_core::spec::{LANE_OPTIONS, PIPELINE_DEPTH};

use crate::bus::Bus;
use crate::error::{DriverError, Mismatch};
use crate::link::Link;

/// What a usable card is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// Lanes `L`.
    pub lanes: u32,
    /// Position slots (whole rows of `L`).
    pub slots: u32,
    /// Symbols.
    pub symbols: u32,
}

/// Reads the identification registers and checks them against this
/// driver's map and a book of `symbols` symbols; then checks that
/// `SCRATCH` reads back what is written to it.
pub(crate) fn identify<B: Bus>(
    link: &mut Link<B>,
    symbols: usize,
) -> Result<Identity, DriverError> {
    let mut mismatches = Vec::new();
    let mut exact = |name, found: u32, expected: u32, shown: String| {
        if found != expected {
            mismatches.push(Mismatch {
                register: name,
                found: format!("{found:#010x} ({found})"),
                expected: shown,
            });
        }
    };
    let magic = link.read(reg::MAGIC)?;
    exact("MAGIC", magic, MAGIC, format!("{MAGIC:#010x} (\"LQSC\")"));
    let version = link.read(reg::VERSION)?;
    exact("VERSION", version, MAP_VERSION, MAP_VERSION.to_string());
    let hash = registers::spec_hash();
    let found_hash = link.read(reg::SPEC_HASH)?;
    exact(
        "SPEC_HASH",
        found_hash,
        hash,
        format!("{hash:#010x} (this driver's spec)"),
    );
    let depth = link.read(reg::PIPELINE_DEPTH)?;
    exact(
        "PIPELINE_DEPTH",
        depth,
        PIPELINE_DEPTH as u32,
        PIPELINE_DEPTH.to_string(),
    );
    let entries = link.read(reg::CMD_ENTRIES)?;
    exact("CMD_ENTRIES", entries, CMD_ENTRIES, CMD_ENTRIES.to_string());

    let lanes = link.read(reg::LANES)?;
    if !LANE_OPTIONS.contains(&(lanes as usize)) {
        mismatches.push(Mismatch {
            register: "LANES",
            found: lanes.to_string(),
            expected: format!("one of {LANE_OPTIONS:?}"),
        });
    }
    let slots = link.read(reg::SLOTS)?;
    if slots == 0 || lanes == 0 || slots % lanes != 0 {
        mismatches.push(Mismatch {
            register: "SLOTS",
            found: slots.to_string(),
            expected: format!("a positive whole number of rows of LANES = {lanes}"),
        });
    }
    let card_symbols = link.read(reg::SYMBOLS)?;
    if (card_symbols as usize) < symbols {
        mismatches.push(Mismatch {
            register: "SYMBOLS",
            found: card_symbols.to_string(),
            expected: format!("at least {symbols} (the book's symbols)"),
        });
    }
    if !mismatches.is_empty() {
        return Err(DriverError::Identify(mismatches));
    }
    // The bus itself: a word written reads back.
    let pattern = 0xA5C3_0000 | (hash & 0xFFFF);
    link.write(reg::SCRATCH, pattern)?;
    let back = link.read(reg::SCRATCH)?;
    if back != pattern {
        return Err(DriverError::Identify(vec![Mismatch {
            register: "SCRATCH",
            found: format!("{back:#010x}"),
            expected: format!("{pattern:#010x}, as written"),
        }]));
    }
    Ok(Identity {
        lanes,
        slots,
        symbols: card_symbols,
    })
}
