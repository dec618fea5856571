//! The circuit itself, measured on the Verilator model: cycles from the
//! accepting edge to `done` per tick, and how fast Verilator simulates them.
//! Its liquidations are checked against the software backends'.

use std::time::{Duration, Instant};

use liqscan_core::gen::Scenario;
use liqscan_core::{Liquidation, SymbolId};
use liqscan_sim::{Hit, ScannerModel, SimError};

use liqscan_core::latency::{Recorder, Summary};

/// A run of the Verilator model over the first ticks of a scenario.
#[derive(Debug, Clone)]
pub struct SimRun {
    /// Ticks simulated.
    pub ticks: usize,
    /// Tick-to-`done` cycles as the model counted them, warm-up excluded.
    pub cycles: Summary,
    /// Host time per tick (simulation, not the circuit), warm-up excluded.
    pub host: Summary,
    /// Clock edges simulated during the ticks, and the time they took.
    pub simulated_cycles: u64,
    pub wall: Duration,
    /// Liquidations, with their tick's `seq`, in position-id order per tick.
    pub events: Vec<(u64, Liquidation)>,
}

impl SimRun {
    /// Simulated clock cycles per second of host time.
    pub fn cycles_per_second(&self) -> f64 {
        self.simulated_cycles as f64 / self.wall.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Loads the scenario into a fresh `lanes`-lane model (each symbol's
/// positions in one region, in position order) and runs its first `ticks`
/// ticks, recording all but the first `warmup`.
pub fn run_sim(
    scenario: &Scenario,
    lanes: usize,
    ticks: usize,
    warmup: usize,
) -> Result<SimRun, SimError> {
    let market = &scenario.market;
    let mut model = ScannerModel::new(lanes)?;
    model.set_at_equal(market.liquidate_at_equal);

    // Regions start on a row boundary: symbol by symbol, ceil(n / L) rows each.
    let mut by_symbol: Vec<Vec<usize>> = vec![Vec::new(); market.len()];
    for (i, p) in scenario.positions.iter().enumerate() {
        by_symbol[p.symbol.index()].push(i);
    }
    let mut slot_owner = Vec::with_capacity(scenario.positions.len()); // slot → position id
    let mut next_row = 0u32;
    for (symbol, members) in by_symbol.iter().enumerate() {
        let id = SymbolId(symbol as u32);
        model.write_brackets(id.0, &market.units(id).brackets)?;
        let base = next_row as usize * lanes;
        slot_owner.resize(base, None);
        for (k, &i) in members.iter().enumerate() {
            let position = &scenario.positions[i];
            model.write_position((base + k) as u32, Some(position.constants(market)))?;
            slot_owner.push(Some(position.id));
        }
        model.write_region(id.0, next_row, members.len() as u32)?;
        next_row += members.len().div_ceil(lanes) as u32;
    }

    let (mut cycles, mut host) = (Recorder::default(), Recorder::default());
    let mut events = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
    let first_cycle = model.simulated_cycles();
    let started = Instant::now();
    for (i, tick) in scenario.ticks.iter().take(ticks).enumerate() {
        hits.clear();
        let t0 = Instant::now();
        let stats = model.tick(tick.symbol.0, tick.price, &mut hits)?;
        let ns = t0.elapsed().as_nanos();
        if i >= warmup {
            cycles.record(stats.cycles);
            host.record(u64::try_from(ns).unwrap_or(u64::MAX));
        }
        let first = events.len();
        for hit in &hits {
            let id = slot_owner.get(hit.slot as usize).copied().flatten();
            let id = id.ok_or_else(|| {
                SimError::Protocol(format!("hit in slot {} that holds no position", hit.slot))
            })?;
            events.push((
                tick.seq,
                Liquidation {
                    position: id,
                    shortfall: hit.shortfall,
                },
            ));
        }
        events[first..].sort_unstable();
    }
    let wall = started.elapsed();
    Ok(SimRun {
        ticks: ticks.min(scenario.ticks.len()),
        cycles: cycles.summary(),
        host: host.summary(),
        simulated_cycles: model.simulated_cycles() - first_cycle,
        wall,
        events,
    })
}
