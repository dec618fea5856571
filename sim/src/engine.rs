//! `sim`: the verilated scanner as a liqscan-core [`Engine`], laid out as the
//! board is: each symbol owns a row-aligned region of the slot memory, grown
//! by relocation (and a relayout, squeezing out holes, when the memory is
//! fragmented), by liqscan-core's [`Layout`].
//!
//! # Capacity
//!
//! A book fits if and only if its regions, each rounded up to whole rows of
//! `L` slots, fit in the model's slots ([`liqscan_core::layout`] states the
//! rule and its bound); a book or an update that does not fit is refused
//! before anything is written, with a
//! [`CapacityError`](liqscan_core::layout::CapacityError) naming
//! `the sim model`, what it holds and what the book needs, and the engine
//! keeps scanning what it holds.

use std::path::Path;
use std::sync::Arc;

use liqscan_core::engine::{Engine, EngineError, Liquidation, Tick};
use liqscan_core::layout::{Layout, LayoutError, SlotWrites};
use liqscan_core::spec::PositionConst;
use liqscan_core::{Market, Position};

use crate::error::SimError;
use crate::model::{Hit, ScannerModel, TickStats, SLOTS, SYMBOLS};
use crate::trace::TraceWindow;

/// How capacity errors name the model.
pub const HOLDER: &str = "the sim model";

impl From<SimError> for EngineError {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Unavailable(_)
            | SimError::NoModel { .. }
            | SimError::Create
            | SimError::NoTrace => EngineError::Unavailable(e.to_string()),
            SimError::Capacity(e) => EngineError::Capacity(e.to_string()),
            e => EngineError::Backend(e.to_string()),
        }
    }
}

impl From<LayoutError> for SimError {
    fn from(e: LayoutError) -> Self {
        match e {
            LayoutError::Capacity(e) => SimError::Capacity(e),
            LayoutError::Inconsistent(message) => SimError::Layout(message),
        }
    }
}

/// The layout's writes go to the model's host-write ports.
impl SlotWrites for ScannerModel {
    type Error = SimError;

    fn position(&mut self, slot: u32, position: Option<PositionConst>) -> Result<(), SimError> {
        self.write_position(slot, position)
    }

    fn region(&mut self, symbol: u32, base_row: u32, count: u32) -> Result<(), SimError> {
        self.write_region(symbol, base_row, count)
    }
}

/// The Verilator backend.
#[derive(Debug)]
pub struct SimEngine {
    market: Arc<Market>,
    model: ScannerModel,
    layout: Layout,
    hits: Vec<Hit>,
    /// How the last scan went, as the model measured it.
    last_tick: Option<TickStats>,
    /// The ticks whose clock edges go to the waveform file, if one is open.
    trace: Option<TraceWindow>,
    /// Ticks written to the waveform file.
    traced_ticks: u64,
}

impl SimEngine {
    /// A scanner with `lanes` lanes holding `market`'s bracket tables and
    /// comparison, and no positions.
    pub fn new(market: Arc<Market>, lanes: usize) -> Result<Self, EngineError> {
        Self::with_capacity(market, lanes, SLOTS)
    }

    /// Like [`SimEngine::new`], using only the first `slots` slots of the
    /// model (a whole number of rows): a smaller board, or a test of the
    /// capacity limits without filling a million slots.
    pub fn with_capacity(
        market: Arc<Market>,
        lanes: usize,
        slots: usize,
    ) -> Result<Self, EngineError> {
        Self::check(&market, lanes, slots)?;
        Self::with_model(market, ScannerModel::new(lanes)?, slots)
    }

    /// Like [`SimEngine::new`], on the model built with waveform tracing
    /// (the `trace` feature): the clock edges of the ticks in `window`,
    /// from the one that accepts the tick to `done`, go to the FST file
    /// `path`, written as they are scanned and closed when the engine is
    /// dropped. [`SimError::NoTrace`] (as `Unavailable`) without the feature.
    pub fn traced(
        market: Arc<Market>,
        lanes: usize,
        path: &Path,
        window: TraceWindow,
    ) -> Result<Self, EngineError> {
        Self::check(&market, lanes, SLOTS)?;
        let mut model = ScannerModel::new_traced(lanes)?;
        model.trace_open(path)?;
        let mut engine = Self::with_model(market, model, SLOTS)?;
        engine.trace = Some(window);
        Ok(engine)
    }

    fn check(market: &Market, lanes: usize, slots: usize) -> Result<(), EngineError> {
        if market.len() > SYMBOLS {
            return Err(EngineError::Capacity(format!(
                "the sim model holds {SYMBOLS} symbols; the book has {}",
                market.len()
            )));
        }
        if slots > SLOTS || lanes == 0 || slots % lanes != 0 {
            return Err(SimError::Range(format!(
                "capacity of {slots} slots on {lanes} lanes (at most {SLOTS}, whole rows)"
            ))
            .into());
        }
        Ok(())
    }

    fn with_model(
        market: Arc<Market>,
        mut model: ScannerModel,
        slots: usize,
    ) -> Result<Self, EngineError> {
        let lanes = model.lanes();
        model.set_at_equal(market.liquidate_at_equal);
        for id in market.ids() {
            model.write_brackets(id.0, &market.units(id).brackets)?;
            model.write_region(id.0, 0, 0)?;
        }
        Ok(Self {
            layout: Layout::new(HOLDER, market.len(), lanes, slots),
            market,
            model,
            hits: Vec::new(),
            last_tick: None,
            trace: None,
            traced_ticks: 0,
        })
    }

