//! `indexed == cpu` on jumping ladders, event for event and shortfall for
//! shortfall: random ladders whose maintenance amounts make `E − MM` jump
//! (sawtooth ladders where every bracket holds a window, and arbitrary
//! ones), longs and shorts, positions planted with `E − MM` exactly `0` and
//! `±10^-8` at a chosen mark, marks on and beside bracket edges and far
//! jumps over windows, with upserts, replacements and closes between ticks.

use std::sync::Arc;

use liqscan_core::decimal::parse_decimal;
use liqscan_core::spec::BracketInput;
use liqscan_core::threshold::liquidation_set;
use liqscan_core::{CpuScanner, Engine, IndexedScanner, Market, Position, Symbol, SymbolId, Tick};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn d(s: &str) -> rust_decimal::Decimal {
    parse_decimal(s).unwrap()
}

/// `value·10^-8` as a decimal string.
fn e8(value: i128) -> String {
    format!("{}.{:08}", value / 100_000_000, value % 100_000_000)
}

/// A jumping ladder on steps with `dt + dl ≤ 2` (so `s = 8` and every
/// quote unit is a valid margin). `sawtooth`: equal-width brackets whose
/// maintenance amounts undo, at each cap, what `E − MM` gained across the
/// bracket (for longs when `long`, else for shorts), so a position near the
/// tooth's edge liquidates in a window of every bracket.
fn market(rng: &mut impl Rng, sawtooth: bool, long: bool, at_equal: bool) -> Arc<Market> {
    loop {
        let (tick, lot) = [
            ("1", "1"),
            ("0.1", "1"),
            ("0.5", "0.1"),
            ("1", "0.01"),
            ("2", "3"),
        ][rng.gen_range(0..5)];
        let n = rng.gen_range(2..=16usize);
        let ladder: Vec<BracketInput> = if sawtooth {
            let width: u64 = rng.gen_range(50..=5_000);
            let mmr: u64 = rng.gen_range(0..=200_000);
            // What E − MM gains across a bracket, in 10^-6 quote units: width·(1 ∓ mmr).
            let tooth = width
                * if long {
                    1_000_000 - mmr
                } else {
                    1_000_000 + mmr
                };
            (0..n as u64)
                .map(|b| {
                    let maint = if long {
                        tooth * (n as u64 - 1 - b)
                    } else {
                        tooth * b
                    };
                    BracketInput {
                        notional_cap: (b + 1 < n as u64).then(|| d(&(width * (b + 1)).to_string())),
                        mmr: d(&format!("0.{mmr:06}")),
                        maint_amount: d(&format!("{}.{:06}", maint / 1_000_000, maint % 1_000_000)),
                    }
                })
                .collect()
        } else {
            let mut cap = 0u64;
            (0..n)
                .map(|i| {
                    cap += rng.gen_range(1..=20_000);
                    BracketInput {
                        notional_cap: (i + 1 < n).then(|| d(&cap.to_string())),
                        mmr: d(&format!("0.{:06}", rng.gen_range(0..=300_000))),
                        maint_amount: d(&e8(rng.gen_range(0..=2_000_000_000_000i128))),
                    }
                })
                .collect()
        };
        let symbol = Symbol::new("J", d(tick), d(lot), ladder).unwrap();
        if symbol.units.continuous {
            continue;
        }
        assert_eq!(symbol.units.quote_decimals, 8);
        let mut market = Market::new(at_equal);
        market.add(symbol).unwrap();
        return Arc::new(market);
    }
}

/// A position of `qty` lots whose `E − MM` at `mark` is exactly `delta`
/// (quote units of 10^-8), if its margin is in range; else a random margin.
fn planted(
    market: &Market,
    rng: &mut impl Rng,
    id: u64,
    qty: i32,
    mark: u32,
    delta: i128,
) -> Position {
    let units = market.units(SymbolId(0));
    let entry: u32 = rng.gen_range(1..=mark.saturating_mul(2).max(2));
    let bare = units.position_const(qty, entry, 0);
    let margin = delta - units.margin_sum(bare, mark);
    let margin = if (0..1_000_000_000_000_000_000).contains(&margin) {
        margin
    } else {
        rng.gen_range(0..=1_000_000_000_000i128)
    };
    Position {
        id,
        account: String::new(),
        symbol: SymbolId(0),
        qty_lots: qty,
        entry_ticks: entry,
        margin_units: units.quote_units(&d(&e8(margin)), "margin").unwrap(),
    }
}

