//! The driver's real path: `MmioBus` over the virtual board's file, served
//! by a card model in a thread. Every tick equals the `cpu` scanner's;
//! when the server stops or the bus stops delivering doorbells, the
//! failover engine's output is still cpu's for the whole run.

mod common;

use std::time::{Duration, Instant};

use common::{card, generated, replay, testkit, Hang, Served};
use liqscan_core::spec::registers::{self, reg, ring, WINDOW_BYTES};
use liqscan_core::Engine;
use liqscan_driver::virtual_board::{FILE_BYTES, HOST_TIMEOUT};
use liqscan_driver::{Board, BoardOptions, Bus, Failover, MmioBus};
use liqscan_testkit::book::Profile;

/// Long enough for a descheduled server thread on a busy machine; the
/// failover tests wait this long once.
const TIMEOUT: Duration = Duration::from_millis(500);

fn options() -> BoardOptions {
    BoardOptions { timeout: TIMEOUT }
}

#[test]
fn the_file_is_the_window_then_the_ring() {
    let dir = tempfile::tempdir().unwrap();
    let run = generated(10, 2, 1, 1);
    let mut served = Served::start(card(&run.market, 1 << 10), dir.path());
    let size = std::fs::metadata(&served.path).unwrap().len();
    assert_eq!(size as usize, FILE_BYTES);
    assert_eq!(FILE_BYTES, WINDOW_BYTES as usize + ring::BYTES);
    // Ready when it appears: identification is there at once.
    let mut bus = MmioBus::open_virtual(&served.path).unwrap();
    assert_eq!(bus.read(reg::MAGIC).unwrap(), registers::MAGIC);
    assert_eq!(bus.read(reg::SPEC_HASH).unwrap(), registers::spec_hash());
    assert_eq!(bus.read(reg::SLOTS).unwrap(), 1 << 10);
    // Bounds and alignment are checked before an access.
    assert!(bus.read(WINDOW_BYTES).is_err());
    assert!(bus.read(2).is_err());
    assert!(bus.ring_read(ring::BYTES).is_err());
    // The heartbeat moves while the card is clocked.
    let beat = bus.ring_read(ring::HEARTBEAT).unwrap();
    bus.write(reg::SCRATCH, 5).unwrap();
    let started = Instant::now();
    while bus.ring_read(ring::HEARTBEAT).unwrap() == beat {
        assert!(started.elapsed() < HOST_TIMEOUT, "no heartbeat");
        std::thread::yield_now();
    }
    served.stop();
    assert!(
        !served.path.exists(),
        "the file is removed when the server stops"
    );
    // The temporary file is gone too.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn books_through_the_file_match_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let run = generated(4_000, 6, 300, 2);
    let mut served = Served::start(card(&run.market, 1 << 14), dir.path());
    let bus = MmioBus::open_virtual(&served.path).unwrap();
    let mut board = Board::open_with(bus, run.market.clone(), options()).unwrap();
    let started = Instant::now();
    let events = replay(&mut board, &run, |_| {});
    let stats = board.stats();
    println!(
        "{events} liquidations in {:.2?}; {stats:?}",
        started.elapsed()
    );
    assert!(events > 20);
    assert_eq!(
        stats.tick_accesses.reads, 0,
        "a tick reads no card register"
    );
    board.check_errors().unwrap();
    drop(board);
    served.stop();
}

#[test]
fn adversarial_books_through_the_file_match_cpu() {
    let dir = tempfile::tempdir().unwrap();
    for (seed, profile) in [
        (1, Profile::Edges),
        (2, Profile::Limits),
        (3, Profile::Random),
    ] {
        let run = testkit(seed, profile);
        let mut served = Served::start(card(&run.market, 1 << 12), dir.path());
        let bus = MmioBus::open_virtual(&served.path).unwrap();
        let mut board = Board::open_with(bus, run.market.clone(), options()).unwrap();
        replay(&mut board, &run, |_| {});
        board.check_errors().unwrap();
        drop(board);
        served.stop();
    }
}

