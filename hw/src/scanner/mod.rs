//! The scanner: position memory, symbol table, `L` lanes and the result stream.
//!
//! Built from blocks, one file each, the way rust-hdl's `SynchronousFIFO` is
//! built from a RAM and its read and write logic:
//! * [`ScanControl`] (`control`): accepts a tick, runs `busy`, `done` and
//!   `cycles`, fetches the symbol's region, computes the scan geometry and
//!   flags the steps at which the lanes load and issue rows;
//! * [`SymbolTable`] (`symbols`): the region memories, the bracket banks
//!   with their shared row registers, and the host's table writes;
//! * [`LaneSlice`] (`lanes[i]`): one lane with its position banks, its row
//!   and slot counters, its relays, its branch of the enable tree and its
//!   result stream ([`ResultSkid`]);
//! * [`ports`](mod@ports): the top module's port names, for drivers and test benches.
//!
//! # Storage
//! * Position memory: `L` banks; slot `s` lives in bank `s mod L`, row `s / L`.
//!   A slot is one word `(Q, T)` (held as two memories sharing the address)
//!   plus a 1-bit valid memory per bank, so clearing a liquidated slot
//!   writes one bit.
//! * Symbol table: per symbol a region (base row, slot count; regions are
//!   `L`-aligned since they start at a row) and a bracket table of
//!   [`spec::MAX_BRACKETS`] entries. The brackets sit in [`BRACKET_BANKS`]
//!   banks (bracket `j` in bank `j mod 4` at word `symbol·4 + j/4`), so a
//!   tick fetches its table in four reads, alongside the region; four deep
//!   banks fill an ECP5's block RAMs far better than sixteen shallow ones.
//!   Each bank's words pass through one shared register with no clock
//!   enable, so the four registers hold one row of four brackets per edge.
//!   Each lane samples the rows into its own relay registers (edges 6 to 9
//!   after the tick) and writes them, on the edge after, into its compares'
//!   cap registers and its LUT RAM tables (see [`crate::bracket_select`]),
//!   long before the first row's compares read the caps (edge 19) and the
//!   tables are read (edge 23), so compares and selects never reach across
//!   the chip, the way from the shared registers to a lane is two hops, and
//!   no enable spans the shared registers.
//! * The symbol-table read address (tick symbol, then the fetch counter) is
//!   registered once in the control before it reaches the banks, and once
//!   more in a copy per bracket bank (a relay the floorplan pins midway).
//! * Every memory registers its read address, its read enable and its write
//!   port beside its blocks and reads through two more registers
//!   ([`READ_LATENCY`] = 3; on the ECP5 the last is the block RAM's own
//!   output register), see [`crate::memory`].
//! * Memories are never initialised: the host writes every word a scan reads.
//!
//! # Ports (the register map)
//! Host writes (`pos_wr`, `brk_wr`, `reg_wr`) are applied at the clock edge
//! where they are high while `busy` and `tick_valid` are both low, and
//! **ignored on every other edge** (while busy, and on an edge that may
//! accept a tick). A tick accepted on the edge after a write sees it (a
//! position write reaches its bank a few edges later, still before the
//! tick's first read).
//!
//! | port | dir | width | meaning |
//! |---|---|---|---|
//! | `clock` | in | 1 | the single clock |
//! | `at_equal` | in | 1 | config: liquidate at a margin sum of exactly 0 (the lanes see it two edges later; hold it during a scan) |
//! | `pos_wr` | in | 1 | write slot `pos_wr_slot` |
//! | `pos_wr_slot` | in | 32 | slot number, `< slots` |
//! | `pos_wr_valid` | in | 1 | slot holds a position (0 = hole) |
//! | `pos_wr_qty` | in | 32 s | `Q`, signed lots |
//! | `pos_wr_offset` | in | 108 s | `T` |
//! | `brk_wr` | in | 1 | write bracket `brk_wr_index` of `brk_wr_symbol` |
//! | `brk_wr_symbol` | in | `SYM_BITS` | symbol |
//! | `brk_wr_index` | in | 4 | bracket 0..15 (pad to 16, see `spec`) |
//! | `brk_wr_cap` | in | 63 | `cap_b` |
//! | `brk_wr_maint` | in | 107 | `A_b` |
//! | `brk_wr_weight_long` | in | 37 | `W_b,+` |
//! | `brk_wr_weight_short` | in | 37 | `W_b,−` |
//! | `reg_wr` | in | 1 | write the region of `reg_wr_symbol` |
//! | `reg_wr_symbol` | in | `SYM_BITS` | symbol |
//! | `reg_wr_base_row` | in | 32 | first slot / `L` |
//! | `reg_wr_count` | in | 32 | slots `n` (holes included), `base_row·L + n ≤ slots` |
//! | `tick_valid` | in | 1 | start a scan; accepted on an edge where `busy` is low |
//! | `tick_symbol` | in | `SYM_BITS` | symbol to scan |
//! | `tick_price` | in | 32 | mark `P` in ticks |
//! | `res_ready` | in | 1 | result stream ready; low holds the scan for that cycle |
//! | `res_valid$i` | out | 1 | lane `i` reports a liquidation this cycle |
//! | `res_slot$i` | out | 32 | its slot |
//! | `res_shortfall$i` | out | 110 s | its shortfall `MM − E = −(T + A_b + σ·X·W_b,σ)` |
//! | `busy` | out | 1 | a scan is running |
//! | `done` | out | 1 | one-cycle pulse after the scan's last result |
//! | `cycles` | out | 32 | cycles of the current or last scan |
//!
//! A result is transferred on a clock edge where `res_valid$i` and
//! `res_ready` are both high. Its valid bit is cleared in memory by the edge
//! that ends the `done` cycle at the latest, so a slot is reported once until
//! the host rewrites it.
//!
//! # Timing contract
//! Call the edge that accepts a tick edge 0. With no stalls, `done` is high
//! during exactly the cycle that follows edge `K = ceil(n / L) + D`
//! ([`PIPELINE_DEPTH`], equal to `spec::PIPELINE_DEPTH`); `busy` is high
//! in the cycles after edges `0 .. K−1` and low in the `done` cycle (so the
//! next tick can be accepted on edge `K + 1`), and `cycles` reads `K` from the `done` cycle
//! until the next tick. Every busy cycle with `res_ready` low delays
//! everything after it by one cycle and adds one to `K` and `cycles`. Every
//! result of the scan is presented before the `done` cycle.
//!
//! `D = ISSUE_STEP + LANE_CONTROL_STAGES + READ_LATENCY + MEMORY_STAGES +
//! Lane::LATENCY + 1` (= 34): six steps to address and fetch the region and
//! compute the scan geometry (the bracket table is fetched alongside), two
//! steps for each lane's two registered copies of the control's flags (a
//! relay midway and the lane's own), the slot
//! memory's three read registers, one register stage that carries the slot
//! data to its lane, the lane, and one edge for the registered valid-bit
//! clear of the last row. Without stalls, row `k` is sampled by the memories
//! on edge `ISSUE_STEP + LANE_CONTROL_STAGES + k + 1` and its results are on
//! the ports in cycle `ISSUE_STEP + LANE_CONTROL_STAGES + k + READ_LATENCY +
//! MEMORY_STAGES + Lane::LATENCY`.
//!
//! # Back-pressure
//! `res_ready` reaches only the result-stream step counter (and its
//! last-step flag), a root copy of
//! the enable per lane and one for the control, and each lane's port
//! selects (see [`crate::fanout`]). Each root feeds its lane's first-level
//! copies, and each of those the copies of its own group of pipeline
//! registers. The core (memories, lanes and the issue of rows) runs on that
//! third level, so it sees a stall three cycles late and may push up to
//! three more results out of each lane. They wait in the lane's three skid
//! registers ([`ResultSkid`]); the ports show the one as many core steps
//! back as the core is ahead, which the lane's own port selects tell. The
//! core is never more than three steps ahead of the stream, nor behind it
//! (the last busy cycle is always a ready one), so the ports present exactly
//! the sequence, cycle for cycle, that a pipeline frozen by `res_ready`
//! itself would.

