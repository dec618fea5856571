//! Shared by the driver's tests: books and operation sequences, the `cpu`
//! reference they are replayed against, and buses that misbehave on purpose.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use liqscan_core::decimal::parse_decimal;
use liqscan_core::gen::{generate, GenConfig};
use liqscan_core::spec::registers::reg;
use liqscan_core::{CpuScanner, Engine, Liquidation, Market, Position, SymbolId, Tick};
use liqscan_driver::{serve, Bus, CardModel, DriverError};
use liqscan_testkit::book::{gen_scenario, Profile, Step};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One operation on a book.
#[derive(Debug, Clone)]
pub enum Op {
    Load(Vec<Position>),
    Upsert(Position),
    Close(u64),
    Tick(Tick),
}

/// A market and what happens to its book.
#[derive(Debug, Clone)]
pub struct Run {
    pub market: Arc<Market>,
    pub ops: Vec<Op>,
}

impl Run {
    pub fn ticks(&self) -> usize {
        self.ops
            .iter()
            .filter(|op| matches!(op, Op::Tick(_)))
            .count()
    }
}

/// A generated book: two thirds loaded at once, the rest opened between
/// ticks, with positions replaced (an id reused with another position's
/// terms) and closed now and then.
pub fn generated(positions: usize, symbols: usize, ticks: usize, seed: u64) -> Run {
    let scenario = generate(&GenConfig {
        positions,
        symbols,
        ticks,
        seed,
    })
    .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (head, tail) = scenario.positions.split_at(positions * 2 / 3);
    let mut ops = vec![Op::Load(head.to_vec())];
    let mut pending = tail.iter();
    for (i, tick) in scenario.ticks.iter().enumerate() {
        if i % 5 == 0 {
            ops.extend(pending.by_ref().take(8).cloned().map(Op::Upsert));
            let mut p = scenario.positions[rng.gen_range(0..positions)].clone();
            p.id = rng.gen_range(1..=positions as u64);
            ops.push(Op::Upsert(p));
            ops.push(Op::Close(rng.gen_range(1..=positions as u64)));
        }
        ops.push(Op::Tick(*tick));
    }
    Run {
        market: scenario.market,
        ops,
    }
}

/// liqscan-testkit's adversarial books (positions at `E = MM` exactly,
/// notionals on bracket caps, the widest values) as operations.
pub fn testkit(seed: u64, profile: Profile) -> Run {
    let scenario = gen_scenario(seed, profile);
    let market = scenario.market();
    let mut seq = 0;
    let ops = scenario
        .steps
        .iter()
        .map(|step| match step {
            Step::Upsert(def) => Op::Upsert(def.build(&market)),
            Step::Close(id) => Op::Close(*id),
            Step::Tick { symbol, mark } => {
                seq += 1;
                let symbol = SymbolId(*symbol as u32);
                let price = market
                    .units(symbol)
                    .ticks(&parse_decimal(mark).unwrap(), "mark_price")
                    .unwrap();
                Op::Tick(Tick { seq, symbol, price })
            }
        })
        .collect();
    Run { market, ops }
}

/// Replays `run` on `engine` and on the `cpu` scanner, asserting the same
/// answer to every operation and the same liquidations (ids and
/// shortfalls) on every tick. `before_tick(i)` runs before tick `i`.
/// Returns the liquidations.
pub fn replay(engine: &mut dyn Engine, run: &Run, mut before_tick: impl FnMut(usize)) -> usize {
    let mut cpu = CpuScanner::new(run.market.clone());
    let (mut got, mut want) = (Vec::<Liquidation>::new(), Vec::new());
    let (mut ticks, mut events) = (0, 0);
    for op in &run.ops {
        match op {
            Op::Load(positions) => {
                let all: Vec<&Position> = positions.iter().collect();
                engine.load(&all).unwrap_or_else(|e| panic!("load: {e}"));
                cpu.load(&all).unwrap();
            }
            Op::Upsert(p) => {
                engine
                    .upsert(p)
                    .unwrap_or_else(|e| panic!("upsert {}: {e}", p.id));
                cpu.upsert(p).unwrap();
            }
            Op::Close(id) => {
                let closed = engine
                    .close(*id)
                    .unwrap_or_else(|e| panic!("close {id}: {e}"));
                assert_eq!(closed, cpu.close(*id).unwrap(), "close {id}");
            }
            Op::Tick(tick) => {
                before_tick(ticks);
                ticks += 1;
                got.clear();
                want.clear();
                engine
                    .tick(*tick, &mut got)
                    .unwrap_or_else(|e| panic!("tick {}: {e}", tick.seq));
                cpu.tick(*tick, &mut want).unwrap();
                assert_eq!(got, want, "tick {tick:?}");
                events += want.len();
            }
        }
    }
    events
}

/// A card for `market`: 8 lanes, `slots` slots, its symbols.
pub fn card(market: &Market, slots: usize) -> CardModel {
    CardModel::new(8, slots, market.len().max(1)).unwrap()
}

/// A virtual board serving a card model in a thread.
pub struct Served {
    pub path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<(), DriverError>>>,
}

impl Served {
    /// Serves `card` at `dir/board` and waits for the file to appear.
    pub fn start(card: CardModel, dir: &Path) -> Self {
        let path = dir.join("board");
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (path, stop) = (path.clone(), stop.clone());
            std::thread::spawn(move || serve(card, &path, &stop))
        };
        let started = Instant::now();
        while !path.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the virtual board did not appear"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        Self {
            path,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the server and waits for it; it must have run without error.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread
                .join()
                .expect("the server panicked")
                .unwrap_or_else(|e| panic!("the server failed: {e}"));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A bus that stops delivering doorbells (`TICK_SEQ` writes) after `ticks`
/// of them: the card never hears of the next tick, as if it had hung.
pub struct Hang<B> {
    pub inner: B,
    pub ticks: usize,
    rung: usize,
}

impl<B> Hang<B> {
    pub fn after(inner: B, ticks: usize) -> Self {
        Self {
            inner,
            ticks,
            rung: 0,
        }
    }
}

impl<B: Bus> Bus for Hang<B> {
    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        self.inner.read(offset)
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        if offset == reg::TICK_SEQ {
            self.rung += 1;
            if self.rung > self.ticks {
                return Ok(());
            }
        }
        self.inner.write(offset, value)
    }

    fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
        self.inner.ring_read(byte)
    }

    fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.inner.ring_write(byte, value)
    }
}
