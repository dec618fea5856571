//! The timing contract cycle for cycle: a scan of `n` slots takes
//! `scan_cycles(n, L)` cycles with `res_ready` high, one more per stalled
//! cycle; the scanner's counter agrees; `done` lasts one cycle and the next
//! tick is accepted right after it. Results under back-pressure are the same.

mod common;

use common::*;
use liqscan_core::spec::{self, PositionConst};
use liqscan_sim::{Hit, ScannerModel};
use rand::Rng;

/// Region sizes: empty, one slot, one row ± 1, several rows with a ragged end.
fn sizes(lanes: usize) -> Vec<usize> {
    let mut n = vec![
        0,
        1,
        lanes.saturating_sub(1),
        lanes,
        lanes + 1,
        2 * lanes,
        5 * lanes + 3,
        40 * lanes + 1,
    ];
    n.sort_unstable();
    n.dedup();
    n
}

/// `res_ready` in the `c`-th cycle after the accepting edge.
type Ready = Box<dyn FnMut(u64) -> bool>;

/// Named stall patterns.
fn patterns(seed: u64) -> Vec<(&'static str, Ready)> {
    let mut rng = rng(seed);
    vec![
        ("always ready", Box::new(|_| true)),
        ("every other cycle", Box::new(|c| c % 2 == 0)),
        ("first 7 cycles stalled", Box::new(|c| c > 7)),
        (
            "stalled around the results",
            Box::new(|c| !(15..30).contains(&c)),
        ),
        ("30% random", Box::new(move |_| rng.gen_bool(0.7))),
    ]
}

fn timing(lanes: usize, threads: usize) {
    let mut model: ScannerModel = model_on(lanes, threads);
    let mut rng = rng(lanes as u64);
    let units = random_symbol(&mut rng);
    let price = random_price(&mut rng);
    let symbol_id = 9;
    model.write_brackets(symbol_id, &units.brackets).unwrap();
    let base_row = 3;
    let first = base_row * lanes as u32;

    for n in sizes(lanes) {
        // Half the positions liquidate, some slots are holes.
        let slots: Vec<Option<PositionConst>> = (0..n)
            .map(|i| {
                let margin = if i % 2 == 0 {
                    Margin::Under
                } else {
                    Margin::Over
                };
                (i % 7 != 3).then(|| position_at(&mut rng, &units, price, margin))
            })
            .collect();
        let mut symbol = LoadedSymbol {
            id: symbol_id,
            units: units.clone(),
            first_slot: first,
            slots: slots.clone(),
        };
        model.write_region(symbol_id, base_row, n as u32).unwrap();
        for (name, mut ready) in patterns(n as u64) {
            for (i, slot) in slots.iter().enumerate() {
                model.write_position(first + i as u32, *slot).unwrap();
            }
            symbol.slots.clone_from(&slots);
            let want = expected(&symbol, price, false);
            let mut got: Vec<Hit> = Vec::new();
            let stats = model
                .tick_with_ready(symbol_id, price, &mut got, &mut ready)
                .unwrap();
            println!("L={lanes} n={n} {name}: {stats:?}");
            assert_contract(stats, n as u64, lanes as u64);
            compare(&got, &want, symbol_id, price);
            if name != "always ready" && n > 0 {
                assert!(stats.stalls > 0, "{name}: no stall");
            }
        }
        // The tick after `done` is accepted on the next edge (back to back), and
        // finds nothing: every liquidated slot was closed by the last scan.
        let mut got = Vec::new();
        let stats = model.tick(symbol_id, price, &mut got).unwrap();
        assert_eq!(stats.cycles, spec::scan_cycles(n as u64, lanes as u64));
        assert!(got.is_empty(), "closed slots reported again: {got:?}");
        // `done` lasted one cycle; the counter holds until the next tick.
        let (busy, done) = model.idle_cycle();
        assert!(
            !busy && !done,
            "busy {busy}, done {done} after the done cycle"
        );
        assert_eq!(model.cycle_counter(), stats.cycles);
    }
}

#[test]
fn timing_one_lane() {
    timing(1, 1);
}

#[test]
fn timing_eight_lanes() {
    timing(8, 1);
}

/// The model's two replicas (`csrc/lanes.h`), each scan with its
/// `res_ready` given cycle by cycle and all at once.
#[test]
fn timing_eight_lanes_on_two_threads() {
    timing(8, 2);
}
