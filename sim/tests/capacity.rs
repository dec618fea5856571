//! The `sim` backend at its capacity: the model holds `SLOTS` slots and each
//! symbol's region starts on a whole row of `L` slots, so a book fits if and
//! only if `Σ ceil(n_s / L) · L ≤ SLOTS`. A book or an update past that is
//! refused at once with a capacity error that names both numbers, and the
//! engine keeps scanning what it holds; a book exactly at it loads and scans
//! like the `cpu` scanner. Issue 21: a 1,048,573-position book over 3
//! symbols made `--backend sim` spin (every region rebuilt for each new row).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use liqscan_core::gen::{generate, GenConfig, Scenario};
use liqscan_core::layout::{self, CapacityError};
use liqscan_core::report::grouped;
use liqscan_core::{CpuScanner, Engine, EngineError, Position, SymbolId};
use liqscan_sim::engine::HOLDER;
use liqscan_sim::{SimEngine, SLOTS};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const LANES: usize = 8;

/// A refusal must come before anything is written to the model.
const AT_ONCE: Duration = Duration::from_secs(2);

fn sim(scenario: &Scenario, lanes: usize, slots: usize) -> SimEngine {
    SimEngine::with_capacity(scenario.market.clone(), lanes, slots)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn take<'a>(v: &[&'a Position], n: usize) -> Vec<&'a Position> {
    v.iter().take(n).copied().collect()
}

fn counts(positions: &[&Position], symbols: usize) -> Vec<u64> {
    let mut counts = vec![0u64; symbols];
    for p in positions {
        counts[p.symbol.index()] += 1;
    }
    counts
}

/// Asserts a capacity refusal that states what the model holds and what is needed.
fn assert_refused(result: Result<(), EngineError>, held: usize, needed: u64) {
    let message = match result {
        Err(EngineError::Capacity(message)) => message,
        other => panic!("expected a capacity error, got {other:?}"),
    };
    let want = format!("the sim model holds {} slots", grouped(held as u64));
    assert!(message.contains(&want), "{message}");
    assert!(message.contains(&grouped(needed)), "{message}");
    assert!(message.contains("whole rows"), "{message}");
}

/// Scans every tick on both engines and asserts identical liquidations.
fn agree(sim: &mut SimEngine, cpu: &mut CpuScanner, scenario: &Scenario) -> usize {
    let (mut a, mut b, mut events) = (Vec::new(), Vec::new(), 0);
    for tick in &scenario.ticks {
        a.clear();
        b.clear();
        sim.tick(*tick, &mut a).unwrap();
        cpu.tick(*tick, &mut b).unwrap();
        assert_eq!(a, b, "tick {tick:?}");
        events += a.len();
    }
    events
}

/// Whether regions of these sizes fit in `capacity` slots (the rule is
/// liqscan-core's, tested there).
fn check_fit(
    region_slots: impl IntoIterator<Item = u64>,
    lanes: usize,
    capacity: usize,
) -> Result<u64, CapacityError> {
    layout::check_fit(HOLDER, region_slots, lanes, capacity)
}

/// Issue 21's book, 1,048,573 positions over 3 symbols on the full model,
/// needs 1,048,584 slots: refused at once, before anything is written, and
/// the engine still loads and scans a book that fits.
#[test]
fn issue_book_is_refused_at_once() {
    let scenario = generate(&GenConfig {
        positions: 1_048_573,
        symbols: 3,
        ticks: 20,
        seed: 1,
    })
    .unwrap();
    let all: Vec<&Position> = scenario.positions.iter().collect();
    let counts = counts(&all, 3);
    assert_eq!(counts, [572_619, 285_216, 190_738], "gen changed");
    let mut engine = sim(&scenario, LANES, SLOTS);
    let (t, cycles) = (Instant::now(), engine.simulated_cycles());
    assert_refused(engine.load(&all), SLOTS, 1_048_584);
    assert!(t.elapsed() < AT_ONCE, "refused after {:.1?}", t.elapsed());
    assert_eq!(engine.simulated_cycles(), cycles, "wrote to the model");
    // Still usable: a slice of the book loads and scans like `cpu`.
    let some = take(&all, 20_000);
    engine.load(&some).unwrap_or_else(|e| panic!("{e}"));
    let mut cpu = CpuScanner::new(scenario.market.clone());
    cpu.load(&some).unwrap();
    let events = agree(&mut engine, &mut cpu, &scenario);
    println!("{events} liquidations after the refusal");
}