mod control;
mod lane_slice;
pub mod ports;
mod results;
mod symbol_table;

use rust_hdl::prelude::*;

use liqscan_core::spec;

use crate::lane::Lane;
use crate::memory::READ_LATENCY;

pub use control::ScanControl;
pub use lane_slice::LaneSlice;
pub use ports::{lane_port, port, ports, Dir, Port};
pub use results::ResultSkid;
pub use symbol_table::{BracketRow, BracketWord, SymbolTable};

/// `P`, ticks.
pub type Price = Bits<{ spec::PRICE_BITS as usize }>;
/// `Q`, signed lots.
pub type Qty = Signed<{ spec::QTY_STORE_BITS as usize }>;
/// `T`, signed.
pub type Offset = Signed<{ spec::OFFSET_BITS as usize }>;
/// `−(T + A_b + σ·X·W_b,σ)`, signed.
pub type Shortfall = Signed<{ spec::SUM_BITS as usize }>;
/// `cap_b`.
pub type Cap = Bits<{ spec::NOTIONAL_BITS as usize }>;
/// `A_b`.
pub type Maint = Bits<{ spec::MAINT_BITS as usize }>;
/// `W_b,±`.
pub type Weight = Bits<{ spec::WEIGHT_BITS as usize }>;
/// Slot numbers, rows, counts and the cycle counter.
pub type Word = Bits<32>;

