//! One scan lane: decides one position per clock (initiation interval 1).
//!
//! It evaluates the spec's single signed sum (`liqscan_core::spec`) and emits
//! the shortfall `−(T + A_b + σ·X·W_b,σ)` directly:
//!
//! ```text
//! shortfall = −T − A − σ·X·W
//!           = ~T + ~A + Y + 2 + σ      Y = σ>0 ? ~XW : XW   (all mod 2^110)
//! ```
//!
//! `~T + ~A + Y` is compressed to a carry-save pair; the two free low bits of
//! its two carry vectors carry the `+2` and the adder's carry-in the `+σ`,
//! so no separate negation or subtraction is needed. The pair then goes
//! through one 110-bit carry-select adder.
//!
//! Stage `k` holds a position after the `k`-th enabled edge since it was
//! sampled; the outputs are stage [`Lane::LATENCY`] = 21.
//!
//! ```text
//! S1      |Q| (31-bit negate), σ, valid
//! S2–S5   MulNotional: X = |Q|·P                      (4 DSPs)
//! S6      X, one register copy per row of four compares (beside them)
//! S7–S8   15 × CapCompare: X ≤ cap_b   (33-bit halves; the padded bracket 15 always fits)
//! S9      b = first bracket with X ≤ cap   (priority encoder, beside the compares)
//! S10     b again, one register copy per table field (beside its LUT RAM)
//! S11     A_b, W_b,σ   (LUT RAM read at b, 4:1 multiplexer, side)
//! S12–S17 MulProduct: X·W                              (12 DSPs)
//! S18     carry-save pair of ~sext(T), ~A, ±XW, 1 and σ
//! S19–S20 WideAdder: shortfall = pair + 1, and the sign of the pair alone
//!         (shortfall − 1)                               (≤ 38-bit carry chains)
//! S21     out_shortfall, out_hit = valid ∧ shortfall > 0 (≥ 0 with at_equal)
//! ```
//!
//! The compares sit by the first multiplier and the table by the second,
//! which spans a row of DSP blocks: S9 and S10 are two stages so that the
//! way between them is a register-to-register hop.
//!
//! `T` (to S15), `X` (S5 → S11), `A` (S11 → S17) and the tag (to S16) ride
//! along in LUT RAM delay lines ([`crate::delay`], at most 16 deep); only the
//! one-bit `valid` and side lines and the last stages of `T` and the tag are
//! registers.
//!
//! 16 multipliers per lane. A cycle after one with `enable_next` low
//! freezes every stage, so a stall cycle delays every result by exactly one
//! cycle. The enable is registered inside the lane, one copy per stage, per
//! compare, per delay line and per multiplier or adder block
//! ([`crate::fanout`]), so no enable net spans more than one stage.

use liqscan_core::spec;
use rust_hdl::prelude::*;

use crate::compare::{self, CapCompare};
use crate::delay::DelayLine;
use crate::fanout::{EnableCopy, RegisterCopy, Relay};
use crate::mul::width::{MAINT, NOTIONAL, OFFSET, PRICE, PRODUCT, QTY, QTY_STORE, SUM, WEIGHT};
use crate::mul::{MulNotional, MulProduct, WideAdder};
use crate::table::{self, TableField};

/// Entries of the bracket table.
pub const BRACKETS: usize = spec::MAX_BRACKETS;
/// Width of the opaque tag carried with each position.
pub const TAG: usize = 32;

/// One row of the bracket table as it reaches every lane: bank `r`'s
/// bracket of the row being loaded (see [`Lane::load_brackets`]).
#[derive(LogicInterface, Default)]
pub struct RowPort {
    /// `cap_b` in `X` units (`NOTIONAL_MAX` when uncapped), zero-extended by
    /// one bit so each half of the compare is 32 bits. Bracket 15, the
    /// padded one, always fits: its cap is not used.
    pub cap: Signal<In, Bits<{ compare::WIDE }>>,
    /// `A_b`.
    pub maint: Signal<In, Bits<MAINT>>,
    /// `W_b,+`, added for long positions.
    pub weight_long: Signal<In, Bits<WEIGHT>>,
    /// `W_b,−`, subtracted for short positions.
    pub weight_short: Signal<In, Bits<WEIGHT>>,
}

