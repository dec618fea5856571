//! `cpu == indexed == oracle`: the two software scanners and the independent
//! decimal oracle agree on every liquidation and every shortfall, over
//! random and adversarial books and tick sequences.

mod common;

use common::{run, Coverage};
use liqscan_testkit::book::{gen_scenario, PositionDef, Profile, Scenario, Step, SymbolDef};
use liqscan_testkit::oracle::BracketDef;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Realistic books: several symbols, ticks, upserts and closes in between.
    #[test]
    fn random_books_agree(seed in any::<u64>()) {
        run(&gen_scenario(seed, Profile::Random));
    }

    /// Positions exactly at E = MM and 10^-8 either side, notionals on
    /// bracket caps, marks on and one tick either side of them.
    #[test]
    fn edge_books_agree(seed in any::<u64>()) {
        run(&gen_scenario(seed, Profile::Edges));
    }

    /// The range limits: P = 2^32 − 1, |Q| = 2^31 − 1, margins and
    /// maintenance amounts just under 10^10, margins just above −10^10
    /// (after funding), caps just under 10^12, 16 brackets, s = 22.
    #[test]
    fn limit_books_agree(seed in any::<u64>()) {
        run(&gen_scenario(seed, Profile::Limits));
    }
}

/// The generators are not vacuous: over fixed seeds they reach every edge
/// case the property tests claim to cover.
#[test]
fn generators_reach_every_edge() {
    let mut per_profile = Vec::new();
    for profile in [Profile::Random, Profile::Edges, Profile::Limits] {
        let mut total = Coverage::default();
        for seed in 0..40 {
            total.add(&run(&gen_scenario(seed, profile)).coverage);
        }
        println!("{profile:?}: {total:#?}");
        per_profile.push((profile, total));
    }
    let share = |c: &Coverage| c.liquidations as f64 / c.evaluations as f64;
    for (profile, c) in &per_profile {
        assert!(
            c.continuous_symbols > 0 && c.jumping_symbols > 0,
            "{profile:?}: both ladder kinds"
        );
        assert!(
            share(c) > 0.02 && share(c) < 0.8,
            "{profile:?}: liquidations are neither rare nor universal: {c:?}"
        );
        assert!(
            c.replaced > 0 && c.closed > 0 && c.close_missed > 0,
            "{profile:?}: book updates between ticks"
        );
    }
    let (random, edges, limits) = (per_profile[0].1, per_profile[1].1, per_profile[2].1);
    assert!(
        random.windows > 0 && random.split_sets > 0,
        "jumping ladders give windowed sets: {random:?}"
    );
    assert!(edges.equalities >= 10, "E = MM exactly: {edges:?}");
    assert!(edges.near_equalities >= 20, "E = MM ± 10^-8: {edges:?}");
    assert!(
        edges.on_cap >= 20 && edges.beside_cap >= 20,
        "notionals on and beside caps: {edges:?}"
    );
    assert!(edges.windows > 0, "{edges:?}");
    for (profile, c) in &per_profile {
        assert!(
            c.negative_margins > 0,
            "{profile:?}: margins below zero: {c:?}"
        );
    }
    assert!(
        limits.bottom_margins > 0,
        "margins at −10^10 + 10^-8: {limits:?}"
    );
    for (what, n) in [
        ("s = 22", limits.scale_22),
        ("s > 12", limits.fine_scale),
        ("16 brackets", limits.sixteen_brackets),
        ("P = 2^32 − 1", limits.top_ticks),
        ("|Q| = 2^31 − 1", limits.max_qty),
        ("one lot", limits.one_lot),
    ] {
        assert!(n > 0, "limits profile reaches {what}: {limits:?}");
    }
}

fn symbol(name: &str, tick: &str, lot: &str, ladder: &[(Option<&str>, &str, &str)]) -> SymbolDef {
    let ladder = ladder
        .iter()
        .map(|&(cap, mmr, maint)| BracketDef {
            notional_cap: cap.map(str::to_owned),
            mmr: mmr.into(),
            maint_amount: maint.into(),
        })
        .collect();
    SymbolDef {
        name: name.into(),
        tick_size: tick.into(),
        lot_size: lot.into(),
        ladder,
    }
}

