//! The scanner in rust-hdl's simulator against the spec's reference formula
//! (`SymbolUnits::margin_sum` + `spec::liquidates`): random books with holes,
//! random ticks, random back-pressure, cleared valid bits, and the timing
//! contract `ceil(n/L) + D (+1 per stall)` checked cycle for cycle.

use liqscan_core::spec::{self, BracketConst, PositionConst, Step, SymbolUnits};
use liqscan_hw::scanner::Scanner;
use num_bigint::{BigInt, BigUint};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::core::simulate::simulate;
use rust_hdl::prelude::*;

const SYMBOLS: usize = 8;

fn ubits<const N: usize>(x: u128) -> Bits<N> {
    Bits::from(BigUint::from(x))
}

fn sbits<const N: usize>(x: i128) -> Signed<N> {
    Signed::from(BigInt::from(x))
}

fn to_i128<const N: usize>(x: Signed<N>) -> i128 {
    i128::try_from(x.bigint()).expect("fits i128")
}

/// What one scan produced.
#[derive(Debug)]
struct Scan {
    /// `(slot, shortfall)` in transfer order.
    events: Vec<(u32, i128)>,
    /// Edges from the accepting edge to the one that raised `done`.
    cycles: u64,
    /// Busy cycles with `res_ready` low.
    stalls: u64,
    /// The `cycles` port in the `done` cycle.
    cycles_port: u64,
}

struct Bench<const L: usize, const R: usize> {
    uut: Box<Scanner<L, R, 3, 5>>,
}

impl<const L: usize, const R: usize> Bench<L, R> {
    const SLOTS: usize = L << R;

    fn new(at_equal: bool) -> Self {
        let mut uut = Box::new(Scanner::<L, R, 3, 5>::default());
        uut.connect_all();
        let mut bench = Self { uut };
        bench.uut.at_equal.next = at_equal;
        bench.uut.res_ready.next = true;
        bench.settle();
        bench.clock();
        bench
    }

    fn settle(&mut self) {
        assert!(simulate(&mut *self.uut, 10_000), "circuit did not settle");
    }

    fn clock(&mut self) {
        self.uut.clock.next = Clock { clk: true };
        self.settle();
        self.uut.clock.next = Clock { clk: false };
        self.settle();
    }

    fn set_position(&mut self, slot: usize, valid: bool, p: PositionConst) {
        let u = &mut self.uut;
        u.pos_wr.next = true;
        u.pos_wr_slot.next = (slot as u64).into();
        u.pos_wr_valid.next = valid;
        u.pos_wr_qty.next = sbits(p.qty_lots.into());
        u.pos_wr_offset.next = sbits(p.offset);
    }

    fn write_position(&mut self, slot: usize, valid: bool, p: PositionConst) {
        self.set_position(slot, valid, p);
        self.clock();
        self.uut.pos_wr.next = false;
    }

    fn write_brackets(&mut self, symbol: usize, brackets: &[BracketConst; spec::MAX_BRACKETS]) {
        for (j, b) in brackets.iter().enumerate() {
            let u = &mut self.uut;
            u.brk_wr.next = true;
            u.brk_wr_symbol.next = (symbol as u64).into();
            u.brk_wr_index.next = (j as u64).into();
            u.brk_wr_cap.next = b.cap.into();
            u.brk_wr_maint.next = ubits(b.maint);
            u.brk_wr_weight_long.next = b.weight_long.into();
            u.brk_wr_weight_short.next = b.weight_short.into();
            self.clock();
        }
        self.uut.brk_wr.next = false;
    }

    fn write_region(&mut self, symbol: usize, base_row: usize, count: usize) {
        let u = &mut self.uut;
        u.reg_wr.next = true;
        u.reg_wr_symbol.next = (symbol as u64).into();
        u.reg_wr_base_row.next = (base_row as u64).into();
        u.reg_wr_count.next = (count as u64).into();
        self.clock();
        self.uut.reg_wr.next = false;
    }

