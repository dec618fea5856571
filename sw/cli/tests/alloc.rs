//! The scanner's hot path allocates nothing after warm-up: the pipeline's
//! scanner thread ([`scanner::serve`], as `liqscan scan` runs it, on the
//! channels [`Links::new`] makes) fed ticks that liquidate, with a counting
//! global allocator charged on that thread only
//! ([`liqscan_testkit::alloc`]), and apart what the backend's own `tick`
//! allocates. Everything the scanner thread does after the last warm-up
//! tick is decided is counted, its waits included.
//!
//! - After a warm-up of 200 ticks (the largest first, a drop that
//!   liquidates many positions at once, so every table has grown to its
//!   size), with the sink held back until the scanner has had to wait for a
//!   buffer: ticks that liquidate one position or none each.
//! - Every wait the scanner may make, each forced after a warm-up in which
//!   it made none: for a line, for a decided tick's buffer back (a sink held
//!   up in its writer), and for room in the sink's channel (a sink held up
//!   while the scanner hands it 300 skipped bad lines). crossbeam allocates
//!   a thread's waiting context, and a channel's list of waiting threads,
//!   the first time a thread waits; the pipeline makes them before its
//!   first line (`Links::new`, `Stop::new`, `scanner::serve`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use crossbeam::channel::{Receiver, Sender};
use liqscan_cli::pipeline::channel::{Links, DECIDED_BUFFERS, SINK_AHEAD};
use liqscan_cli::pipeline::feed::{Fed, FedLine};
use liqscan_cli::pipeline::progress::Progress;
use liqscan_cli::pipeline::scanner::{self, Channels, Decided, Judge, Scanner, ToSink};
use liqscan_cli::pipeline::sink::{self, Sink};
use liqscan_cli::pipeline::stop::{Signals, Stop};
use liqscan_cli::pipeline::writer::Events;
use liqscan_core::input::check::BTCUSDT_SYMBOLS;
use liqscan_core::input::{parse_symbols, read_positions, InputError, ReadError, StreamKind};
use liqscan_core::report::Event;
use liqscan_core::{
    CpuScanner, Engine, EngineError, IndexedScanner, Liquidation, Market, Position, SymbolId, Tick,
};
use liqscan_testkit::alloc::{self, Counter, CountingAlloc};

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

/// Skipped bad lines the scanner notes to a held sink: more than its
/// channel holds.
const NOTES: u64 = 300;
const _: () = assert!(NOTES as usize > SINK_AHEAD);

/// What the scanner thread allocates from the moment the tick `after` is
/// decided until the next phase: by the pipeline (`thread`) and inside the
/// backend's `tick` for the ticks after `after` (`backend`).
#[derive(Clone, Copy)]
struct Phase {
    after: u64,
    thread: &'static Counter,
    backend: &'static Counter,
}

impl Phase {
    fn new(after: u64) -> Self {
        Self {
            after,
            thread: Counter::leaked(),
            backend: Counter::leaked(),
        }
    }
}

/// A backend whose `tick` is charged to its phase's backend counter, and
/// which charges the scanner thread to the phase a tick begins.
struct Charged {
    engine: Box<dyn Engine>,
    /// In order of `after`, the first `after` 0.
    phases: Vec<Phase>,
}

