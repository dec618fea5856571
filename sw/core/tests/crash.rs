//! `cpu == indexed == the rule` on books of thousands of positions a symbol:
//! crash ticks that liquidate thousands at once (whole chunks of `indexed`'s
//! gap ends taken, the slot-order path, every slot of a side emptied), marks
//! jumping back and forth over the windows of jumping ladders (candidates
//! spared and kept under a new gap, positions kept under both ends of a
//! gap), marks 0 and `PRICE_MAX`, and opens, resizes, side flips, margin
//! moves (margins below zero included) and closes between ticks.
//!
//! The reference applies `SymbolUnits::margin_sum` and `liquidates` to every
//! open position of the ticked symbol, as the circuit does: it shares no
//! filter, gap, key, index or slot map with either scanner. Both scanners
//! must report exactly its liquidations, ids and shortfalls, in id order.
//!
//! And `indexed`'s ticks allocate nothing, from the first one (given room
//! in the caller's output): a counting global allocator counts, on the
//! calling thread only, what each of its `tick` calls allocates.

use std::collections::BTreeMap;
use std::sync::Arc;

use liqscan_core::decimal::parse_decimal;
use liqscan_core::gen::{generate, GenConfig};
use liqscan_core::spec::{liquidates, BracketInput, QTY_MAX};
use liqscan_core::threshold::{liquidation_set, HIGHEST};
use liqscan_core::{
    CpuScanner, Engine, IndexedScanner, Liquidation, Market, Position, Symbol, SymbolId, Tick,
};
use liqscan_testkit::alloc::{self, Counter, CountingAlloc};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

/// `engine.tick`, and how many allocations it made (on this thread; each
/// call its own counter, so concurrent tests do not mix).
fn counted_tick(
    engine: &mut dyn Engine,
    tick: Tick,
    out: &mut Vec<Liquidation>,
    counter: &'static Counter,
) -> (Result<(), liqscan_core::EngineError>, u64) {
    let before = counter.get();
    let result = alloc::charged(counter, || engine.tick(tick, out));
    (result, counter.get() - before)
}

/// A 16-bracket "sawtooth" ladder (tick 1, lot 1): for longs (`long`) or
/// shorts `E − MM` falls back below zero at every cap, so a position near
/// the tooth's edge liquidates in a window of every bracket.
fn sawtooth(long: bool) -> Symbol {
    let ladder = (0..16u32)
        .map(|b| BracketInput {
            notional_cap: (b < 15).then(|| parse_decimal(&format!("{}", 1000 * (b + 1))).unwrap()),
            mmr: parse_decimal("0.01").unwrap(),
            maint_amount: parse_decimal(&if long {
                format!("{}", 15_000 - 990 * b)
            } else {
                format!("{}", 1010 * b)
            })
            .unwrap(),
        })
        .collect();
    let name = if long { "SAWL" } else { "SAWS" };
    let one = parse_decimal("1").unwrap();
    let symbol = Symbol::new(name, one, one, ladder).unwrap();
    assert!(!symbol.units.continuous);
    symbol
}

/// A position on a sawtooth symbol with a liquidation interval in most of
/// its brackets (`|Q| ≤ 60`, `E − MM` a little below zero at each tooth).
fn saw_position(rng: &mut impl Rng, market: &Market, symbol: SymbolId, id: u64) -> Position {
    let long = market.symbol(symbol).name == "SAWL";
    let q: i64 = rng.gen_range(1..=60);
    let k: i64 = -rng.gen_range(100..=900);
    let (entry, margin) = if long {
        (20_000, k + 20_000 * q - 15_000)
    } else {
        (1, k + 1010 - q)
    };
    Position {
        id,
        account: String::new(),
        symbol,
        qty_lots: if long { q as i32 } else { -q as i32 },
        entry_ticks: entry,
        margin_units: market
            .units(symbol)
            .quote_units(&parse_decimal(&margin.to_string()).unwrap(), "margin")
            .unwrap(),
    }
}

/// The rule on every open position of the ticked symbol, in id order; the
/// liquidated leave `book`.
fn reference(market: &Market, book: &mut BTreeMap<u64, Position>, tick: Tick) -> Vec<Liquidation> {
    let units = market.units(tick.symbol);
    let hits: Vec<Liquidation> = book
        .values()
        .filter(|p| p.symbol == tick.symbol)
        .filter_map(|p| {
            let sum = units.margin_sum(p.constants(market), tick.price);
            liquidates(sum, market.liquidate_at_equal).then_some(Liquidation {
                position: p.id,
                shortfall: -sum,
            })
        })
        .collect();
    for hit in &hits {
        book.remove(&hit.position);
    }
    hits
}