    /// Runs one tick; `ready(cycle)` drives `res_ready`. While busy, the host
    /// keeps presenting a garbage position write, which must be ignored.
    fn scan(&mut self, symbol: usize, price: u32, mut ready: impl FnMut(u64) -> bool) -> Scan {
        self.settle();
        assert!(!self.uut.busy.val());
        self.uut.tick_valid.next = true;
        self.uut.tick_symbol.next = (symbol as u64).into();
        self.uut.tick_price.next = u64::from(price).into();
        self.clock(); // edge 0
        self.uut.tick_valid.next = false;
        self.set_position(
            0,
            true,
            PositionConst {
                qty_lots: -1,
                offset: -(1 << 100),
            },
        );
        let (mut events, mut stalls, mut k) = (Vec::new(), 0, 0u64);
        loop {
            let r = ready(k);
            self.uut.res_ready.next = r;
            self.settle();
            let u = &self.uut;
            if u.done.val() {
                assert!(!u.busy.val(), "busy low in the done cycle");
                assert!(
                    (0..L).all(|i| !u.res_valid[i].val()),
                    "no result in the done cycle"
                );
                let cycles_port = u.cycles.val().to_u64();
                self.uut.pos_wr.next = false;
                self.uut.res_ready.next = true;
                self.clock();
                assert!(!self.uut.done.val(), "done is a one-cycle pulse");
                return Scan {
                    events,
                    cycles: k,
                    stalls,
                    cycles_port,
                };
            }
            assert!(u.busy.val(), "busy until done (cycle {k})");
            if r {
                for i in 0..L {
                    if u.res_valid[i].val() {
                        events.push((
                            u.res_slot[i].val().to_u32(),
                            to_i128(u.res_shortfall[i].val()),
                        ));
                    }
                }
            } else {
                stalls += 1;
            }
            self.clock();
            k += 1;
            assert!(k < 10_000, "scan never finished");
        }
    }
}

/// The host's view: symbol tables and slots, scanned with the reference formula.
struct Model {
    units: Vec<SymbolUnits>,
    regions: Vec<(usize, usize)>,
    slots: Vec<Option<PositionConst>>,
    at_equal: bool,
}

impl Model {
    fn scan(&mut self, symbol: usize, price: u32) -> Vec<(u32, i128)> {
        let (first, count) = self.regions[symbol];
        let mut events = Vec::new();
        for slot in first..first + count {
            if let Some(p) = self.slots[slot] {
                let sum = self.units[symbol].margin_sum(p, price);
                if spec::liquidates(sum, self.at_equal) {
                    events.push((slot as u32, -sum));
                    self.slots[slot] = None;
                }
            }
        }
        events
    }
}

/// A number of random bit length `1..=bits` (log-uniform), so small and huge values both occur.
fn spread(rng: &mut ChaCha8Rng, bits: u32) -> u128 {
    let len = rng.gen_range(1..=bits);
    rng.gen_range(1u128 << (len - 1)..=(1u128 << len) - 1)
}

fn random_symbol(rng: &mut ChaCha8Rng) -> SymbolUnits {
    let count = rng.gen_range(1..=spec::MAX_BRACKETS);
    let mut caps: Vec<u64> = (0..count - 1)
        .map(|_| spread(rng, spec::NOTIONAL_BITS) as u64)
        .collect();
    caps.sort_unstable();
    caps.dedup();
    caps.push(spec::NOTIONAL_MAX);
    let mut brackets = [BracketConst::default(); spec::MAX_BRACKETS];
    for (j, &cap) in caps.iter().enumerate() {
        brackets[j] = BracketConst {
            cap,
            maint: spread(rng, spec::MAINT_BITS - 1),
            mmr: 0,
            weight_long: spread(rng, spec::WEIGHT_BITS) as u64,
            weight_short: spread(rng, spec::WEIGHT_BITS) as u64,
        };
    }
    for j in caps.len()..spec::MAX_BRACKETS {
        brackets[j] = brackets[caps.len() - 1];
    }
    let step = Step {
        units: 1,
        decimals: 0,
    };
    SymbolUnits {
        tick: step,
        lot: step,
        quote_decimals: 8,
        k6: 1,
        bracket_count: caps.len(),
        brackets,
        continuous: false,
    }
}

