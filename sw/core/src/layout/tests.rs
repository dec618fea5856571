//! The layout against a plain slot memory scanned by the rule: every tick
//! liquidates what the `cpu` scanner does, refusals come exactly when
//! `check_fit` says the book does not fit and write nothing, and the writes
//! stay bounded when a memory fills one position at a time.

use std::collections::HashMap;
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::engine::{Engine, Liquidation, Tick};
use crate::gen::{generate, GenConfig, Scenario};
use crate::market::Market;
use crate::spec::{liquidates, margin_sum, SIM_SLOTS};
use crate::CpuScanner;

/// A scanner's slot memory and region table, written only through
/// [`SlotWrites`], scanned the way the circuit scans (slot order, the
/// liquidated slots cleared).
struct Memory {
    slots: Vec<Option<PositionConst>>,
    regions: Vec<(u32, u32)>,
    lanes: u32,
    writes: u64,
}

impl Memory {
    fn new(symbols: usize, lanes: usize, capacity: usize) -> Self {
        Self {
            slots: vec![None; capacity],
            regions: vec![(0, 0); symbols],
            lanes: lanes as u32,
            writes: 0,
        }
    }

    /// The slots a tick liquidates, cleared, in slot order.
    fn scan(&mut self, market: &Market, tick: Tick) -> Vec<(u32, i128)> {
        let (base_row, count) = self.regions[tick.symbol.index()];
        let brackets = &market.units(tick.symbol).brackets;
        let first = base_row * self.lanes;
        let mut hits = Vec::new();
        for slot in first..first + count {
            if let Some(p) = self.slots[slot as usize] {
                let sum = margin_sum(brackets, p, tick.price);
                if liquidates(sum, market.liquidate_at_equal) {
                    self.slots[slot as usize] = None;
                    hits.push((slot, -sum));
                }
            }
        }
        hits
    }
}

impl SlotWrites for Memory {
    type Error = LayoutError;

    fn position(&mut self, slot: u32, position: Option<PositionConst>) -> Result<(), LayoutError> {
        self.writes += 1;
        let Some(at) = self.slots.get_mut(slot as usize) else {
            return Err(LayoutError::Inconsistent(format!(
                "slot {slot} beyond the memory"
            )));
        };
        *at = position;
        Ok(())
    }

    fn region(&mut self, symbol: u32, base_row: u32, count: u32) -> Result<(), LayoutError> {
        self.writes += 1;
        if u64::from(base_row) * u64::from(self.lanes) + u64::from(count) > self.slots.len() as u64
        {
            return Err(LayoutError::Inconsistent(format!(
                "region of {count} at row {base_row}"
            )));
        }
        self.regions[symbol as usize] = (base_row, count);
        Ok(())
    }
}

/// A layout, its memory and the market: a minimal backend.
struct Backend {
    market: Arc<Market>,
    layout: Layout,
    memory: Memory,
}

impl Backend {
    fn new(market: Arc<Market>, lanes: usize, capacity: usize) -> Self {
        let symbols = market.len();
        Self {
            layout: Layout::new("the test memory", symbols, lanes, capacity),
            memory: Memory::new(symbols, lanes, capacity),
            market,
        }
    }

    fn upsert(&mut self, p: &crate::Position) -> Result<(), LayoutError> {
        let konst = p.constants(&self.market);
        self.layout.upsert(&mut self.memory, p.id, p.symbol, konst)
    }

    fn load(&mut self, positions: &[&crate::Position]) -> Result<(), LayoutError> {
        let ids = positions.iter().map(|p| (p.id, p.symbol));
        self.layout.reserve(&mut self.memory, ids)?;
        positions.iter().try_for_each(|p| self.upsert(p))
    }

    fn tick(&mut self, tick: Tick) -> Vec<Liquidation> {
        let hits = self.memory.scan(&self.market, tick);
        let mut out: Vec<Liquidation> = hits
            .into_iter()
            .map(|(slot, shortfall)| Liquidation {
                position: self.layout.closed(tick.symbol, slot).unwrap(),
                shortfall,
            })
            .collect();
        out.sort_unstable();
        out
    }
}