/// `A_b` is held as two table fields of these widths (14 and 13 LUT RAMs of
/// four bits), so each field's select drives about fifty multiplexers.
const MAINT_LO: usize = 56;
const MAINT_HI: usize = MAINT - MAINT_LO;

// Stage numbers (see the diagram above).
const S_IN: usize = 1;
const S_X: usize = S_IN + MulNotional::LATENCY;
const S_CMP: usize = S_X + 1 + CapCompare::LATENCY;
const S_PICK: usize = S_CMP + 1;
const S_COPY: usize = S_PICK + 1;
const S_SEL: usize = S_COPY + 1;
const S_XW: usize = S_SEL + MulProduct::LATENCY;
const S_CSA: usize = S_XW + 1;
const S_SUM: usize = S_CSA + WideAdder::LATENCY;
const S_OUT: usize = S_SUM + 1;

// hdl_gen code indexes the delay lines (entry k − 1 holds stage k) and the
// table with literals; these are the values they spell out.
const _: () = {
    assert!(BRACKETS == 16 && SUM == 110 && OFFSET == 108 && QTY_STORE == 32);
    assert!(MAINT_LO == 56 && MAINT_HI == 51 && compare::WIDE == 64 && TAG_LINE == 16);
    assert!(OFFSET_HALF == 54 && 2 * OFFSET_HALF == OFFSET);
    assert!(S_X == 5 && S_CMP == 8 && S_PICK == 9 && S_COPY == 10 && S_SEL == 11);
    assert!(S_XW == 17 && S_CSA == 18 && S_SUM == 20 && S_OUT == 21);
    assert!(OFFSET_LINE + OFFSET_LATE == S_XW && TAG_LINE + TAG_LATE == S_OUT - 1);
};

/// The tag's LUT RAM line reaches S16; four registers take it to S20.
const TAG_LINE: usize = 16;
const TAG_LATE: usize = 4;
/// `T`'s LUT RAM line reaches S15; two registers take it to S17.
const OFFSET_LINE: usize = 15;
const OFFSET_LATE: usize = 2;
/// Width of each half of `T`'s line.
const OFFSET_HALF: usize = OFFSET / 2;

/// The arithmetic of one lane: see the module docs.
#[derive(LogicBlock, Default)]
pub struct Lane {
    pub clock: Signal<In, Clock>,
    /// Clock enable of the **next** cycle: every stage holds in the cycle
    /// after one where this is low.
    pub enable_next: Signal<In, bool>,
    /// Liquidate when the sum is exactly 0 too.
    pub at_equal: Signal<In, bool>,
    /// `P`, static during a scan.
    pub price: Signal<In, Bits<PRICE>>,
    /// Row `m` of the table before load edge `m` (brackets `4m .. 4m + 3`).
    pub rows: [RowPort; table::BANKS],
    /// High for a cycle: the next edge starts a load and the four after it
    /// are the load edges 0..3. The lane samples row `m` on load edge `m`
    /// (into its row relays) and writes it into its caps and tables on the
    /// edge after, so the last write is the edge after load edge 3; it must
    /// come before the edge on which the first position of a scan reaches
    /// S7, where its compares read the caps. A table per lane
    /// keeps the compares and the select local when the lanes are spread
    /// over a chip, and the row relays split the way from a shared table
    /// into two hops.
    pub load_brackets: Signal<In, bool>,
    pub in_valid: Signal<In, bool>,
    /// Opaque, returned with the result.
    pub in_tag: Signal<In, Bits<TAG>>,
    /// `Q`, nonzero when valid.
    pub in_qty: Signal<In, Signed<QTY_STORE>>,
    /// `T`.
    pub in_offset: Signal<In, Signed<OFFSET>>,
    /// The input [`Lane::LATENCY`] enabled cycles ago was valid.
    pub out_valid: Signal<Out, bool>,
    /// Valid and liquidated.
    pub out_hit: Signal<Out, bool>,
    pub out_tag: Signal<Out, Bits<TAG>>,
    /// `−(T + A + σ·X·W)`, exact for every valid input.
    pub out_shortfall: Signal<Out, Signed<SUM>>,

