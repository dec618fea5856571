//! `liqscan_top` scanning in rust-hdl's simulator against a Rust model:
//! random small books written as commands, ticks rung at the doorbell, and
//! every record of the stream (slot, shortfall, the completion's count,
//! cycles and stalls) equal to `spec`'s rule, with random `tready`.

mod top_common;

use liqscan_core::spec::registers::{control, reg};
use liqscan_core::spec::{self, PositionConst, SymbolUnits};
use liqscan_testkit::board::{self, Record};
use liqscan_testkit::units::{position_at, random_price, random_symbol, Margin};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use top_common::{big_stack, Bench, SYMBOLS};

/// The host's mirror: symbol tables, regions and slots.
struct Model {
    units: Vec<SymbolUnits>,
    regions: Vec<(usize, usize)>,
    slots: Vec<Option<PositionConst>>,
    at_equal: bool,
}

impl Model {
    /// The liquidations of a tick in slot order, closing them.
    fn scan(&mut self, symbol: usize, price: u32) -> Vec<(u32, i128)> {
        let (first, count) = self.regions[symbol];
        let mut hits = Vec::new();
        for slot in first..first + count {
            if let Some(p) = self.slots[slot] {
                let sum = self.units[symbol].margin_sum(p, price);
                if spec::liquidates(sum, self.at_equal) {
                    hits.push((slot as u32, -sum));
                    self.slots[slot] = None;
                }
            }
        }
        hits
    }
}

/// How a test runs: its book and its stream.
#[derive(Debug, Clone, Copy)]
struct Setup {
    seed: u64,
    symbols: usize,
    ticks: u32,
    /// Probability of `tready` in a cycle.
    ready: f64,
    /// Most positions under water, so rows of hits fill the result FIFO and
    /// the stream must hold the scan.
    heavy: bool,
}

fn run<const L: usize, const R: usize>(setup: Setup) {
    big_stack(move || run_on::<L, R>(setup));
}

