//! A lane's bracket table and its select: the first bracket whose cap fits
//! `X`, and that bracket's amounts.
//!
//! ```text
//! S6      X, one register copy per row of four compares (beside them)
//! S7–S8   15 × CapCompare: X ≤ cap_b   (one 64-bit chain; the padded bracket 15 always fits)
//! S9      b = first bracket with X ≤ cap   (priority encoder, beside the compares)
//! S10     b again, one register copy per table field (beside its LUT RAM);
//!         `maint`, `weight_long`, `weight_short` read at it (LUT RAM, 4:1 multiplexer)
//! ```
//!
//! The table arrives one row per edge (row `m` is brackets `4m .. 4m + 3`,
//! one from each bracket bank) through one relay register per field and
//! bank, which `scripts/floorplan.py` pins midway between the shared table
//! and the lane. A row reaches the compares' cap registers and the LUT RAM
//! tables ([`crate::table`]) on the edge after it is sampled. The relays
//! sample only on the four load edges: each bank's relays have a clock
//! enable, a register of their own (`row_enable`) that is high from load
//! edge 0 to load edge 3, and hold row 3 until the next load. (Free-running
//! relays copied the table's rows on every edge; a load is rare, and the
//! Verilator model skips enabled registers whose enable is low.) A table per
//! lane keeps the compares and the select local when the lanes are spread
//! over a chip.
//!
//! The compares (a copy per row of four) and the copies of `X` run on their
//! own copies of the lane's clock enable (from `enable_next`); the select
//! register and the fields' select copies run on the lane's copies of
//! stages S9 and S10.

use rust_hdl::prelude::*;

use crate::compare::{self, CapCompare};
use crate::fanout::{EnableCopy, RegisterCopy};
use crate::lane::{RowPort, BRACKETS};
use crate::mul::width::{MAINT, NOTIONAL, WEIGHT};
use crate::table::{self, TableField};

/// `A_b` is held as two table fields of these widths (14 and 13 LUT RAMs of
/// four bits), so each field's select drives about fifty multiplexers.
const MAINT_LO: usize = 56;
const MAINT_HI: usize = MAINT - MAINT_LO;

// hdl_gen code indexes the compares and fields with literals; these are the
// values they spell out.
const _: () = {
    assert!(BRACKETS == 16 && table::ROWS == 4 && table::BANKS == 4);
    assert!(MAINT_LO == 56 && MAINT_HI == 51 && compare::WIDE == 64);
};

/// The bracket table of one lane and the select of `X`'s bracket.
#[derive(LogicBlock, Default)]
pub struct BracketSelect {
    pub clock: Signal<In, Clock>,
    /// Clock enable of the **next** cycle, for the copies of `X` and the compares.
    pub enable_next: Signal<In, bool>,
    /// Clock enable of this cycle for the select register (S9) and for the
    /// fields' select copies (S10).
    pub select_enable: Signal<In, bool>,
    pub field_enable: Signal<In, bool>,
    /// High for a cycle: the next edge starts a load and the four after it
    /// are the load edges 0..3, on which row `m` is sampled from `rows`.
    /// Row 3 is written on the edge after load edge 3.
    pub load: Signal<In, bool>,
    /// Row `m` of the table before load edge `m`.
    pub rows: [RowPort; table::BANKS],
    /// `X` from the product's register and from its copy (S5): rows 0 and
    /// 1 of the compares take the first, rows 2 and 3 the second, so no net
    /// from one register spans all rows.
    pub x: Signal<In, Bits<NOTIONAL>>,
    pub x_copy: Signal<In, Bits<NOTIONAL>>,
    /// S10: the selected bracket's amounts, combinational from the select
    /// copies and the LUT RAMs.
    pub maint: Signal<Out, Bits<MAINT>>,
    pub weight_long: Signal<Out, Bits<WEIGHT>>,
    pub weight_short: Signal<Out, Bits<WEIGHT>>,