    /// The rows as sampled on the last edge, one register per field between
    /// the shared table and the lane's caps and LUT RAM tables, which
    /// `scripts/floorplan.py` pins midway.
    relay_cap: [Relay<Bits<{ compare::WIDE }>>; table::BANKS],
    relay_maint: [Relay<Bits<MAINT>>; table::BANKS],
    relay_weight_long: [Relay<Bits<WEIGHT>>; table::BANKS],
    relay_weight_short: [Relay<Bits<WEIGHT>>; table::BANKS],
    /// `load_brackets` one edge later, for the tables and row 0's caps (a
    /// row reaches them one edge after its load edge), and then one more
    /// edge per row for rows 1..3's caps.
    load_late: DFF<bool>,
    cap_load: [DFF<bool>; 3],

    /// The clock enable of stage k's registers (entry k − 1) and of the
    /// three arithmetic blocks.
    stage_en: [EnableCopy; S_OUT],
    mul_x_en: EnableCopy,
    mul_xw_en: EnableCopy,
    add_en: EnableCopy,
    /// The enable of `shortfall_out`, apart from the rest of the last stage.
    shortfall_en: EnableCopy,
    // Side-band delay lines in registers: entry k − 1 holds stage k.
    valid: [DFF<bool>; S_SUM],
    /// `Q < 0` (short).
    neg: [DFF<bool>; S_XW],
    // Delay lines in LUT RAM.
    /// The tag, S1 → S16, then `tag_late` at S17 to S20.
    tag_line: DelayLine<TAG, TAG_LINE>,
    tag_late: [DFF<Bits<TAG>>; TAG_LATE],
    /// `T`, S1 → S15, then `offset_late` at S16 and S17 (sign-extended at S18).
    /// In two halves, each with its own pointers: one line's read address
    /// would reach all 27 of its LUT RAMs, spread along the lane.
    offset_line_lo: DelayLine<OFFSET_HALF, OFFSET_LINE>,
    offset_line_hi: DelayLine<OFFSET_HALF, OFFSET_LINE>,
    offset_bits: Signal<Local, Bits<OFFSET>>,
    offset_delayed: Signal<Local, Bits<OFFSET>>,
    offset_late: [DFF<Bits<OFFSET>>; OFFSET_LATE],
    /// `X`, S5 → S11 (the second product's operand).
    x_line: DelayLine<NOTIONAL, { S_SEL - S_X }>,
    /// `A_b`, S11 → S17 (from the `maint` register, so the table's read
    /// ends in flip-flops and not in the line's LUT RAM write port).
    maint_line: DelayLine<MAINT, { S_XW - S_SEL }>,

