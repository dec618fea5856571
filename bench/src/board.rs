//! The board's round trip: the driver's [`Board`] over the verilated
//! `liqscan_top` in this process, on a sample of ticks.
//!
//! What is timed is the **driver's host work per tick**: the wall time of
//! `Board::scan` (ring the doorbell, poll the result ring, decode the
//! records, map slots to ids, close them in the shadow book) less the time
//! spent on the other side of the bus. The other side is [`ServedBus`]: on
//! the first host read after the host wrote, it runs the card until it is
//! idle (the scan done and every record in the ring, or the ring full),
//! so the host finds the tick complete on its first poll, as on a card
//! that has finished scanning by the time the host looks. Neither the
//! Verilator model's time nor the circuit's scan is in the figure (the
//! circuit's is the `circuit` row); nor is the cost of the bus accesses
//! themselves, which depends on the card's link: they are counted instead
//! (register writes are posted, ring reads are reads of host memory the
//! card wrote). The clock reads around each access are calibrated out
//! ([`access_overhead`]).

use std::time::{Duration, Instant};

use liqscan_core::gen::Scenario;
use liqscan_core::latency::{Recorder, Summary};
use liqscan_core::spec::registers::{ring, RING_RECORDS};
use liqscan_core::{Engine, EngineError, Liquidation};
use liqscan_driver::dma::RingMemory;
use liqscan_driver::Bus;
use liqscan_driver::{Board, BoardOptions, BusCounts, Card, Dma, DriverError, HostRing};
use liqscan_sim::TopModel;

use crate::measure::Run;

/// Cycles the card runs per step while the served side runs it to idle.
const STEP_CYCLES: u64 = 256;
/// Most steps of one run to idle (2^24 cycles, sixteen scans of the
/// largest book on one lane): a card that stays busy longer is hung, and
/// the host's own timeout must see it.
const MAX_STEPS: u64 = (1 << 24) / STEP_CYCLES;

/// A card in this process whose work is done before the host's next read
/// returns, with the time spent inside every access totalled.
#[derive(Debug)]
pub struct ServedBus<C> {
    card: C,
    ring: HostRing,
    dma: Dma,
    /// The host wrote since the card was last idle.
    work: bool,
    /// Time spent inside accesses (the card's side), and how many.
    pub inside: Duration,
    pub accesses: u64,
}

impl<C: Card> ServedBus<C> {
    pub fn new(card: C) -> Self {
        Self {
            card,
            ring: HostRing::default(),
            dma: Dma::new(0),
            work: true,
            inside: Duration::ZERO,
            accesses: 0,
        }
    }

    /// Runs the card until it is idle, or until the ring is full (the host
    /// must read records first), or for [`MAX_STEPS`] steps.
    fn serve(&mut self) -> Result<(), DriverError> {
        for _ in 0..MAX_STEPS {
            if !self.work {
                break;
            }
            let consumer = self.ring.load(ring::CONSUMER)?;
            if self.dma.producer().wrapping_sub(consumer) >= RING_RECORDS {
                return Ok(());
            }
            let activity = self.dma.run(&mut self.card, &mut self.ring, STEP_CYCLES)?;
            self.work = activity.busy || activity.records > 0;
        }
        Ok(())
    }

    fn timed<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let t0 = Instant::now();
        let value = f(self);
        self.inside += t0.elapsed();
        self.accesses += 1;
        value
    }
}

impl<C: Card> Bus for ServedBus<C> {
    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        self.timed(|bus| {
            bus.serve()?;
            bus.card.read(offset)
        })
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        self.timed(|bus| {
            bus.work = true;
            bus.card.write(offset, value)
        })
    }

    fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
        self.timed(|bus| {
            bus.serve()?;
            bus.ring.load(byte)
        })
    }

    fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.timed(|bus| {
            bus.work = true;
            bus.ring.store(byte, value)
        })
    }
}

/// A card that does nothing: for [`access_overhead`].
#[derive(Debug, Default)]
struct NullCard;

impl Card for NullCard {
    fn lanes(&self) -> usize {
        1
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        std::hint::black_box((offset, value));
        Ok(())
    }

    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        Ok(std::hint::black_box(offset))
    }

    fn clock(
        &mut self,
        _: u64,
        _: bool,
        _: &mut Vec<liqscan_driver::Record>,
    ) -> Result<(), DriverError> {
        Ok(())
    }

    fn simulated_cycles(&self) -> u64 {
        0
    }
}