fn open(id: u64, symbol: usize, qty: &str, entry: &str, margin: &str) -> Step {
    Step::Upsert(PositionDef {
        id,
        symbol,
        qty: qty.into(),
        entry: entry.into(),
        margin: margin.into(),
    })
}

fn tick(symbol: usize, mark: &str) -> Step {
    Step::Tick {
        symbol,
        mark: mark.into(),
    }
}

fn btc() -> SymbolDef {
    symbol(
        "BTCUSDT",
        "0.1",
        "0.001",
        &[(Some("50000"), "0.004", "0"), (None, "0.005", "50")],
    )
}

/// The README's long at mark 45,180.7 has MM = 180.7228; a margin of
/// 5,000.0228 puts E exactly on it. 10^-8 less liquidates either way,
/// exactly equal only with `liquidate_at_equal`, 10^-8 more never.
#[test]
fn equity_exactly_at_maintenance_and_one_unit_either_side() {
    for at_equal in [false, true] {
        let steps = vec![
            open(1, 0, "1", "50000", "5000.02279999"),
            open(2, 0, "1", "50000", "5000.0228"),
            open(3, 0, "1", "50000", "5000.02280001"),
            // The mirrored short: E = margin − (45,180.7 − 40,000), same MM.
            open(4, 0, "-1", "40000", "5361.42279999"),
            open(5, 0, "-1", "40000", "5361.4228"),
            open(6, 0, "-1", "40000", "5361.42280001"),
            tick(0, "45180.7"),
        ];
        let result = run(&Scenario {
            symbols: vec![btc()],
            at_equal,
            steps,
        });
        let ids: Vec<u64> = result.liquidated.iter().map(|&(_, id)| id).collect();
        assert_eq!(
            ids,
            if at_equal {
                vec![1, 2, 4, 5]
            } else {
                vec![1, 4]
            },
            "at_equal = {at_equal}"
        );
        assert_eq!(result.coverage.equalities, 2);
    }
}

/// tick 0.01, lot 0.0001: s = 12 and `N·mmr` has 12 decimals, so MM is not
/// representable with 8. A one-lot long at 1,234.57 with mmr 0.004567:
/// MM = 0.123457·0.004567 − 0.0000357 = 0.000528128119;
/// E = margin + 0.0001·(1,234.57 − entry).
#[test]
fn maintenance_with_more_than_eight_decimals() {
    let sym = symbol(
        "FINE",
        "0.01",
        "0.0001",
        &[(Some("0.1"), "0.001", "0"), (None, "0.004567", "0.0000357")],
    );
    let steps = vec![
        // E = 0.00052813 − 0.000001 (entry 1,234.58) < MM.
        open(1, 0, "0.0001", "1234.58", "0.00052813"),
        // E = 0.00052813 + 0.000001 (entry 1,234.56) > MM.
        open(2, 0, "0.0001", "1234.56", "0.00052813"),
        // E = 0.00052813 (entry = mark): above MM by 0.000000001881.
        open(3, 0, "0.0001", "1234.57", "0.00052813"),
        // 10^-8 less margin: 0.00052812, below MM by 0.000000008119.
        open(4, 0, "0.0001", "1234.57", "0.00052812"),
        tick(0, "1234.57"),
    ];
    for at_equal in [false, true] {
        let result = run(&Scenario {
            symbols: vec![sym.clone()],
            at_equal,
            steps: steps.clone(),
        });
        let ids: Vec<u64> = result.liquidated.iter().map(|&(_, id)| id).collect();
        assert_eq!(ids, vec![1, 4]);
    }
    let built = sym.build().unwrap();
    assert_eq!(built.units.quote_decimals, 12);
}

