//! Issue 21, case 4: on a jumping ladder the `indexed` scanner's memory and
//! load time per position stay within a small constant of `cpu`'s.
//!
//! One symbol, a 16-bracket "sawtooth" ladder whose maintenance amounts make
//! `E − MM` drop back below zero at every cap, and 65,536 longs (then as many
//! shorts) that each liquidate in a window of every bracket: 16 intervals per
//! position, the worst the contract allows. A counting global allocator (this
//! test binary only, which holds this one test so nothing else allocates
//! meanwhile) measures the bytes each scanner keeps; the assertions are on
//! bytes and index entries, never on time (times are only printed).
//!
//! `LIQSCAN_LADDER_POSITIONS=1048576 cargo test --profile ci -p liqscan-core
//! --test indexed_memory -- --nocapture` measures the largest book.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;

use liqscan_core::decimal::parse_decimal;
use liqscan_core::spec::BracketInput;
use liqscan_core::threshold::liquidation_set;
use liqscan_core::{
    CpuScanner, Engine, IndexedScanner, Liquidation, Market, Position, Symbol, SymbolId, Tick,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let live =
                    LIVE.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn d(s: &str) -> rust_decimal::Decimal {
    parse_decimal(s).unwrap()
}

/// Tick 1, lot 1 (`s = 8`, one lot·tick is one quote unit), 16 brackets of
/// width 1,000, mmr 0.01. Longs: `A_b = 15,000 − 990·b`, so `E − MM` climbs
/// by 990 across each bracket and falls back by 990 at its cap. Shorts:
/// `A_b = 1,010·b`, so it falls by 1,010 across each bracket and climbs back.
fn sawtooth(long: bool) -> Arc<Market> {
    let ladder = (0..16u32)
        .map(|b| BracketInput {
            notional_cap: (b < 15).then(|| d(&format!("{}", 1000 * (b + 1)))),
            mmr: d("0.01"),
            maint_amount: d(&if long {
                format!("{}", 15_000 - 990 * b)
            } else {
                format!("{}", 1010 * b)
            }),
        })
        .collect();
    let mut market = Market::new(false);
    market
        .add(Symbol::new("SAW", d("1"), d("1"), ladder).unwrap())
        .unwrap();
    let market = Arc::new(market);
    assert!(!market.units(SymbolId(0)).continuous);
    market
}

/// `n` positions, every one with a liquidation interval in each of the 16
/// brackets: `|Q| ∈ 1 ..= 60`, and `E − MM` at the start of every bracket
/// (longs) or at its end (shorts) `k ∈ −900 ..= −100` quote units, so every
/// bracket also holds safe marks (its other end is `k + 931` or more).
fn book(market: &Market, long: bool, n: usize, seed: u64) -> Vec<Position> {
    let units = market.units(SymbolId(0));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n as u64)
        .map(|id| {
            let q: i64 = rng.gen_range(1..=60);
            let k: i64 = -rng.gen_range(100..=900);
            // Longs at entry 20,000: sum at a bracket's start = C − 20,000·q + 15,000 = k.
            // Shorts at entry 1: sum at a bracket's end = C + q − 1,010 = k.
            let (entry, margin) = if long {
                (20_000, k + 20_000 * q - 15_000)
            } else {
                (1, k + 1010 - q)
            };
            Position {
                id: id * 3 + 1,
                account: String::new(),
                symbol: SymbolId(0),
                qty_lots: if long { q as i32 } else { -q as i32 },
                entry_ticks: entry,
                margin_units: units
                    .quote_units(&d(&margin.to_string()), "margin")
                    .unwrap(),
            }
        })
        .collect()
}

struct Measured {
    load_s: f64,
    kept_bytes: usize,
    peak_bytes: usize,
    crash_s: f64,
    crashed: usize,
    events: Vec<Liquidation>,
}

/// Loads `positions`, then ticks `crash`; `entries` sees the loaded engine.
fn measure<E: Engine>(
    mut engine: E,
    positions: &[Position],
    crash: u32,
    entries: impl FnOnce(&E),
) -> Measured {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let start = Instant::now();
    for p in positions {
        engine.upsert(p).unwrap();
    }
    let load_s = start.elapsed().as_secs_f64();
    let kept_bytes = LIVE.load(Relaxed) - before;
    let peak_bytes = PEAK.load(Relaxed) - before;
    entries(&engine);
    let mut events = Vec::with_capacity(positions.len());
    let start = Instant::now();
    let tick = Tick {
        seq: 1,
        symbol: SymbolId(0),
        price: crash,
    };
    engine.tick(tick, &mut events).unwrap();
    let crash_s = start.elapsed().as_secs_f64();
    Measured {
        load_s,
        kept_bytes,
        peak_bytes,
        crash_s,
        crashed: events.len(),
        events,
    }
}

#[test]
fn jumping_ladder_memory_per_position_is_bounded() {
    let n: usize = std::env::var("LIQSCAN_LADDER_POSITIONS")
        .ok()
        .map_or(1 << 16, |v| v.parse().expect("a count"));
    for long in [true, false] {
        let market = sawtooth(long);
        let positions = book(&market, long, n, 21);
        let units = market.units(SymbolId(0));
        // The book is as adversarial as claimed: 16 intervals per position.
        for p in positions.iter().take(2000) {
            let set = liquidation_set(units, p.constants(&market), false);
            assert_eq!(set.intervals().len(), 16, "{p:?}: {set:?}");
        }
        // Longs all liquidate at mark 1 (the start of bracket 0 for |Q| ≤ 60);
        // shorts at the top mark (deep in the uncapped last bracket).
        let crash = if long { 1 } else { u32::MAX };
        let cpu = measure(CpuScanner::new(market.clone()), &positions, crash, |_| ());
        let mut entries = 0;
        let indexed = measure(
            IndexedScanner::new(market.clone()),
            &positions,
            crash,
            |e| {
                entries = e.index_entries();
            },
        );
        assert_eq!(indexed.events, cpu.events);
        assert_eq!(cpu.crashed, n, "the crash tick liquidates everyone");
        let side = if long { "longs" } else { "shorts" };
        for (name, m) in [("cpu", &cpu), ("indexed", &indexed)] {
            println!(
                "{side} n={n} {name:>7}: load {:.3} s ({:.0} ns/position), kept {:.1} MB ({} B/position), \
                 peak {:.1} MB, crash tick {:.3} s for {} ({:.0} ns/liquidation)",
                m.load_s,
                m.load_s * 1e9 / n as f64,
                m.kept_bytes as f64 / 1e6,
                m.kept_bytes / n,
                m.peak_bytes as f64 / 1e6,
                m.crash_s,
                m.crashed,
                m.crash_s * 1e9 / m.crashed.max(1) as f64,
            );
        }
        // The bounds that failed before (about 2.6 KB and 20 to 160 index
        // entries per position here): at most two entries per position, a
        // few dozen bytes more than `cpu` keeps, and a peak within a small
        // factor of `cpu`'s.
        assert!(entries <= 2 * n, "{side}: {entries} index entries");
        let per_position = indexed.kept_bytes / n;
        assert!(
            per_position <= 160,
            "{side}: indexed keeps {per_position} B per position"
        );
        assert!(
            indexed.kept_bytes <= 2 * cpu.kept_bytes,
            "{side}: indexed keeps {} B vs cpu {} B",
            indexed.kept_bytes,
            cpu.kept_bytes
        );
        assert!(
            indexed.peak_bytes <= 2 * cpu.peak_bytes,
            "{side}: indexed peak {} B vs cpu {} B",
            indexed.peak_bytes,
            cpu.peak_bytes
        );
    }
}