fn scenario(positions: usize, symbols: usize, ticks: usize, seed: u64) -> Scenario {
    generate(&GenConfig {
        positions,
        symbols,
        ticks,
        seed,
    })
    .unwrap()
}

fn assert_refused(result: Result<(), LayoutError>, capacity: usize, needed: u64) {
    match result {
        Err(LayoutError::Capacity(e)) => {
            assert_eq!(e.capacity, capacity as u64, "{e}");
            assert_eq!(e.needed, needed, "{e}");
            let message = e.to_string();
            assert!(message.contains("the test memory holds"), "{message}");
            assert!(message.contains("whole rows"), "{message}");
        }
        other => panic!("expected a capacity refusal, got {other:?}"),
    }
}

#[test]
fn capacity_names_what_the_memory_holds_and_what_the_book_needs() {
    let e = CapacityError {
        holder: "the sim model",
        capacity: 1 << 20,
        lanes: 8,
        symbols: 3,
        positions: 1_048_573,
        needed: 1_048_584,
    };
    assert_eq!(
        e.to_string(),
        "the sim model holds 1,048,576 slots; these 3 symbols need 1,048,584 after rounding \
         each region up to whole rows of 8 lanes (1,048,573 positions; any 3 symbols always fit 1,048,562)"
    );
    let one = CapacityError {
        holder: "the board",
        capacity: 64,
        lanes: 1,
        symbols: 1,
        positions: 65,
        needed: 65,
    };
    assert_eq!(
        one.to_string(),
        "the board holds 64 slots; this symbol needs 65 after rounding each region up \
         to whole rows of 1 lane (65 positions; one symbol always fits 64)"
    );
}

/// The most slots `total` positions on `symbols` symbols (each holding at
/// least one) can need, by brute force over every spread.
fn max_needed(total: u64, symbols: u64, lanes: u64) -> u64 {
    fn go(left: u64, symbols: u64, lanes: u64) -> Option<u64> {
        if symbols == 1 {
            return (left > 0).then(|| left.div_ceil(lanes) * lanes);
        }
        (1..left)
            .filter_map(|n| Some(n.div_ceil(lanes) * lanes + go(left - n, symbols - 1, lanes)?))
            .max()
    }
    go(total, symbols, lanes).unwrap_or(0)
}

#[test]
fn check_fit_rounds_each_region_up_to_whole_rows() {
    const SLOTS: usize = SIM_SLOTS;
    let fit =
        |counts: &[u64], lanes| check_fit("the sim model", counts.iter().copied(), lanes, SLOTS);
    // Issue 21's book: 572,619 + 285,216 + 190,738 positions.
    let e = fit(&[572_619, 285_216, 190_738], 8).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the sim model holds 1,048,576 slots; these 3 symbols need 1,048,584 after rounding \
         each region up to whole rows of 8 lanes (1,048,573 positions; any 3 symbols always fit 1,048,562)"
    );
    // Exactly full, one past.
    assert_eq!(fit(&[572_619, 285_216, 190_736], 8), Ok(1 << 17));
    assert!(fit(&[572_619, 285_216, 190_737], 8).is_err());
    assert_eq!(fit(&[SLOTS as u64], 8), Ok(1 << 17));
    assert!(fit(&[SLOTS as u64 + 1], 8).is_err());
    assert!(fit(&[SLOTS as u64 - 16 - 1, 1, 1], 8).is_ok());
    // The bound that holds however the positions are spread, and that it is tight.
    for (lanes, capacity) in [(8usize, 64usize), (4, 48), (2, 10), (1, 7)] {
        for symbols in 1..=4u64 {
            let bound = CapacityError::guaranteed(capacity as u64, lanes as u64, symbols);
            let worst = |total: u64| max_needed(total, symbols, lanes as u64);
            assert!(worst(bound) <= capacity as u64, "L={lanes} N={symbols}");
            if bound < capacity as u64 {
                assert!(worst(bound + 1) > capacity as u64, "L={lanes} N={symbols}");
            }
            let spread: Vec<u64> = (0..symbols)
                .map(|s| if s == 0 { bound - (symbols - 1) } else { 1 })
                .collect();
            assert!(check_fit("m", spread, lanes, capacity).is_ok());
        }
    }
    assert_eq!(CapacityError::guaranteed(SLOTS as u64, 8, 3), 1_048_562);
    assert_eq!(CapacityError::guaranteed(SLOTS as u64, 8, 4096), 1_019_911);
    // One lane: no rounding, exactly the slots.
    assert_eq!(fit(&[572_619, 285_216, 190_741], 1), Ok(SLOTS as u64));
    assert!(fit(&[572_619, 285_216, 190_742], 1).is_err());
    assert_eq!(fit(&[0, 0], 8), Ok(0));
}

