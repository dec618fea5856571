//! `liqscan scan --events` on generated live streams (`liqscan_testkit::live`,
//! boundaries planted after resizes and margin moves): `cpu`, `indexed` and
//! `sim` write the same bytes, and they are the oracle's event lines, with
//! its counts of applied and stale changes in the summary.

mod common;

use common::*;
use liqscan_testkit::book::Profile;
use liqscan_testkit::live::{gen_live, LiveScenario};
use proptest::prelude::*;

fn check(scenario: &LiveScenario) {
    let fixture = Fixture::new(
        &scenario.symbols_toml(),
        &scenario.positions_csv(),
        "seq,symbol,mark_price\n",
    );
    let events = scenario.events_jsonl();
    let outcome = scenario.play();
    let expected: String = outcome
        .events
        .iter()
        .map(|e| format!("{}\n", e.json_line()))
        .collect();
    let counts = format!(
        "liquidations {}, updates applied {}, stale updates {}, bad events 0,",
        outcome.events.len(),
        outcome.applied,
        outcome.stale
    );
    for backend in ["cpu", "indexed", "sim"] {
        let output = fixture.scan_events(&events, &["--backend", backend]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{backend}: {err}\n{events}");
        assert_eq!(
            stdout(&output),
            expected,
            "{backend} != oracle\n{}{events}",
            scenario.positions_csv()
        );
        assert!(err.contains(&counts), "{backend}: {err} lacks {counts}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_streams_print_the_oracle_events(seed in any::<u64>()) {
        check(&gen_live(seed, Profile::Random));
    }

    #[test]
    fn edge_streams_print_the_oracle_events(seed in any::<u64>()) {
        check(&gen_live(seed, Profile::Edges));
    }

    #[test]
    fn limit_streams_print_the_oracle_events(seed in any::<u64>()) {
        check(&gen_live(seed, Profile::Limits));
    }
}

/// A fixed seed whose stream liquidates with `E = MM` exactly, so the
/// properties above print equalities too (the oracle counts them).
#[test]
fn an_equality_through_the_binary() {
    let (seed, scenario) = (0..200)
        .map(|seed| (seed, gen_live(seed, Profile::Edges)))
        .find(|(_, s)| s.at_equal && s.play().events.iter().any(|e| e.equity == e.maintenance))
        .expect("an edge stream with an equality");
    println!("seed {seed}");
    check(&scenario);
}