/// At `slots` (the model's million, or a slice of it): a book whose rounded
/// regions need one row more than the capacity is refused at once; trimmed
/// to exactly fill the rows it loads and scans like `cpu`; one more position
/// (loaded, or upserted between ticks) is refused at once and leaves the
/// engine scanning as before, until a close frees a slot in its symbol.
fn at_capacity(slots: usize) {
    let started = Instant::now();
    // A seed whose book does not fit as generated (most do not).
    let (mut scenario, mut counts, needed) = (1..)
        .find_map(|seed| {
            let scenario = generate(&GenConfig {
                positions: slots - 1,
                symbols: 3,
                ticks: 40,
                seed,
            })
            .unwrap();
            let all: Vec<&Position> = scenario.positions.iter().collect();
            let counts = counts(&all, 3);
            let needed: u64 = counts.iter().map(|n| n.div_ceil(8) * 8).sum();
            (needed > slots as u64).then_some((scenario.clone(), counts, needed))
        })
        .unwrap();
    println!(
        "{counts:?} positions per symbol need {needed} of {slots} slots, generated in {:.1?}",
        started.elapsed()
    );
    let all: Vec<&Position> = scenario.positions.iter().collect();
    let mut engine = sim(&scenario, LANES, slots);
    let (t, cycles) = (Instant::now(), engine.simulated_cycles());
    assert_refused(engine.load(&all), slots, needed);
    assert!(t.elapsed() < AT_ONCE, "refused after {:.1?}", t.elapsed());
    assert_eq!(engine.simulated_cycles(), cycles, "wrote to the model");

    // Trim partial rows off (largest first) until the rows are exactly full.
    let mut drop: Vec<u64> = vec![0; 3];
    let mut total = needed;
    while total > slots as u64 {
        let s = (0..3)
            .filter(|&s| counts[s] % 8 != 0)
            .max_by_key(|&s| counts[s] % 8)
            .expect("a partial row to trim");
        drop[s] = counts[s] % 8;
        counts[s] -= drop[s];
        total -= 8;
    }
    assert_eq!(total, slots as u64, "{counts:?}");
    let (mut dropped, mut kept) = (Vec::new(), Vec::new());
    for p in std::mem::take(&mut scenario.positions) {
        let s = p.symbol.index();
        if drop[s] > 0 {
            drop[s] -= 1;
            dropped.push(p);
        } else {
            kept.push(p);
        }
    }
    scenario.positions = kept;
    let book: Vec<&Position> = scenario.positions.iter().collect();
    let t = Instant::now();
    engine.load(&book).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "{} positions ({slots} slots with the rounding) loaded in {:.1?}",
        book.len(),
        t.elapsed()
    );
    let mut cpu = CpuScanner::new(scenario.market.clone());
    cpu.load(&book).unwrap();

    // One past: a position in a symbol whose rows are full.
    let extra = &dropped[0];
    let (t, cycles) = (Instant::now(), engine.simulated_cycles());
    assert_refused(engine.upsert(extra), slots, slots as u64 + 8);
    assert_refused(engine.load(&[extra]), slots, slots as u64 + 8);
    assert!(t.elapsed() < AT_ONCE, "refused after {:.1?}", t.elapsed());
    assert_eq!(engine.simulated_cycles(), cycles, "wrote to the model");
    // Replacing an open position needs no slot.
    let donor = book
        .iter()
        .find(|p| p.symbol == book[0].symbol && p.id != book[0].id);
    let mut replaced = (*donor.expect("two positions in a symbol")).clone();
    replaced.id = book[0].id;
    engine.upsert(&replaced).unwrap();
    cpu.upsert(&replaced).unwrap();

    let (half, rest) = scenario.ticks.split_at(scenario.ticks.len() / 2);
    let first = Scenario {
        ticks: half.to_vec(),
        ..scenario.clone()
    };
    let events = agree(&mut engine, &mut cpu, &first);
    println!("{events} liquidations in the first {} ticks", half.len());
    // A close frees a slot for the refused position, in its own symbol.
    let closed = book
        .iter()
        .find(|p| p.symbol == extra.symbol && cpu.close(p.id).unwrap())
        .expect("an open position in the symbol");
    assert!(engine.close(closed.id).unwrap());
    engine.upsert(extra).unwrap();
    cpu.upsert(extra).unwrap();
    let second = Scenario {
        ticks: rest.to_vec(),
        ..scenario.clone()
    };
    agree(&mut engine, &mut cpu, &second);
    println!("{slots} slots: {:.1?}", started.elapsed());
}