/// Regions that outgrow a small memory are moved and laid out again,
/// positions survive the moves (the scans still match the `cpu` scanner),
/// and a book larger than the memory is refused.
#[test]
fn compacts_and_refuses_overflow() {
    let scenario = scenario(1_000, 4, 150, 7);
    let mut backend = Backend::new(scenario.market.clone(), 8, (1_000 / 8 + 24) * 8);
    let mut cpu = CpuScanner::new(scenario.market.clone());
    // One at a time, so that regions grow by doubling and fragment the memory.
    for p in &scenario.positions {
        backend.upsert(p).unwrap();
        cpu.upsert(p).unwrap();
    }
    let layout = &backend.layout;
    assert!(layout.rows_reserved() <= layout.rows() && layout.relayouts() > 0);
    let mut expected = Vec::new();
    for tick in &scenario.ticks {
        expected.clear();
        cpu.tick(*tick, &mut expected).unwrap();
        assert_eq!(backend.tick(*tick), expected, "tick {tick:?}");
    }
    let mut extra = scenario.positions[0].clone();
    for id in 0..2_000 {
        extra.id = 1_000_000 + id;
        if let Err(e) = backend.upsert(&extra) {
            assert!(matches!(e, LayoutError::Capacity(_)), "{e}");
            return;
        }
    }
    panic!("a book larger than the memory was accepted");
}

/// Random opens, moves and closes on small memories (one and eight lanes):
/// an upsert is refused exactly when the open positions with it would not
/// fit in whole rows, and then writes nothing; otherwise the layout makes
/// room (moving and squeezing regions) and scans like `cpu`.
#[test]
fn refuses_exactly_past_the_rows_and_scans_like_cpu() {
    for (lanes, capacity, seed) in [(8, 64 * 8, 1), (1, 200, 2), (8, 16 * 8, 3), (4, 40 * 4, 4)] {
        let scenario = scenario(3 * capacity, 5, 400, seed);
        let mut backend = Backend::new(scenario.market.clone(), lanes, capacity);
        let mut cpu = CpuScanner::new(scenario.market.clone());
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut open = [0u64; 5];
        let mut symbol_of: HashMap<u64, SymbolId> = HashMap::new();
        let (mut refused, mut accepted, mut events) = (0, 0, 0);
        let mut expected = Vec::new();
        for tick in &scenario.ticks {
            for _ in 0..rng.gen_range(0..12) {
                let mut p = scenario.positions[rng.gen_range(0..scenario.positions.len())].clone();
                // Reuse ids so that some upserts replace or move a position.
                p.id = rng.gen_range(1..=(capacity as u64 * 3 / 2));
                let old = symbol_of.get(&p.id).copied();
                let mut after = open;
                if old != Some(p.symbol) {
                    after[p.symbol.index()] += 1;
                }
                let fits = check_fit("m", after, lanes, capacity).is_ok();
                let writes = backend.memory.writes;
                let result = backend.upsert(&p);
                if old == Some(p.symbol) || fits {
                    result.unwrap_or_else(|e| panic!("{e}"));
                    cpu.upsert(&p).unwrap();
                    if let Some(old) = old {
                        open[old.index()] -= 1;
                    }
                    open[p.symbol.index()] += 1;
                    symbol_of.insert(p.id, p.symbol);
                    accepted += 1;
                } else {
                    let needed = after
                        .iter()
                        .map(|n| n.div_ceil(lanes as u64) * lanes as u64)
                        .sum();
                    assert_refused(result, capacity, needed);
                    assert_eq!(backend.memory.writes, writes, "a refusal wrote");
                    refused += 1;
                }
            }
            if rng.gen_bool(0.3) {
                if let Some(&id) = symbol_of.keys().next() {
                    assert!(backend.layout.close(&mut backend.memory, id).unwrap());
                    assert!(cpu.close(id).unwrap());
                    open[symbol_of.remove(&id).unwrap().index()] -= 1;
                }
            }
            expected.clear();
            cpu.tick(*tick, &mut expected).unwrap();
            assert_eq!(backend.tick(*tick), expected, "L={lanes} tick {tick:?}");
            for l in &expected {
                open[symbol_of.remove(&l.position).unwrap().index()] -= 1;
            }
            events += expected.len();
            assert_eq!(backend.layout.len(), symbol_of.len());
        }
        assert!(
            refused > 0 && accepted > capacity && events > 0,
            "{accepted} accepted, {refused} refused, {events} liquidations"
        );
        assert!(backend.layout.relayouts() > 0, "no relayout");
    }
}