/// A ladder that jumps at notional 1,000: a notional exactly on the cap is
/// in the lower bracket, one tick above in the upper one.
#[test]
fn notional_on_a_cap_and_one_tick_either_side() {
    let sym = symbol(
        "CAP",
        "0.5",
        "2",
        &[(Some("1000"), "0.01", "0"), (None, "0.2", "0")],
    );
    // Long 2 units (one lot) at entry 500: E = margin + 2·(P − 500).
    // P = 500:   N = 1,000 (on the cap, first bracket), MM = 10,    E = margin;
    // P = 499.5: N = 999,                                MM = 9.99,  E = margin − 1;
    // P = 500.5: N = 1,001 (second bracket),             MM = 200.2, E = margin + 1.
    let steps = vec![
        open(1, 0, "2", "500", "0.00000001"),   // below MM at 500
        open(2, 0, "2", "500", "10"),           // E = MM at 500, below at 499.5
        open(3, 0, "2", "500", "10.00000001"), // above at 500 (not in the second bracket), below at 499.5
        open(4, 0, "2", "500", "199.2"),       // E = MM at 500.5
        open(5, 0, "2", "500", "199.19999999"), // below at 500.5
        tick(0, "500"),
        tick(0, "499.5"),
        tick(0, "500.5"),
    ];
    for at_equal in [false, true] {
        let result = run(&Scenario {
            symbols: vec![sym.clone()],
            at_equal,
            steps: steps.clone(),
        });
        let expected: Vec<(usize, u64)> = if at_equal {
            vec![(5, 1), (5, 2), (6, 3), (7, 4), (7, 5)]
        } else {
            vec![(5, 1), (6, 2), (6, 3), (7, 5)]
        };
        assert_eq!(result.liquidated, expected, "at_equal = {at_equal}");
        assert!(result.coverage.on_cap > 0);
    }
}

/// The ranges at their limits: P = 2^32 − 1 ticks, |Q| = 2^31 − 1 lots,
/// margin and maint just under 10^10, margin just above −10^10 (what
/// funding may leave), caps just under 10^12, 16 brackets, s = 22
/// (tick = lot = 10^-8).
#[test]
fn range_limits() {
    let caps: Vec<String> = (0..15)
        .map(|i| format!("{}.99999999", 999_999_999_985u64 + i))
        .collect();
    let mut ladder: Vec<(Option<&str>, &str, &str)> = caps
        .iter()
        .map(|c| (Some(c.as_str()), "0.5", "9999999999.99999999"))
        .collect();
    ladder.push((None, "0.999999", "0"));
    let wide = symbol("WIDE", "1", "6.55", &ladder);
    let fine = symbol(
        "FINE",
        "0.00000001",
        "0.00000001",
        &[
            (Some("999999999999.99999999"), "0.999999", "0"),
            (None, "0.5", "9999999999.99999999"),
        ],
    );
    let max_p = "4294967295"; // 2^32 − 1 ticks of 1
    let max_q = "14066017887.85"; // (2^31 − 1)·6.55
    let fine_p = "42.94967295";
    let fine_q = "21.47483647";
    let big = "9999999999.99999999";
    let bottom = "-9999999999.99999999";
    let steps = vec![
        open(1, 0, max_q, max_p, big),
        open(2, 0, &format!("-{max_q}"), max_p, big),
        open(3, 0, "6.55", "1", big),
        open(4, 0, "-6.55", max_p, "0"),
        open(5, 1, fine_q, fine_p, big),
        open(6, 1, &format!("-{fine_q}"), "0.00000001", "0"),
        open(7, 1, "0.00000001", fine_p, "0"),
        // The most negative T: the lowest margin and the largest long value.
        open(8, 0, max_q, max_p, bottom),
        open(10, 1, fine_q, "0.00000001", bottom),
        tick(0, max_p),
        tick(0, "1"),
        tick(1, fine_p),
        tick(1, "0.00000001"),
    ];
    for at_equal in [false, true] {
        let scenario = Scenario {
            symbols: vec![wide.clone(), fine.clone()],
            at_equal,
            steps: steps.clone(),
        };
        let market = scenario.market();
        assert_eq!(market.symbols()[0].units.bracket_count, 16);
        assert_eq!(market.symbols()[1].units.quote_decimals, 22);
        let result = run(&scenario);
        // Max-size positions, the short without margin and the long at the
        // lowest margin go at P = 2^32 − 1 (N ≈ 6·10^19 in the 0.999999
        // bracket); at s = 22 the short at 1e-8 entry, the one-lot long
        // without margin and the long at the lowest margin (its profit
        // ≈ 922 at 42.94967295) go at 42.94967295.
        assert_eq!(
            result.liquidated,
            vec![(9, 1), (9, 2), (9, 4), (9, 8), (11, 6), (11, 7), (11, 10)]
        );
        assert_eq!(result.coverage.max_qty, 6);
        assert_eq!(result.coverage.bottom_margins, 2);
    }
}