/// What a run reached, so the test can show it is not vacuous.
#[derive(Debug, Default)]
struct Reached {
    ticks: usize,
    liquidations: usize,
    /// The most liquidations on one tick.
    largest_crash: usize,
    /// Sawtooth positions the mark jumped clean over a window of (from the
    /// symbol's last mark to a safe one beyond the window): candidates the
    /// rule spares.
    jumped_over: usize,
    updates: usize,
}

/// One scenario from `seed`: a generated book of `positions` over five
/// symbols (the fifth with a jumping ladder) and two sawtooth symbols,
/// ticked with the generated walk, crashes, jumps and the extreme marks,
/// with book changes between ticks.
fn play(seed: u64, positions: usize, at_equal: bool) -> Reached {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let scenario = generate(&GenConfig {
        positions,
        symbols: 5,
        ticks: 400,
        seed,
    })
    .unwrap();
    let mut market = Market::clone(&scenario.market);
    market.liquidate_at_equal = at_equal;
    let saws = [
        market.add(sawtooth(true)).unwrap(),
        market.add(sawtooth(false)).unwrap(),
    ];
    let market = Arc::new(market);
    assert!(!market.units(SymbolId(4)).continuous);

    let mut book: BTreeMap<u64, Position> = BTreeMap::new();
    let mut opening = scenario.positions.clone();
    let mut next_id = opening.len() as u64 + 1;
    for _ in 0..positions / 4 {
        let symbol = saws[rng.gen_range(0..2)];
        opening.push(saw_position(&mut rng, &market, symbol, next_id));
        next_id += 1;
    }
    let mut cpu = CpuScanner::new(market.clone());
    let mut indexed = IndexedScanner::new(market.clone());
    for p in &opening {
        cpu.upsert(p).unwrap();
        indexed.upsert(p).unwrap();
        book.insert(p.id, p.clone());
    }

    // The last mark of each symbol, for crashes and new positions.
    let mut marks: Vec<u32> = (0..market.len() as u32)
        .map(|s| {
            let first = scenario.ticks.iter().find(|t| t.symbol.0 == s);
            first.map_or(10_000, |t| t.price)
        })
        .collect();
    let mut reached = Reached::default();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let counter = Counter::leaked();
    let mut walk = scenario.ticks.iter();
    for seq in 0..600u64 {
        // Book changes between ticks.
        for _ in 0..rng.gen_range(0..4) {
            change(
                &mut rng,
                &market,
                &mut book,
                &marks,
                &mut next_id,
                &saws,
                &mut cpu,
                &mut indexed,
            );
            reached.updates += 1;
        }
        let (symbol, price) = match rng.gen_range(0..20) {
            // The generated walk.
            0..=9 => match walk.next() {
                Some(t) => (t.symbol, t.price),
                None => continue,
            },
            // A crash or a squeeze: 3 % to 60 % in one tick.
            10..=12 => {
                let s = SymbolId(rng.gen_range(0..5));
                let m = u64::from(marks[s.index()]);
                let moved = match rng.gen_bool(0.5) {
                    true => m * rng.gen_range(400..=970) / 1000,
                    false => m * rng.gen_range(1030..=1600) / 1000,
                };
                (s, moved.clamp(1, u64::from(HIGHEST)) as u32)
            }
            // A sawtooth side, anywhere over its brackets (jumping over windows).
            13..=17 => (saws[rng.gen_range(0..2)], rng.gen_range(1..=20_000)),
            // Outside the valid prices (0) and at the top of the range.
            18 => (SymbolId(rng.gen_range(0..7)), 0),
            _ => (SymbolId(rng.gen_range(0..7)), HIGHEST),
        };
        let tick = Tick { seq, symbol, price };
        if saws.contains(&symbol) {
            reached.jumped_over +=
                jumped_over(&market, &book, symbol, marks[symbol.index()], price);
        }
        let open = book.len();
        let want = reference(&market, &mut book, tick);
        for (engine, got) in [
            (&mut cpu as &mut dyn Engine, &mut a),
            (&mut indexed, &mut b),
        ] {
            got.clear();
            // Room for a tick that liquidates every open position.
            got.reserve(open);
            let (result, allocations) = counted_tick(engine, tick, got, counter);
            result.unwrap();
            assert_eq!(
                *got,
                want,
                "{} at tick {seq} ({symbol:?} at {price})",
                engine.name()
            );
            if engine.name() == "indexed" {
                assert_eq!(allocations, 0, "indexed allocated at tick {seq}");
            }
        }
        assert!(
            indexed.index_entries() <= 2 * book.len(),
            "two entries a position at most"
        );
        if price > 0 {
            marks[symbol.index()] = price;
        }
        reached.ticks += 1;
        reached.liquidations += want.len();
        reached.largest_crash = reached.largest_crash.max(want.len());
    }
    reached
}