/// A position whose margin sum at `price` is a small random value (so ticks
/// around `price` both hit and miss), sometimes exactly zero.
fn random_position(rng: &mut ChaCha8Rng, units: &SymbolUnits, price: u32) -> PositionConst {
    loop {
        let magnitude = spread(rng, spec::QTY_BITS) as i32;
        let qty_lots = if rng.gen() { magnitude } else { -magnitude };
        let base = units.margin_sum(
            PositionConst {
                qty_lots,
                offset: 0,
            },
            price,
        );
        let target = match rng.gen_range(0..4) {
            0 => 0,
            1 => rng.gen_range(-3..=3),
            _ => {
                let t = spread(rng, 100) as i128;
                if rng.gen() {
                    t
                } else {
                    -t
                }
            }
        };
        let offset = target - base;
        let limit = 1i128 << (spec::OFFSET_BITS - 1);
        if (-limit..limit).contains(&offset) {
            return PositionConst { qty_lots, offset };
        }
    }
}

/// Loads a random book, runs `ticks` random ticks under `ready` and compares
/// every event and every scan's cycle count with the model.
fn run<const L: usize, const R: usize>(seed: u64, ticks: usize, backpressure: bool) {
    big_stack(move || run_on::<L, R>(seed, ticks, backpressure));
}

/// The circuit is built on the stack (rust-hdl blocks are plain structs),
/// deeper than a test thread's default stack.
fn big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

fn run_on<const L: usize, const R: usize>(seed: u64, ticks: usize, backpressure: bool) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let at_equal = rng.gen();
    let mut bench = Bench::<L, R>::new(at_equal);
    let slots = Bench::<L, R>::SLOTS;
    let rows = slots / L;

    // Regions: row-aligned, disjoint, random sizes (0 and partial rows included).
    let units: Vec<SymbolUnits> = (0..SYMBOLS).map(|_| random_symbol(&mut rng)).collect();
    let ref_price: Vec<u32> = (0..SYMBOLS)
        .map(|_| spread(&mut rng, spec::PRICE_BITS) as u32)
        .collect();
    let mut regions = Vec::new();
    let mut next_row = 0;
    for _ in 0..SYMBOLS {
        let free_rows = rows - next_row;
        let take = rng.gen_range(0..=free_rows.min(rows / SYMBOLS + 2));
        let count = if take == 0 {
            0
        } else {
            take * L - rng.gen_range(0..L)
        };
        regions.push((next_row * L, count));
        next_row += take;
    }
    let mut model = Model {
        units,
        regions,
        slots: vec![None; slots],
        at_equal,
    };
    #[allow(clippy::needless_range_loop)] // `s` is the symbol number written to the circuit
    for s in 0..SYMBOLS {
        bench.write_brackets(s, &model.units[s].brackets);
        let (first, count) = model.regions[s];
        bench.write_region(s, first / L, count);
        for slot in first..first + count {
            let p = random_position(&mut rng, &model.units[s], ref_price[s]);
            let valid = rng.gen_ratio(4, 5);
            bench.write_position(slot, valid, p);
            model.slots[slot] = valid.then_some(p);
        }
    }

    let (mut hits, mut scanned) = (0, 0);
    for _ in 0..ticks {
        let s = rng.gen_range(0..SYMBOLS);
        let price = (i64::from(ref_price[s]) + rng.gen_range(-2..=2))
            .clamp(1, spec::PRICE_MAX as i64) as u32;
        let mut ready_rng = ChaCha8Rng::seed_from_u64(rng.gen());
        let scan = bench.scan(s, price, |_| !backpressure || ready_rng.gen_ratio(2, 3));
        let expected = model.scan(s, price);
        assert_eq!(scan.events, expected, "symbol {s} price {price}");
        hits += expected.len();
        scanned += model.regions[s].1;
        let n = model.regions[s].1 as u64;
        assert_eq!(
            scan.cycles,
            spec::scan_cycles(n, L as u64) + scan.stalls,
            "n = {n}"
        );
        assert_eq!(scan.cycles_port, scan.cycles);
        // Occasionally rewrite a slot of the region (revalidating it).
        if n > 0 && rng.gen_ratio(1, 2) {
            let slot = model.regions[s].0 + rng.gen_range(0..n as usize);
            let p = random_position(&mut rng, &model.units[s], price);
            bench.write_position(slot, true, p);
            model.slots[slot] = Some(p);
        }
    }
    // The book must exercise both outcomes, or the comparison proves little.
    eprintln!("L = {L}: {hits} hits in {scanned} slots scanned");
    assert!(hits > 0 && hits < scanned, "{hits} hits in {scanned} slots");
}

