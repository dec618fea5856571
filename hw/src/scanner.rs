//! The scanner: position memory, symbol table, `L` lanes and the result stream.
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
//!   cap registers and its LUT RAM tables (see [`crate::table`]), long
//!   before the first row's compares read the caps (edge 19) and the
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
//! registers; the ports show the one as many core steps back as the core is
//! ahead, which the lane's own port selects tell. The core is
//! never more than three steps ahead of the stream, nor behind it (the last
//! busy cycle is always a ready one), so the ports present exactly the
//! sequence, cycle for cycle, that a pipeline frozen by `res_ready` itself
//! would.

use rust_hdl::core::ast::{VerilogExpression, VerilogStatement};
use rust_hdl::prelude::*;

use liqscan_core::spec;

use crate::fanout::{EnableCopy, LaneEnables, ReadyCopy, Relay, RelayPair};
use crate::lane::Lane;
use crate::memory::{Memory, READ_LATENCY};

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
const ROW_EDGE: u64 = BRACKET_ADDRESS_STAGES + READ_LATENCY as u64;
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

/// Port names of the top module, for drivers and test benches.
pub mod port {
    pub const CLOCK: &str = "clock";
    pub const AT_EQUAL: &str = "at_equal";
    pub const POS_WR: &str = "pos_wr";
    pub const POS_WR_SLOT: &str = "pos_wr_slot";
    pub const POS_WR_VALID: &str = "pos_wr_valid";
    pub const POS_WR_QTY: &str = "pos_wr_qty";
    pub const POS_WR_OFFSET: &str = "pos_wr_offset";
    pub const BRK_WR: &str = "brk_wr";
    pub const BRK_WR_SYMBOL: &str = "brk_wr_symbol";
    pub const BRK_WR_INDEX: &str = "brk_wr_index";
    pub const BRK_WR_CAP: &str = "brk_wr_cap";
    pub const BRK_WR_MAINT: &str = "brk_wr_maint";
    pub const BRK_WR_WEIGHT_LONG: &str = "brk_wr_weight_long";
    pub const BRK_WR_WEIGHT_SHORT: &str = "brk_wr_weight_short";
    pub const REG_WR: &str = "reg_wr";
    pub const REG_WR_SYMBOL: &str = "reg_wr_symbol";
    pub const REG_WR_BASE_ROW: &str = "reg_wr_base_row";
    pub const REG_WR_COUNT: &str = "reg_wr_count";
    pub const TICK_VALID: &str = "tick_valid";
    pub const TICK_SYMBOL: &str = "tick_symbol";
    pub const TICK_PRICE: &str = "tick_price";
    pub const RES_READY: &str = "res_ready";
    /// Per-lane outputs are named `<prefix>$<lane>`: see [`super::lane_port`].
    pub const RES_VALID: &str = "res_valid";
    pub const RES_SLOT: &str = "res_slot";
    pub const RES_SHORTFALL: &str = "res_shortfall";
    pub const BUSY: &str = "busy";
    pub const DONE: &str = "done";
    pub const CYCLES: &str = "cycles";
}

/// The Verilog name of lane `lane`'s result port `prefix` (e.g. `res_slot$3`).
pub fn lane_port(prefix: &str, lane: usize) -> String {
    format!("{prefix}${lane}")
}

/// A port's name in Verilator's C++ model, which escapes `$` as `__024`
/// (`res_slot$3` → `res_slot__0243`).
pub fn verilator_name(port: &str) -> String {
    port.replace('$', "__024")
}

/// Direction of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
}

/// One port of the top module, as declared in the Verilog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub dir: Dir,
    pub width: usize,
    pub signed: bool,
}

/// Every port of the top module in declaration order, for `lanes` lanes
/// and symbol numbers of `symbol_bits` bits (`Build::symbol_bits`).
pub fn ports(lanes: usize, symbol_bits: usize) -> Vec<Port> {
    use port::*;
    let p = |name: &str, dir, width, signed| Port {
        name: name.to_string(),
        dir,
        width,
        signed,
    };
    let (price, qty, offset) = (
        spec::PRICE_BITS as usize,
        spec::QTY_STORE_BITS as usize,
        spec::OFFSET_BITS as usize,
    );
    let (cap, maint, weight) = (
        spec::NOTIONAL_BITS as usize,
        spec::MAINT_BITS as usize,
        spec::WEIGHT_BITS as usize,
    );
    let mut ports = vec![
        p(CLOCK, Dir::In, 1, false),
        p(AT_EQUAL, Dir::In, 1, false),
        p(POS_WR, Dir::In, 1, false),
        p(POS_WR_SLOT, Dir::In, 32, false),
        p(POS_WR_VALID, Dir::In, 1, false),
        p(POS_WR_QTY, Dir::In, qty, true),
        p(POS_WR_OFFSET, Dir::In, offset, true),
        p(BRK_WR, Dir::In, 1, false),
        p(BRK_WR_SYMBOL, Dir::In, symbol_bits, false),
        p(BRK_WR_INDEX, Dir::In, 4, false),
        p(BRK_WR_CAP, Dir::In, cap, false),
        p(BRK_WR_MAINT, Dir::In, maint, false),
        p(BRK_WR_WEIGHT_LONG, Dir::In, weight, false),
        p(BRK_WR_WEIGHT_SHORT, Dir::In, weight, false),
        p(REG_WR, Dir::In, 1, false),
        p(REG_WR_SYMBOL, Dir::In, symbol_bits, false),
        p(REG_WR_BASE_ROW, Dir::In, 32, false),
        p(REG_WR_COUNT, Dir::In, 32, false),
        p(TICK_VALID, Dir::In, 1, false),
        p(TICK_SYMBOL, Dir::In, symbol_bits, false),
        p(TICK_PRICE, Dir::In, price, false),
        p(RES_READY, Dir::In, 1, false),
    ];
    for (prefix, width, signed) in [
        (RES_VALID, 1, false),
        (RES_SLOT, 32, false),
        (RES_SHORTFALL, spec::SUM_BITS as usize, true),
    ] {
        ports.extend((0..lanes).map(|i| p(&lane_port(prefix, i), Dir::Out, width, signed)));
    }
    ports.extend([
        p(BUSY, Dir::Out, 1, false),
        p(DONE, Dir::Out, 1, false),
        p(CYCLES, Dir::Out, 32, false),
    ]);
    ports
}

