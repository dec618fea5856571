//! Shared by the co-simulation tests: a mirror of the scanner's memory and
//! the software reference (`SymbolUnits::margin_sum` + `spec::liquidates`)
//! every tick is checked against. The random symbols and positions come
//! from `liqscan_testkit::units`.
#![allow(dead_code)]

use liqscan_core::report::first_difference;
use liqscan_core::spec::{self, PositionConst, SymbolUnits};
use liqscan_sim::{Hit, ScannerModel, TickStats};
pub use liqscan_testkit::units::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The model for `lanes`, or a failure that says why (and how to install Verilator).
pub fn model(lanes: usize) -> ScannerModel {
    ScannerModel::new(lanes).unwrap_or_else(|e| panic!("{e}"))
}

/// The model for `lanes` with its scans on `threads` host threads, which
/// it must take.
pub fn model_on(lanes: usize, threads: usize) -> ScannerModel {
    let model = ScannerModel::with_threads(lanes, threads).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        model.threads(),
        threads,
        "{lanes} lanes on {threads} thread(s)"
    );
    model
}

/// A seeded generator; `LIQSCAN_SIM_SEED` replays a run.
pub fn rng(test: u64) -> ChaCha8Rng {
    let seed = std::env::var("LIQSCAN_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0000 + test);
    println!("seed {seed} (LIQSCAN_SIM_SEED)");
    ChaCha8Rng::seed_from_u64(seed)
}

/// One symbol as loaded into the scanner, mirrored for the reference.
#[derive(Debug)]
pub struct LoadedSymbol {
    pub id: u32,
    pub units: SymbolUnits,
    pub first_slot: u32,
    /// The region's slots: `None` is a hole.
    pub slots: Vec<Option<PositionConst>>,
}

/// Writes `symbol`'s padded bracket table, its region at `base_row` and its slots.
pub fn load(
    model: &mut ScannerModel,
    id: u32,
    units: SymbolUnits,
    base_row: u32,
    slots: Vec<Option<PositionConst>>,
) -> LoadedSymbol {
    model.write_brackets(id, &units.brackets).unwrap();
    let first_slot = base_row * model.lanes() as u32;
    for (i, slot) in slots.iter().enumerate() {
        model.write_position(first_slot + i as u32, *slot).unwrap();
    }
    model
        .write_region(id, base_row, slots.len() as u32)
        .unwrap();
    LoadedSymbol {
        id,
        units,
        first_slot,
        slots,
    }
}

/// The liquidations the reference expects from a tick, in slot order.
pub fn expected(symbol: &LoadedSymbol, price: u32, at_equal: bool) -> Vec<Hit> {
    symbol
        .slots
        .iter()
        .enumerate()
        .filter_map(|(i, slot)| {
            let sum = symbol.units.margin_sum((*slot)?, price);
            spec::liquidates(sum, at_equal).then(|| Hit {
                slot: symbol.first_slot + i as u32,
                shortfall: -sum,
            })
        })
        .collect()
}

/// Ticks `symbol` at `price` and asserts the scanner reports exactly the
/// reference's liquidations, bit for bit, and meets the timing contract.
/// Reported slots are closed in the mirror, as the scanner closes them.
pub fn check_tick(
    model: &mut ScannerModel,
    symbol: &mut LoadedSymbol,
    price: u32,
    at_equal: bool,
) -> (usize, TickStats) {
    model.set_at_equal(at_equal);
    let want = expected(symbol, price, at_equal);
    let mut got = Vec::new();
    let stats = model.tick(symbol.id, price, &mut got).unwrap();
    compare(&got, &want, symbol.id, price);
    assert_contract(stats, symbol.slots.len() as u64, model.lanes() as u64);
    for hit in &want {
        symbol.slots[(hit.slot - symbol.first_slot) as usize] = None;
    }
    (want.len(), stats)
}

/// The scanner's hits (any order within the scan) equal the reference's.
pub fn compare(got: &[Hit], want: &[Hit], symbol: u32, price: u32) {
    let mut got = got.to_vec();
    got.sort_unstable();
    if let Some(difference) = first_difference(&got, want) {
        panic!("symbol {symbol} at price {price}: scanner vs reference differ at {difference}");
    }
}

/// `K = scan_cycles(n, L) + stalls`, and the scanner's counter agrees.
pub fn assert_contract(stats: TickStats, slots: u64, lanes: u64) {
    assert_eq!(
        stats.cycles,
        spec::scan_cycles(slots, lanes) + stats.stalls,
        "cycles of a {slots}-slot scan on {lanes} lanes: {stats:?}"
    );
    assert_eq!(
        stats.counter, stats.cycles,
        "the scanner's cycle counter: {stats:?}"
    );
}