impl Engine for Charged {
    fn name(&self) -> &str {
        self.engine.name()
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.engine.upsert(position)
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        self.engine.close(id)
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        let of_tick = self.phases.iter().rev().find(|p| p.after < tick.seq);
        let backend = of_tick.expect("the first phase begins at 0").backend;
        let result = alloc::charged(backend, || self.engine.tick(tick, out));
        let next = self.phases.iter().rev().find(|p| p.after <= tick.seq);
        alloc::charge(next.map(|phase| phase.thread));
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

fn tick(seq: u64, price: u32) -> Tick {
    Tick {
        seq,
        symbol: SymbolId(0),
        price,
    }
}

/// Events written only while the gate is open: a closed gate holds the sink
/// at a decided tick's first event.
struct Gated {
    events: Vec<Event>,
    open: Arc<AtomicBool>,
}

impl Events for Gated {
    fn event(&mut self, event: Event) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.open.load(Ordering::Acquire) {
            assert!(Instant::now() < deadline, "the gate never opened");
            std::thread::sleep(Duration::from_millis(1));
        }
        self.events.push(event);
        Ok(())
    }
}

/// A pipeline's scanner and sink threads on `backend`, fed by the test.
struct Run {
    progress: Arc<Progress>,
    to_scanner: Sender<Fed>,
    /// Watched, never received from: what waits for the sink, and the
    /// buffers it has handed back.
    sink_ahead: Receiver<ToSink>,
    buffers_back: Receiver<Decided>,
    gate: Arc<AtomicBool>,
    scanner: std::thread::JoinHandle<()>,
    sink: std::thread::JoinHandle<Vec<Event>>,
}

impl Run {
    /// Starts the scanner thread (charged to `phases[0]` until its first
    /// tick) once `queued` lines wait for it, and the sink once `sink_when`
    /// holds of the progress.
    fn start(
        backend: fn(Arc<Market>) -> Box<dyn Engine>,
        phases: Vec<Phase>,
        queued: &[Tick],
        sink_when: fn(&Progress) -> bool,
    ) -> Self {
        let market = Arc::new(parse_symbols(BTCUSDT_SYMBOLS, "symbols.toml").unwrap());
        let book = book(&market);
        let progress = Arc::new(Progress::default());
        let stop = Arc::new(Stop::new(Signals::default()));
        let links = Links::new();
        for &tick in queued {
            links.to_scanner.send(Fed::tick(tick)).unwrap();
        }
        let (sink_ahead, buffers_back) = (links.from_scanner.clone(), links.buffers.clone());
        let (from_feed, to_sink, buffers, intervals) = (
            links.from_feed,
            links.to_sink,
            links.buffers,
            links.intervals,
        );
        let scanner = {
            let (progress, market) = (progress.clone(), market.clone());
            std::thread::spawn(move || {
                let first = phases[0].thread;
                let engine = Charged {
                    engine: backend(market),
                    phases,
                };
                let mut engine: Box<dyn Engine> = Box::new(engine);
                engine.load(&book.sorted()).unwrap();
                let mut scanner = Scanner::new(
                    engine,
                    book,
                    Judge::Ticks,
                    (StreamKind::Ticks, "ticks"),
                    true,
                    progress.clone(),
                );
                let mut channels = Channels {
                    to_sink,
                    buffers,
                    intervals,
                    progress,
                };
                alloc::charge(Some(first));
                let ended = scanner::serve(&mut scanner, &from_feed, &stop, &mut channels);
                alloc::charge(None);
                ended.unwrap();
            })
        };
        let gate = Arc::new(AtomicBool::new(true));
        let sink = {
            let (progress, gate) = (progress.clone(), gate.clone());
            let (from_scanner, buffers_back, intervals_back) =
                (links.from_scanner, links.buffers_back, links.intervals_back);
            std::thread::spawn(move || {
                wait_for("the sink's start", || sink_when(&progress));
                let events = Gated {
                    events: Vec::new(),
                    open: gate,
                };
                let mut sink = Sink::new(market, "test", ("ticks", "tick"), events, None);
                sink::serve(&mut sink, &from_scanner, &buffers_back, &intervals_back).unwrap();
                sink.close(Ok(())).unwrap().1.events
            })
        };
        Self {
            progress,
            to_scanner: links.to_scanner,
            sink_ahead,
            buffers_back,
            gate,
            scanner,
            sink,
        }
    }

    fn feed(&self, ticks: impl IntoIterator<Item = Tick>) {
        for tick in ticks {
            self.to_scanner.send(Fed::tick(tick)).unwrap();
        }
    }

    fn decided(&self, ticks: u64) {
        wait_for("ticks decided", || {
            Progress::get(&self.progress.ticks) >= ticks
        });
    }

    /// The sink has written everything and handed every buffer back.
    fn sink_idle(&self) {
        wait_for("the sink to catch up", || {
            self.sink_ahead.is_empty() && self.buffers_back.len() == DECIDED_BUFFERS - 1
        });
    }

    fn stalls(&self) -> u64 {
        Progress::get(&self.progress.scanner_stalls)
    }