/// One bracket as stored (one bank word).
#[derive(Copy, Clone, Debug, Default, PartialEq, LogicStruct)]
pub struct BracketWord {
    pub cap: Cap,
    pub maint: Maint,
    pub weight_long: Weight,
    pub weight_short: Weight,
}

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

    lanes: [Lane; L],
    qty_mem: [Memory<Qty, ROW_BITS>; L],
    offset_mem: [Memory<Offset, ROW_BITS>; L],
    valid_mem: [Memory<bool, ROW_BITS>; L],
    region_base_mem: Memory<Word, SYM_BITS>,
    region_count_mem: Memory<Word, SYM_BITS>,
    bracket_mem: [Memory<BracketWord, BRK_BITS>; BRACKET_BANKS],

    // Control registers.
    busy_r: DFF<bool>,
    done_r: DFF<bool>,
    /// Busy cycles with `res_ready` high since the tick: the result stream's
    /// view of the scan, which decides `busy` and `done`.
    step: DFF<Word>,
    /// Enabled cycles of the core (everything but the result stream's skid
    /// registers) since the tick, saturating at `ISSUE_STEP`: three bits, so
    /// every step decode is one LUT.
    cstep: DFF<Bits<3>>,
    /// The core's enable, `res_ready` of three cycles before (or idle then),
    /// in a three-level tree of registered copies (see [`crate::fanout`]):
    /// `res_ready` and the busy flag reach one root copy per lane and one for
    /// the control, each root only its own first-level copies (lane, banks,
    /// result side, relays), and each of those only its own group's
    /// second-level copies, so no enable net spans the chip with hundreds
    /// of loads. The core (control, lanes, memories) runs on the last level.
    ctl_en_root: ReadyCopy,
    ctl_en_first: EnableCopy,
    ctl_en: EnableCopy,
    /// Each lane's branch of the tree.
    enables: [LaneEnables; L],
    /// Per lane, the last three results that left the lane (`skid` the
    /// newest): the core runs up to three steps ahead of the stream, and
    /// these are what the stream has not taken yet.
    skid_hit: [DFF<bool>; L],
    skid_slot: [DFF<Word>; L],
    skid_shortfall: [DFF<Shortfall>; L],
    skid2_hit: [DFF<bool>; L],
    skid2_slot: [DFF<Word>; L],
    skid2_shortfall: [DFF<Shortfall>; L],
    skid3_hit: [DFF<bool>; L],
    skid3_slot: [DFF<Word>; L],
    skid3_shortfall: [DFF<Shortfall>; L],
    /// Each lane's copy of `at_equal`, beside its result stage, through a
    /// relay pinned midway.
    lane_at_equal: [RelayPair<bool>; L],
    /// Each lane's copy of `copy_brackets`, through a relay pinned midway:
    /// one short net per lane into its table sequencers and cap registers,
    /// not one net across all lanes.
    lane_copy: [RelayPair<bool>; L],
    cycles_r: DFF<Word>,
    /// `step` of the cycle before the last busy one: `ceil(n/L) + D − 2`.
    last_before: DFF<Word>,
    /// `last_before` holds this scan's value (it is loaded once, at the
    /// core's last geometry step, never later than the stream's step
    /// `ISSUE_STEP`, far below any scan's last step).
    last_known: DFF<bool>,
    /// The stream's step is the scan's last: decided by the 32-bit compare
    /// on the edge that enters the step, so `busy` and `done` hang on this
    /// one register and not on the compare.
    at_last: DFF<bool>,
    sym: DFF<Bits<SYM_BITS>>,
    price: DFF<Price>,
    /// The region's end slot.
    end_slot: DFF<Word>,
    /// Rows still to issue minus two, in 33-bit two's complement: while a row
    /// is issued, its sign bit alone says whether it is the last one, so the
    /// issue flag needs no subtraction or 32-bit zero test.
    rows_ahead: DFF<Bits<33>>,
    /// The region, registered off the memory (step 1), and `n + L − 1` (step 2):
    /// the scan geometry is computed over three load steps, one adder per step.
    g_base: DFF<Word>,
    g_count: DFF<Word>,
    g_round: DFF<Word>,
    /// Clock edges since the tick, up to `FETCH_DONE`: drives the symbol-table reads.
    fetch: DFF<Bits<3>>,
    fetch_next: Signal<Local, Bits<3>>,
    fetch_done: Constant<Bits<3>>,
    /// The shared row of the bracket table: one register per bank that the
    /// bank's words pass through, row `m` after edge `ROW_EDGE + m`. No
    /// clock enable: the lanes sample each row on a fixed edge.
    brk: [DFF<BracketWord>; BRACKET_BANKS],
    /// Per lane, alongside the memories' address registers: slot number and "inside the region".
    s1_tag: [DFF<Word>; L],
    s1_live: [DFF<bool>; L],
    /// Alongside the memories' array and output registers.
    s2_live: [DFF<bool>; L],
    s2_tag: [DFF<Word>; L],
    s3_live: [DFF<bool>; L],
    s3_tag: [DFF<Word>; L],
    /// One register stage between the memories and the lanes: a bank's
    /// blocks sit in the RAM rows, its lane among the DSP blocks.
    m2_live: [DFF<bool>; L],
    m2_tag: [DFF<Word>; L],
    m2_qty: [DFF<Qty>; L],
    m2_offset: [DFF<Offset>; L],
    /// The registered valid-bit clear of each lane's last transferred hit.
    wb_pend: [DFF<bool>; L],
    wb_addr: [DFF<Bits<ROW_BITS>>; L],

    // Combinational intermediates, each at its own width.
    accept: Signal<Local, bool>,
    enable: Signal<Local, bool>,
    /// Each lane takes it through its relay and its own copy, starts its
    /// load on the edge after and samples the shared row registers on the
    /// four edges after that, as they hold rows 0..3.
    copy_brackets: DFF<bool>,
    /// The lanes load their first row and slot on this cycle's enabled edge.
    geo_load: DFF<bool>,
    /// The lanes copy the region's end slot on this cycle's enabled edge.
    geo_end: DFF<bool>,
    /// A row is issued on this cycle's enabled edge (registered, as it reaches every lane).
    issuing: DFF<bool>,
    /// Each lane's own copies of `geo_load`, `geo_end` and `issuing`, two
    /// enabled steps behind them ([`LANE_CONTROL_STAGES`], through the
    /// relays below): the flags gate a lane's row and slot registers, and
    /// two registers fed by the control's registers keep every net from the
    /// control to a lane a register-to-register hop of half the way, with
    /// no decode on it.
    lane_geo_load: [DFF<bool>; L],
    lane_geo_end: [DFF<bool>; L],
    lane_issuing: [DFF<bool>; L],
    /// The first of each lane's two flag registers, on their own enable
    /// copy (`LaneEnables::relay`): the floorplan pins them midway between
    /// the control and the lane, so each hop is half the way.
    relay_geo_load: [DFF<bool>; L],
    relay_geo_end: [DFF<bool>; L],
    relay_issuing: [DFF<bool>; L],
    /// Each lane's copies of the region base, the region end and the mark
    /// price, through two registers taken every edge (the first pinned
    /// midway): they are loaded steps before a lane reads them and hold for
    /// the whole scan, so the copies cost no time and keep the lane's
    /// adders and multipliers off the control's registers.
    lane_region_base: [RelayPair<Word>; L],
    lane_region_end: [RelayPair<Word>; L],
    lane_price: [RelayPair<Price>; L],
    lane_base_slot: [Signal<Local, Word>; L],
    step_next: Signal<Local, Word>,
    cstep_next: Signal<Local, Bits<3>>,
    base_slot: Signal<Local, Word>,
    count_round: Signal<Local, Word>,
    rows: Signal<Local, Word>,
    rows_wide: Signal<Local, Bits<33>>,
    end_calc: Signal<Local, Word>,
    last_calc: Signal<Local, Word>,
    brk_wr_bank: Signal<Local, Bits<2>>,
    brk_wr_m: Signal<Local, Bits<2>>,
    brk_wr_sym_wide: Signal<Local, Bits<BRK_BITS>>,
    brk_wr_m_wide: Signal<Local, Bits<BRK_BITS>>,
    brk_wr_addr: Signal<Local, Bits<BRK_BITS>>,
    brk_wr_word: Signal<Local, BracketWord>,
    brk_rd_sym: Signal<Local, Bits<SYM_BITS>>,
    brk_rd_m: Signal<Local, Bits<2>>,
    brk_rd_sym_wide: Signal<Local, Bits<BRK_BITS>>,
    brk_rd_m_wide: Signal<Local, Bits<BRK_BITS>>,
    brk_rd_addr: Signal<Local, Bits<BRK_BITS>>,
    /// The registered read addresses of the region and bracket banks, and
    /// each bracket bank's own copy of the latter.
    rd_sym: DFF<Bits<SYM_BITS>>,
    rd_addr: DFF<Bits<BRK_BITS>>,
    bank_relay_addr: [Relay<Bits<BRK_BITS>>; BRACKET_BANKS],
    /// The host's table writes, registered on the edge that decides them
    /// (one request per bracket bank): the banks' write registers then
    /// hang on flip-flops, not on the busy flag's decode.
    brk_wr_go: [DFF<bool>; BRACKET_BANKS],
    brk_wr_addr_q: DFF<Bits<BRK_BITS>>,
    brk_wr_word_q: DFF<BracketWord>,
    reg_wr_go: DFF<bool>,
    reg_wr_symbol_q: DFF<Bits<SYM_BITS>>,
    reg_wr_base_q: DFF<Word>,
    reg_wr_count_q: DFF<Word>,
    pos_row: Signal<Local, Bits<ROW_BITS>>,
    pos_lane: Signal<Local, Word>,
    /// Host writes are applied this edge: idle and no tick.
    host_turn: Signal<Local, bool>,
    /// Per lane, the next row to read and its slot in that row: each lane
    /// counts for itself, so no address or adder spans the chip.
    lane_row: [DFF<Bits<ROW_BITS>>; L],
    lane_slot: [DFF<Word>; L],
    /// Each lane's copy of `end_slot`, so its "inside the region" compare is local.
    lane_end: [DFF<Word>; L],
    hit: [Signal<Local, bool>; L],
    /// The host's position write, registered on the edge that decides it,
    /// request and word, in one copy per lane (pinned midway between the
    /// ports and the lane's banks): the net from the busy flag and the
    /// decode ends at a register, the word's nets from the ports run
    /// register to register, and lane `i`'s banks take the word on the next
    /// edge into their own write registers, the valid bank choosing between
    /// it and the lane's own write-back by the lane's request register alone.
    relay_pos_wr: [DFF<bool>; L],
    relay_wr_row: [Relay<Bits<ROW_BITS>>; L],
    relay_wr_valid: [Relay<bool>; L],
    relay_wr_qty: [Relay<Qty>; L],
    relay_wr_offset: [Relay<Offset>; L],
    wb_row: [Signal<Local, Bits<ROW_BITS>>; L],

    // Generation constants.
    lane_bits: Constant<Word>,
    lane_mask: Constant<Word>,
    lane_count: Constant<Word>,
    lane_index: [Constant<Word>; L],
    issue_cstep: Constant<Bits<3>>,
    copy_step: Constant<Bits<3>>,
    depth_less_two: Constant<Word>,
    geo_step0: Constant<Bits<3>>,
    geo_step1: Constant<Bits<3>>,
    geo_step2: Constant<Bits<3>>,
    one_wide: Constant<Bits<33>>,
    two_wide: Constant<Bits<33>>,
    bank_index: [Constant<Bits<2>>; BRACKET_BANKS],
}