    /// The rows as sampled on the last load edge, one register per field,
    /// enabled by their bank's `row_enable`.
    relay_cap: [RegisterCopy<Bits<{ compare::WIDE }>>; table::BANKS],
    relay_maint: [RegisterCopy<Bits<MAINT>>; table::BANKS],
    relay_weight_long: [RegisterCopy<Bits<WEIGHT>>; table::BANKS],
    relay_weight_short: [RegisterCopy<Bits<WEIGHT>>; table::BANKS],
    /// The relays' clock enable, one copy per bank (beside its relays):
    /// high in the cycles that end in load edges 0..3, registered from
    /// `load` and the load chain below (`row_window`).
    row_window: Signal<Local, bool>,
    row_enable: [EnableCopy; table::BANKS],
    /// `load` one edge later, for the tables and row 0's caps (a row
    /// reaches them one edge after its load edge), and then one more edge
    /// per row for rows 1..3's caps.
    load_late: DFF<bool>,
    cap_load: [DFF<bool>; 3],
    /// The tables' write controls, from the same chain: high in the cycles
    /// that end in load edges 0..3 (each field writes row `m` on the edge
    /// after load edge `m`), and that row.
    table_write: Signal<Local, bool>,
    table_row: Signal<Local, Bits<2>>,
    /// The amounts, one LUT RAM table per field.
    maint_lo: TableField<MAINT_LO>,
    maint_hi: TableField<MAINT_HI>,
    weight_long_table: TableField<WEIGHT>,
    weight_short_table: TableField<WEIGHT>,
    /// `X` zero-extended to the compares' width, from each source.
    x_wide: Signal<Local, Bits<{ compare::WIDE }>>,
    x_wide_copy: Signal<Local, Bits<{ compare::WIDE }>>,
    /// S6: `X` for each row of four compares, with its enable copy.
    /// `keep`: synthesis would merge the four copies into one.
    x_row: [RegisterCopy<Bits<{ compare::WIDE }>>; table::ROWS],
    x_row_en: [EnableCopy; table::ROWS],
    /// S7–S8: per bracket `X ≤ cap_b`, each with its own copy of its cap
    /// (bracket 15 of the padded table always fits), and the clock enable
    /// of each row of four.
    compare: [CapCompare; BRACKETS - 1],
    compare_en: [EnableCopy; table::ROWS],
    // S9: the first bracket that fits, `4·row + bank`: per row of four
    // whether any fits and which fits first (row 3 always fits).
    row_fits: [Signal<Local, bool>; 3],
    first_hi: [Signal<Local, bool>; 4],
    first_lo: [Signal<Local, bool>; 4],
    row_hi: Signal<Local, bool>,
    row_lo: Signal<Local, bool>,
    bank_hi: Signal<Local, bool>,
    bank_lo: Signal<Local, bool>,
    select_next: Signal<Local, Bits<4>>,
    select_q: DFF<Bits<4>>,
}

impl BracketSelect {
    /// Enabled edges from sampling `x` to its bracket in the select register.
    pub const SELECT_LATENCY: usize = 1 + CapCompare::LATENCY + 1;
    /// Enabled edges from sampling `x` to its bracket's amounts.
    pub const LATENCY: usize = Self::SELECT_LATENCY + 1;
}

