//! The circuit's latency for the demo: the `sim` backend with each tick's
//! cycles recorded (from the edge that accepts the tick to `done`, as the
//! Verilator model counts them), and the FPGA build's recorded clock to
//! give them in ns.

use std::sync::Arc;

use liqscan_core::engine::{Engine, EngineError, Liquidation, Tick};
use liqscan_core::latency::Recorder;
use liqscan_core::synth_results::{clock_for, read_results, SynthResult};
use liqscan_core::{Market, Position};
use liqscan_sim::SimEngine;

/// The synthesis results when this binary was built
/// (`docs/results/ecp5.csv`, which `scripts/synth.sh` appends to).
const RESULTS: &str = include_str!("../../../docs/results/ecp5.csv");

/// Where the clock comes from, for the demo's note.
pub const RESULTS_FILE: &str = "docs/results/ecp5.csv";

/// The recorded clock of the `lanes`-lane FPGA build (the newest routed
/// run, else the newest placed one), if there is one.
pub fn recorded_clock(lanes: usize) -> Option<SynthResult> {
    let results = read_results(RESULTS.as_bytes()).ok()?;
    clock_for(&results, lanes).cloned()
}

/// The `sim` backend, counting each tick's cycles.
#[derive(Debug)]
pub struct Circuit {
    sim: SimEngine,
    cycles: Recorder,
}

impl Circuit {
    pub fn new(market: Arc<Market>, lanes: usize) -> Result<Self, EngineError> {
        Ok(Self {
            sim: SimEngine::new(market, lanes)?,
            cycles: Recorder::default(),
        })
    }

    /// Cycles per tick so far.
    pub fn cycles(&self) -> &Recorder {
        &self.cycles
    }

    /// Clock edges the model simulated so far (loading included).
    pub fn simulated_cycles(&self) -> u64 {
        self.sim.simulated_cycles()
    }
}

impl Engine for Circuit {
    fn name(&self) -> &str {
        self.sim.name()
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.sim.upsert(position)
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        self.sim.close(id)
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        self.sim.tick(tick, out)?;
        let scan = self.sim.last_tick().ok_or_else(|| {
            EngineError::Backend("a tick that returned Ok was not measured".into())
        })?;
        self.cycles.record(scan.cycles);
        Ok(())
    }

    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        self.sim.load(positions)
    }

    fn counters(&self) -> Vec<(&'static str, u64)> {
        self.sim.counters()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in results give the 8-lane build's clock (the README's).
    #[test]
    fn the_default_build_has_a_recorded_clock() {
        let clock = recorded_clock(8).expect("docs/results/ecp5.csv has an 8-lane run");
        assert!(clock.clock_mhz > 0.0);
        assert_eq!(clock.lanes, 8);
    }
}
