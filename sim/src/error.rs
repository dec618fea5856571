//! Why the co-simulation could not run.

use liqscan_core::layout::CapacityError;

/// An error of the Verilator backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// The crate was built without Verilator.
    #[error("the Verilator model was not built ({0}); install Verilator 5.006 or newer (`apt-get install -y verilator`, `brew install verilator`: see docs/install.md) and rebuild")]
    Unavailable(String),
    /// Tracing asked of a build without the traced model.
    #[error("this build has no waveform tracing: build with the `trace` feature (cargo build --release -p liqscan-cli --features trace)")]
    NoTrace,
    /// The waveform file could not be opened.
    #[error("waveform file {0}")]
    Trace(String),
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
    /// The slot layout's mirror and the model disagree.
    #[error("slot layout: {0}")]
    Layout(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_names_the_install_command() {
        let message = SimError::Unavailable("cannot run `verilator`".into()).to_string();
        assert!(
            message.contains("apt-get install -y verilator"),
            "{message}"
        );
    }
}
