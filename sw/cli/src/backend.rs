//! The scanning backends the CLI can run.

use std::fmt;
use std::sync::Arc;

use anyhow::Result;
use clap::ValueEnum;
use liqscan_core::indexed::IndexedScanner;
use liqscan_core::{spec, CpuScanner, Engine, Market};
use liqscan_sim::SimEngine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// Brute force over every slot of the tick's symbol (the reference).
    Cpu,
    /// Output-sensitive: per-position liquidation price sets, indexed.
    Indexed,
    /// The verilated RustHDL circuit.
    Sim,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            self.to_possible_value()
                .expect("no skipped variants")
                .get_name(),
        )
    }
}

/// Backends `liqscan demo` runs: every one that is available.
pub const DEMO: [Backend; 3] = [Backend::Cpu, Backend::Indexed, Backend::Sim];

/// A fresh engine of `backend` for `market`.
pub fn engine(backend: Backend, market: &Arc<Market>) -> Result<Box<dyn Engine>> {
    Ok(match backend {
        Backend::Cpu => Box::new(CpuScanner::new(market.clone())),
        Backend::Indexed => Box::new(IndexedScanner::new(market.clone())),
        Backend::Sim => Box::new(SimEngine::new(market.clone(), spec::DEFAULT_LANES)?),
    })
}