/// Open positions of `symbol` (the first 200) with a window of their set
/// strictly between `from` and `to` and `to` safe.
fn jumped_over(
    market: &Market,
    book: &BTreeMap<u64, Position>,
    symbol: SymbolId,
    from: u32,
    to: u32,
) -> usize {
    let units = market.units(symbol);
    let (low, high) = (from.min(to), from.max(to));
    book.values()
        .filter(|p| p.symbol == symbol)
        .take(200)
        .filter(|p| {
            let set = liquidation_set(units, p.constants(market), market.liquidate_at_equal);
            !set.contains(to) && set.intervals().iter().any(|iv| low < iv.lo && iv.hi < high)
        })
        .count()
}

/// One book change: an open near the symbol's mark, a resize (sometimes
/// flipping the side), a margin move of either sign, or a close of an open
/// or an unknown id, applied to the reference book and both scanners.
#[allow(clippy::too_many_arguments)]
fn change(
    rng: &mut ChaCha8Rng,
    market: &Market,
    book: &mut BTreeMap<u64, Position>,
    marks: &[u32],
    next_id: &mut u64,
    saws: &[SymbolId; 2],
    cpu: &mut CpuScanner,
    indexed: &mut IndexedScanner,
) {
    let pick = |rng: &mut ChaCha8Rng, book: &BTreeMap<u64, Position>| {
        let n = book.len();
        (n > 0).then(|| book.keys().nth(rng.gen_range(0..n)).copied().unwrap())
    };
    let position = match rng.gen_range(0..10) {
        0..=2 => {
            *next_id += 1;
            let symbol = SymbolId(rng.gen_range(0..7));
            if saws.contains(&symbol) {
                saw_position(rng, market, symbol, *next_id)
            } else {
                let mark = marks[symbol.index()].max(1);
                let units = market.units(symbol);
                let qty: i32 = rng.gen_range(1..=5_000) * if rng.gen() { 1 } else { -1 };
                let entry = (u64::from(mark) * rng.gen_range(980..=1020) / 1000).max(1) as u32;
                // Leverage 1x to 100x at entry.
                let notional =
                    i128::from(qty.unsigned_abs()) * i128::from(entry) * units.lot_tick_value();
                let margin = notional / rng.gen_range(1..=100);
                Position {
                    id: *next_id,
                    account: String::new(),
                    symbol,
                    qty_lots: qty,
                    entry_ticks: entry,
                    margin_units: margin.min(units.amount_limit_units() - 1),
                }
            }
        }
        3..=4 => {
            let Some(id) = pick(rng, book) else { return };
            let mut p = book[&id].clone();
            let factor = rng.gen_range(1..=3) as i64;
            let qty = i64::from(p.qty_lots) * factor * if rng.gen_bool(0.2) { -1 } else { 1 };
            if qty.unsigned_abs() > QTY_MAX {
                return;
            }
            p.qty_lots = qty as i32;
            p
        }
        5..=7 => {
            let Some(id) = pick(rng, book) else { return };
            let mut p = book[&id].clone();
            let units = market.units(p.symbol);
            let delta = p.margin_units.abs() * rng.gen_range(-150..=100) / 100;
            if !units.margin_in_range(p.margin_units + delta) {
                return;
            }
            p.margin_units += delta;
            p
        }
        _ => {
            let id = match pick(rng, book) {
                Some(id) if rng.gen_bool(0.9) => id,
                _ => *next_id + 1_000,
            };
            let open = book.remove(&id).is_some();
            assert_eq!(cpu.close(id).unwrap(), open, "cpu close {id}");
            assert_eq!(indexed.close(id).unwrap(), open, "indexed close {id}");
            return;
        }
    };
    cpu.upsert(&position).unwrap();
    indexed.upsert(&position).unwrap();
    book.insert(position.id, position);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Thousands of positions a symbol, crashes, jumps and book changes.
    #[test]
    fn crashes_jumps_and_changes_agree(seed in any::<u64>(), at_equal in any::<bool>()) {
        play(seed, 10_000, at_equal);
    }
}

/// The scenarios are not vacuous: over fixed seeds they reach crashes of
/// thousands, ticks that spare sawtooth candidates, and book changes.
#[test]
fn scenarios_reach_crashes_and_spared_candidates() {
    let mut total = Reached::default();
    for seed in 0..3 {
        let r = play(seed, 10_000, seed % 2 == 1);
        println!("seed {seed}: {r:?}");
        total.ticks += r.ticks;
        total.liquidations += r.liquidations;
        total.largest_crash = total.largest_crash.max(r.largest_crash);
        total.jumped_over += r.jumped_over;
        total.updates += r.updates;
    }
    assert!(total.largest_crash >= 2_000, "{total:?}");
    assert!(total.jumped_over >= 100, "{total:?}");
    assert!(total.liquidations >= 5_000, "{total:?}");
    assert!(total.updates >= 1_000, "{total:?}");
}