/// What timing one access costs outside its timed span (ns, the median of
/// a few rounds of register writes to a card that does nothing): added to
/// the host's time by every access of [`ServedBus`], so subtracted from it.
pub fn access_overhead() -> f64 {
    const ACCESSES: u32 = 20_000;
    let mut rounds: Vec<f64> = (0..9)
        .map(|_| {
            let mut bus = ServedBus::new(NullCard);
            let t0 = Instant::now();
            for i in 0..ACCESSES {
                bus.write(i, i).expect("a null card takes every write");
            }
            let outside = t0.elapsed().saturating_sub(bus.inside);
            outside.as_nanos() as f64 / f64::from(ACCESSES)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

/// The board's run over a sample of ticks.
#[derive(Debug, Clone)]
pub struct BoardRun {
    /// Ticks run (the first of the case).
    pub ticks: usize,
    /// Host work per tick (ns), warm-up excluded.
    pub host: Summary,
    /// Bus accesses of all the sample's ticks.
    pub accesses: BusCounts,
    /// The calibrated cost of timing an access (ns), subtracted per access.
    pub overhead_ns: f64,
    /// Loading the book through the command ring (the model's time included).
    pub load: Duration,
    /// The liquidations, with the `seq` of their tick.
    pub run: Run,
}

impl BoardRun {
    /// Accesses of each kind per tick.
    pub fn per_tick(&self) -> [f64; 4] {
        let t = self.ticks.max(1) as f64;
        let a = &self.accesses;
        [
            a.writes as f64 / t,
            a.reads as f64 / t,
            a.ring_reads as f64 / t,
            a.ring_writes as f64 / t,
        ]
    }
}

fn engine_error(e: DriverError) -> EngineError {
    EngineError::from(e)
}

/// Opens a board on the verilated `liqscan_top` of `lanes` lanes, loads the
/// scenario and runs its first `ticks` ticks, recording the host work of
/// all but the first `warmup`.
pub fn run_board(
    scenario: &Scenario,
    lanes: usize,
    ticks: usize,
    warmup: usize,
) -> Result<BoardRun, EngineError> {
    let top = TopModel::new(lanes).map_err(|e| EngineError::Unavailable(e.to_string()))?;
    let options = BoardOptions {
        timeout: Duration::from_secs(60),
    };
    let mut board = Board::open_with(ServedBus::new(top), scenario.market.clone(), options)
        .map_err(engine_error)?;
    let overhead_ns = access_overhead();
    let positions: Vec<_> = scenario.positions.iter().collect();
    let started = Instant::now();
    board.load(&positions)?;
    let load = started.elapsed();
    let ticks = &scenario.ticks[..ticks.min(scenario.ticks.len())];
    let before = board.stats().tick_accesses;
    let mut host = Recorder::default();
    let (mut events, mut out) = (Vec::new(), Vec::<Liquidation>::new());
    let run_started = Instant::now();
    for (i, &tick) in ticks.iter().enumerate() {
        out.clear();
        let (inside, accesses) = (board.bus().inside, board.bus().accesses);
        let t0 = Instant::now();
        board.scan(tick, &mut out).map_err(engine_error)?;
        let wall = t0.elapsed();
        let bus = board.bus();
        let served = (bus.inside - inside).as_nanos() as f64;
        let calibrated = overhead_ns * (bus.accesses - accesses) as f64;
        if i >= warmup {
            host.record((wall.as_nanos() as f64 - served - calibrated).max(1.0) as u64);
        }
        events.extend(out.iter().map(|&hit| (tick.seq, hit)));
    }
    board.check_errors().map_err(engine_error)?;
    let accesses = board.stats().tick_accesses.since(&before);
    let host = host.summary();
    Ok(BoardRun {
        ticks: ticks.len(),
        host,
        accesses,
        overhead_ns,
        load,
        run: Run {
            backend: "board".into(),
            latency: host,
            per_tick: Vec::new(),
            events,
            load,
            wall: run_started.elapsed(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_an_access_costs_little_and_is_positive() {
        let overhead = access_overhead();
        assert!(overhead > 0.0 && overhead < 2_000.0, "{overhead} ns");
    }
}
