//! Every scanning backend by name: liqscan-core's software scanners and the
//! verilated circuit, built here because this crate sees them all.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use liqscan_core::{CpuScanner, Engine, EngineError, IndexedScanner, Market};

use crate::engine::SimEngine;

/// A backend of the `Engine` trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Backend {
    /// Brute force over every slot of the tick's symbol (the reference).
    Cpu,
    /// Output-sensitive: per-position liquidation price sets, indexed.
    Indexed,
    /// The verilated RustHDL circuit.
    Sim,
}

/// A name that is no backend's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown backend {0:?} (one of cpu, indexed, sim)")]
pub struct UnknownBackend(pub String);

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::Cpu, Backend::Indexed, Backend::Sim];

    /// The name `Engine::name` reports and the command lines take.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Cpu => "cpu",
            Backend::Indexed => "indexed",
            Backend::Sim => "sim",
        }
    }

    /// A fresh engine for `market`; `lanes` is the circuit's (for `sim` only).
    pub fn engine(self, market: Arc<Market>, lanes: usize) -> Result<Box<dyn Engine>, EngineError> {
        Ok(match self {
            Backend::Cpu => Box::new(CpuScanner::new(market)),
            Backend::Indexed => Box::new(IndexedScanner::new(market)),
            Backend::Sim => Box::new(SimEngine::new(market, lanes)?),
        })
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = UnknownBackend;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| UnknownBackend(name.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_engines() {
        let market = Arc::new(Market::new(false));
        for backend in Backend::ALL {
            assert_eq!(backend.name().parse(), Ok(backend));
            if let Ok(engine) = backend.engine(market.clone(), 1) {
                assert_eq!(engine.name(), backend.name());
            }
        }
        assert!("gpu".parse::<Backend>().is_err());
    }
}
