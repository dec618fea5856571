//! The scanner's hot path allocates nothing after warm-up: the pipeline's
//! scanner thread ([`scanner::serve`], as `liqscan scan` runs it) fed ticks
//! that liquidate, with a counting global allocator that counts only on
//! that thread, and apart what the backend's own `tick` allocates.
//!
//! Warm-up is every first: the first wait for a line, the first wait for
//! the sink (the sink is held back until the scanner has had to wait for a
//! buffer), the largest tick (a drop that liquidates many positions at
//! once, so every table has grown to its size). After it, ticks that
//! liquidate one position or none each must allocate nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam::channel::bounded;
use liqscan_cli::pipeline::channel::{DECIDED_BUFFERS, FEED_AHEAD};
use liqscan_cli::pipeline::feed::Fed;
use liqscan_cli::pipeline::latency::Interval;
use liqscan_cli::pipeline::progress::Progress;
use liqscan_cli::pipeline::scanner::{self, Channels, Decided, Judge, Scanner};
use liqscan_cli::pipeline::sink::{self, Sink};
use liqscan_cli::pipeline::stop::{Signals, Stop};
use liqscan_core::input::check::BTCUSDT_SYMBOLS;
use liqscan_core::input::{parse_symbols, read_positions, StreamKind};
use liqscan_core::report::Event;
use liqscan_core::{
    CpuScanner, Engine, EngineError, IndexedScanner, Liquidation, Market, Position, SymbolId, Tick,
};

/// Where an allocation on a counted thread is charged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Charge {
    /// Not a counted thread.
    Nobody,
    /// The scanner's own code: the pipeline.
    Pipeline,
    /// Inside the backend's `tick`.
    Backend,
}

thread_local! {
    // Const-initialised and without a destructor: reading it never allocates.
    static CHARGE: Cell<Charge> = const { Cell::new(Charge::Nobody) };
}

static PIPELINE: AtomicU64 = AtomicU64::new(0);
static BACKEND: AtomicU64 = AtomicU64::new(0);

/// One counted run at a time: the counters are the process's.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The system allocator, counting the allocations (and reallocations) of
/// the thread marked to be counted.
struct Counting;

