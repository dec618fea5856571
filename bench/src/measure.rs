//! Runs one backend over a scenario, timing every `Engine::tick` call.

use std::time::{Duration, Instant};

use liqscan_core::gen::Scenario;
use liqscan_core::report::first_difference;
use liqscan_core::spec::scan_cycles;
use liqscan_core::{Engine, EngineError, Liquidation, Position, Tick};

use liqscan_core::latency::{Recorder, Summary};

/// The cost of measuring: a backend that decides nothing, called and timed
/// exactly like the others (a virtual call and two clock reads).
#[derive(Debug, Default)]
pub struct Baseline;

impl Engine for Baseline {
    fn name(&self) -> &str {
        "base"
    }

    fn upsert(&mut self, _: &Position) -> Result<(), EngineError> {
        Ok(())
    }

    fn close(&mut self, _: u64) -> Result<bool, EngineError> {
        Ok(false)
    }

    fn tick(&mut self, tick: Tick, _: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        std::hint::black_box(tick);
        Ok(())
    }
}

/// One backend's run over a scenario.
#[derive(Debug, Clone)]
pub struct Run {
    pub backend: String,
    /// Per-tick decision latency in ns, warm-up ticks excluded.
    pub latency: Summary,
    /// Each recorded tick's latency in ns, in tick order (empty where only
    /// the distribution is kept).
    pub per_tick: Vec<u64>,
    /// Every liquidation, with the `seq` of its tick, in output order.
    pub events: Vec<(u64, Liquidation)>,
    /// Loading the positions.
    pub load: Duration,
    /// All ticks, timing included.
    pub wall: Duration,
}

/// Loads the scenario's positions into `engine`, then runs every tick,
/// recording the duration of each `tick` call after the first `warmup`.
pub fn run(
    engine: &mut dyn Engine,
    scenario: &Scenario,
    warmup: usize,
) -> Result<Run, EngineError> {
    let load = load(engine, scenario)?;
    let run = run_ticks(engine, &scenario.ticks, warmup, |_| {})?;
    Ok(Run { load, ..run })
}

/// Loads every position of the scenario; returns how long that took.
pub fn load<E: Engine + ?Sized>(
    engine: &mut E,
    scenario: &Scenario,
) -> Result<Duration, EngineError> {
    let positions: Vec<&Position> = scenario.positions.iter().collect();
    let started = Instant::now();
    engine.load(&positions)?;
    Ok(started.elapsed())
}

/// Runs `ticks` on a loaded `engine`, timing each `tick` call and handing
/// the engine to `recorded` after each one past the first `warmup`.
pub fn run_ticks<E: Engine + ?Sized>(
    engine: &mut E,
    ticks: &[Tick],
    warmup: usize,
    mut recorded: impl FnMut(&E),
) -> Result<Run, EngineError> {
    let mut latency = Recorder::default();
    let mut per_tick = Vec::with_capacity(ticks.len().saturating_sub(warmup));
    let mut events = Vec::new();
    let mut out = Vec::new();
    let started = Instant::now();
    for (i, &tick) in ticks.iter().enumerate() {
        out.clear();
        let t0 = Instant::now();
        engine.tick(tick, &mut out)?;
        let ns = t0.elapsed().as_nanos();
        if i >= warmup {
            let ns = u64::try_from(ns).unwrap_or(u64::MAX);
            latency.record(ns);
            per_tick.push(ns);
            recorded(engine);
        }
        events.extend(out.iter().map(|&hit| (tick.seq, hit)));
    }
    Ok(Run {
        backend: engine.name().to_owned(),
        latency: latency.summary(),
        per_tick,
        events,
        load: Duration::ZERO,
        wall: started.elapsed(),
    })
}

/// The circuit's tick-to-last-decision latency per tick, in cycles, from the
/// timing contract: every loaded position keeps its slot (a liquidated one
/// leaves a hole the scan still walks), so a tick's symbol has as many slots
/// as positions were loaded into it.
pub fn circuit_cycles(scenario: &Scenario, lanes: usize, warmup: usize) -> Summary {
    let mut slots = vec![0u64; scenario.market.len()];
    for p in &scenario.positions {
        slots[p.symbol.index()] += 1;
    }
    let mut cycles = Recorder::default();
    for tick in scenario.ticks.iter().skip(warmup) {
        cycles.record(scan_cycles(slots[tick.symbol.index()], lanes as u64));
    }
    cycles.summary()
}

impl Run {
    /// Where this run's liquidations first differ from `reference`'s.
    pub fn difference(&self, reference: &Run) -> Option<String> {
        first_difference(&reference.events, &self.events)
            .map(|at| format!("{} and {} differ at {at}", reference.backend, self.backend))
    }
}