fn run_on<const L: usize, const R: usize>(setup: Setup) {
    let Setup {
        seed,
        symbols,
        ticks,
        ready,
        heavy,
    } = setup;
    let started = std::time::Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut bench = Bench::<L, R>::new(seed);
    bench.stream_ready = ready;
    let slots = Bench::<L, R>::SLOTS;
    let rows = slots / L;
    let at_equal = rng.gen();
    bench.write_ok(reg::CONTROL, if at_equal { control::AT_EQUAL } else { 0 });

    // Symbols on random ids, regions of whole rows with ragged ends.
    let mut ids: Vec<usize> = (0..SYMBOLS).collect();
    for i in 0..symbols {
        ids.swap(i, rng.gen_range(i..SYMBOLS));
    }
    let mut model = Model {
        units: (0..SYMBOLS).map(|_| random_symbol(&mut rng)).collect(),
        regions: vec![(0, 0); SYMBOLS],
        slots: vec![None; slots],
        at_equal,
    };
    let prices: Vec<u32> = (0..SYMBOLS).map(|_| random_price(&mut rng)).collect();
    let mut next_row = 0;
    for &s in &ids[..symbols] {
        let take = if heavy {
            rows / symbols
        } else {
            rng.gen_range(1..=rows / symbols)
        };
        let count = take * L - rng.gen_range(0..L);
        model.regions[s] = (next_row * L, count);
        next_row += take;
        // Only the ladder's own brackets: the last is uncapped, so the
        // scanner's priority select never reaches the padding.
        let units = &model.units[s];
        for j in 0..units.bracket_count {
            bench.command(&board::bracket(s as u32, j as u32, &units.brackets[j]));
        }
        bench.command(&board::region(
            s as u32,
            (next_row - take) as u32,
            count as u32,
        ));
        let (first, _) = model.regions[s];
        for slot in first..first + count {
            let margin = if heavy && rng.gen_ratio(3, 4) {
                Margin::Under
            } else {
                Margin::random(&mut rng)
            };
            let p = position_at(&mut rng, &model.units[s], prices[s], margin);
            let held = rng.gen_ratio(7, 8).then_some(p);
            bench.command(&board::position(slot as u32, held));
            model.slots[slot] = held;
        }
    }
    bench.commit();
    let loaded = bench.cycles;

    let (mut hits, mut scanned, mut stalls) = (0, 0, 0u64);
    for seq in 1..=ticks {
        let s = ids[rng.gen_range(0..symbols)];
        let price =
            (i64::from(prices[s]) + rng.gen_range(-2..=2)).clamp(1, spec::PRICE_MAX as i64) as u32;
        bench.ring(s as u32, price, seq);
        let records = bench.until_completion(seq, 20_000);
        let expected = model.scan(s, price);
        let (last, liquidations) = records.split_last().expect("a completion");
        let got: Vec<(u32, i128)> = liquidations
            .iter()
            .map(|r| match *r {
                Record::Liquidation {
                    seq: s,
                    slot,
                    shortfall,
                } => {
                    assert_eq!(s, seq, "liquidation record of another tick");
                    (slot, shortfall)
                }
                other => panic!("{other:?} before the completion of tick {seq}"),
            })
            .collect();
        assert_eq!(got, expected, "tick {seq}: symbol {s} at {price}");
        let n = model.regions[s].1 as u64;
        match *last {
            Record::Completion {
                seq: s,
                cycles,
                count,
                stalls: held,
            } => {
                assert_eq!((s, count as usize), (seq, expected.len()));
                assert_eq!(
                    u64::from(cycles),
                    spec::scan_cycles(n, L as u64) + u64::from(held),
                    "tick {seq}: n = {n}"
                );
                if ready == 1.0 {
                    assert_eq!(held, 0);
                }
                stalls += u64::from(held);
                assert_eq!(bench.read_ok(reg::LAST_SCAN_CYCLES), cycles);
            }
            other => panic!("{other:?} is not a completion"),
        }
        hits += expected.len();
        scanned += n as usize;
        // Now and then rewrite a slot of the region and ring at once: the
        // next tick must see the committed write.
        if n > 0 && rng.gen_ratio(1, 2) {
            let slot = model.regions[s].0 + rng.gen_range(0..n as usize);
            let p = position_at(&mut rng, &model.units[s], price, Margin::Near);
            bench.command(&board::position(slot as u32, Some(p)));
            bench.commit();
            model.slots[slot] = Some(p);
        }
    }
    assert_eq!(bench.read_ok(reg::TICKS), ticks);
    assert_eq!(bench.read_ok(reg::TICK_DONE_SEQ), ticks);
    assert_eq!(bench.read_ok(reg::RESULTS), hits as u32);
    assert_eq!(bench.read_ok(reg::STALL_CYCLES), stalls as u32);
    assert_eq!(bench.read_ok(reg::ERRORS), 0);
    eprintln!(
        "L = {L}: {hits} hits in {scanned} slots scanned, {stalls} stall cycles; load {loaded} cycles, \
         {} cycles in all, {:.1} s",
        bench.cycles,
        started.elapsed().as_secs_f64()
    );
    assert!(hits > 0 && hits < scanned, "{hits} hits in {scanned} slots");
    if heavy {
        assert!(stalls > 0, "back-pressure never held the scan");
    }
}

#[test]
fn one_lane_matches_model() {
    run::<1, 4>(Setup {
        seed: 11,
        symbols: 2,
        ticks: 10,
        ready: 1.0,
        heavy: false,
    });
}

/// Rows of hits and a slow stream: the FIFO fills and `res_ready` holds the scan.
#[test]
fn two_lanes_held_by_the_stream() {
    run::<2, 5>(Setup {
        seed: 12,
        symbols: 1,
        ticks: 2,
        ready: 0.1,
        heavy: true,
    });
}

/// Eight lanes, rows of several hits and a slow stream: the select stage
/// picks each row's lanes lowest first while the FIFO fills and empties.
#[test]
fn eight_lanes_held_by_the_stream() {
    run::<8, 4>(Setup {
        seed: 14,
        symbols: 1,
        ticks: 2,
        ready: 0.2,
        heavy: true,
    });
}

#[test]
fn four_lanes_with_random_tready() {
    run::<4, 3>(Setup {
        seed: 13,
        symbols: 2,
        ticks: 8,
        ready: 0.5,
        heavy: false,
    });
}
