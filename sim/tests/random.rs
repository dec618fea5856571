//! The verilated scanner against the software reference on random books:
//! over a million positions per run (L = 1 and L = 8 together), a third of
//! them within two units of their threshold, bit-exact on every event and
//! shortfall, with the timing contract checked on every tick.

mod common;

use std::time::Instant;

use common::*;
use liqscan_core::spec::{self, PositionConst};
use rand::seq::SliceRandom;
use rand::Rng;

/// A position that liquidates at any price: written where no region reads,
/// and into slots before they are overwritten, so a scan that reads outside
/// its region or a lost write shows up as an extra event.
const DECOY: PositionConst = PositionConst {
    qty_lots: -1,
    offset: OFFSET_MIN,
};

fn random_book(lanes: usize, positions: usize, seed: u64) {
    let started = Instant::now();
    let mut rng = rng(seed);
    let mut model = model(lanes);
    let l = lanes as u32;
    let mut ids: Vec<u32> = (0..spec::SIM_SYMBOLS as u32).collect();
    ids.shuffle(&mut rng);

    let (mut loaded, mut symbols) = (0usize, Vec::new());
    let (mut near, mut liquidated) = (0usize, 0usize);
    let mut next_row = 0u32;
    while loaded < positions {
        let units = random_symbol(&mut rng);
        let price = random_price(&mut rng);
        // Many small regions (a few rows, ragged ends) and some large ones.
        let count = if rng.gen_bool(0.4) {
            rng.gen_range(1..=3 * lanes)
        } else {
            rng.gen_range(1..=40_000)
        };
        let slots: Vec<Option<PositionConst>> = (0..count)
            .map(|_| {
                let margin = Margin::random(&mut rng);
                rng.gen_bool(0.96)
                    .then(|| position_at(&mut rng, &units, price, margin))
            })
            .collect();
        for position in slots.iter().flatten() {
            let sum = units.margin_sum(*position, price);
            near += usize::from(sum.abs() <= 2);
            liquidated += usize::from(spec::liquidates(sum, false));
        }
        loaded += slots.iter().flatten().count();

        let base_row = next_row;
        let rows = (count as u32).div_ceil(l);
        let gap_rows = rng.gen_range(0..=1);
        next_row += rows + gap_rows;
        assert!(
            (next_row * l) as usize <= liqscan_sim::SLOTS,
            "book too large for the model"
        );
        // Decoys: in some slots of the region (overwritten by `load`), after
        // the region's last slot up to the row end, and in the gap rows.
        let first = base_row * l;
        for _ in 0..count / 50 {
            model
                .write_position(first + rng.gen_range(0..count as u32), Some(DECOY))
                .unwrap();
        }
        for slot in first + count as u32..(base_row + rows + gap_rows) * l {
            model.write_position(slot, Some(DECOY)).unwrap();
        }
        symbols.push((
            load(&mut model, ids[symbols.len()], units, base_row, slots),
            price,
        ));
    }
    let load_cycles = model.simulated_cycles();
    let load_time = started.elapsed();

    // Each symbol: the tick its positions were built around, then a nearby
    // mark (positions closed by the first tick are gone), `at_equal` both ways.
    let (mut events, mut ticks) = (0usize, 0usize);
    let scan_started = Instant::now();
    for (symbol, price) in &mut symbols {
        let at_equal = rng.gen_bool(0.5);
        events += check_tick(&mut model, symbol, *price, at_equal).0;
        let moved = (i64::from(*price)
            + rng.gen_range(-(i64::from(*price) / 20)..=i64::from(*price) / 20))
        .clamp(1, spec::PRICE_MAX as i64) as u32;
        events += check_tick(&mut model, symbol, moved, !at_equal).0;
        ticks += 2;
    }
    let scan_cycles = model.simulated_cycles() - load_cycles;
    let scan_time = scan_started.elapsed();

    let share = |n: usize| n as f64 / loaded as f64;
    println!(
        "L={lanes}: {loaded} positions in {} symbols, {:.1}% within 2 of the threshold, {:.1}% liquidated; \
         {ticks} ticks, {events} events",
        symbols.len(),
        100.0 * share(near),
        100.0 * share(liquidated)
    );
    println!(
        "L={lanes}: load {load_cycles} cycles in {:.2} s ({:.0} cycles/s), scans {scan_cycles} cycles in {:.2} s ({:.0} cycles/s); total {:.2} s",
        load_time.as_secs_f64(),
        load_cycles as f64 / load_time.as_secs_f64(),
        scan_time.as_secs_f64(),
        scan_cycles as f64 / scan_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        share(near) >= 0.30,
        "near-threshold share {:.3}",
        share(near)
    );
    assert!(
        share(liquidated) >= 0.10,
        "liquidated share {:.3}",
        share(liquidated)
    );
}

#[test]
fn random_book_one_lane() {
    random_book(1, 700_000, 1);
}

#[test]
fn random_book_eight_lanes() {
    random_book(8, 320_000, 8);
}
