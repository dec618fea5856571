//! `prices::liquidation_price` against brute force with the spec rule and
//! with the decimal oracle.
//!
//! The check is complete, not sampled: inside one bracket `E − MM` is
//! strictly monotone in the mark, so on each bracket's price range the
//! liquidating marks form a prefix (long) or a suffix (short). Hence if no
//! mark of a region liquidates at the region's own ends and at every
//! bracket edge `floor(cap / (|qty|·tick))` (and the mark after it) inside
//! the region, none does. The edges are computed here from the input strings.

use liqscan_core::prices::liquidation_price;
use liqscan_core::spec::liquidates;
use liqscan_core::threshold::{liquidation_set, HIGHEST};
use liqscan_core::{Market, SymbolId};
use liqscan_testkit::book::{
    gen_mark, gen_position, gen_symbol, PositionDef, Profile, Scenario, SymbolDef,
};
use liqscan_testkit::oracle::{self, dec, BracketDef};
use num_traits::{Signed, ToPrimitive};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Marks checked at each end of a region that must not liquidate.
const WINDOW: u64 = 8;

/// How an answer was reached, for the coverage test.
#[derive(Debug, Default, Clone, Copy)]
struct Outcomes {
    long_some: u32,
    long_none: u32,
    short_some: u32,
    short_none: u32,
    /// The answer lies on a liquidation interval that does not reach the adverse end.
    in_window: u32,
    at_reference: u32,
}

fn market_of(symbol: &SymbolDef, at_equal: bool) -> std::sync::Arc<Market> {
    Scenario {
        symbols: vec![symbol.clone()],
        at_equal,
        steps: vec![],
    }
    .market()
}

/// Checks one answer and returns it.
fn check_price(
    symbol: &SymbolDef,
    market: &Market,
    def: &PositionDef,
    reference: u32,
    outcomes: &mut Outcomes,
) -> Option<u32> {
    let at_equal = market.liquidate_at_equal;
    let units = market.units(SymbolId(0));
    let konst = def.build(market).constants(market);
    let long = konst.qty_lots > 0;
    let answer = liquidation_price(units, konst, reference, at_equal);
    let tick = dec(&symbol.tick_size);
    let mark = |p: u64| oracle::to_decimal(&(&tick * oracle::scaled(p as i128, 0)), 8);
    let spec = |p: u64| liquidates(units.margin_sum(konst, p as u32), at_equal);
    let judge = |p: u64| {
        oracle::judge(
            &symbol.ladder,
            &def.qty,
            &def.entry,
            &def.margin,
            &mark(p),
            at_equal,
        )
        .liquidated
    };
    let context =
        || format!("{def:?} reference {reference} at_equal {at_equal}: answer {answer:?}");

    if let Some(p) = answer {
        assert!(
            if long { p <= reference } else { p >= reference },
            "wrong side: {}",
            context()
        );
        assert!(p >= 1, "{}", context());
        assert!(
            spec(u64::from(p)) && judge(u64::from(p)),
            "does not liquidate at the answer: {}",
            context()
        );
    }
    // Every mark strictly between the reference and the answer (or up to the
    // end of the range when there is none) must be safe.
    let reference = u64::from(reference);
    let (from, to) = if long {
        (answer.map_or(1, |p| u64::from(p) + 1), reference)
    } else {
        (
            reference.max(1),
            answer.map_or(u64::from(HIGHEST), |p| u64::from(p) - 1),
        )
    };
    if from <= to {
        let qty = dec(&def.qty).abs();
        let mut marks: Vec<u64> = (from..=to.min(from + WINDOW))
            .chain(to.saturating_sub(WINDOW).max(from)..=to)
            .collect();
        for cap in symbol
            .ladder
            .iter()
            .filter_map(|b: &BracketDef| b.notional_cap.as_deref())
        {
            let edge = (dec(cap) / (&qty * &tick))
                .floor()
                .to_integer()
                .to_u64()
                .unwrap_or(u64::MAX);
            marks.extend(
                [edge, edge.saturating_add(1)]
                    .into_iter()
                    .filter(|m| (from..=to).contains(m)),
            );
        }
        marks.sort_unstable();
        marks.dedup();
        for m in marks {
            assert!(
                !spec(m),
                "rule liquidates at {m}, nearer than the answer: {}",
                context()
            );
            assert!(
                !judge(m),
                "oracle liquidates at {m}, nearer than the answer: {}",
                context()
            );
        }
    }

    let set = liquidation_set(units, konst, at_equal);
    match (long, answer) {
        (true, Some(_)) => outcomes.long_some += 1,
        (true, None) => outcomes.long_none += 1,
        (false, Some(_)) => outcomes.short_some += 1,
        (false, None) => outcomes.short_none += 1,
    }
    if let Some(p) = answer {
        let iv = set
            .intervals()
            .iter()
            .find(|iv| iv.contains(p))
            .expect("the answer is in the set");
        outcomes.in_window += u32::from(if long { iv.lo > 0 } else { iv.hi < HIGHEST });
        outcomes.at_reference += u32::from(u64::from(p) == reference);
    }
    answer
}

