//! What can go wrong between the host and the card, and what to do about it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use liqscan_core::layout::{CapacityError, LayoutError};
use liqscan_core::spec::registers::errors;
use liqscan_core::EngineError;

/// An error of the driver, a bus or a card.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// A device file could not be created, opened, sized or mapped.
    #[error("{}: {what}: {source}", .path.display())]
    Io {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// An access the bus refused: outside its mapping, misaligned, or an
    /// error answer from the card.
    #[error("bus: {0}")]
    Bus(String),
    /// The card is not one this driver can use; every mismatch is listed.
    #[error("the board cannot be used: {}", Mismatches(.0))]
    Identify(Vec<Mismatch>),
    /// The book or an update does not fit the card's slots (nothing was written).
    #[error(transparent)]
    Capacity(#[from] CapacityError),
    /// A tick or position named a symbol the book does not define.
    #[error("unknown symbol id {0}")]
    UnknownSymbol(u32),
    /// The card made no progress for the timeout: no new record in the
    /// result ring, no change of the ring's heartbeat, no command applied.
    #[error("{context}: no progress for {timeout:?}; card errors: {errors}")]
    Timeout {
        context: String,
        timeout: Duration,
        errors: ErrorFlags,
    },
    /// The card answered something it must not (a record of an unexpected
    /// kind or sequence number, a completion count that disagrees, an index
    /// out of range); `ERRORS` was read to say why.
    #[error("{context}; card errors: {errors}")]
    Anomaly { context: String, errors: ErrorFlags },
    /// The card model itself failed (a simulation error).
    #[error("card: {0}")]
    Card(String),
    /// The driver's slot layout and the card's report disagree.
    #[error("slot layout: {0}")]
    Layout(String),
    /// The board failed earlier and is no longer used.
    #[error("the board failed earlier and is no longer used ({0})")]
    Failed(String),
}

impl DriverError {
    /// Whether the card or the bus failed (fail over to software), as
    /// opposed to a refusal of the request (capacity, identification,
    /// unknown symbol) that software would refuse too or that happens
    /// before the board is used.
    pub fn is_fault(&self) -> bool {
        !matches!(
            self,
            DriverError::Capacity(_) | DriverError::Identify(_) | DriverError::UnknownSymbol(_)
        )
    }

    pub(crate) fn io(path: impl Into<PathBuf>, what: &'static str, source: std::io::Error) -> Self {
        DriverError::Io {
            path: path.into(),
            what,
            source,
        }
    }
}

impl From<LayoutError> for DriverError {
    fn from(e: LayoutError) -> Self {
        match e {
            LayoutError::Capacity(e) => DriverError::Capacity(e),
            LayoutError::Inconsistent(message) => DriverError::Layout(message),
        }
    }
}

impl From<DriverError> for EngineError {
    fn from(e: DriverError) -> Self {
        match e {
            DriverError::Capacity(e) => EngineError::Capacity(e.to_string()),
            DriverError::UnknownSymbol(id) => EngineError::UnknownSymbol(id),
            e @ (DriverError::Identify(_) | DriverError::Io { .. }) => {
                EngineError::Unavailable(e.to_string())
            }
            e => EngineError::Backend(e.to_string()),
        }
    }
}

/// The card's `ERRORS` as read after an anomaly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorFlags {
    /// The register's value.
    Read(u32),
    /// The read itself failed.
    Unreadable(String),
}

impl fmt::Display for ErrorFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorFlags::Read(0) => f.write_str("none"),
            ErrorFlags::Read(flags) => {
                let mut names = errors::names(*flags).join(", ");
                let unknown = flags & !errors::ALL;
                if unknown != 0 {
                    if !names.is_empty() {
                        names.push_str(", ");
                    }
                    names.push_str(&format!("undefined bits {unknown:#x}"));
                }
                write!(f, "{names} ({flags:#x})")
            }
            ErrorFlags::Unreadable(why) => write!(f, "ERRORS unreadable ({why})"),
        }
    }
}

/// One identification register that makes the card unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The register's name in the map, e.g. `SPEC_HASH`.
    pub register: &'static str,
    /// What the card reports.
    pub found: String,
    /// What the driver needs.
    pub expected: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {}, expected {}",
            self.register, self.found, self.expected
        )
    }
}

struct Mismatches<'a>(&'a [Mismatch]);

impl fmt::Display for Mismatches<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_named() {
        assert_eq!(ErrorFlags::Read(0).to_string(), "none");
        assert_eq!(
            ErrorFlags::Read(errors::TICK_SEQ_GAP | errors::BAD_OPCODE).to_string(),
            "tick sequence gap, bad opcode (0xa)"
        );
        assert_eq!(
            ErrorFlags::Read(errors::CMD_OVERRUN | 0x100).to_string(),
            "command overrun, undefined bits 0x100 (0x104)"
        );
    }

    #[test]
    fn mismatches_are_listed() {
        let e = DriverError::Identify(vec![
            Mismatch {
                register: "MAGIC",
                found: "0x00000000".into(),
                expected: "0x4c515343".into(),
            },
            Mismatch {
                register: "SYMBOLS",
                found: "2".into(),
                expected: "at least 3 (the book's symbols)".into(),
            },
        ]);
        assert_eq!(
            e.to_string(),
            "the board cannot be used: MAGIC is 0x00000000, expected 0x4c515343; \
             SYMBOLS is 2, expected at least 3 (the book's symbols)"
        );
        assert!(!e.is_fault());
        assert!(DriverError::Bus("x".into()).is_fault());
    }
}