/// Bracket-table banks.
pub const BRACKET_BANKS: usize = 4;
/// Brackets per bank and symbol (`log2` of it is the bank address's low bits).
const BANK_DEPTH: usize = spec::MAX_BRACKETS / BRACKET_BANKS;
const _: () = assert!(BANK_DEPTH == 4 && BRACKET_BANKS * BANK_DEPTH == spec::MAX_BRACKETS);
/// The symbol-table read address is registered in the control before it
/// fans out to the banks' own address registers, spread over the chip.
const ADDRESS_STAGES: u64 = 1;
/// Scan steps before the first row is issued: the region leaves its memory
/// `ADDRESS_STAGES + READ_LATENCY − 1` steps after the tick, is registered,
/// and the scan geometry takes two more steps (one adder each).
pub const ISSUE_STEP: u64 = ADDRESS_STAGES + READ_LATENCY as u64 + 2;
/// The region (and bracket word 0) leaves its memory after this many edges.
const REGION_STEP: u64 = ADDRESS_STAGES + READ_LATENCY as u64 - 1;
/// The bracket banks' read address passes one more register than the
/// region table's: a copy per bank, which the floorplan pins midway between
/// the control and the bank (the bracket banks take the block RAM sites the
/// lanes leave, often at the chip's edge).
const BRACKET_ADDRESS_STAGES: u64 = ADDRESS_STAGES + 1;
/// Bracket word `m` is addressed on edge `m` after the tick and reaches the
/// shared row registers `BRACKET_ADDRESS_STAGES + READ_LATENCY` edges later:
/// after edge `ROW_EDGE + m` they hold row `m` of the table.
pub const ROW_EDGE: u64 = BRACKET_ADDRESS_STAGES + READ_LATENCY as u64;
/// The fetch counter's value when `copy_brackets` is set: the lanes' load
/// edge 0, on which they sample row 0, is the edge after `ROW_EDGE` (flag,
/// the lane's relay and own copy of it, the lane's start, load edge 0).
const COPY_STEP: u64 = ROW_EDGE + 1 - 5;
/// The last value of the fetch counter (it stops there): past the copy
/// step, and word 3 is addressed on the edge that sets it.
const FETCH_DONE: u64 = BANK_DEPTH as u64 - 1;
const _: () = assert!(COPY_STEP < FETCH_DONE && FETCH_DONE < 8);
// The core's step counter is three bits and its geometry steps come just before the issue.
const _: () = assert!(ISSUE_STEP < 8 && REGION_STEP + 3 == ISSUE_STEP);
// The tag and live registers s1..s3 run alongside the memories' read registers.
const _: () = assert!(READ_LATENCY == 3);
/// Register stages between the position memories and the lanes.
pub const MEMORY_STAGES: u64 = 1;
/// Enabled steps by which each lane's row counter follows the control: the
/// lane's copies of the geometry and issue flags are the second of two
/// registers from the control's registers (the first pinned midway by the
/// floorplan).
pub const LANE_CONTROL_STAGES: u64 = 2;
/// `D` of the timing contract: region fetch and scan geometry, memory
/// read, memory stages, lane, and the registered valid-bit clear of the last row.
pub const PIPELINE_DEPTH: u64 = ISSUE_STEP
    + LANE_CONTROL_STAGES
    + READ_LATENCY as u64
    + MEMORY_STAGES
    + Lane::LATENCY as u64
    + 1;
