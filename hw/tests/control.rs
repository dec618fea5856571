//! The scan control in the rust-hdl simulator, its region table emulated
//! in plain Rust (read through `READ_LATENCY` registers), against the
//! timing contract of `liqscan_core::spec` with random back-pressure:
//! `busy`, `done` and `cycles` after `ceil(n/L) + D` edges plus one per
//! stall, one issue step per row on the core's enable, the scan's region
//! and price held from the lanes' load on, the symbol table's read
//! addresses and the bracket copy's edge.

mod common;

use std::collections::VecDeque;

use common::{check_verilog, new_uut, settle};
use liqscan_core::spec;
use liqscan_hw::memory::READ_LATENCY;
use liqscan_hw::scanner::{ScanControl, ROW_EDGE};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

const L: usize = 4;
const SYMBOLS: usize = 8;
type Control = ScanControl<L, 3, 5>;

/// The control and the region table it reads.
struct Bench {
    uut: Box<Control>,
    regions: [(u32, u32); SYMBOLS],
    /// `read_symbol` as sampled on each edge, the newest last.
    reads: VecDeque<usize>,
    /// `ready ∨ ¬busy` of each cycle, the newest last: the core's enable
    /// is that of three cycles before.
    ready_or_idle: VecDeque<bool>,
}

impl Bench {
    fn new(rng: &mut ChaCha8Rng) -> Self {
        let regions = std::array::from_fn(|_| {
            (
                rng.gen_range(0..1000),
                [
                    0,
                    1,
                    L as u32 - 1,
                    L as u32,
                    L as u32 + 1,
                    rng.gen_range(0..200),
                ][rng.gen_range(0..6)],
            )
        });
        let mut bench = Self {
            uut: new_uut(),
            regions,
            reads: VecDeque::from(vec![0; READ_LATENCY]),
            ready_or_idle: VecDeque::from(vec![true; 3]),
        };
        bench.uut.res_ready.next = true;
        bench.edge();
        bench
    }

    /// Settles the inputs of this cycle (the region table's output included).
    fn settle(&mut self) {
        let (base, count) = self.regions[self.reads[self.reads.len() - READ_LATENCY]];
        self.uut.table_base_row.next = u64::from(base).into();
        self.uut.table_count.next = u64::from(count).into();
        self.uut.clock.next = Clock { clk: false };
        settle(&mut *self.uut);
    }

    fn core_enabled(&self) -> bool {
        self.ready_or_idle[self.ready_or_idle.len() - 3]
    }

    fn edge(&mut self) {
        self.settle();
        let u = &self.uut;
        self.reads.push_back(u.read_symbol.val().index());
        self.ready_or_idle
            .push_back(u.res_ready.val() || !u.busy.val());
        let busy_next = u.busy_next.val();
        self.uut.clock.next = Clock { clk: true };
        settle(&mut *self.uut);
        assert_eq!(
            self.uut.busy.val(),
            busy_next,
            "busy after the edge is the busy_next before it"
        );
    }

    /// One tick of `symbol` at `price` under `ready(cycle)`: checks every
    /// output cycle by cycle; returns (cycles, stalls).
    fn scan(
        &mut self,
        symbol: usize,
        price: u32,
        mut ready: impl FnMut(u64) -> bool,
    ) -> (u64, u64) {
        let (base, count) = self.regions[symbol];
        self.uut.tick_valid.next = true;
        self.uut.tick_symbol.next = (symbol as u64).into();
        self.uut.tick_price.next = u64::from(price).into();
        self.settle();
        assert!(!self.uut.busy.val());
        self.edge(); // edge 0
        self.uut.tick_valid.next = false;
        let rows = u64::from(count).div_ceil(L as u64);
        let (mut k, mut stalls, mut issued) = (0u64, 0u64, 0u64);
        let (mut loaded, mut ended, mut copies) = (false, false, Vec::new());
        loop {
            let r = ready(k);
            self.uut.res_ready.next = r;
            self.settle();
            let u = &self.uut;
            // This is the cycle after edge k.
            if k < 4 {
                let word = (symbol * 4) as u64 + k;
                assert_eq!(u.read_address.val().to_u64(), word, "bracket word {k}");
            }
            assert_eq!(u.read_symbol.val().index(), symbol);
            assert_eq!(u.price.val().to_u32(), price);
            if u.copy_brackets.val() {
                copies.push(k);
            }
            if u.done.val() {
                assert!(!u.busy.val(), "busy low in the done cycle");
                assert_eq!(u.cycles.val().to_u64(), k, "cycles in the done cycle");
                assert!(loaded && ended, "the lanes were told the geometry");
                assert_eq!(issued, rows, "one issue step per row");
                assert_eq!(
                    copies,
                    [ROW_EDGE - 3],
                    "one bracket copy, four edges before load edge 0"
                );
                self.uut.res_ready.next = true;
                self.edge();
                assert!(!self.uut.done.val(), "done is a one-cycle pulse");
                return (k, stalls);
            }
            assert!(u.busy.val(), "busy until done (cycle {k})");
            if self.core_enabled() {
                if u.geo_load.val() {
                    assert!(!loaded, "one geometry load");
                    loaded = true;
                }
                if u.geo_end.val() {
                    assert!(loaded && !ended, "the end after the load");
                    ended = true;
                }
                if u.issuing.val() {
                    assert!(ended, "rows issued after the geometry");
                    issued += 1;
                }
            }
            if loaded {
                assert_eq!(u.base_row.val().to_u32(), base, "region base held");
            }
            if ended {
                assert_eq!(
                    u.end_slot.val().to_u64(),
                    u64::from(base) * L as u64 + u64::from(count),
                    "region end held"
                );
            }
            stalls += u64::from(!r);
            self.edge();
            k += 1;
            assert!(k < 10_000, "scan never finished");
        }
    }
}

#[test]
fn control_keeps_the_timing_contract() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x63746c);
    let mut bench = Bench::new(&mut rng);
    let mut total_stalls = 0;
    for tick in 0..200 {
        let symbol = rng.gen_range(0..SYMBOLS);
        let price = rng.gen();
        // Idle cycles between ticks.
        for _ in 0..rng.gen_range(0..3) {
            bench.settle();
            assert!(!bench.uut.busy.val() && !bench.uut.done.val());
            bench.edge();
        }
        let backpressure = tick % 2 == 1;
        let mut ready_rng = ChaCha8Rng::seed_from_u64(rng.gen());
        let (cycles, stalls) = bench.scan(symbol, price, |_| {
            !backpressure || ready_rng.gen_ratio(2, 3)
        });
        let n = u64::from(bench.regions[symbol].1);
        assert_eq!(cycles, spec::scan_cycles(n, L as u64) + stalls, "n = {n}");
        total_stalls += stalls;
    }
    assert!(total_stalls > 1_000, "{total_stalls} stalls");
}

#[test]
fn control_synthesizes() {
    check_verilog::<Control>("scan_control");
}