impl Counting {
    fn count() {
        let charge = CHARGE.try_with(Cell::get).unwrap_or(Charge::Nobody);
        match charge {
            Charge::Nobody => {}
            Charge::Pipeline => {
                PIPELINE.fetch_add(1, Ordering::Relaxed);
            }
            Charge::Backend => {
                BACKEND.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

// SAFETY: every call is passed on unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counting touches only a thread-local `Cell`
// and atomics, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract for `realloc`, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A backend whose `tick` is charged to [`Charge::Backend`].
struct Charged(Box<dyn Engine>);

impl Engine for Charged {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.0.upsert(position)
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        self.0.close(id)
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        let outer = CHARGE.with(|c| c.replace(Charge::Backend));
        let result = self.0.tick(tick, out);
        CHARGE.with(|c| c.set(outer));
        result
    }
}

/// 4,000 longs of 1 BTC at 50,000, margins 1,000.00 to 4,999.00 a unit
/// apart: one liquidation price every unit or so, from about 49,197 down.
fn book(market: &Arc<Market>) -> liqscan_core::Book {
    let mut csv = String::from("id,account,symbol,qty,entry_price,margin\n");
    for i in 0..4000 {
        csv.push_str(&format!("{i},acct{i},BTCUSDT,1,50000,{}\n", 1000 + i));
    }
    read_positions(csv.as_bytes(), "positions.csv", market.clone()).expect("a valid book")
}

/// The ticks: a drop from 50,000 to 49,000 (about 200 liquidations, the
/// largest tick), then a walk down by one unit a tick, every other tick a
/// step back up that liquidates nothing; prices in tenths (tick 0.1).
fn ticks() -> Vec<Tick> {
    let tick = |seq: u64, price: u32| Tick {
        seq,
        symbol: SymbolId(0),
        price,
    };
    let mut ticks = vec![tick(1, 500_000), tick(2, 490_000)];
    let mut price = 490_000;
    for seq in 3..4000u64 {
        price = if seq % 2 == 1 { price - 15 } else { price + 5 };
        ticks.push(tick(seq, price));
    }
    ticks
}

/// What a counted run saw.
struct Counts {
    /// Allocations by the pipeline during warm-up (the counter sees them).
    warm_up: u64,
    /// After warm-up: allocations by the pipeline, by the backend's `tick`,
    /// and liquidations.
    pipeline: u64,
    backend: u64,
    liquidations: u64,
}

/// Runs the scanner thread on `backend` with the sink held back during
/// warm-up.
fn allocations_after_warm_up(backend: fn(Arc<Market>) -> Box<dyn Engine>) -> Counts {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    PIPELINE.store(0, Ordering::Relaxed);
    BACKEND.store(0, Ordering::Relaxed);
    let market = Arc::new(parse_symbols(BTCUSDT_SYMBOLS, "symbols.toml").unwrap());
    let book = book(&market);
    let progress = Arc::new(Progress::default());
    let stop = Arc::new(Stop::new(Signals::default()));
    let (to_scanner, from_feed) = bounded::<Fed>(FEED_AHEAD);
    let (to_sink, from_scanner) = bounded(4 * DECIDED_BUFFERS);
    let (buffers_back, buffers) = bounded(DECIDED_BUFFERS);
    for _ in 1..DECIDED_BUFFERS {
        buffers_back.try_send(Decided::buffer()).unwrap();
    }
    let (intervals_back, intervals) = bounded(2);
    intervals_back
        .try_send(Box::new(Interval::new(Instant::now())))
        .unwrap();

    let scanner_thread = {
        let (progress, stop, market) = (progress.clone(), stop.clone(), market.clone());
        std::thread::spawn(move || {
            let mut engine: Box<dyn Engine> = Box::new(Charged(backend(market)));
            engine.load(&book.sorted()).unwrap();
            let mut scanner = Scanner::new(
                engine,
                book,
                Judge::Ticks,
                (StreamKind::Ticks, "ticks"),
                false,
                progress.clone(),
            );
            let mut channels = Channels {
                to_sink,
                buffers,
                intervals,
                progress,
            };
            CHARGE.with(|c| c.set(Charge::Pipeline));
            let ended = scanner::serve(&mut scanner, &from_feed, &stop, &mut channels);
            CHARGE.with(|c| c.set(Charge::Nobody));
            ended.unwrap();
        })
    };
    let sink_thread = {
        let (progress, market) = (progress.clone(), market.clone());
        std::thread::spawn(move || {
            // Held back until the scanner has waited for a buffer once.
            let deadline = Instant::now() + Duration::from_secs(60);
            while Progress::get(&progress.scanner_stalls) == 0 {
                assert!(Instant::now() < deadline, "the scanner never waited");
                std::thread::sleep(Duration::from_millis(1));
            }
            let mut sink = Sink::new(market, "cpu", ("ticks", "tick"), Vec::<Event>::new(), None);
            sink::serve(&mut sink, &from_scanner, &buffers_back, &intervals_back).unwrap();
            sink.close(Ok(())).unwrap().1
        })
    };

    let ticks = ticks();
    let warm_up = 200;
    let decided = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Progress::get(&progress.ticks) < n as u64 {
            assert!(Instant::now() < deadline, "ticks not decided");
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    for &tick in &ticks[..warm_up] {
        to_scanner.send(Fed::tick(tick)).unwrap();
    }
    decided(warm_up);
    let (pipeline, backend) = (
        PIPELINE.load(Ordering::Relaxed),
        BACKEND.load(Ordering::Relaxed),
    );
    let liquidated = Progress::get(&progress.liquidations);
    for &tick in &ticks[warm_up..] {
        to_scanner.send(Fed::tick(tick)).unwrap();
    }
    decided(ticks.len());
    let counts = Counts {
        warm_up: pipeline,
        pipeline: PIPELINE.load(Ordering::Relaxed) - pipeline,
        backend: BACKEND.load(Ordering::Relaxed) - backend,
        liquidations: Progress::get(&progress.liquidations) - liquidated,
    };
    drop(to_scanner);
    scanner_thread.join().unwrap();
    let events = sink_thread.join().unwrap();
    assert_eq!(events.len() as u64, Progress::get(&progress.liquidations));
    counts
}

/// On `cpu`: nothing allocated per tick, by the pipeline or the backend,
/// over about 1,900 ticks that liquidate (and warm-up's allocations seen,
/// so the counter does count that thread).
#[test]
fn cpu_ticks_allocate_nothing_after_warm_up() {
    let counts = allocations_after_warm_up(|market| Box::new(CpuScanner::new(market)));
    assert!(counts.warm_up > 0, "the counter saw nothing");
    assert!(
        counts.liquidations > 1000,
        "{} liquidations",
        counts.liquidations
    );
    assert_eq!(counts.pipeline, 0, "allocations by the pipeline");
    assert_eq!(counts.backend, 0, "allocations by cpu's tick");
}

/// On `indexed`: nothing allocated per tick by the pipeline.
#[test]
fn indexed_pipeline_allocates_nothing_after_warm_up() {
    let counts = allocations_after_warm_up(|market| Box::new(IndexedScanner::new(market)));
    assert!(counts.warm_up > 0, "the counter saw nothing");
    assert!(
        counts.liquidations > 1000,
        "{} liquidations",
        counts.liquidations
    );
    assert_eq!(counts.pipeline, 0, "allocations by the pipeline");
}

/// On `indexed`, the backend's own tick too: the room its ticks use (the
/// candidates, the slot bitmap, the holes, the liquidated ids, and for the
/// index the spare chunks a take returns) is made at upsert, bounded by
/// the slots the book holds.
#[test]
fn indexed_ticks_allocate_nothing_after_warm_up() {
    let counts = allocations_after_warm_up(|market| Box::new(IndexedScanner::new(market)));
    assert!(counts.warm_up > 0, "the counter saw nothing");
    assert!(
        counts.liquidations > 1000,
        "{} liquidations",
        counts.liquidations
    );
    assert_eq!(counts.pipeline, 0, "allocations by the pipeline");
    assert_eq!(counts.backend, 0, "allocations by indexed's tick");
}