const _: () = assert!(
    PIPELINE_DEPTH == spec::PIPELINE_DEPTH,
    "update spec::PIPELINE_DEPTH"
);
// `at_last` is decided from `last_before` only once the core has loaded it,
// on the edge to stream step `ISSUE_STEP` at the latest: no scan ends sooner
// (its last step is at least `D − 1`).
const _: () = assert!(PIPELINE_DEPTH - 1 > ISSUE_STEP);
// A lane writes row 3 of its table (the edge after its load edge 3) before
// the scan's first row reaches the edge on which its compares read the caps (S7).
const _: () = assert!(
    ROW_EDGE + 1 + 3 + 1
        < ISSUE_STEP + LANE_CONTROL_STAGES + 1 + READ_LATENCY as u64 + MEMORY_STAGES + 6
);

/// The scanner with `L` lanes, `L·2^ROW_BITS` slots and `2^SYM_BITS`
/// symbols; `BRK_BITS = SYM_BITS + 2` (the bracket banks' address width:
/// stable Rust cannot compute it in a type). See the module doc for ports and timing.
#[derive(LogicBlock)]
pub struct Scanner<
    const L: usize,
    const ROW_BITS: usize,
    const SYM_BITS: usize,
    const BRK_BITS: usize,
> {
    pub clock: Signal<In, Clock>,
    pub at_equal: Signal<In, bool>,
    pub pos_wr: Signal<In, bool>,
    pub pos_wr_slot: Signal<In, Word>,
    pub pos_wr_valid: Signal<In, bool>,
    pub pos_wr_qty: Signal<In, Qty>,
    pub pos_wr_offset: Signal<In, Offset>,
    pub brk_wr: Signal<In, bool>,
    pub brk_wr_symbol: Signal<In, Bits<SYM_BITS>>,
    pub brk_wr_index: Signal<In, Bits<4>>,
    pub brk_wr_cap: Signal<In, Cap>,
    pub brk_wr_maint: Signal<In, Maint>,
    pub brk_wr_weight_long: Signal<In, Weight>,
    pub brk_wr_weight_short: Signal<In, Weight>,
    pub reg_wr: Signal<In, bool>,
    pub reg_wr_symbol: Signal<In, Bits<SYM_BITS>>,
    pub reg_wr_base_row: Signal<In, Word>,
    pub reg_wr_count: Signal<In, Word>,
    pub tick_valid: Signal<In, bool>,
    pub tick_symbol: Signal<In, Bits<SYM_BITS>>,
    pub tick_price: Signal<In, Price>,
    pub res_ready: Signal<In, bool>,
    pub res_valid: [Signal<Out, bool>; L],
    pub res_slot: [Signal<Out, Word>; L],
    pub res_shortfall: [Signal<Out, Shortfall>; L],
    pub busy: Signal<Out, bool>,
    pub done: Signal<Out, bool>,
    pub cycles: Signal<Out, Word>,

    control: ScanControl<L, SYM_BITS, BRK_BITS>,
    symbols: SymbolTable<SYM_BITS, BRK_BITS>,
    lanes: [LaneSlice<L, ROW_BITS>; L],
    /// Lane `i`'s number, on its `index` port.
    lane_index: [Constant<Word>; L],
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize> Default
    for Scanner<L, ROW_BITS, SYM_BITS, BRK_BITS>
{
    fn default() -> Self {
        const {
            assert!(L.is_power_of_two() && L <= 16);
            assert!(BRK_BITS == SYM_BITS + 2);
            // Slot numbers fit the 32-bit tag and counters.
            assert!(ROW_BITS + 4 < 32);
        }
        Self {
            clock: Default::default(),
            at_equal: Default::default(),
            pos_wr: Default::default(),
            pos_wr_slot: Default::default(),
            pos_wr_valid: Default::default(),
            pos_wr_qty: Default::default(),
            pos_wr_offset: Default::default(),
            brk_wr: Default::default(),
            brk_wr_symbol: Default::default(),
            brk_wr_index: Default::default(),
            brk_wr_cap: Default::default(),
            brk_wr_maint: Default::default(),
            brk_wr_weight_long: Default::default(),
            brk_wr_weight_short: Default::default(),
            reg_wr: Default::default(),
            reg_wr_symbol: Default::default(),
            reg_wr_base_row: Default::default(),
            reg_wr_count: Default::default(),
            tick_valid: Default::default(),
            tick_symbol: Default::default(),
            tick_price: Default::default(),
            res_ready: Default::default(),
            res_valid: std::array::from_fn(|_| Default::default()),
            res_slot: std::array::from_fn(|_| Default::default()),
            res_shortfall: std::array::from_fn(|_| Default::default()),
            busy: Default::default(),
            done: Default::default(),
            cycles: Default::default(),
            control: Default::default(),
            symbols: Default::default(),
            lanes: std::array::from_fn(|_| LaneSlice::default()),
            lane_index: std::array::from_fn(|i| Constant::new(Word::from(i as u64))),
        }
    }
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize>
    Scanner<L, ROW_BITS, SYM_BITS, BRK_BITS>
{
    /// Position slots.
    pub const SLOTS: usize = L << ROW_BITS;
    /// Symbols.
    pub const SYMBOLS: usize = 1 << SYM_BITS;
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize> Logic
    for Scanner<L, ROW_BITS, SYM_BITS, BRK_BITS>
{
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, control, symbols);

        self.control.tick_valid.next = self.tick_valid.val();
        self.control.tick_symbol.next = self.tick_symbol.val();
        self.control.tick_price.next = self.tick_price.val();
        self.control.res_ready.next = self.res_ready.val();
        self.control.table_base_row.next = self.symbols.base_row.val();
        self.control.table_count.next = self.symbols.count.val();
        self.busy.next = self.control.busy.val();
        self.done.next = self.control.done.val();
        self.cycles.next = self.control.cycles.val();

        self.symbols.busy.next = self.control.busy.val();
        self.symbols.tick_valid.next = self.tick_valid.val();
        self.symbols.read_symbol.next = self.control.read_symbol.val();
        self.symbols.read_address.next = self.control.read_address.val();
        self.symbols.brk_wr.next = self.brk_wr.val();
        self.symbols.brk_wr_symbol.next = self.brk_wr_symbol.val();
        self.symbols.brk_wr_index.next = self.brk_wr_index.val();
        self.symbols.brk_wr_cap.next = self.brk_wr_cap.val();
        self.symbols.brk_wr_maint.next = self.brk_wr_maint.val();
        self.symbols.brk_wr_weight_long.next = self.brk_wr_weight_long.val();
        self.symbols.brk_wr_weight_short.next = self.brk_wr_weight_short.val();
        self.symbols.reg_wr.next = self.reg_wr.val();
        self.symbols.reg_wr_symbol.next = self.reg_wr_symbol.val();
        self.symbols.reg_wr_base_row.next = self.reg_wr_base_row.val();
        self.symbols.reg_wr_count.next = self.reg_wr_count.val();

        for i in 0..L {
            self.lanes[i].clock.next = self.clock.val();
            self.lanes[i].index.next = self.lane_index[i].val();
            self.lanes[i].res_ready.next = self.res_ready.val();
            self.lanes[i].busy.next = self.control.busy.val();
            self.lanes[i].busy_next.next = self.control.busy_next.val();
            self.lanes[i].at_equal.next = self.at_equal.val();
            self.lanes[i].copy_brackets.next = self.control.copy_brackets.val();
            self.lanes[i].geo_load.next = self.control.geo_load.val();
            self.lanes[i].geo_end.next = self.control.geo_end.val();
            self.lanes[i].issuing.next = self.control.issuing.val();
            self.lanes[i].base_row.next = self.control.base_row.val();
            self.lanes[i].end_slot.next = self.control.end_slot.val();
            self.lanes[i].price.next = self.control.price.val();
            self.lanes[i].brackets.next = self.symbols.row.val();
            self.lanes[i].tick_valid.next = self.tick_valid.val();
            self.lanes[i].pos_wr.next = self.pos_wr.val();
            self.lanes[i].pos_wr_slot.next = self.pos_wr_slot.val();
            self.lanes[i].pos_wr_valid.next = self.pos_wr_valid.val();
            self.lanes[i].pos_wr_qty.next = self.pos_wr_qty.val();
            self.lanes[i].pos_wr_offset.next = self.pos_wr_offset.val();
            self.res_valid[i].next = self.lanes[i].res_valid.val();
            self.res_slot[i].next = self.lanes[i].res_slot.val();
            self.res_shortfall[i].next = self.lanes[i].res_shortfall.val();
        }
    }
}
