//! Waveforms of chosen ticks: which ticks ([`TraceWindow`]), and reading a
//! written file back ([`read_fst`]).
//!
//! The traced model is the scanner verilated with `--trace-fst`, built only
//! with the crate's `trace` feature (the default build has no tracing code
//! and pays nothing for it): [`crate::SimEngine::traced`] opens an FST file
//! and writes the clock edges of the ticks in its window, every signal of
//! every level. In the file one clock cycle is 10 ns (a nominal 100 MHz;
//! the cycle number is the time divided by 10), so the time between two
//! traced ticks shows the cycles simulated between them. GTKWave and Surfer
//! open it.

use std::path::Path;

use crate::error::SimError;
pub use crate::ffi::{FstSummary, FstVar};

/// Whether this build has the traced model (the `trace` feature).
pub const AVAILABLE: bool = cfg!(feature = "trace");

/// Time units (ns) per clock cycle in a waveform file (`csrc/waves.h`).
pub const PERIOD: u64 = 10;

/// The ticks traced: those with `from ≤ seq ≤ to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceWindow {
    pub from: u64,
    pub to: u64,
}

impl TraceWindow {
    /// Every tick.
    pub const ALL: TraceWindow = TraceWindow {
        from: 0,
        to: u64::MAX,
    };

    pub fn contains(&self, seq: u64) -> bool {
        (self.from..=self.to).contains(&seq)
    }
}

/// The header and hierarchy of the FST file at `path`, read with the FST
/// reader the traced build links (GTKWave's): its time range, unit and
/// every variable with its scope and width.
pub fn read_fst(path: &Path) -> Result<FstSummary, SimError> {
    if !AVAILABLE {
        return Err(SimError::NoTrace);
    }
    let cannot = |why: &str| SimError::Trace(format!("{}: {why}", path.display()));
    let text = path.to_str().ok_or_else(|| cannot("not UTF-8"))?;
    let c_path = std::ffi::CString::new(text).map_err(|_| cannot("a NUL in the name"))?;
    crate::ffi::fst_read(&c_path).ok_or_else(|| cannot("not a readable FST file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_holds_its_ends() {
        let window = TraceWindow { from: 3, to: 5 };
        assert!(!window.contains(2) && window.contains(3) && window.contains(5));
        assert!(!window.contains(6));
        assert!(TraceWindow::ALL.contains(0) && TraceWindow::ALL.contains(u64::MAX));
    }
}