fn word(x: u64) -> Word {
    Word::from(x)
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
            lanes: std::array::from_fn(|_| Default::default()),
            qty_mem: std::array::from_fn(|_| Default::default()),
            offset_mem: std::array::from_fn(|_| Default::default()),
            valid_mem: std::array::from_fn(|_| Default::default()),
            region_base_mem: Default::default(),
            region_count_mem: Default::default(),
            bracket_mem: std::array::from_fn(|_| Default::default()),
            busy_r: Default::default(),
            done_r: Default::default(),
            step: Default::default(),
            cstep: Default::default(),
            ctl_en_root: Default::default(),
            ctl_en_first: Default::default(),
            ctl_en: Default::default(),
            enables: std::array::from_fn(|_| Default::default()),
            skid_hit: std::array::from_fn(|_| Default::default()),
            skid_slot: std::array::from_fn(|_| Default::default()),
            skid_shortfall: std::array::from_fn(|_| Default::default()),
            skid2_hit: std::array::from_fn(|_| Default::default()),
            skid2_slot: std::array::from_fn(|_| Default::default()),
            skid2_shortfall: std::array::from_fn(|_| Default::default()),
            skid3_hit: std::array::from_fn(|_| Default::default()),
            skid3_slot: std::array::from_fn(|_| Default::default()),
            skid3_shortfall: std::array::from_fn(|_| Default::default()),
            lane_at_equal: std::array::from_fn(|_| Default::default()),
            lane_copy: std::array::from_fn(|_| Default::default()),
            cycles_r: Default::default(),
            last_before: Default::default(),
            last_known: Default::default(),
            at_last: Default::default(),
            sym: Default::default(),
            price: Default::default(),
            end_slot: Default::default(),
            rows_ahead: Default::default(),
            g_base: Default::default(),
            g_count: Default::default(),
            g_round: Default::default(),
            fetch: Default::default(),
            fetch_next: Default::default(),
            fetch_done: Constant::new(Bits::<3>::from(FETCH_DONE)),
            brk: std::array::from_fn(|_| Default::default()),
            s1_tag: std::array::from_fn(|_| Default::default()),
            s1_live: std::array::from_fn(|_| Default::default()),
            s2_live: std::array::from_fn(|_| Default::default()),
            s2_tag: std::array::from_fn(|_| Default::default()),
            s3_live: std::array::from_fn(|_| Default::default()),
            s3_tag: std::array::from_fn(|_| Default::default()),
            m2_live: std::array::from_fn(|_| Default::default()),
            m2_tag: std::array::from_fn(|_| Default::default()),
            m2_qty: std::array::from_fn(|_| Default::default()),
            m2_offset: std::array::from_fn(|_| Default::default()),
            wb_pend: std::array::from_fn(|_| Default::default()),
            wb_addr: std::array::from_fn(|_| Default::default()),
            accept: Default::default(),
            enable: Default::default(),
            copy_brackets: Default::default(),
            geo_load: Default::default(),
            geo_end: Default::default(),
            issuing: Default::default(),
            lane_geo_load: std::array::from_fn(|_| Default::default()),
            lane_geo_end: std::array::from_fn(|_| Default::default()),
            lane_issuing: std::array::from_fn(|_| Default::default()),
            relay_geo_load: std::array::from_fn(|_| Default::default()),
            relay_geo_end: std::array::from_fn(|_| Default::default()),
            relay_issuing: std::array::from_fn(|_| Default::default()),
            lane_region_base: std::array::from_fn(|_| Default::default()),
            lane_region_end: std::array::from_fn(|_| Default::default()),
            lane_price: std::array::from_fn(|_| Default::default()),
            lane_base_slot: std::array::from_fn(|_| Default::default()),
            step_next: Default::default(),
            cstep_next: Default::default(),
            base_slot: Default::default(),
            count_round: Default::default(),
            rows: Default::default(),
            rows_wide: Default::default(),
            end_calc: Default::default(),
            last_calc: Default::default(),
            brk_wr_bank: Default::default(),
            brk_wr_m: Default::default(),
            brk_wr_sym_wide: Default::default(),
            brk_wr_m_wide: Default::default(),
            brk_wr_addr: Default::default(),
            brk_wr_word: Default::default(),
            brk_rd_sym: Default::default(),
            brk_rd_m: Default::default(),
            brk_rd_sym_wide: Default::default(),
            brk_rd_m_wide: Default::default(),
            brk_rd_addr: Default::default(),
            rd_sym: Default::default(),
            rd_addr: Default::default(),
            bank_relay_addr: std::array::from_fn(|_| Default::default()),
            brk_wr_go: std::array::from_fn(|_| Default::default()),
            brk_wr_addr_q: Default::default(),
            brk_wr_word_q: Default::default(),
            reg_wr_go: Default::default(),
            reg_wr_symbol_q: Default::default(),
            reg_wr_base_q: Default::default(),
            reg_wr_count_q: Default::default(),
            pos_row: Default::default(),
            pos_lane: Default::default(),
            host_turn: Default::default(),
            lane_row: std::array::from_fn(|_| Default::default()),
            lane_slot: std::array::from_fn(|_| Default::default()),
            lane_end: std::array::from_fn(|_| Default::default()),
            hit: std::array::from_fn(|_| Default::default()),
            relay_pos_wr: std::array::from_fn(|_| Default::default()),
            relay_wr_row: std::array::from_fn(|_| Default::default()),
            relay_wr_valid: std::array::from_fn(|_| Default::default()),
            relay_wr_qty: std::array::from_fn(|_| Default::default()),
            relay_wr_offset: std::array::from_fn(|_| Default::default()),
            wb_row: std::array::from_fn(|_| Default::default()),
            lane_bits: Constant::new(word(u64::from(L.trailing_zeros()))),
            lane_mask: Constant::new(word(L as u64 - 1)),
            lane_count: Constant::new(word(L as u64)),
            lane_index: std::array::from_fn(|i| Constant::new(word(i as u64))),
            issue_cstep: Constant::new(Bits::<3>::from(ISSUE_STEP)),
            copy_step: Constant::new(Bits::<3>::from(COPY_STEP)),
            depth_less_two: Constant::new(word(PIPELINE_DEPTH - 2)),
            geo_step0: Constant::new(Bits::<3>::from(REGION_STEP)),
            geo_step1: Constant::new(Bits::<3>::from(REGION_STEP + 1)),
            geo_step2: Constant::new(Bits::<3>::from(REGION_STEP + 2)),
            one_wide: Constant::new(Bits::<33>::from(1u64)),
            two_wide: Constant::new(Bits::<33>::from(2u64)),
            bank_index: std::array::from_fn(|b| Constant::new(Bits::<2>::from(b as u64))),
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

    /// Drives every lane's row ports from the shared row registers (simulation side).
    fn fan_out_brackets(&mut self) {
        for lane in self.lanes.iter_mut() {
            for (r, row) in lane.rows.iter_mut().enumerate() {
                let word = self.brk[r].q.val();
                row.cap.next = bit_cast::<64, { spec::NOTIONAL_BITS as usize }>(word.cap);
                row.maint.next = word.maint;
                row.weight_long.next = word.weight_long;
                row.weight_short.next = word.weight_short;
            }
        }
    }
}

