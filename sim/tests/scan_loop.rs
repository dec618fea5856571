//! The scan loop in the model's C++: a tick whose results outgrow the
//! buffer the shim fills (it hands back what it has and goes on) returns
//! every one of them, bit for bit, with the cycles the contract says; so
//! does a model on two replicas, whose scan runs to the end before the
//! buffer is filled.

mod common;

use common::*;
use liqscan_sim::Hit;

fn many_results(lanes: usize, threads: usize, stalled: bool) {
    let mut model = model_on(lanes, threads);
    let mut rng = rng(lanes as u64 + 40);
    let units = random_symbol(&mut rng);
    let price = random_price(&mut rng);
    // Every slot liquidates: far more results than the buffer's first size.
    let n = 6_000;
    let slots = (0..n)
        .map(|_| Some(position_at(&mut rng, &units, price, Margin::Under)))
        .collect();
    let mut symbol = load(&mut model, 5, units, 2, slots);
    let want = expected(&symbol, price, false);
    assert_eq!(want.len(), n);
    let mut got: Vec<Hit> = Vec::new();
    let stats = if stalled {
        model
            .tick_with_ready(symbol.id, price, &mut got, |c| c % 5 != 0)
            .unwrap()
    } else {
        model.tick(symbol.id, price, &mut got).unwrap()
    };
    compare(&got, &want, symbol.id, price);
    assert_contract(stats, n as u64, lanes as u64);
    assert_eq!(stats.stalls > 0, stalled, "{stats:?}");
    // Every slot was cleared: the next scan finds nothing.
    symbol.slots.iter_mut().for_each(|s| *s = None);
    got.clear();
    model.tick(symbol.id, price, &mut got).unwrap();
    assert!(got.is_empty(), "{} reported again", got.len());
}

#[test]
fn thousands_of_results_in_one_tick() {
    for lanes in [1, 8] {
        many_results(lanes, 1, false);
    }
}

/// The results of a model on two replicas, merged in one model's order
/// and handed back as the buffer has room.
#[test]
fn thousands_of_results_on_two_threads() {
    many_results(8, 2, false);
    many_results(8, 2, true);
}

#[test]
fn thousands_of_results_under_back_pressure() {
    many_results(8, 1, true);
}