/// A whole book is checked before anything is written: refused at once
/// when it does not fit, loaded when it does.
#[test]
fn load_checks_the_whole_book_first() {
    let scenario = scenario(600, 3, 60, 5);
    let all: Vec<&crate::Position> = scenario.positions.iter().collect();
    let mut counts = [0u64; 3];
    for p in &all {
        counts[p.symbol.index()] += 1;
    }
    let needed: u64 = counts.iter().map(|n| n.div_ceil(8) * 8).sum();
    let mut small = Backend::new(scenario.market.clone(), 8, needed as usize - 8);
    assert_refused(small.load(&all), needed as usize - 8, needed);
    assert_eq!(small.memory.writes, 0);
    assert!(small.layout.is_empty());

    let mut exact = Backend::new(scenario.market.clone(), 8, needed as usize);
    exact.load(&all).unwrap();
    assert_eq!(exact.layout.relayouts(), 0, "the final sizes were reserved");
    let mut cpu = CpuScanner::new(scenario.market.clone());
    cpu.load(&all).unwrap();
    let mut expected = Vec::new();
    for tick in &scenario.ticks {
        expected.clear();
        cpu.tick(*tick, &mut expected).unwrap();
        assert_eq!(exact.tick(*tick), expected);
    }
}

/// Positions opened one at a time until the memory is full (20 symbols):
/// the writes stay a small multiple of the slots, and at least the
/// guaranteed number of positions fit.
#[test]
fn one_at_a_time_to_full_stays_bounded() {
    let capacity = 1 << 12;
    let scenario = scenario(capacity - 20, 20, 1, 4);
    let mut backend = Backend::new(scenario.market.clone(), 8, capacity);
    let mut open = vec![0u64; 20];
    for p in &scenario.positions {
        let mut after = open.clone();
        after[p.symbol.index()] += 1;
        match backend.upsert(p) {
            Ok(()) => open = after,
            Err(e) => assert!(check_fit("m", after, 8, capacity).is_err(), "{e}"),
        }
    }
    let total: u64 = open.iter().sum();
    assert!(total >= CapacityError::guaranteed(capacity as u64, 8, 20));
    assert!(
        backend.layout.relayouts() < 100,
        "{}",
        backend.layout.relayouts()
    );
    let writes = backend.memory.writes;
    assert!(writes < 64 * capacity as u64, "{writes} writes");
}

/// A scanner that reports a slot outside the tick's region is caught.
#[test]
fn a_slot_outside_the_region_is_inconsistent() {
    let scenario = scenario(20, 2, 1, 6);
    let mut backend = Backend::new(scenario.market.clone(), 4, 64);
    for p in &scenario.positions {
        backend.upsert(p).unwrap();
    }
    let (base_row, count) = backend.layout.region(SymbolId(0));
    let past = base_row * 4 + count;
    assert!(matches!(
        backend.layout.closed(SymbolId(0), past),
        Err(LayoutError::Inconsistent(_))
    ));
    let inside = base_row * 4;
    let id = backend.layout.id_at(SymbolId(0), inside).unwrap();
    assert_eq!(backend.layout.closed(SymbolId(0), inside), Ok(id));
    assert_eq!(backend.layout.id_at(SymbolId(0), inside), None);
}