    // S1.
    qty_bits: Signal<Local, Bits<QTY_STORE>>,
    qty_low: Signal<Local, Bits<QTY>>,
    qty_abs: Signal<Local, Bits<QTY>>,
    abs_qty: DFF<Bits<QTY>>,
    // S2–S5.
    mul_x: MulNotional,
    /// The lane's copy of the amounts, one LUT RAM table per field.
    maint_lo: TableField<MAINT_LO>,
    maint_hi: TableField<MAINT_HI>,
    weight_long: TableField<WEIGHT>,
    weight_short: TableField<WEIGHT>,
    /// `X` zero-extended to the compares' width.
    x_wide: Signal<Local, Bits<{ compare::WIDE }>>,
    /// The same from the product's second register.
    x_wide_copy: Signal<Local, Bits<{ compare::WIDE }>>,
    /// S6: `X` for each row of four compares, with its enable copy.
    /// `keep`: synthesis would merge the four copies into one.
    x_copy: [RegisterCopy<Bits<{ compare::WIDE }>>; table::ROWS],
    x_copy_en: [EnableCopy; table::ROWS],
    /// S7–S8: per bracket `X ≤ cap_b`, each with its own copy of its cap
    /// (bracket 15 of the padded table always fits). A copy per lane keeps
    /// the compares local when the lanes are spread over a chip.
    compare: [CapCompare; BRACKETS - 1],
    // S9: the first bracket that fits, `4·row + bank`: per row of four
    // whether any fits and which fits first (row 3 always fits).
    row_fits: [Signal<Local, bool>; 3],
    first_hi: [Signal<Local, bool>; 4],
    first_lo: [Signal<Local, bool>; 4],
    row_hi: Signal<Local, bool>,
    row_lo: Signal<Local, bool>,
    bank_hi: Signal<Local, bool>,
    bank_lo: Signal<Local, bool>,
    select: Signal<Local, Bits<4>>,
    select_q: DFF<Bits<4>>,
    // S11.
    maint_value: Signal<Local, Bits<MAINT>>,
    maint: DFF<Bits<MAINT>>,
    weight: DFF<Bits<WEIGHT>>,
    // S12–S17.
    mul_xw: MulProduct,
    // S18.
    offset_sign: Signal<Local, Bits<1>>,
    offset_ext: Signal<Local, Bits<SUM>>,
    t_inv: Signal<Local, Bits<SUM>>,
    a_ext: Signal<Local, Bits<SUM>>,
    a_inv: Signal<Local, Bits<SUM>>,
    xw_ext: Signal<Local, Bits<SUM>>,
    xw_sel: Signal<Local, Bits<SUM>>,
    s1: Signal<Local, Bits<SUM>>,
    c1: Signal<Local, Bits<SUM>>,
    save_s: DFF<Bits<SUM>>,
    save_c: DFF<Bits<SUM>>,
    // S19–S20.
    add: WideAdder,
    // S21.
    valid_out: DFF<bool>,
    hit_out: DFF<bool>,
    tag_out: DFF<Bits<TAG>>,
    shortfall_out: DFF<Bits<SUM>>,
}

impl Lane {
    /// Enabled clock edges from sampling an input (counted) to its result on the outputs.
    pub const LATENCY: usize = S_OUT;
    /// 16×16 multipliers (DSP blocks) per lane.
    pub const MULTIPLIERS: usize = MulNotional::MULTIPLIERS + MulProduct::MULTIPLIERS;
}