/// A card with sticky errors from before is cleared at open (the clear
/// forwarded through the file), and a second session on the same board
/// continues where the first left off: its doorbell numbers, the command
/// ring's indices, the result ring's.
#[test]
fn sessions_follow_one_another() {
    let dir = tempfile::tempdir().unwrap();
    let run = generated(2_000, 3, 100, 5);
    let mut model = card(&run.market, 1 << 13);
    assert!(liqscan_driver::Card::read(&mut model, 0x3C).is_err());
    assert_eq!(model.errors(), registers::errors::BAD_ADDRESS);
    let mut served = Served::start(model, dir.path());
    for session in 0..2 {
        let bus = MmioBus::open_virtual(&served.path).unwrap();
        let mut board = Board::open_with(bus, run.market.clone(), options()).unwrap();
        replay(&mut board, &run, |_| {});
        board.check_errors().unwrap();
        let mut bus = board.into_bus();
        let rung = bus.read(reg::TICK_SEQ).unwrap();
        assert_eq!(rung as usize, (session + 1) * run.ticks());
    }
    served.stop();
}

/// A crash tick liquidating more positions than the result ring holds,
/// through the file: the server holds the card's stream while the ring is
/// full by the host's consumer index, and nothing is lost.
#[test]
fn a_crash_tick_wraps_the_ring_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = generated(240_000, 1, 1, 6);
    let common::Op::Load(book) = &run.ops[0] else {
        panic!()
    };
    let all: Vec<&liqscan_core::Position> = book.iter().collect();
    let mut served = Served::start(card(&run.market, 1 << 18), dir.path());
    let bus = MmioBus::open_virtual(&served.path).unwrap();
    let mut board = Board::open_with(bus, run.market.clone(), options()).unwrap();
    let started = Instant::now();
    board.load_positions(&all).unwrap();
    let loaded = started.elapsed();
    let mut cpu = liqscan_core::CpuScanner::new(run.market.clone());
    cpu.load(&all).unwrap();
    let symbol = all[0].symbol;
    let (mut got, mut want) = (Vec::new(), Vec::new());
    for (seq, price) in [(1, 1), (2, u32::MAX)] {
        let tick = liqscan_core::Tick { seq, symbol, price };
        got.clear();
        want.clear();
        board.scan(tick, &mut got).unwrap();
        cpu.tick(tick, &mut want).unwrap();
        assert!(
            got == want,
            "tick {seq}: {} vs {} liquidations",
            got.len(),
            want.len()
        );
        assert!(
            got.len() > registers::RING_RECORDS as usize,
            "{}",
            got.len()
        );
    }
    println!("loaded in {loaded:.2?}, {:.2?} in all", started.elapsed());
    board.check_errors().unwrap();
    drop(board);
    served.stop();
}

/// The server stops in the middle of the run (its file removed, the
/// mapping still there): the next tick times out and is redone on cpu.
#[test]
fn the_server_stopping_fails_over_to_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let run = generated(3_000, 4, 200, 3);
    let mut served = Served::start(card(&run.market, 1 << 14), dir.path());
    let bus = MmioBus::open_virtual(&served.path).unwrap();
    let mut engine = Failover::new(Board::open_with(bus, run.market.clone(), options()).unwrap());
    let stop_at = 90;
    replay(&mut engine, &run, |i| {
        if i == stop_at {
            served.stop();
        }
    });
    assert_eq!(engine.failovers(), 1);
    assert_eq!(engine.name(), "cpu");
}

/// The bus stops delivering doorbells while the server runs on.
#[test]
fn a_hang_in_the_bus_fails_over_to_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let run = generated(3_000, 4, 200, 4);
    let served = Served::start(card(&run.market, 1 << 14), dir.path());
    let bus = Hang::after(MmioBus::open_virtual(&served.path).unwrap(), 60);
    let mut engine = Failover::new(Board::open_with(bus, run.market.clone(), options()).unwrap());
    replay(&mut engine, &run, |_| {});
    assert_eq!(engine.failovers(), 1);
}