    /// Ends the input, lets the sink finish; the liquidations, checked
    /// against the events written.
    fn finish(self) -> u64 {
        self.gate.store(true, Ordering::Release);
        drop(self.to_scanner);
        self.scanner.join().unwrap();
        let events = self.sink.join().unwrap();
        let liquidations = Progress::get(&self.progress.liquidations);
        assert_eq!(events.len() as u64, liquidations, "every event written");
        liquidations
    }
}

fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: timed out");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// What a run after warm-up allocated.
struct Counts {
    /// By the pipeline during warm-up (the counter does see the thread).
    warm_up: u64,
    /// After warm-up: by the pipeline, by the backend's `tick`, and
    /// liquidations.
    pipeline: u64,
    backend: u64,
    liquidations: u64,
}

/// Warm-up: a drop from 50,000 to 49,000 (about 200 liquidations, the
/// largest tick) and 198 more; the sink is held back until the scanner has
/// waited for a buffer. Then 3,800 ticks walking down by one unit a tick,
/// every other tick a step back up that liquidates nothing (prices in
/// tenths, tick 0.1).
fn allocations_after_warm_up(backend: fn(Arc<Market>) -> Box<dyn Engine>) -> Counts {
    let warm_up = 200;
    let mut ticks = vec![tick(1, 500_000), tick(2, 490_000)];
    let mut price = 490_000;
    for seq in 3..4000u64 {
        price = if seq % 2 == 1 { price - 15 } else { price + 5 };
        ticks.push(tick(seq, price));
    }
    let phases = vec![Phase::new(0), Phase::new(warm_up)];
    let run = Run::start(backend, phases.clone(), &[], |progress| {
        Progress::get(&progress.scanner_stalls) > 0
    });
    run.feed(ticks[..warm_up as usize].iter().copied());
    run.decided(warm_up);
    let liquidated = Progress::get(&run.progress.liquidations);
    run.feed(ticks[warm_up as usize..].iter().copied());
    run.decided(ticks.len() as u64);
    let liquidations = run.finish() - liquidated;
    Counts {
        warm_up: phases[0].thread.get(),
        pipeline: phases[1].thread.get(),
        backend: phases[1].backend.get(),
        liquidations,
    }
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

/// Each wait the scanner may make, forced after a warm-up of 20 ticks that
/// were all queued before it started and a sink that kept up (so it waited
/// for nothing then), allocates nothing: a wait for a line (50 ms without
/// one), for a buffer back (the sink held at its first event while 100
/// ticks liquidate, more than there are buffers), and for room in the
/// sink's channel (the sink held while 300 skipped bad lines are noted,
/// more than the channel holds). Each phase's allocations are counted
/// apart, from the tick that begins it.
#[test]
fn every_wait_of_the_scanner_allocates_nothing() {
    // 50,000, then 49,000 (about 200 liquidations), then down a unit a tick.
    let mut price = 490_000;
    let mut warm_up = vec![tick(1, 500_000), tick(2, price)];
    for seq in 3..=20 {
        price -= 10;
        warm_up.push(tick(seq, price));
    }
    let (line, buffer, room) = (20, 21, 122);
    let phases = vec![
        Phase::new(0),
        Phase::new(line),
        Phase::new(buffer),
        Phase::new(room),
    ];
    let run = Run::start(
        |market| Box::new(CpuScanner::new(market)),
        phases.clone(),
        &warm_up,
        |_| true,
    );
    let settle = || std::thread::sleep(Duration::from_millis(50));

    // For a line: none comes for a while.
    run.decided(line);
    let stalls = run.stalls();
    assert_eq!(stalls, 0, "the scanner waited for the sink in warm-up");
    settle();

    // For a buffer: the sink is held while every buffer goes out.
    run.gate.store(false, Ordering::Release);
    let walk = (buffer..room).map(|seq| {
        price -= 20;
        tick(seq, price)
    });
    run.feed(walk.collect::<Vec<_>>());
    wait_for("a wait for a buffer", || run.stalls() > stalls);
    settle();
    run.gate.store(true, Ordering::Release);
    run.decided(room - 1);
    run.sink_idle();
    let stalls = run.stalls();

    // For room: the sink is held at a tick's events while the scanner
    // hands it a note for each of 300 skipped bad lines.
    run.gate.store(false, Ordering::Release);
    run.feed([tick(room, price - 50)]);
    let bad = |line: u64| Fed {
        at: Instant::now(),
        line: FedLine::Bad(ReadError::Invalid(InputError::new(
            "ticks", line, "price", "bad",
        ))),
    };
    for line in 0..NOTES {
        run.to_scanner.send(bad(line)).unwrap();
    }
    wait_for("a wait for room", || run.stalls() > stalls);
    settle();
    let liquidations = run.finish();

    assert!(liquidations > 300, "{liquidations} liquidations");
    assert!(phases[0].thread.get() > 0, "the counter saw nothing");
    let after: Vec<(&str, u64)> = [("a line", 1), ("a buffer", 2), ("room", 3)]
        .iter()
        .map(|&(wait, phase)| (wait, phases[phase].thread.get()))
        .collect();
    assert_eq!(
        after,
        [("a line", 0), ("a buffer", 0), ("room", 0)],
        "allocations by the scanner's waits after warm-up"
    );
}