impl Logic for Lane {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            abs_qty,
            load_late,
            select_q,
            maint,
            weight,
            save_s,
            save_c,
            valid_out,
            hit_out,
            tag_out,
            shortfall_out
        );
        clock!(
            self,
            clock,
            mul_x,
            mul_xw,
            add,
            mul_x_en,
            mul_xw_en,
            add_en,
            shortfall_en,
            maint_lo,
            maint_hi,
            weight_long,
            weight_short,
            tag_line,
            offset_line_lo,
            offset_line_hi,
            x_line,
            maint_line
        );
        for k in 0..21 {
            self.stage_en[k].clock.next = self.clock.val();
            self.stage_en[k].d.next = self.enable_next.val();
        }
        self.mul_x_en.d.next = self.enable_next.val();
        self.mul_xw_en.d.next = self.enable_next.val();
        self.add_en.d.next = self.enable_next.val();
        self.shortfall_en.d.next = self.enable_next.val();
        self.tag_line.enable_next.next = self.enable_next.val();
        self.offset_line_lo.enable_next.next = self.enable_next.val();
        self.offset_line_hi.enable_next.next = self.enable_next.val();
        self.x_line.enable_next.next = self.enable_next.val();
        self.maint_line.enable_next.next = self.enable_next.val();
        for k in 0..20 {
            self.valid[k].clock.next = self.clock.val();
            self.valid[k].d.next = self.valid[k].q.val();
        }
        for k in 0..17 {
            self.neg[k].clock.next = self.clock.val();
            self.neg[k].d.next = self.neg[k].q.val();
        }
        for k in 0..4 {
            self.tag_late[k].clock.next = self.clock.val();
            self.tag_late[k].d.next = self.tag_late[k].q.val();
        }
        for k in 0..2 {
            self.offset_late[k].clock.next = self.clock.val();
            self.offset_late[k].d.next = self.offset_late[k].q.val();
        }
        // The lane's bracket table, a row per edge through the relays: caps
        // in the compares (row m's compares load one edge after row m − 1's),
        // amounts in LUT RAM.
        for r in 0..4 {
            self.relay_cap[r].clock.next = self.clock.val();
            self.relay_cap[r].d.next = self.rows[r].cap.val();
            self.relay_maint[r].clock.next = self.clock.val();
            self.relay_maint[r].d.next = self.rows[r].maint.val();
            self.relay_weight_long[r].clock.next = self.clock.val();
            self.relay_weight_long[r].d.next = self.rows[r].weight_long.val();
            self.relay_weight_short[r].clock.next = self.clock.val();
            self.relay_weight_short[r].d.next = self.rows[r].weight_short.val();
        }
        self.load_late.d.next = self.load_brackets.val();
        for m in 0..3 {
            self.cap_load[m].clock.next = self.clock.val();
        }
        self.cap_load[0].d.next = self.load_late.q.val();
        for m in 1..3 {
            self.cap_load[m].d.next = self.cap_load[m - 1].q.val();
        }
        for b in 0..15 {
            self.compare[b].clock.next = self.clock.val();
            self.compare[b].enable_next.next = self.enable_next.val();
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
        self.maint_lo.load.next = self.load_late.q.val();
        self.maint_hi.load.next = self.load_late.q.val();
        self.weight_long.load.next = self.load_late.q.val();
        self.weight_short.load.next = self.load_late.q.val();
        for r in 0..4 {
            self.maint_lo.rows[r].next = self.relay_maint[r].q.val().get_bits::<MAINT_LO>(0);
            self.maint_hi.rows[r].next = self.relay_maint[r].q.val().get_bits::<MAINT_HI>(56);
            self.weight_long.rows[r].next = self.relay_weight_long[r].q.val();
            self.weight_short.rows[r].next = self.relay_weight_short[r].q.val();
        }
        self.mul_x.enable.next = self.mul_x_en.q.val();
        self.mul_xw.enable.next = self.mul_xw_en.q.val();
        self.add.enable.next = self.add_en.q.val();

        // S1: |Q| ≤ 2^31 − 1, so −Q is exact modulo 2^31: a 31-bit negate.
        self.qty_bits.next = unsigned_cast(self.in_qty.val());
        self.qty_low.next = self.qty_bits.val().get_bits::<QTY>(0);
        if self.qty_bits.val().get_bit(31) {
            // A 1-bit literal keeps the Verilog add 31 bits wide.
            self.qty_abs.next = !self.qty_low.val() + true;
        } else {
            self.qty_abs.next = self.qty_low.val();
        }
        self.tag_line.d.next = self.in_tag.val();
        self.offset_bits.next = unsigned_cast(self.in_offset.val());
        self.offset_line_lo.d.next = self.offset_bits.val().get_bits::<OFFSET_HALF>(0);
        self.offset_line_hi.d.next = self.offset_bits.val().get_bits::<OFFSET_HALF>(54);
        self.offset_delayed.next = bit_cast::<OFFSET, OFFSET_HALF>(self.offset_line_lo.q.val())
            | (bit_cast::<OFFSET, OFFSET_HALF>(self.offset_line_hi.q.val()) << 54);

        // S2–S5: X = |Q|·P, 31 × 32 → 63 bits.
        self.mul_x.a.next = self.abs_qty.q.val();
        self.mul_x.b.next = self.price.val();

        // S6: X copied for each row of compares, and on its way to the
        // second product. Rows 0 and 1 copy X from the product's register,
        // rows 2 and 3 and the line from its copy: no net from one register
        // spans all rows.
        self.x_wide.next = bit_cast::<64, NOTIONAL>(self.mul_x.y.val());
        self.x_wide_copy.next = bit_cast::<64, NOTIONAL>(self.mul_x.y_copy.val());
        for m in 0..4 {
            self.x_copy[m].clock.next = self.clock.val();
            self.x_copy_en[m].clock.next = self.clock.val();
            self.x_copy_en[m].d.next = self.enable_next.val();
            self.x_copy[m].enable.next = self.x_copy_en[m].q.val();
        }
        for m in 0..2 {
            self.x_copy[m].d.next = self.x_wide.val();
        }
        for m in 2..4 {
            self.x_copy[m].d.next = self.x_wide_copy.val();
        }
        // S7–S8: the compares.
        for b in 0..4 {
            self.compare[b].x.next = self.x_copy[0].q.val();
        }
        for b in 4..8 {
            self.compare[b].x.next = self.x_copy[1].q.val();
        }
        for b in 8..12 {
            self.compare[b].x.next = self.x_copy[2].q.val();
        }
        for b in 12..15 {
            self.compare[b].x.next = self.x_copy[3].q.val();
        }
        self.x_line.d.next = self.mul_x.y_copy.val();

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
        self.select.next = bit_cast::<4, 1>(self.bank_lo.val().into())
            | (bit_cast::<4, 1>(self.bank_hi.val().into()) << 1)
            | (bit_cast::<4, 1>(self.row_lo.val().into()) << 2)
            | (bit_cast::<4, 1>(self.row_hi.val().into()) << 3);
        // S10: each table field's own copy of the select.
        self.maint_lo.select_next.next = self.select_q.q.val();
        self.maint_hi.select_next.next = self.select_q.q.val();
        self.weight_long.select_next.next = self.select_q.q.val();
        self.weight_short.select_next.next = self.select_q.q.val();
        self.maint_lo.select_enable.next = self.stage_en[9].q.val();
        self.maint_hi.select_enable.next = self.stage_en[9].q.val();
        self.weight_long.select_enable.next = self.stage_en[9].q.val();
        self.weight_short.select_enable.next = self.stage_en[9].q.val();
        // S11: the selected amounts (`maint` is two fields).
        self.maint_value.next = bit_cast::<MAINT, MAINT_LO>(self.maint_lo.value.val())
            | (bit_cast::<MAINT, MAINT_HI>(self.maint_hi.value.val()) << 56);
        self.maint_line.d.next = self.maint.q.val();

        // S12–S17: X·W, 63 × 37 → 100 bits.
        self.mul_xw.a.next = self.x_line.q.val();
        self.mul_xw.b.next = self.weight.q.val();

        // S18: ~sext(T) + ~A + Y, each 110 bits (A and XW zero-extended).
        // Sign-extended by hand on unsigned bits: rust-hdl's simulated
        // `signed_bit_cast` does not terminate on the most negative value.
        self.offset_sign.next = self.offset_late[1].q.val().get_bits::<1>(107);
        self.offset_ext.next = bit_cast::<SUM, OFFSET>(self.offset_late[1].q.val())
            | (bit_cast::<SUM, 1>(self.offset_sign.val()) << 108)
            | (bit_cast::<SUM, 1>(self.offset_sign.val()) << 109);
        self.t_inv.next = !self.offset_ext.val();
        self.a_ext.next = bit_cast::<SUM, MAINT>(self.maint_line.q.val());
        self.a_inv.next = !self.a_ext.val();
        self.xw_ext.next = bit_cast::<SUM, PRODUCT>(self.mul_xw.y.val());
        if self.neg[16].q.val() {
            self.xw_sel.next = self.xw_ext.val();
        } else {
            self.xw_sel.next = !self.xw_ext.val();
        }
        // 3:2 compressor; its carry vector's free bit 0 adds the first +1.
        self.s1.next = self.t_inv.val() ^ self.a_inv.val() ^ self.xw_sel.val();
        self.c1.next = (((self.t_inv.val() & self.a_inv.val())
            | (self.t_inv.val() & self.xw_sel.val())
            | (self.a_inv.val() & self.xw_sel.val()))
            << 1)
            | 1;

        // S19–S20: s + c + 1, the second +1. Without it the sum is
        // shortfall − 1, whose sign the adder also gives.
        self.add.a.next = self.save_s.q.val();
        self.add.b.next = self.save_c.q.val();
        self.add.cin.next = true;

        // S1.
        if self.stage_en[0].q.val() {
            self.valid[0].d.next = self.in_valid.val();
            self.neg[0].d.next = self.qty_bits.val().get_bit(31);
            self.abs_qty.d.next = self.qty_abs.val();
        }
        // The side-band delay lines: entry k holds stage k + 1.
        for k in 1..20 {
            if self.stage_en[k].q.val() {
                self.valid[k].d.next = self.valid[k - 1].q.val();
            }
        }
        for k in 1..17 {
            if self.stage_en[k].q.val() {
                self.neg[k].d.next = self.neg[k - 1].q.val();
            }
        }
        // S9: the select, registered beside the compares.
        if self.stage_en[8].q.val() {
            self.select_q.d.next = self.select.val();
        }
        // S11: the bracket's amount, and its weight for the position's side
        // (`neg[9]` holds S10).
        if self.stage_en[10].q.val() {
            self.maint.d.next = self.maint_value.val();
            if self.neg[9].q.val() {
                self.weight.d.next = self.weight_short.value.val();
            } else {
                self.weight.d.next = self.weight_long.value.val();
            }
        }
        // S16, S17: `T` after its LUT RAM line.
        if self.stage_en[15].q.val() {
            self.offset_late[0].d.next = self.offset_delayed.val();
        }
        if self.stage_en[16].q.val() {
            self.offset_late[1].d.next = self.offset_late[0].q.val();
        }
        // S18: half-adder step; its free bit 0 adds σ (1 for long
        // positions; `neg[16]` holds S17).
        if self.stage_en[17].q.val() {
            self.save_s.d.next = self.s1.val() ^ self.c1.val();
            if self.neg[16].q.val() {
                self.save_c.d.next = (self.s1.val() & self.c1.val()) << 1;
            } else {
                self.save_c.d.next = ((self.s1.val() & self.c1.val()) << 1) | 1;
            }
        }
        // S17 to S20: the tag after its LUT RAM line.
        if self.stage_en[16].q.val() {
            self.tag_late[0].d.next = self.tag_line.q.val();
        }
        for k in 1..4 {
            if self.stage_en[16 + k].q.val() {
                self.tag_late[k].d.next = self.tag_late[k - 1].q.val();
            }
        }
        // S21: shortfall ≥ 0 is the sum's sign; shortfall > 0 adds
        // shortfall − 1 ≥ 0, the sign of the sum without its carry-in.
        if self.stage_en[20].q.val() {
            self.valid_out.d.next = self.valid[19].q.val();
            self.tag_out.d.next = self.tag_late[3].q.val();
            self.hit_out.d.next = self.valid[19].q.val()
                && !self.add.sum.val().get_bit(109)
                && (!self.add.negative_without_cin.val() || self.at_equal.val());
        }
        if self.shortfall_en.q.val() {
            self.shortfall_out.d.next = self.add.sum.val();
        }
        self.out_valid.next = self.valid_out.q.val();
        self.out_hit.next = self.hit_out.q.val();
        self.out_tag.next = self.tag_out.q.val();
        self.out_shortfall.next = signed_cast(self.shortfall_out.q.val());
    }
}
