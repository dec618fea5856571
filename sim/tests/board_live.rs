//! The driver's `Board` on the verilated `liqscan_top` (in process, through
//! `CardBus`) playing generated live streams (`liqscan_testkit::live`):
//! random interleavings of opens, resizes, margin moves, closes and ticks,
//! with boundaries planted in them (equity exactly on maintenance, and
//! `10^-8` either side, at the next tick's mark after a resize or a margin
//! move; margins taken below zero; changes to positions already
//! liquidated). Each stream is played as `liqscan scan --events` plays it
//! (`liqscan_testkit::replay`), and the board's event lines equal the `cpu`
//! scanner's byte for byte, and the exact oracle's. Cases are few: every
//! clock edge of the circuit is simulated.

use std::time::Duration;

use liqscan_core::{CpuScanner, Engine};
use liqscan_driver::{Board, BoardOptions, CardBus};
use liqscan_sim::TopModel;
use liqscan_testkit::book::Profile;
use liqscan_testkit::live::{gen_live, LiveScenario};
use liqscan_testkit::replay::{replay, Played};
use proptest::prelude::*;

/// The stream on the board, on `cpu` and on the oracle: all three equal.
/// Returns what they played.
fn agree(scenario: &LiveScenario, lanes: usize) -> Played {
    let oracle = Played::oracle(scenario);
    let cpu = replay(scenario, "cpu", |market| Box::new(CpuScanner::new(market)));
    let board = replay(scenario, "board", |market| {
        let top = TopModel::new(lanes).unwrap_or_else(|e| panic!("{e}"));
        let options = BoardOptions {
            timeout: Duration::from_secs(5),
        };
        let board =
            Board::open_with(CardBus::new(top), market, options).unwrap_or_else(|e| panic!("{e}"));
        Box::new(board) as Box<dyn Engine>
    });
    let context = || {
        format!(
            "{lanes} lanes, at_equal = {}\n{}{}",
            scenario.at_equal,
            scenario.positions_csv(),
            scenario.events_jsonl()
        )
    };
    assert_eq!(board.lines, cpu.lines, "board != cpu, {}", context());
    assert_eq!(board, oracle, "board != oracle, {}", context());
    assert_eq!(cpu, oracle, "cpu != oracle, {}", context());
    board
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Equity exactly on maintenance (and 10^-8 either side) after resizes
    /// and margin moves, notionals on bracket caps.
    #[test]
    fn edge_streams_on_the_board(seed in any::<u64>()) {
        agree(&gen_live(seed, Profile::Edges), 1 + 7 * (seed % 2) as usize);
    }

    /// Realistic streams: some edges, many stale changes.
    #[test]
    fn random_streams_on_the_board(seed in any::<u64>()) {
        agree(&gen_live(seed, Profile::Random), 1 + 7 * (seed % 2) as usize);
    }

    /// The ranges at their limits, margins at the bottom of the spec's range.
    #[test]
    fn limit_streams_on_the_board(seed in any::<u64>()) {
        agree(&gen_live(seed, Profile::Limits), 1 + 7 * (seed % 2) as usize);
    }
}

/// Fixed seeds that reach what the properties draw only by chance: a
/// position liquidated with its equity exactly on its maintenance
/// (`liquidate_at_equal`), and one spared there (without), each right
/// after the change that put it there; on 8 and on 1 lane.
#[test]
fn planted_equalities_on_the_board() {
    let equal = |s: &LiveScenario| s.play().equalities > 0;
    let find = |at_equal: bool, liquidated: bool| {
        (0..400)
            .map(|seed| (seed, gen_live(seed, Profile::Edges)))
            .find(|(_, s)| {
                s.at_equal == at_equal
                    && equal(s)
                    && (!liquidated || s.play().events.iter().any(|e| e.equity == e.maintenance))
            })
            .unwrap_or_else(|| panic!("no edge stream with an equality (at_equal = {at_equal})"))
    };
    let (seed, with) = find(true, true);
    println!("seed {seed}: liquidated at E = MM");
    let played = agree(&with, 8);
    assert!(!played.lines.is_empty());
    let (seed, without) = find(false, false);
    println!("seed {seed}: spared at E = MM");
    agree(&without, 1);
}