/// Everything but the bracket fan-out. `#[hdl_gen]` emits `connect` and
/// `hdl` next to the kernel; they live in this private trait, out of scope
/// of the derived `Block` code, so they don't shadow `Logic`'s.
mod kernel {
    use super::*;

    pub(super) trait Kernel {
        fn kernel(&mut self);
        fn connect(&mut self);
        fn hdl(&self) -> Verilog;
    }

    impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize> Kernel
        for Scanner<L, ROW_BITS, SYM_BITS, BRK_BITS>
    {
        #[hdl_gen]
        fn kernel(&mut self) {
            dff_setup!(
                self,
                clock,
                busy_r,
                done_r,
                step,
                cstep,
                cycles_r,
                last_before,
                last_known,
                at_last,
                sym,
                price,
                end_slot,
                rows_ahead,
                g_base,
                g_count,
                g_round,
                copy_brackets,
                geo_load,
                geo_end,
                issuing,
                fetch,
                rd_sym,
                rd_addr,
                brk_wr_addr_q,
                brk_wr_word_q,
                reg_wr_go,
                reg_wr_symbol_q,
                reg_wr_base_q,
                reg_wr_count_q
            );
            for b in 0..BRACKET_BANKS {
                self.brk[b].clock.next = self.clock.val();
                self.brk[b].d.next = self.bracket_mem[b].read_data.val();
            }
            for i in 0..L {
                self.enables[i].clock.next = self.clock.val();
                self.lane_at_equal[i].clock.next = self.clock.val();
                self.lane_copy[i].clock.next = self.clock.val();
                self.lane_geo_load[i].clock.next = self.clock.val();
                self.lane_geo_load[i].d.next = self.lane_geo_load[i].q.val();
                self.lane_geo_end[i].clock.next = self.clock.val();
                self.lane_geo_end[i].d.next = self.lane_geo_end[i].q.val();
                self.lane_issuing[i].clock.next = self.clock.val();
                self.lane_issuing[i].d.next = self.lane_issuing[i].q.val();
                self.relay_geo_load[i].clock.next = self.clock.val();
                self.relay_geo_load[i].d.next = self.relay_geo_load[i].q.val();
                self.relay_geo_end[i].clock.next = self.clock.val();
                self.relay_geo_end[i].d.next = self.relay_geo_end[i].q.val();
                self.relay_issuing[i].clock.next = self.clock.val();
                self.relay_issuing[i].d.next = self.relay_issuing[i].q.val();
                self.lane_region_base[i].clock.next = self.clock.val();
                self.lane_region_end[i].clock.next = self.clock.val();
                self.lane_price[i].clock.next = self.clock.val();
                self.lane_row[i].clock.next = self.clock.val();
                self.lane_row[i].d.next = self.lane_row[i].q.val();
                self.lane_slot[i].clock.next = self.clock.val();
                self.lane_slot[i].d.next = self.lane_slot[i].q.val();
                self.lane_end[i].clock.next = self.clock.val();
                self.lane_end[i].d.next = self.lane_end[i].q.val();
                self.s1_tag[i].clock.next = self.clock.val();
                self.s1_tag[i].d.next = self.s1_tag[i].q.val();
                self.s1_live[i].clock.next = self.clock.val();
                self.s1_live[i].d.next = self.s1_live[i].q.val();
                self.s2_live[i].clock.next = self.clock.val();
                self.s2_live[i].d.next = self.s2_live[i].q.val();
                self.s2_tag[i].clock.next = self.clock.val();
                self.s2_tag[i].d.next = self.s2_tag[i].q.val();
                self.s3_live[i].clock.next = self.clock.val();
                self.s3_live[i].d.next = self.s3_live[i].q.val();
                self.s3_tag[i].clock.next = self.clock.val();
                self.s3_tag[i].d.next = self.s3_tag[i].q.val();
                self.m2_live[i].clock.next = self.clock.val();
                self.m2_live[i].d.next = self.m2_live[i].q.val();
                self.m2_tag[i].clock.next = self.clock.val();
                self.m2_tag[i].d.next = self.m2_tag[i].q.val();
                self.m2_qty[i].clock.next = self.clock.val();
                self.m2_qty[i].d.next = self.m2_qty[i].q.val();
                self.m2_offset[i].clock.next = self.clock.val();
                self.m2_offset[i].d.next = self.m2_offset[i].q.val();
                self.wb_pend[i].clock.next = self.clock.val();
                self.wb_pend[i].d.next = self.wb_pend[i].q.val();
                self.relay_pos_wr[i].clock.next = self.clock.val();
                self.wb_addr[i].clock.next = self.clock.val();
                self.wb_addr[i].d.next = self.wb_addr[i].q.val();
                self.skid_hit[i].clock.next = self.clock.val();
                self.skid_hit[i].d.next = self.skid_hit[i].q.val();
                self.skid_slot[i].clock.next = self.clock.val();
                self.skid_slot[i].d.next = self.skid_slot[i].q.val();
                self.skid_shortfall[i].clock.next = self.clock.val();
                self.skid_shortfall[i].d.next = self.skid_shortfall[i].q.val();
                self.skid2_hit[i].clock.next = self.clock.val();
                self.skid2_hit[i].d.next = self.skid2_hit[i].q.val();
                self.skid2_slot[i].clock.next = self.clock.val();
                self.skid2_slot[i].d.next = self.skid2_slot[i].q.val();
                self.skid2_shortfall[i].clock.next = self.clock.val();
                self.skid2_shortfall[i].d.next = self.skid2_shortfall[i].q.val();
                self.skid3_hit[i].clock.next = self.clock.val();
                self.skid3_hit[i].d.next = self.skid3_hit[i].q.val();
                self.skid3_slot[i].clock.next = self.clock.val();
                self.skid3_slot[i].d.next = self.skid3_slot[i].q.val();
                self.skid3_shortfall[i].clock.next = self.clock.val();
                self.skid3_shortfall[i].d.next = self.skid3_shortfall[i].q.val();
            }

            // Handshakes. The result stream's step advances only while it is
            // ready. The core (memories, lanes, issue) runs on registered
            // copies of that enable, three cycles late: it may be up to three
            // steps ahead, and the results it pushed out meanwhile wait in
            // the lane's skid registers.
            self.accept.next = self.tick_valid.val() & !self.busy_r.q.val();
            self.enable.next = self.res_ready.val();
            self.ctl_en_root.clock.next = self.clock.val();
            self.ctl_en_root.ready.next = self.res_ready.val();
            self.ctl_en_root.busy.next = self.busy_r.q.val();
            self.ctl_en_first.clock.next = self.clock.val();
            self.ctl_en_first.d.next = self.ctl_en_root.q.val();
            self.ctl_en.clock.next = self.clock.val();
            self.ctl_en.d.next = self.ctl_en_first.q.val();
            self.copy_brackets.d.next =
                self.busy_r.q.val() & (self.fetch.q.val() == self.copy_step.val());
            self.step_next.next = self.step.q.val() + 1;
            // A 1-bit literal keeps the Verilog add 3 bits wide.
            self.cstep_next.next = self.cstep.q.val() + true;
            self.fetch_next.next = self.fetch.q.val() + 1;

            // Fetch word 0 on the accepting edge, words 1..3 on the next three
            // edges; each bank's words run down its chain of shared registers.
            // The fetch counts clock edges, not enabled ones: stalls do not
            // concern it.
            self.brk_rd_sym.next = self.sym.q.val();
            self.brk_rd_m.next = self.fetch_next.val().get_bits::<2>(0);
            if self.accept.val() {
                self.brk_rd_sym.next = self.tick_symbol.val();
                self.brk_rd_m.next = 0.into();
            }
            self.brk_rd_sym_wide.next = bit_cast::<BRK_BITS, SYM_BITS>(self.brk_rd_sym.val());
            self.brk_rd_m_wide.next = bit_cast::<BRK_BITS, 2>(self.brk_rd_m.val());
            self.brk_rd_addr.next = (self.brk_rd_sym_wide.val() << 2) | self.brk_rd_m_wide.val();
            self.rd_sym.d.next = self.brk_rd_sym.val();
            self.rd_addr.d.next = self.brk_rd_addr.val();

            // Host writes: while idle and not on an accepting edge. A table
            // write is registered here and reaches its memory's array two
            // edges later, one before a tick accepted on the next edge first
            // reads it; a position write likewise, through `relay_pos_wr`,
            // long before the tick's first row.
            self.host_turn.next = !self.busy_r.q.val() & !self.tick_valid.val();
            self.reg_wr_go.d.next = self.reg_wr.val() & self.host_turn.val();
            self.reg_wr_symbol_q.d.next = self.reg_wr_symbol.val();
            self.reg_wr_base_q.d.next = self.reg_wr_base_row.val();
            self.reg_wr_count_q.d.next = self.reg_wr_count.val();

            // Region table: read on the accepting edge and on every edge after it (the
            // symbol table reads run free, so no control logic fans out to their blocks).
            self.region_base_mem.clock.next = self.clock.val();
            self.region_base_mem.read_address.next = self.rd_sym.q.val();
            self.region_base_mem.read_enable_next.next = true;
            self.region_base_mem.write_address.next = self.reg_wr_symbol_q.q.val();
            self.region_base_mem.write_data.next = self.reg_wr_base_q.q.val();
            self.region_base_mem.write_enable.next = self.reg_wr_go.q.val();
            self.region_count_mem.clock.next = self.clock.val();
            self.region_count_mem.read_address.next = self.rd_sym.q.val();
            self.region_count_mem.read_enable_next.next = true;
            self.region_count_mem.write_address.next = self.reg_wr_symbol_q.q.val();
            self.region_count_mem.write_data.next = self.reg_wr_count_q.q.val();
            self.region_count_mem.write_enable.next = self.reg_wr_go.q.val();
            // Scan geometry from the registered region (shifts by a constant are wiring).
            self.base_slot.next = self.g_base.q.val() << self.lane_bits.val();
            self.count_round.next = self.g_count.q.val() + self.lane_mask.val();
            self.rows.next = self.g_round.q.val() >> self.lane_bits.val();
            self.end_calc.next = self.base_slot.val() + self.g_count.q.val();
            self.last_calc.next = self.rows.val() + self.depth_less_two.val();
            self.rows_wide.next = bit_cast::<33, 32>(self.rows.val());

            // Bracket banks: word symbol·4 + j/4 of bank j mod 4.
            self.brk_wr_bank.next = self.brk_wr_index.val().get_bits::<2>(0);
            self.brk_wr_m.next = self.brk_wr_index.val().get_bits::<2>(2);
            self.brk_wr_sym_wide.next = bit_cast::<BRK_BITS, SYM_BITS>(self.brk_wr_symbol.val());
            self.brk_wr_m_wide.next = bit_cast::<BRK_BITS, 2>(self.brk_wr_m.val());
            self.brk_wr_addr.next = (self.brk_wr_sym_wide.val() << 2) | self.brk_wr_m_wide.val();
            self.brk_wr_word.next.cap = self.brk_wr_cap.val();
            self.brk_wr_word.next.maint = self.brk_wr_maint.val();
            self.brk_wr_word.next.weight_long = self.brk_wr_weight_long.val();
            self.brk_wr_word.next.weight_short = self.brk_wr_weight_short.val();
            self.brk_wr_addr_q.d.next = self.brk_wr_addr.val();
            self.brk_wr_word_q.d.next = self.brk_wr_word.val();
            for b in 0..BRACKET_BANKS {
                self.brk_wr_go[b].clock.next = self.clock.val();
                self.brk_wr_go[b].d.next = self.brk_wr.val()
                    & self.host_turn.val()
                    & (self.brk_wr_bank.val() == self.bank_index[b].val());
                self.bracket_mem[b].clock.next = self.clock.val();
                self.bank_relay_addr[b].clock.next = self.clock.val();
                self.bank_relay_addr[b].d.next = self.rd_addr.q.val();
                self.bracket_mem[b].read_address.next = self.bank_relay_addr[b].q.val();
                self.bracket_mem[b].read_enable_next.next = true;
                self.bracket_mem[b].write_address.next = self.brk_wr_addr_q.q.val();
                self.bracket_mem[b].write_data.next = self.brk_wr_word_q.q.val();
                self.bracket_mem[b].write_enable.next = self.brk_wr_go[b].q.val();
            }

            // Control.
            self.done_r.d.next = false;
            if self.accept.val() {
                self.busy_r.d.next = true;
                self.fetch.d.next = 0.into();
                self.geo_load.d.next = false;
                self.geo_end.d.next = false;
                self.issuing.d.next = false;
                self.step.d.next = 0.into();
                self.at_last.d.next = false;
                self.last_known.d.next = false;
                self.cstep.d.next = 0.into();
                self.cycles_r.d.next = 0.into();
                self.sym.d.next = self.tick_symbol.val();
                self.price.d.next = self.tick_price.val();
            }
            if self.busy_r.q.val() {
                if self.fetch.q.val() != self.fetch_done.val() {
                    self.fetch.d.next = self.fetch_next.val();
                }
                self.cycles_r.d.next = self.cycles_r.q.val() + 1;
                // The core: geometry, then rows from step ISSUE_STEP on while any are left.
                if self.ctl_en.q.val() {
                    if self.cstep.q.val() != self.issue_cstep.val() {
                        self.cstep.d.next = self.cstep_next.val();
                    }
                    self.geo_load.d.next = self.cstep.q.val() == self.geo_step0.val();
                    self.geo_end.d.next = self.cstep.q.val() == self.geo_step1.val();
                    // Rows are issued from step ISSUE_STEP = geo_step2 + 1 on while any are left.
                    if self.issuing.q.val() {
                        self.issuing.d.next = !self.rows_ahead.q.val().get_bit(32);
                        self.rows_ahead.d.next = self.rows_ahead.q.val() - self.one_wide.val();
                    } else {
                        self.issuing.d.next =
                            (self.cstep.q.val() == self.geo_step2.val()) & self.rows.val().any();
                    }
                    if self.cstep.q.val() == self.geo_step0.val() {
                        self.g_base.d.next = self.region_base_mem.read_data.val();
                        self.g_count.d.next = self.region_count_mem.read_data.val();
                    }
                    if self.cstep.q.val() == self.geo_step1.val() {
                        self.end_slot.d.next = self.end_calc.val();
                        self.g_round.d.next = self.count_round.val();
                    }
                    if self.cstep.q.val() == self.geo_step2.val() {
                        self.last_before.d.next = self.last_calc.val();
                        self.last_known.d.next = true;
                        self.rows_ahead.d.next = self.rows_wide.val() - self.two_wide.val();
                    }
                }
                // The result stream.
                if self.enable.val() {
                    self.step.d.next = self.step_next.val();
                    self.at_last.d.next =
                        self.last_known.q.val() & (self.step.q.val() == self.last_before.q.val());
                    if self.at_last.q.val() {
                        self.busy_r.d.next = false;
                        self.done_r.d.next = true;
                    }
                }
            }

            // Position banks: the host writes while idle; each lane reads its row `lane_row` and
            // clears the valid bit of each reported slot as it leaves the lane.
            self.pos_row.next = self
                .pos_wr_slot
                .val()
                .get_bits::<ROW_BITS>(self.lane_bits.val().index());
            self.pos_lane.next = self.pos_wr_slot.val() & self.lane_mask.val();
            for i in 0..L {
                // Every intermediate is assigned before it is read (one `always @(*)` block).
                self.enables[i].ready.next = self.res_ready.val();
                self.enables[i].busy.next = self.busy_r.q.val();
                self.lane_at_equal[i].d.next = self.at_equal.val();
                self.lane_copy[i].d.next = self.copy_brackets.q.val();
                self.lane_region_base[i].d.next = self.g_base.q.val();
                self.lane_region_end[i].d.next = self.end_slot.q.val();
                self.lane_price[i].d.next = self.price.q.val();
                self.lane_base_slot[i].next =
                    self.lane_region_base[i].q.val() << self.lane_bits.val();
                self.hit[i].next = self.lanes[i].out_valid.val() & self.lanes[i].out_hit.val();
                self.relay_wr_row[i].clock.next = self.clock.val();
                self.relay_wr_row[i].d.next = self.pos_row.val();
                self.relay_wr_valid[i].clock.next = self.clock.val();
                self.relay_wr_valid[i].d.next = self.pos_wr_valid.val();
                self.relay_wr_qty[i].clock.next = self.clock.val();
                self.relay_wr_qty[i].d.next = self.pos_wr_qty.val();
                self.relay_wr_offset[i].clock.next = self.clock.val();
                self.relay_wr_offset[i].d.next = self.pos_wr_offset.val();
                self.relay_pos_wr[i].d.next = self.pos_wr.val()
                    & self.host_turn.val()
                    & (self.pos_lane.val() == self.lane_index[i].val());
                self.wb_row[i].next = self.lanes[i]
                    .out_tag
                    .val()
                    .get_bits::<ROW_BITS>(self.lane_bits.val().index());
                // The memory side: each lane counts its own row and slot, so
                // no address or adder spans the chip.
                if self.enables[i].relay.val() {
                    self.relay_geo_load[i].d.next = self.geo_load.q.val();
                    self.relay_geo_end[i].d.next = self.geo_end.q.val();
                    self.relay_issuing[i].d.next = self.issuing.q.val();
                }
                if self.enables[i].core.val() {
                    self.lane_geo_load[i].d.next = self.relay_geo_load[i].q.val();
                    self.lane_geo_end[i].d.next = self.relay_geo_end[i].q.val();
                    self.lane_issuing[i].d.next = self.relay_issuing[i].q.val();
                    if self.lane_geo_load[i].q.val() {
                        self.lane_row[i].d.next =
                            self.lane_region_base[i].q.val().get_bits::<ROW_BITS>(0);
                        self.lane_slot[i].d.next =
                            self.lane_base_slot[i].val() + self.lane_index[i].val();
                    }
                    if self.lane_geo_end[i].q.val() {
                        self.lane_end[i].d.next = self.lane_region_end[i].q.val();
                    }
                    if self.lane_issuing[i].q.val() {
                        self.lane_row[i].d.next = self.lane_row[i].q.val() + 1;
                        self.lane_slot[i].d.next =
                            self.lane_slot[i].q.val() + self.lane_count.val();
                    }
                    self.s1_tag[i].d.next = self.lane_slot[i].q.val();
                    self.s1_live[i].d.next = self.lane_issuing[i].q.val()
                        & (self.lane_slot[i].q.val() < self.lane_end[i].q.val());
                    self.s2_live[i].d.next = self.s1_live[i].q.val();
                    self.s2_tag[i].d.next = self.s1_tag[i].q.val();
                    self.s3_live[i].d.next = self.s2_live[i].q.val();
                    self.s3_tag[i].d.next = self.s2_tag[i].q.val();
                }
                if self.enables[i].m2.val() {
                    self.m2_live[i].d.next =
                        self.s3_live[i].q.val() & self.valid_mem[i].read_data.val();
                    self.m2_tag[i].d.next = self.s3_tag[i].q.val();
                    self.m2_qty[i].d.next = self.qty_mem[i].read_data.val();
                    self.m2_offset[i].d.next = self.offset_mem[i].read_data.val();
                }
                // The result side: what leaves the lane is kept in the skid
                // registers, and clears its valid bit on the next core edge.
                if self.enables[i].out.val() {
                    self.skid3_hit[i].d.next = self.skid2_hit[i].q.val();
                    self.skid3_slot[i].d.next = self.skid2_slot[i].q.val();
                    self.skid3_shortfall[i].d.next = self.skid2_shortfall[i].q.val();
                    self.skid2_hit[i].d.next = self.skid_hit[i].q.val();
                    self.skid2_slot[i].d.next = self.skid_slot[i].q.val();
                    self.skid2_shortfall[i].d.next = self.skid_shortfall[i].q.val();
                    self.skid_hit[i].d.next = self.hit[i].val();
                    self.skid_slot[i].d.next = self.lanes[i].out_tag.val();
                    self.skid_shortfall[i].d.next = self.lanes[i].out_shortfall.val();
                    self.wb_pend[i].d.next = self.hit[i].val();
                    self.wb_addr[i].d.next = self.wb_row[i].val();
                }

                self.qty_mem[i].clock.next = self.clock.val();
                self.qty_mem[i].read_address.next = self.lane_row[i].q.val();
                self.qty_mem[i].read_enable_next.next = self.enables[i].qty_next.val();
                self.qty_mem[i].write_address.next = self.relay_wr_row[i].q.val();
                self.qty_mem[i].write_data.next = self.relay_wr_qty[i].q.val();
                self.qty_mem[i].write_enable.next = self.relay_pos_wr[i].q.val();
                self.offset_mem[i].clock.next = self.clock.val();
                self.offset_mem[i].read_address.next = self.lane_row[i].q.val();
                self.offset_mem[i].read_enable_next.next = self.enables[i].offset_next.val();
                self.offset_mem[i].write_address.next = self.relay_wr_row[i].q.val();
                self.offset_mem[i].write_data.next = self.relay_wr_offset[i].q.val();
                self.offset_mem[i].write_enable.next = self.relay_pos_wr[i].q.val();

                self.valid_mem[i].clock.next = self.clock.val();
                self.valid_mem[i].read_address.next = self.lane_row[i].q.val();
                self.valid_mem[i].read_enable_next.next = self.enables[i].valid_next.val();
                // A host write is decided only while idle, and a lane's
                // results (so its write-backs) leave it only while busy.
                if self.relay_pos_wr[i].q.val() {
                    self.valid_mem[i].write_address.next = self.relay_wr_row[i].q.val();
                    self.valid_mem[i].write_data.next = self.relay_wr_valid[i].q.val();
                    self.valid_mem[i].write_enable.next = true;
                } else {
                    self.valid_mem[i].write_address.next = self.wb_addr[i].q.val();
                    self.valid_mem[i].write_data.next = false;
                    self.valid_mem[i].write_enable.next =
                        self.wb_pend[i].q.val() & self.enables[i].out.val();
                }

                self.lanes[i].clock.next = self.clock.val();
                self.lanes[i].enable_next.next = self.enables[i].lane_next.val();
                self.lanes[i].at_equal.next = self.lane_at_equal[i].q.val();
                self.lanes[i].load_brackets.next = self.lane_copy[i].q.val();
                self.lanes[i].price.next = self.lane_price[i].q.val();
                self.lanes[i].in_valid.next = self.m2_live[i].q.val();
                self.lanes[i].in_tag.next = self.m2_tag[i].q.val();
                self.lanes[i].in_qty.next = self.m2_qty[i].q.val();
                self.lanes[i].in_offset.next = self.m2_offset[i].q.val();

                // The core is ahead of the stream by one step for each of the
                // last three cycles with `res_ready` low: the stream sees the
                // lane, or the result that many core steps back. One LUT
                // level and the slice's own multiplexer from registers.
                if self.enables[i].port_back_le1.val() {
                    if self.enables[i].port_back0.val() {
                        self.res_valid[i].next = self.hit[i].val();
                        self.res_slot[i].next = self.lanes[i].out_tag.val();
                        self.res_shortfall[i].next = self.lanes[i].out_shortfall.val();
                    } else {
                        self.res_valid[i].next = self.skid_hit[i].q.val();
                        self.res_slot[i].next = self.skid_slot[i].q.val();
                        self.res_shortfall[i].next = self.skid_shortfall[i].q.val();
                    }
                } else if self.enables[i].port_back2.val() {
                    self.res_valid[i].next = self.skid2_hit[i].q.val();
                    self.res_slot[i].next = self.skid2_slot[i].q.val();
                    self.res_shortfall[i].next = self.skid2_shortfall[i].q.val();
                } else {
                    self.res_valid[i].next = self.skid3_hit[i].q.val();
                    self.res_slot[i].next = self.skid3_slot[i].q.val();
                    self.res_shortfall[i].next = self.skid3_shortfall[i].q.val();
                }
            }
            self.busy.next = self.busy_r.q.val();
            self.done.next = self.done_r.q.val();
            self.cycles.next = self.cycles_r.q.val();
        }
    }
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize> Logic
    for Scanner<L, ROW_BITS, SYM_BITS, BRK_BITS>
{
    fn update(&mut self) {
        kernel::Kernel::kernel(self);
        self.fan_out_brackets();
    }

    fn connect(&mut self) {
        kernel::Kernel::connect(self);
        for lane in self.lanes.iter_mut() {
            for row in lane.rows.iter_mut() {
                row.cap.connect();
                row.maint.connect();
                row.weight_long.connect();
                row.weight_short.connect();
            }
        }
    }

    /// The kernel's Verilog plus the bracket fan-out, written out here because
    /// rust-hdl's generator substitutes only the first loop index of a name
    /// (`lanes[i].rows[r]` would come out half-resolved).
    fn hdl(&self) -> Verilog {
        let Verilog::Combinatorial(mut block) = kernel::Kernel::hdl(self) else {
            unreachable!("#[hdl_gen] emits combinatorial Verilog")
        };
        let w = BracketWord::default();
        let slice = |entry: usize, offset: usize, width: usize| {
            VerilogExpression::Slice(
                Box::new(VerilogExpression::Signal(format!("brk${entry}$q"))),
                width,
                Box::new(VerilogExpression::Literal(offset.into())),
            )
        };
        let fields = [
            ("cap", w.get_my_offset_cap(), w.get_my_width_cap()),
            ("maint", w.get_my_offset_maint(), w.get_my_width_maint()),
            (
                "weight_long",
                w.get_my_offset_weight_long(),
                w.get_my_width_weight_long(),
            ),
            (
                "weight_short",
                w.get_my_offset_weight_short(),
                w.get_my_width_weight_short(),
            ),
        ];
        for i in 0..L {
            for r in 0..BRACKET_BANKS {
                for (name, offset, width) in fields {
                    block.push(VerilogStatement::Assignment(
                        VerilogExpression::Signal(format!("lanes${i}$rows${r}${name}")),
                        slice(r, offset, width),
                    ));
                }
            }
        }
        Verilog::Combinatorial(block)
    }
}
