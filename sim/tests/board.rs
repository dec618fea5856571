//! The driver's `Board` on the verilated `liqscan_top` in the same process
//! (`CardBus`): the code that runs against a card, against the circuit,
//! tick for tick equal to the `cpu` scanner, with live changes between
//! ticks; and the verilated top and the driver's `CardModel` answering the
//! same accesses with the same records.

use std::sync::Arc;
use std::time::Duration;

use liqscan_core::gen::{generate, GenConfig, Scenario};
use liqscan_core::{CpuScanner, Engine, Liquidation, Market};
use liqscan_driver::{Board, BoardOptions, CardBus};
use liqscan_sim::TopModel;

fn board(market: &Arc<Market>) -> Board<CardBus<TopModel>> {
    let top = TopModel::new(8).unwrap_or_else(|e| panic!("{e}"));
    let options = BoardOptions {
        timeout: Duration::from_secs(5),
    };
    Board::open_with(CardBus::new(top), market.clone(), options).unwrap_or_else(|e| panic!("{e}"))
}

/// A generated book of 1,500 positions and 300 ticks.
fn scenario(symbols: usize, seed: u64) -> Scenario {
    generate(&GenConfig {
        positions: 1_500,
        symbols,
        ticks: 300,
        seed,
    })
    .unwrap()
}

/// Loads `scenario` into `engine` and `cpu`, scans its ticks on both and
/// asserts they liquidate the same positions with the same shortfalls;
/// returns the liquidations.
fn replay_against_cpu(engine: &mut dyn Engine, scenario: &Scenario) -> usize {
    let mut cpu = CpuScanner::new(scenario.market.clone());
    let positions: Vec<_> = scenario.positions.iter().collect();
    engine.load(&positions).unwrap();
    cpu.load(&positions).unwrap();
    let (mut got, mut want) = (Vec::<Liquidation>::new(), Vec::<Liquidation>::new());
    let mut total = 0;
    for (i, &tick) in scenario.ticks.iter().enumerate() {
        got.clear();
        want.clear();
        engine
            .tick(tick, &mut got)
            .unwrap_or_else(|e| panic!("tick {i}: {e}"));
        cpu.tick(tick, &mut want).unwrap();
        assert_eq!(got, want, "tick {i} ({tick:?})");
        total += want.len();
    }
    total
}

#[test]
fn generated_books_match_cpu_through_the_driver() {
    for (seed, symbols) in [(1, 1), (2, 5)] {
        let scenario = scenario(symbols, seed);
        let mut board = board(&scenario.market);
        let total = replay_against_cpu(&mut board, &scenario);
        assert!(total > 10, "seed {seed}: only {total} liquidations");
        board.check_errors().unwrap();
    }
}

/// The virtual board as `liqscan board` runs it: the verilated top served
/// through a file, driven through `MmioBus` (the code a card's host runs).
#[test]
fn the_virtual_board_matches_cpu_through_its_file() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("board");
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let top = TopModel::new(8).unwrap_or_else(|e| panic!("{e}"));
            liqscan_driver::serve(top, &path, &stop)
        })
    };
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no virtual board"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let scenario = scenario(4, 7);
    let bus = liqscan_driver::MmioBus::open_virtual(&path).unwrap();
    let options = BoardOptions {
        timeout: Duration::from_secs(5),
    };
    let mut board = Board::open_with(bus, scenario.market.clone(), options).unwrap();
    replay_against_cpu(&mut board, &scenario);
    board.check_errors().unwrap();
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap().unwrap();
    assert!(!path.exists(), "the server removes its file");
}
