//! The circuit's latency for the demo: the `sim` backend with each tick's
//! cycles recorded (from the edge that accepts the tick to `done`, as the
//! Verilator model counts them), and the FPGA build's recorded clock to
//! give them in ns.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use liqscan_core::engine::{Engine, EngineError, Liquidation, Tick};
use liqscan_core::latency::{Recorder, Summary};
use liqscan_core::synth_results::{clock_for, read_results, Design, SynthResult};
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
    clock_for(&results, Design::Scanner, lanes).cloned()
}

/// What the circuit did, read by whoever scans it while the scanner owns
/// the engine.
#[derive(Debug, Default)]
pub struct CircuitLog {
    /// Cycles per tick, from the accepting edge to `done`.
    cycles: Mutex<Recorder>,
    /// Clock edges simulated when loading ended, and so far.
    loaded: AtomicU64,
    simulated: AtomicU64,
}

impl CircuitLog {
    /// Cycles per tick so far.
    pub fn cycles(&self) -> Summary {
        self.cycles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .summary()
    }

    /// Clock edges simulated since loading ended, up to the last tick.
    pub fn simulated_since_load(&self) -> u64 {
        self.simulated.load(Ordering::Relaxed) - self.loaded.load(Ordering::Relaxed)
    }
}

/// The `sim` backend, logging each tick's cycles.
#[derive(Debug)]
pub struct Circuit {
    sim: SimEngine,
    log: Arc<CircuitLog>,
}

impl Circuit {
    /// The model with `lanes` lanes, its scans on `threads` host threads
    /// (`SimEngine::with_threads`).
    pub fn new(market: Arc<Market>, lanes: usize, threads: usize) -> Result<Self, EngineError> {
        Ok(Self {
            sim: SimEngine::with_threads(market, lanes, threads)?,
            log: Arc::default(),
        })
    }

    /// The log this circuit writes.
    pub fn log(&self) -> Arc<CircuitLog> {
        self.log.clone()
    }

    fn note_simulated(&self) -> u64 {
        let simulated = self.sim.simulated_cycles();
        self.log.simulated.store(simulated, Ordering::Relaxed);
        simulated
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
        self.log
            .cycles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(scan.cycles);
        self.note_simulated();
        Ok(())
    }

    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        self.sim.load(positions)?;
        let loaded = self.note_simulated();
        self.log.loaded.store(loaded, Ordering::Relaxed);
        Ok(())
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