    /// Like [`SimEngine::new`], each scan run on `threads` host threads
    /// ([`ScannerModel::with_threads`]): 2 is faster with a core to spare
    /// and slower on a busy machine; the results are the same.
    pub fn with_threads(
        market: Arc<Market>,
        lanes: usize,
        threads: usize,
    ) -> Result<Self, EngineError> {
        Self::check(&market, lanes, SLOTS)?;
        Self::with_model(market, ScannerModel::with_threads(lanes, threads)?, SLOTS)
    }

    /// Host threads a scan runs on.
    pub fn threads(&self) -> usize {
        self.model.threads()
    }

    /// Slots the engine may use.
    pub fn capacity(&self) -> usize {
        self.layout.capacity()
    }

    /// Times every region was laid out again (when the free rows ran out).
    pub fn relayouts(&self) -> u64 {
        self.layout.relayouts()
    }

    /// Where the positions are.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Rising clock edges simulated so far.
    pub fn simulated_cycles(&self) -> u64 {
        self.model.simulated_cycles()
    }

    /// The last successful tick's scan: its cycles from the accepting edge
    /// to `done`, stalls and the scanner's own counter (`None` before one).
    pub fn last_tick(&self) -> Option<TickStats> {
        self.last_tick
    }

    /// Ticks written to the waveform file so far ([`SimEngine::traced`]).
    pub fn traced_ticks(&self) -> u64 {
        self.traced_ticks
    }
}

impl Engine for SimEngine {
    fn name(&self) -> &str {
        "sim"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        let konst = position.constants(&self.market);
        self.layout
            .upsert(&mut self.model, position.id, position.symbol, konst)?;
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        Ok(self.layout.close(&mut self.model, id)?)
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        self.market.check_symbol(tick.symbol)?;
        let first = out.len();
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        self.last_tick = None;
        let traced = self.trace.is_some_and(|window| window.contains(tick.seq));
        if traced {
            self.model.trace(true);
            self.traced_ticks += 1;
        }
        let result = self
            .model
            .tick(tick.symbol.0, tick.price, &mut hits)
            .map_err(EngineError::from);
        if traced {
            self.model.trace(false);
        }
        let result = result.and_then(|stats| {
            self.last_tick = Some(stats);
            hits.iter().try_for_each(|hit| {
                let position = self
                    .layout
                    .closed(tick.symbol, hit.slot)
                    .map_err(SimError::from)?;
                out.push(Liquidation {
                    position,
                    shortfall: hit.shortfall,
                });
                Ok(())
            })
        });
        self.hits = hits;
        result?;
        out[first..].sort_unstable();
        Ok(())
    }

    /// The clock edges simulated, and with tracing the ticks written.
    fn counters(&self) -> Vec<(&'static str, u64)> {
        let mut counters = vec![("simulated cycles", self.simulated_cycles())];
        if self.trace.is_some() {
            counters.push(("traced ticks", self.traced_ticks));
        }
        counters
    }

    /// Checks that the whole book fits and reserves each symbol's final
    /// size first (so that no region moves twice), then writes the positions.
    fn load(&mut self, positions: &[&Position]) -> Result<(), EngineError> {
        for p in positions {
            self.market.check_symbol(p.symbol)?;
        }
        let ids = positions.iter().map(|p| (p.id, p.symbol));
        self.layout.reserve(&mut self.model, ids)?;
        positions.iter().try_for_each(|p| self.upsert(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liqscan_core::gen::{generate, GenConfig};
    use liqscan_core::CpuScanner;

    /// Regions that outgrow a small memory are compacted, positions survive
    /// the moves (the scans still match the `cpu` scanner), and a book
    /// larger than the memory is refused.
    #[test]
    fn compacts_and_refuses_overflow() {
        let scenario = generate(&GenConfig {
            positions: 1_000,
            symbols: 4,
            ticks: 150,
            seed: 7,
        })
        .unwrap();
        let mut sim = SimEngine::with_capacity(scenario.market.clone(), 8, (1_000 / 8 + 24) * 8)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut cpu = CpuScanner::new(scenario.market.clone());
        // One at a time, so that regions grow by doubling and fragment the memory.
        for p in &scenario.positions {
            sim.upsert(p).unwrap();
            cpu.upsert(p).unwrap();
        }
        let layout = sim.layout();
        assert!(
            layout.rows_reserved() <= layout.rows() && layout.relayouts() > 0,
            "{} relayouts",
            layout.relayouts()
        );
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for tick in &scenario.ticks {
            sim.tick(*tick, &mut a).unwrap();
            cpu.tick(*tick, &mut b).unwrap();
            assert_eq!(a, b, "tick {tick:?}");
        }
        let mut extra = scenario.positions[0].clone();
        for id in 0..2_000 {
            extra.id = 1_000_000 + id;
            if let Err(e) = sim.upsert(&extra) {
                assert!(matches!(e, EngineError::Capacity(_)), "{e}");
                return;
            }
        }
        panic!("a book larger than the memory was accepted");
    }
}