#[test]
fn at_capacity_of_a_slice() {
    at_capacity(1 << 14);
}

/// The whole million slots (the slowest test here: it loads a million
/// slots through the per-slot FFI).
#[test]
fn at_capacity_of_the_whole_model() {
    at_capacity(SLOTS);
}

/// Random opens, moves and closes on a small slice of the model (one and
/// eight lanes): an upsert is refused exactly when the open positions with
/// it would not fit in whole rows, and then it changes nothing; otherwise
/// the engine makes room (moving and squeezing regions) and scans like `cpu`.
#[test]
fn small_capacity_refuses_exactly_past_the_rows() {
    for (lanes, slots, seed) in [(8, 64 * 8, 1), (1, 200, 2), (8, 16 * 8, 3)] {
        let scenario = generate(&GenConfig {
            positions: 3 * slots,
            symbols: 5,
            ticks: 300,
            seed,
        })
        .unwrap();
        let mut engine = sim(&scenario, lanes, slots);
        assert_eq!(engine.capacity(), slots);
        let mut cpu = CpuScanner::new(scenario.market.clone());
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut open: Vec<u64> = vec![0; 5];
        let mut ids: HashSet<u64> = HashSet::new();
        let mut symbol_of = std::collections::HashMap::new();
        let (mut refused, mut accepted) = (0, 0);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for tick in &scenario.ticks {
            for _ in 0..rng.gen_range(0..12) {
                let p = &scenario.positions[rng.gen_range(0..scenario.positions.len())];
                let mut p = p.clone();
                // Reuse ids so that some upserts replace or move a position.
                p.id = rng.gen_range(1..=(slots as u64 * 3 / 2));
                let old: Option<SymbolId> = symbol_of.get(&p.id).copied();
                let mut after = open.clone();
                if old != Some(p.symbol) {
                    after[p.symbol.index()] += 1;
                }
                let fits = check_fit(after.iter().copied(), lanes, slots).is_ok();
                let result = engine.upsert(&p);
                if old == Some(p.symbol) || fits {
                    result.unwrap_or_else(|e| panic!("{e}"));
                    cpu.upsert(&p).unwrap();
                    if let Some(old) = old {
                        open[old.index()] -= 1;
                    }
                    open[p.symbol.index()] += 1;
                    symbol_of.insert(p.id, p.symbol);
                    ids.insert(p.id);
                    accepted += 1;
                } else {
                    let needed = after
                        .iter()
                        .map(|n| n.div_ceil(lanes as u64) * lanes as u64)
                        .sum();
                    assert_refused(result, slots, needed);
                    refused += 1;
                }
            }
            if rng.gen_bool(0.3) {
                if let Some(&id) = ids.iter().next() {
                    assert!(engine.close(id).unwrap());
                    assert!(cpu.close(id).unwrap());
                    ids.remove(&id);
                    open[symbol_of.remove(&id).unwrap().index()] -= 1;
                }
            }
            a.clear();
            b.clear();
            engine.tick(*tick, &mut a).unwrap();
            cpu.tick(*tick, &mut b).unwrap();
            assert_eq!(a, b, "L={lanes} tick {tick:?}");
            for l in &a {
                ids.remove(&l.position);
                open[symbol_of.remove(&l.position).unwrap().index()] -= 1;
            }
        }
        println!(
            "L={lanes}, {slots} slots: {accepted} upserts, {refused} refused, {} relayouts",
            engine.relayouts()
        );
        assert!(
            refused > 0 && accepted > slots,
            "{accepted} accepted, {refused} refused"
        );
        assert!(engine.relayouts() > 0, "no relayout");
    }
}