#[test]
fn one_lane_matches_reference() {
    run::<1, 6>(1, 40, false);
}

#[test]
fn one_lane_with_backpressure() {
    run::<1, 6>(2, 30, true);
}

#[test]
fn eight_lanes_matches_reference() {
    run::<8, 4>(3, 40, false);
}

#[test]
fn eight_lanes_with_backpressure() {
    run::<8, 4>(4, 30, true);
}

#[test]
fn two_and_four_lanes_match_reference() {
    run::<2, 5>(5, 20, true);
    run::<4, 4>(6, 20, true);
}

/// A second tick at the same price reports nothing: every hit was cleared.
#[test]
fn liquidated_slots_are_reported_once() {
    big_stack(reported_once);
}

fn reported_once() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut bench = Bench::<4, 3>::new(false);
    let units = random_symbol(&mut rng);
    bench.write_brackets(2, &units.brackets);
    bench.write_region(2, 1, 13);
    let mut expected = Vec::new();
    for slot in 4..17 {
        let p = random_position(&mut rng, &units, 1000);
        bench.write_position(slot, true, p);
        let sum = units.margin_sum(p, 1000);
        if spec::liquidates(sum, false) {
            expected.push((slot as u32, -sum));
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(bench.scan(2, 1000, |_| true).events, expected);
    assert_eq!(bench.scan(2, 1000, |_| true).events, vec![]);
}

/// A write presented on the edge that accepts a tick is ignored; the same
/// write on the edge before a tick is seen by it.
#[test]
fn writes_on_the_accepting_edge_are_ignored() {
    big_stack(accepting_edge_writes);
}

fn accepting_edge_writes() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut bench = Bench::<4, 3>::new(false);
    let units = random_symbol(&mut rng);
    bench.write_brackets(1, &units.brackets);
    bench.write_region(1, 0, 8);
    // Healthy positions only, so any event comes from the late write.
    let healthy = PositionConst {
        qty_lots: 1,
        offset: (1 << 106) - 1,
    };
    assert!(!spec::liquidates(units.margin_sum(healthy, 1000), false));
    for slot in 0..8 {
        bench.write_position(slot, true, healthy);
    }
    let doomed = PositionConst {
        qty_lots: 1,
        offset: -(1 << 106),
    };
    let sum = units.margin_sum(doomed, 1000);
    assert!(spec::liquidates(sum, false));
    bench.set_position(5, true, doomed);
    assert_eq!(bench.scan(1, 1000, |_| true).events, vec![]);
    bench.write_position(5, true, doomed);
    assert_eq!(bench.scan(1, 1000, |_| true).events, vec![(5, -sum)]);
}

/// `ceil(n/L) + D` exactly for n = 0, 1, L−1, L, L+1 and several rows, and
/// one more cycle per stall wherever the stall falls.
#[test]
fn timing_contract() {
    fn check<const L: usize, const R: usize>() {
        let mut bench = Bench::<L, R>::new(false);
        let units = random_symbol(&mut ChaCha8Rng::seed_from_u64(8));
        bench.write_brackets(0, &units.brackets);
        for n in [0, 1, L.saturating_sub(1), L, L + 1, 3 * L + 1, 5 * L] {
            bench.write_region(0, 2, n);
            let base = spec::scan_cycles(n as u64, L as u64);
            let scan = bench.scan(0, 1, |_| true);
            assert_eq!(
                (scan.cycles, scan.cycles_port),
                (base, base),
                "L = {L}, n = {n}"
            );
            for stall_at in [0, 1, base / 2, base - 1] {
                let scan = bench.scan(0, 1, |k| k != stall_at && k != stall_at + 1);
                assert_eq!(scan.stalls, 2);
                assert_eq!(
                    scan.cycles,
                    base + 2,
                    "L = {L}, n = {n}, stalls at {stall_at}"
                );
            }
        }
    }
    big_stack(|| {
        check::<1, 4>();
        check::<8, 3>();
    });
}