/// Random symbols and positions from a seed; references around the typical
/// mark, at the anchors, at the entry and at the ends of the range.
fn check_seed(seed: u64, outcomes: &mut Outcomes) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let profile = [Profile::Random, Profile::Edges, Profile::Limits][(seed % 3) as usize];
    let continuous = rng.gen_bool(0.5);
    let g = gen_symbol(&mut rng, "P".into(), profile, continuous);
    let market = market_of(&g.def, rng.gen_bool(0.5));
    let mut walk = g.p0;
    for id in 0..6 {
        let def = gen_position(&mut rng, id, 0, &g, profile);
        let reference = match rng.gen_range(0..4) {
            0 => def.build(&market).entry_ticks,
            _ => gen_mark(&mut rng, &g, &mut walk, profile) as u32,
        };
        check_price(&g.def, &market, &def, reference, outcomes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn liquidation_price_is_the_nearest_adverse_liquidating_mark(seed in any::<u64>()) {
        check_seed(seed, &mut Outcomes::default());
    }
}

/// The property test reaches every kind of answer.
#[test]
fn prices_cover_every_outcome() {
    let mut outcomes = Outcomes::default();
    for seed in 0..150 {
        check_seed(seed, &mut outcomes);
    }
    println!("{outcomes:?}");
    let o = outcomes;
    assert!(
        o.long_some > 0 && o.long_none > 0 && o.short_some > 0 && o.short_none > 0,
        "{o:?}"
    );
    assert!(o.in_window > 0 && o.at_reference > 0, "{o:?}");
}

/// A long on a ladder that jumps up at notional 1,000 (tick = lot = 1):
/// entry 1,000, margin 400, so E = P − 600; MM = 0.01·P up to P = 1,000
/// (liquidated iff P ≤ 606) and 0.5·P above (liquidated iff P ≤ 1,199).
/// The mirrored short: entry 1,000, margin 400, E = 1,400 − P; MM = 0.5·P
/// up to 1,000 (liquidated iff P ≥ 934) and 0.01·P above (iff P ≥ 1,387).
#[test]
fn jumping_ladder_prices_by_hand() {
    let symbol = SymbolDef {
        name: "J".into(),
        tick_size: "1".into(),
        lot_size: "1".into(),
        ladder: vec![
            BracketDef {
                notional_cap: Some("1000".into()),
                mmr: "0.01".into(),
                maint_amount: "0".into(),
            },
            BracketDef {
                notional_cap: None,
                mmr: "0.5".into(),
                maint_amount: "0".into(),
            },
        ],
    };
    let short_symbol = SymbolDef {
        ladder: vec![
            BracketDef {
                notional_cap: Some("1000".into()),
                mmr: "0.5".into(),
                maint_amount: "0".into(),
            },
            BracketDef {
                notional_cap: None,
                mmr: "0.01".into(),
                maint_amount: "0".into(),
            },
        ],
        ..symbol.clone()
    };
    let long = PositionDef {
        id: 1,
        symbol: 0,
        qty: "1".into(),
        entry: "1000".into(),
        margin: "400".into(),
    };
    let short = PositionDef {
        qty: "-1".into(),
        ..long.clone()
    };
    let mut o = Outcomes::default();
    let market = market_of(&symbol, false);
    for (reference, expected) in [
        (1500, Some(1199)),
        (1199, Some(1199)),
        (1100, Some(1100)),
        (1000, Some(606)),
        (606, Some(606)),
        (0, None),
    ] {
        assert_eq!(
            check_price(&symbol, &market, &long, reference, &mut o),
            expected,
            "long, reference {reference}"
        );
    }
    let market = market_of(&short_symbol, false);
    for (reference, expected) in [
        (1, Some(934)),
        (934, Some(934)),
        (1000, Some(1000)),
        (1001, Some(1387)),
        (HIGHEST, Some(HIGHEST)),
    ] {
        assert_eq!(
            check_price(&short_symbol, &market, &short, reference, &mut o),
            expected,
            "short, reference {reference}"
        );
    }
    // With liquidate_at_equal the long also goes at E = MM: 0.99·P = 600 has no
    // whole solution, 0.5·P = 600 has P = 1,200.
    let market = market_of(&symbol, true);
    assert_eq!(
        check_price(&symbol, &market, &long, 1500, &mut o),
        Some(1200)
    );
}