/// Plays one random scenario on both scanners; panics on any difference.
/// Returns (liquidations, liquidations at `E − MM = 0` exactly, windows).
fn play(seed: u64) -> (usize, usize, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sawtooth = rng.gen_bool(0.5);
    let long_ladder = rng.gen_bool(0.5);
    let at_equal = rng.gen_bool(0.5);
    let market = market(&mut rng, sawtooth, long_ladder, at_equal);
    let units = market.units(SymbolId(0));
    let mut cpu = CpuScanner::new(market.clone());
    let mut indexed = IndexedScanner::new(market.clone());
    // Marks worth ticking: planted marks, bracket edges of the positions'
    // sizes and one either side, and the ends of their sets' intervals.
    let mut marks: Vec<u32> = vec![1, u32::MAX];
    let mut open: Vec<u64> = Vec::new();
    let (mut liquidated, mut at_zero, mut windows) = (0, 0, 0);
    let mut next_id = 0u64;
    for seq in 0..300u64 {
        match rng.gen_range(0..10) {
            0..=4 => {
                // Open (or replace) a position.
                let id = if !open.is_empty() && rng.gen_bool(0.2) {
                    open[rng.gen_range(0..open.len())]
                } else {
                    next_id += 1;
                    open.push(next_id);
                    next_id
                };
                let magnitude: i32 = match rng.gen_range(0..3) {
                    0 => rng.gen_range(1..=10),
                    1 => rng.gen_range(1..=1_000),
                    _ => rng.gen_range(1..=1_000_000),
                };
                let long = if sawtooth && rng.gen_bool(0.8) {
                    long_ladder
                } else {
                    rng.gen_bool(0.5)
                };
                let qty = if long { magnitude } else { -magnitude };
                // Plant at a bracket edge for this size, or anywhere.
                let q = u64::from(magnitude.unsigned_abs());
                let b = rng.gen_range(0..units.bracket_count);
                let edge = (units.brackets[b].cap / q).min(u64::from(u32::MAX - 1)) as u32;
                let mark = match rng.gen_range(0..3) {
                    0 => edge.max(1),
                    1 => edge.saturating_add(1),
                    _ => rng.gen_range(1..=100_000),
                };
                let delta = rng.gen_range(-1..=1) * if rng.gen_bool(0.8) { 1 } else { 1_000_000 };
                let position = planted(&market, &mut rng, id, qty, mark, delta);
                let set = liquidation_set(units, position.constants(&market), at_equal);
                windows += set.intervals().len().saturating_sub(1);
                for iv in set.intervals().iter().take(6) {
                    marks.extend([iv.lo.max(1), iv.hi.max(1), iv.hi.saturating_add(1)]);
                    marks.push(iv.lo.saturating_sub(1).max(1));
                }
                marks.extend([mark, edge.max(1), edge.saturating_add(1)]);
                cpu.upsert(&position).unwrap();
                indexed.upsert(&position).unwrap();
            }
            5 => {
                let id = if !open.is_empty() && rng.gen_bool(0.8) {
                    open.swap_remove(rng.gen_range(0..open.len()))
                } else {
                    next_id + 1 + rng.gen_range(0..3)
                };
                assert_eq!(
                    cpu.close(id).unwrap(),
                    indexed.close(id).unwrap(),
                    "close {id}"
                );
            }
            _ => {
                let price = if rng.gen_bool(0.85) {
                    marks[rng.gen_range(0..marks.len())]
                } else {
                    rng.gen_range(1..=u32::MAX)
                };
                let tick = Tick {
                    seq,
                    symbol: SymbolId(0),
                    price,
                };
                let (mut a, mut b) = (Vec::new(), Vec::new());
                cpu.tick(tick, &mut a).unwrap();
                indexed.tick(tick, &mut b).unwrap();
                assert_eq!(
                    b, a,
                    "seed {seed}: indexed != cpu at step {seq}, mark {price}"
                );
                liquidated += a.len();
                at_zero += a.iter().filter(|l| l.shortfall == 0).count();
                open.retain(|id| a.binary_search_by_key(id, |l| l.position).is_err());
            }
        }
        assert!(indexed.index_entries() <= 2 * open.len());
    }
    (liquidated, at_zero, windows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn indexed_agrees_with_cpu_on_jumping_ladders(seed in any::<u64>()) {
        play(seed);
    }
}

/// The generator is not vacuous: over fixed seeds it liquidates often,
/// plants positions at `E − MM = 0` exactly, and gives windowed sets.
#[test]
fn scenarios_reach_windows_and_equalities() {
    let (mut liquidated, mut at_zero, mut windows) = (0, 0, 0);
    for seed in 0..64 {
        let (l, z, w) = play(seed);
        liquidated += l;
        at_zero += z;
        windows += w;
    }
    println!("liquidated {liquidated}, at E = MM {at_zero}, windows {windows}");
    assert!(liquidated > 1000, "{liquidated}");
    assert!(at_zero > 10, "{at_zero}");
    assert!(windows > 1000, "{windows}");
}
