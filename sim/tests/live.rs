//! Live streams on every backend: a generated opening book and events file
//! (`liqscan_testkit::live`, with boundaries planted after resizes and
//! margin moves), read by liqscan-core's readers and played as `liqscan
//! scan --events` plays them (each change applied to the book and the
//! backend, each tick scanned, each liquidation reported back to the
//! reader: `liqscan_testkit::replay`). `cpu`, `indexed` and `sim` (through
//! `liqscan_sim::Backend`) give the same event lines, liquidations,
//! shortfalls, applied and stale changes, and they are the oracle's,
//! exactly.

use liqscan_sim::Backend;
use liqscan_testkit::book::Profile;
use liqscan_testkit::live::{gen_live, LiveScenario};
use liqscan_testkit::replay::{replay, Played};
use proptest::prelude::*;

/// Every backend plays `scenario` alike, and as the oracle does: the same
/// event lines byte for byte, shortfalls, applied and stale changes.
fn agree(scenario: &LiveScenario, lanes: usize) {
    let expected = Played::oracle(scenario);
    for backend in Backend::ALL {
        let played = replay(scenario, backend.name(), |market| {
            backend
                .engine(market, lanes)
                .unwrap_or_else(|e| panic!("{backend}: {e}"))
        });
        assert_eq!(
            played,
            expected,
            "{backend} != oracle (at_equal = {})\n{}{}",
            scenario.at_equal,
            scenario.positions_csv(),
            scenario.events_jsonl()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Realistic streams: some edges, many stale changes.
    #[test]
    fn random_streams_agree(seed in any::<u64>()) {
        agree(&gen_live(seed, Profile::Random), 1 + 7 * (seed % 2) as usize);
    }

    /// Equity exactly on maintenance (and 10^-8 either side) after resizes
    /// and margin moves, notionals on bracket caps.
    #[test]
    fn edge_streams_agree(seed in any::<u64>()) {
        agree(&gen_live(seed, Profile::Edges), 1 + 7 * (seed % 2) as usize);
    }

    /// The ranges at their limits, margins at the bottom of the spec's range.
    #[test]
    fn limit_streams_agree(seed in any::<u64>()) {
        agree(&gen_live(seed, Profile::Limits), 1 + 7 * (seed % 2) as usize);
    }
}

/// The streams the properties draw reach what they claim, on fixed seeds:
/// equity exactly on maintenance with and without `liquidate_at_equal`,
/// margins below zero, stale changes, and they liquidate.
#[test]
fn fixed_seeds_reach_the_planted_boundaries() {
    let (mut with, mut without, mut negative, mut stale, mut events) = (0, 0, 0, 0, 0);
    for seed in 0..24 {
        let scenario = gen_live(seed, Profile::Edges);
        agree(&scenario, 8);
        let outcome = scenario.play();
        if scenario.at_equal {
            with += outcome.equalities;
        } else {
            without += outcome.equalities;
        }
        negative += outcome.negative_margins;
        stale += outcome.stale;
        events += outcome.events.len();
    }
    println!("equalities {with} / {without}, negative margins {negative}, stale {stale}, events {events}");
    assert!(with > 0 && without > 0, "{with} / {without}");
    assert!(negative > 0 && stale > 0 && events > 20);
}
