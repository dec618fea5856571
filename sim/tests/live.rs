//! Live streams on every backend: a generated opening book and events file
//! (`liqscan_testkit::live`, with boundaries planted after resizes and
//! margin moves), read by liqscan-core's readers and played as `liqscan
//! scan --events` plays them (each change applied to the book and the
//! backend, each tick scanned, each liquidation reported back to the
//! reader). `cpu`, `indexed` and `sim` (through `liqscan_sim::Backend`)
//! give the same liquidations, shortfalls, applied and stale changes, and
//! they are the oracle's, exactly.

use liqscan_core::input::{read_positions, read_symbols, EventReader, Item};
use liqscan_core::Book;
use liqscan_sim::Backend;
use liqscan_testkit::book::Profile;
use liqscan_testkit::live::{gen_live, LiveScenario};
use liqscan_testkit::oracle::scaled;
use num_rational::BigRational;
use proptest::prelude::*;

/// What one backend made of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Played {
    /// `(tick seq, position, shortfall)` of every liquidation, in order.
    liquidations: Vec<(u64, u64, BigRational)>,
    applied: u64,
    stale: u64,
}

/// Plays `scenario` from its files on `backend` with `lanes` lanes (for `sim`).
fn play(scenario: &LiveScenario, backend: Backend, lanes: usize) -> Played {
    let toml = scenario.symbols_toml();
    let market = std::sync::Arc::new(read_symbols(toml.as_bytes(), "symbols.toml").unwrap());
    let csv = scenario.positions_csv();
    let mut book: Book = read_positions(csv.as_bytes(), "positions.csv", market.clone()).unwrap();
    let mut engine = backend
        .engine(market.clone(), lanes)
        .unwrap_or_else(|e| panic!("{backend}: {e}"));
    engine.load(&book.sorted()).unwrap();
    let events = scenario.events_jsonl();
    let mut reader = EventReader::new(events.as_bytes(), "events.jsonl", &book);
    let mut played = Played {
        liquidations: Vec::new(),
        applied: 0,
        stale: 0,
    };
    let mut hits = Vec::new();
    while let Some(record) = reader.next_event(&book) {
        let record = record.unwrap_or_else(|e| panic!("{backend}: {e}\n{events}"));
        match record.item {
            Item::Tick(tick) => {
                hits.clear();
                engine.tick(tick, &mut hits).unwrap();
                let decimals = market.units(tick.symbol).quote_decimals;
                for hit in &hits {
                    assert!(book.close(hit.position).is_some(), "{backend}: {hit:?}");
                    reader.liquidated(hit.position, tick.seq);
                    played.liquidations.push((
                        tick.seq,
                        hit.position,
                        scaled(hit.shortfall, decimals),
                    ));
                }
            }
            Item::Change(change) => {
                engine.apply(&change.update).unwrap();
                book.apply(&change.update);
                played.applied += 1;
            }
            Item::Stale(_) => played.stale += 1,
        }
    }
    played
}

/// Every backend plays `scenario` alike, and as the oracle does.
fn agree(scenario: &LiveScenario, lanes: usize) {
    let outcome = scenario.play();
    let expected = Played {
        liquidations: outcome
            .events
            .iter()
            .map(|e| (e.tick, e.position, e.shortfall()))
            .collect(),
        applied: outcome.applied,
        stale: outcome.stale,
    };
    for backend in Backend::ALL {
        let played = play(scenario, backend, lanes);
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