/// Symbols whose regions are full one after another force relayouts that
/// squeeze out the holes left by closed positions: a book whose open
/// positions fit always loads, however fragmented the memory.
#[test]
fn relayout_squeezes_holes() {
    let scenario = generate(&GenConfig {
        positions: 2_000,
        symbols: 4,
        ticks: 50,
        seed: 9,
    })
    .unwrap();
    let slots = 128 * LANES;
    let mut engine = sim(&scenario, LANES, slots);
    let mut cpu = CpuScanner::new(scenario.market.clone());
    let by_symbol = |s: u32| -> Vec<&Position> {
        scenario
            .positions
            .iter()
            .filter(|p| p.symbol == SymbolId(s))
            .collect()
    };
    // Fill with symbols 0 and 1, close most of symbol 0, then fill with symbol 2.
    let (zero, one, two) = (by_symbol(0), by_symbol(1), by_symbol(2));
    let zero = take(&zero, 600.min(zero.len()));
    let one = take(&one, (slots - zero.len() - 8).min(one.len()));
    for part in [&zero, &one] {
        engine.load(part).unwrap_or_else(|e| panic!("{e}"));
        cpu.load(part).unwrap();
    }
    for p in zero.iter().step_by(2).chain(zero.iter().skip(1).step_by(4)) {
        assert!(engine.close(p.id).unwrap());
        assert!(cpu.close(p.id).unwrap());
    }
    let room = slots - one.len().div_ceil(LANES) * LANES - (zero.len() / 4).div_ceil(LANES) * LANES;
    let two = take(&two, room.min(two.len()));
    for p in &two {
        engine.upsert(p).unwrap_or_else(|e| panic!("{e}"));
        cpu.upsert(p).unwrap();
    }
    assert!(engine.relayouts() > 0);
    let events = agree(&mut engine, &mut cpu, &scenario);
    println!(
        "{} + {} + {} positions in {slots} slots, {} relayouts, {events} liquidations",
        zero.len() / 4,
        one.len(),
        two.len(),
        engine.relayouts()
    );
}

/// Positions opened one at a time until the memory is full (20 symbols,
/// each growing region moving or the whole memory laid out again): the
/// writes to the model stay a small multiple of the slots (each relayout
/// leaves every region a reserve in proportion to its size), where a
/// relayout for every new row made the first book of issue 21 spin.
#[test]
fn one_at_a_time_to_full_stays_bounded() {
    let slots = 1 << 12;
    let scenario = generate(&GenConfig {
        positions: slots - 20,
        symbols: 20,
        ticks: 1,
        seed: 4,
    })
    .unwrap();
    let mut engine = sim(&scenario, LANES, slots);
    let (t, before) = (Instant::now(), engine.simulated_cycles());
    let (mut open, mut refused) = (vec![0u64; 20], 0);
    for p in &scenario.positions {
        let mut after = open.clone();
        after[p.symbol.index()] += 1;
        match engine.upsert(p) {
            Ok(()) => open = after,
            Err(e) => {
                assert!(check_fit(after, LANES, slots).is_err(), "{e}");
                refused += 1;
            }
        }
    }
    let writes = engine.simulated_cycles() - before;
    println!(
        "{slots} slots: {} open, {refused} refused, {} relayouts, {writes} writes, {:.1?}",
        open.iter().sum::<u64>(),
        engine.relayouts(),
        t.elapsed()
    );
    assert!(open.iter().sum::<u64>() >= CapacityError::guaranteed(slots as u64, 8, 20));
    assert!(engine.relayouts() < 100, "{} relayouts", engine.relayouts());
    assert!(writes < 64 * slots as u64, "{writes} writes");
}
