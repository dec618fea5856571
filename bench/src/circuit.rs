//! The circuit itself, measured on the Verilator model through `SimEngine`:
//! cycles from the accepting edge to `done` per tick, and how fast Verilator
//! simulates them. Its liquidations are checked against the software backends'.

use liqscan_core::gen::Scenario;
use liqscan_core::latency::{Recorder, Summary};
use liqscan_core::EngineError;
use liqscan_sim::SimEngine;

use crate::measure::{self, Run};

/// A run of the Verilator model over the first ticks of a scenario.
#[derive(Debug, Clone)]
pub struct SimRun {
    /// The model's lanes.
    pub lanes: usize,
    /// Host threads the scans ran on (`SimEngine::with_threads`).
    pub threads: usize,
    /// Ticks simulated.
    pub ticks: usize,
    /// Tick-to-`done` cycles as the model counted them, warm-up excluded.
    pub cycles: Summary,
    /// Clock edges simulated during the ticks.
    pub simulated_cycles: u64,
    /// Host time per tick (simulation, not the circuit), warm-up excluded,
    /// the liquidations and the time of all ticks.
    pub run: Run,
}

impl SimRun {
    /// Simulated clock cycles per second of host time.
    pub fn cycles_per_second(&self) -> f64 {
        self.simulated_cycles as f64 / self.run.wall.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Loads the scenario into a `lanes`-lane `SimEngine` evaluating its lanes
/// on `threads` host threads and runs its first `ticks` ticks, recording
/// all but the first `warmup`.
pub fn run_sim(
    scenario: &Scenario,
    lanes: usize,
    threads: usize,
    ticks: usize,
    warmup: usize,
) -> Result<SimRun, EngineError> {
    let mut engine = SimEngine::with_threads(scenario.market.clone(), lanes, threads)?;
    let threads = engine.threads();
    let load = measure::load(&mut engine, scenario)?;
    let ticks = &scenario.ticks[..ticks.min(scenario.ticks.len())];
    let mut cycles = Recorder::default();
    let first_cycle = engine.simulated_cycles();
    let run = measure::run_ticks(&mut engine, ticks, warmup, |engine| {
        let scan = engine
            .last_tick()
            .expect("a tick that returned Ok was measured");
        cycles.record(scan.cycles);
    })?;
    Ok(SimRun {
        lanes,
        threads,
        ticks: ticks.len(),
        cycles: cycles.summary(),
        simulated_cycles: engine.simulated_cycles() - first_cycle,
        run: Run { load, ..run },
    })
}