impl Logic for BracketSelect {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, load_late, select_q);
        clock!(
            self,
            clock,
            maint_lo,
            maint_hi,
            weight_long_table,
            weight_short_table
        );
        // The table, a row per edge through the relays: caps in the
        // compares (row m's compares load one edge after row m − 1's),
        // amounts in LUT RAM.
        // `load` is high in the cycle before load edge 0, `load_late` in the
        // cycle ending in it, `cap_load[0]` and `cap_load[1]` in the two
        // after; so `row_enable` is high in the four cycles ending in load
        // edges 0..3.
        self.row_window.next = self.load.val()
            | self.load_late.q.val()
            | self.cap_load[0].q.val()
            | self.cap_load[1].q.val();
        for r in 0..4 {
            self.row_enable[r].clock.next = self.clock.val();
            self.row_enable[r].d.next = self.row_window.val();
            self.relay_cap[r].enable.next = self.row_enable[r].q.val();
            self.relay_maint[r].enable.next = self.row_enable[r].q.val();
            self.relay_weight_long[r].enable.next = self.row_enable[r].q.val();
            self.relay_weight_short[r].enable.next = self.row_enable[r].q.val();
            self.relay_cap[r].clock.next = self.clock.val();
            self.relay_cap[r].d.next = self.rows[r].cap.val();
            self.relay_maint[r].clock.next = self.clock.val();
            self.relay_maint[r].d.next = self.rows[r].maint.val();
            self.relay_weight_long[r].clock.next = self.clock.val();
            self.relay_weight_long[r].d.next = self.rows[r].weight_long.val();
            self.relay_weight_short[r].clock.next = self.clock.val();
            self.relay_weight_short[r].d.next = self.rows[r].weight_short.val();
        }
        self.load_late.d.next = self.load.val();
        for m in 0..3 {
            self.cap_load[m].clock.next = self.clock.val();
        }
        self.cap_load[0].d.next = self.load_late.q.val();
        for m in 1..3 {
            self.cap_load[m].d.next = self.cap_load[m - 1].q.val();
        }
        for m in 0..4 {
            self.compare_en[m].clock.next = self.clock.val();
            self.compare_en[m].d.next = self.enable_next.val();
        }
        for b in 0..15 {
            self.compare[b].clock.next = self.clock.val();
        }
        for b in 0..4 {
            self.compare[b].enable.next = self.compare_en[0].q.val();
        }
        for b in 4..8 {
            self.compare[b].enable.next = self.compare_en[1].q.val();
        }
        for b in 8..12 {
            self.compare[b].enable.next = self.compare_en[2].q.val();
        }
        for b in 12..15 {
            self.compare[b].enable.next = self.compare_en[3].q.val();
        }
        for b in 0..4 {
            self.compare[b].load.next = self.load_late.q.val();
            self.compare[b].cap.next = self.relay_cap[b].q.val();
        }
        for b in 4..8 {
            self.compare[b].load.next = self.cap_load[0].q.val();
            self.compare[b].cap.next = self.relay_cap[b - 4].q.val();
        }
        for b in 8..12 {
            self.compare[b].load.next = self.cap_load[1].q.val();
            self.compare[b].cap.next = self.relay_cap[b - 8].q.val();
        }
        for b in 12..15 {
            self.compare[b].load.next = self.cap_load[2].q.val();
            self.compare[b].cap.next = self.relay_cap[b - 12].q.val();
        }
        self.table_write.next = self.load_late.q.val()
            | self.cap_load[0].q.val()
            | self.cap_load[1].q.val()
            | self.cap_load[2].q.val();
        self.table_row.next =
            bit_cast::<2, 1>((self.cap_load[0].q.val() | self.cap_load[2].q.val()).into())
                | (bit_cast::<2, 1>((self.cap_load[1].q.val() | self.cap_load[2].q.val()).into())
                    << 1);
        self.maint_lo.write_next.next = self.table_write.val();
        self.maint_hi.write_next.next = self.table_write.val();
        self.weight_long_table.write_next.next = self.table_write.val();
        self.weight_short_table.write_next.next = self.table_write.val();
        self.maint_lo.row_next.next = self.table_row.val();
        self.maint_hi.row_next.next = self.table_row.val();
        self.weight_long_table.row_next.next = self.table_row.val();
        self.weight_short_table.row_next.next = self.table_row.val();
        for r in 0..4 {
            self.maint_lo.rows[r].next = self.relay_maint[r].q.val().get_bits::<MAINT_LO>(0);
            self.maint_hi.rows[r].next = self.relay_maint[r].q.val().get_bits::<MAINT_HI>(56);
            self.weight_long_table.rows[r].next = self.relay_weight_long[r].q.val();
            self.weight_short_table.rows[r].next = self.relay_weight_short[r].q.val();
        }

        // S6: X copied for each row of compares.
        self.x_wide.next = bit_cast::<64, NOTIONAL>(self.x.val());
        self.x_wide_copy.next = bit_cast::<64, NOTIONAL>(self.x_copy.val());
        for m in 0..4 {
            self.x_row[m].clock.next = self.clock.val();
            self.x_row_en[m].clock.next = self.clock.val();
            self.x_row_en[m].d.next = self.enable_next.val();
            self.x_row[m].enable.next = self.x_row_en[m].q.val();
        }
        for m in 0..2 {
            self.x_row[m].d.next = self.x_wide.val();
        }
        for m in 2..4 {
            self.x_row[m].d.next = self.x_wide_copy.val();
        }
        // S7–S8: the compares.
        for b in 0..4 {
            self.compare[b].x.next = self.x_row[0].q.val();
        }
        for b in 4..8 {
            self.compare[b].x.next = self.x_row[1].q.val();
        }
        for b in 8..12 {
            self.compare[b].x.next = self.x_row[2].q.val();
        }
        for b in 12..15 {
            self.compare[b].x.next = self.x_row[3].q.val();
        }

        // S9: the first bracket with X ≤ cap wins: the first row with a
        // bracket that fits (the padded table always fits at bracket 15, so
        // row 3 is the default), and the first such bracket within it.
        for m in 0..3 {
            self.row_fits[m].next = self.compare[4 * m].fits.val()
                | self.compare[4 * m + 1].fits.val()
                | self.compare[4 * m + 2].fits.val()
                | self.compare[4 * m + 3].fits.val();
        }
        // Two-bit "first of f0, f1, f2, else 3", bit by bit (no literals, so
        // no widths for the Verilog to get wrong).
        self.row_hi.next = !self.row_fits[0].val() & !self.row_fits[1].val();
        self.row_lo.next =
            !self.row_fits[0].val() & (self.row_fits[1].val() | !self.row_fits[2].val());
        for m in 0..4 {
            self.first_hi[m].next =
                !self.compare[4 * m].fits.val() & !self.compare[4 * m + 1].fits.val();
            self.first_lo[m].next = !self.compare[4 * m].fits.val()
                & (self.compare[4 * m + 1].fits.val() | !self.compare[4 * m + 2].fits.val());
        }
        if self.row_fits[0].val() {
            self.bank_hi.next = self.first_hi[0].val();
            self.bank_lo.next = self.first_lo[0].val();
        } else if self.row_fits[1].val() {
            self.bank_hi.next = self.first_hi[1].val();
            self.bank_lo.next = self.first_lo[1].val();
        } else if self.row_fits[2].val() {
            self.bank_hi.next = self.first_hi[2].val();
            self.bank_lo.next = self.first_lo[2].val();
        } else {
            self.bank_hi.next = self.first_hi[3].val();
            self.bank_lo.next = self.first_lo[3].val();
        }
        self.select_next.next = bit_cast::<4, 1>(self.bank_lo.val().into())
            | (bit_cast::<4, 1>(self.bank_hi.val().into()) << 1)
            | (bit_cast::<4, 1>(self.row_lo.val().into()) << 2)
            | (bit_cast::<4, 1>(self.row_hi.val().into()) << 3);
        // The select, registered beside the compares.
        if self.select_enable.val() {
            self.select_q.d.next = self.select_next.val();
        }

        // S10: each table field's own copy of the select, and its read.
        self.maint_lo.select_next.next = self.select_q.q.val();
        self.maint_hi.select_next.next = self.select_q.q.val();
        self.weight_long_table.select_next.next = self.select_q.q.val();
        self.weight_short_table.select_next.next = self.select_q.q.val();
        self.maint_lo.select_enable.next = self.field_enable.val();
        self.maint_hi.select_enable.next = self.field_enable.val();
        self.weight_long_table.select_enable.next = self.field_enable.val();
        self.weight_short_table.select_enable.next = self.field_enable.val();
        // `maint` is two fields.
        self.maint.next = bit_cast::<MAINT, MAINT_LO>(self.maint_lo.value.val())
            | (bit_cast::<MAINT, MAINT_HI>(self.maint_hi.value.val()) << 56);
        self.weight_long.next = self.weight_long_table.value.val();
        self.weight_short.next = self.weight_short_table.value.val();
    }
}
