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
//! S6–S10 BracketSelect: b = first bracket with X ≤ cap_b, and its amounts
//!         (see [`crate::bracket_select`])
//! S11     A_b, W_b,σ   (registered; the weight for the position's side)
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
//! along in LUT RAM delay lines ([`crate::delay`], at most 16 deep), `valid`
//! as a 33rd bit of the tag's line and the side `σ < 0` from S11 as a 55th
//! bit of `T`'s high half; only `σ` to S10 and the last stages of `T` and the
//! tag are registers. (The lines' RAM starts at zero, on the ECP5 and in
//! simulation, so `valid` is low until the first valid input arrives.)
//!
//! 16 multipliers per lane. A cycle after one with `enable_next` low
//! freezes every stage, so a stall cycle delays every result by exactly one
//! cycle. The enable is registered inside the lane, one copy per stage that
//! holds registers, per row of four compares, per delay line and per
//! multiplier or adder block ([`crate::fanout`]), so no enable net spans more
//! than one stage.

use liqscan_core::spec;
use rust_hdl::prelude::*;

use crate::bracket_select::BracketSelect;
use crate::compare;
use crate::compress::{Compressor, LOW};
use crate::delay::DelayLine;
use crate::fanout::EnableCopy;
use crate::mul::width::{MAINT, NOTIONAL, OFFSET, PRICE, QTY, QTY_STORE, SUM, WEIGHT};
use crate::mul::{MulNotional, MulProduct, WideAdder, PRODUCT_HI, SUM_HI};
use crate::table;

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

// Stage numbers (see the diagram above).
const S_IN: usize = 1;
const S_X: usize = S_IN + MulNotional::LATENCY;
const S_PICK: usize = S_X + BracketSelect::SELECT_LATENCY;
const S_COPY: usize = S_X + BracketSelect::LATENCY;
const S_SEL: usize = S_COPY + 1;
const S_XW: usize = S_SEL + MulProduct::LATENCY;
const S_CSA: usize = S_XW + 1;
const S_SUM: usize = S_CSA + WideAdder::LATENCY;
const S_OUT: usize = S_SUM + 1;
/// The first stage after `T`'s LUT RAM line.
const S_LATE: usize = OFFSET_LINE + 1;

// hdl_gen code indexes the delay lines (entry k − 1 holds stage k) and the
// table with literals; these are the values they spell out.
const _: () = {
    assert!(BRACKETS == 16 && SUM == 110 && OFFSET == 108 && QTY_STORE == 32);
    assert!(TAG_LINE == 16);
    assert!(OFFSET_HALF == 54 && 2 * OFFSET_HALF == OFFSET && OFFSET_HI_NEG == 55);
    assert!(TAG == 32 && TAG_VALID == 33 && NEG_REGISTERS == 10);
    assert!(LOW == 64 && SUM_HI == 46 && PRODUCT_HI == 36 && MAINT == 107);
    assert!(S_X == 5 && S_PICK == 9 && S_COPY == 10 && S_SEL == 11);
    assert!(S_XW == 17 && S_CSA == 18 && S_SUM == 20 && S_OUT == 21 && S_LATE == 16);
    assert!(OFFSET_LINE + OFFSET_LATE == S_XW && TAG_LINE + TAG_LATE == S_OUT - 1);
};

/// The tag's LUT RAM line reaches S16; four registers take it to S20. It
/// carries `valid` in its top bit.
const TAG_LINE: usize = 16;
const TAG_VALID: usize = TAG + 1;
const TAG_LATE: usize = 4;
/// `σ < 0` in registers: S1 to S10 (for the weight's side at S11).
const NEG_REGISTERS: usize = S_COPY;
/// `T`'s LUT RAM line reaches S15; two registers take it to S17.
const OFFSET_LINE: usize = 15;
const OFFSET_LATE: usize = 2;
/// Width of each half of `T`; the high half's line carries `σ < 0` above it.
const OFFSET_HALF: usize = OFFSET / 2;
const OFFSET_HI_NEG: usize = OFFSET_HALF + 1;

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

    /// The clock enables of the stages' registers: S1, S9, S10 and S11
    /// (entries 0 to 3; S2 to S8 are the blocks' own), then S16 to S21
    /// (entry k − 16; S12 to S15 hold nothing in registers); the side line
    /// `neg` from S2 to S10 (ten flip-flops) on one of its own; and the
    /// three arithmetic blocks'.
    stage_en: [EnableCopy; 4],
    tail_en: [EnableCopy; S_OUT - S_LATE + 1],
    neg_en: EnableCopy,
    mul_x_en: EnableCopy,
    mul_xw_en: EnableCopy,
    add_en: EnableCopy,
    /// The enable of `shortfall_out`, apart from the rest of the last stage.
    shortfall_en: EnableCopy,
    /// `Q < 0` (short) to S10, in registers: entry k − 1 holds stage k.
    /// From S1 it rides in `T`'s line as well, for S17.
    neg: [DFF<bool>; NEG_REGISTERS],
    // Delay lines in LUT RAM.
    /// The tag and `valid` (bit 32), S1 → S16, then `tag_late` at S17 to S20.
    tag_line: DelayLine<TAG_VALID, TAG_LINE>,
    tag_valid: Signal<Local, Bits<TAG_VALID>>,
    tag_late: [DFF<Bits<TAG_VALID>>; TAG_LATE],
    /// `T`, S1 → S15, then `offset_late` at S16 and S17 (sign-extended at S18).
    /// In two halves, each with its own pointers: one line's read address
    /// would reach all 27 of its LUT RAMs, spread along the lane.
    offset_line_lo: DelayLine<OFFSET_HALF, OFFSET_LINE>,
    offset_line_hi: DelayLine<OFFSET_HI_NEG, OFFSET_LINE>,
    offset_bits: Signal<Local, Bits<OFFSET>>,
    offset_late_lo: [DFF<Bits<OFFSET_HALF>>; OFFSET_LATE],
    offset_late_hi: [DFF<Bits<OFFSET_HI_NEG>>; OFFSET_LATE],
    /// `σ < 0` at S17, from `T`'s line.
    neg_late: Signal<Local, bool>,
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
    // S6–S10: the lane's bracket table and the select of X's bracket.
    brackets: BracketSelect,
    // S11.
    maint: DFF<Bits<MAINT>>,
    weight: DFF<Bits<WEIGHT>>,
    // S12–S17.
    mul_xw: MulProduct,
    // S18: every 110-bit value as a low part of 64 bits and a high part
    // of 46 (see [`crate::compress`]).
    offset_sign: Signal<Local, Bits<1>>,
    /// `~T` and `~A`, the compressor's first two inputs.
    t_inv_lo: Signal<Local, Bits<LOW>>,
    t_inv_hi: Signal<Local, Bits<SUM_HI>>,
    a_inv_lo: Signal<Local, Bits<LOW>>,
    a_inv_hi: Signal<Local, Bits<SUM_HI>>,
    /// `Y`.
    xw_sel_lo: Signal<Local, Bits<LOW>>,
    xw_sel_hi: Signal<Local, Bits<SUM_HI>>,
    /// `~T + ~A + Y + 1` as a pair, then the pair + σ as another.
    csa: Compressor<SUM_HI>,
    half: Compressor<SUM_HI>,
    save_s_lo: DFF<Bits<LOW>>,
    save_s_hi: DFF<Bits<SUM_HI>>,
    save_c_lo: DFF<Bits<LOW>>,
    save_c_hi: DFF<Bits<SUM_HI>>,
    // S19–S20.
    add: WideAdder,
    // S21.
    valid_out: DFF<bool>,
    hit_out: DFF<bool>,
    tag_out: DFF<Bits<TAG>>,
    shortfall_out_lo: DFF<Bits<LOW>>,
    shortfall_out_hi: DFF<Bits<SUM_HI>>,
    shortfall_bits: Signal<Local, Bits<SUM>>,
}

impl Lane {
    /// Enabled clock edges from sampling an input (counted) to its result on the outputs.
    pub const LATENCY: usize = S_OUT;
    /// 16×16 multipliers (DSP blocks) per lane.
    pub const MULTIPLIERS: usize = MulNotional::MULTIPLIERS + MulProduct::MULTIPLIERS;
}

// The multiplier budget (`spec`: two wide products, 16 DSP blocks a lane) and
// the stage count: the blocks plus S1, S6 (the compares' copies of X), S9–S11
// (select, its copies, the table read), S18 (carry-save) and S21 (sign test).
const _: () = assert!(
    Lane::MULTIPLIERS == 16
        && MulNotional::LATENCY
            + compare::CapCompare::LATENCY
            + MulProduct::LATENCY
            + WideAdder::LATENCY
            + 7
            == Lane::LATENCY
        && SUM as u32 == spec::SUM_BITS
);

impl Logic for Lane {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            abs_qty,
            maint,
            weight,
            save_s_lo,
            save_s_hi,
            save_c_lo,
            save_c_hi,
            valid_out,
            hit_out,
            tag_out,
            shortfall_out_lo,
            shortfall_out_hi
        );
        clock!(
            self,
            clock,
            mul_x,
            mul_xw,
            add,
            neg_en,
            mul_x_en,
            mul_xw_en,
            add_en,
            shortfall_en,
            brackets,
            tag_line,
            offset_line_lo,
            offset_line_hi,
            x_line,
            maint_line
        );
        for k in 0..4 {
            self.stage_en[k].clock.next = self.clock.val();
            self.stage_en[k].d.next = self.enable_next.val();
        }
        for k in 0..6 {
            self.tail_en[k].clock.next = self.clock.val();
            self.tail_en[k].d.next = self.enable_next.val();
        }
        self.neg_en.d.next = self.enable_next.val();
        self.mul_x_en.d.next = self.enable_next.val();
        self.mul_xw_en.d.next = self.enable_next.val();
        self.add_en.d.next = self.enable_next.val();
        self.shortfall_en.d.next = self.enable_next.val();
        self.tag_line.enable_next.next = self.enable_next.val();
        self.offset_line_lo.enable_next.next = self.enable_next.val();
        self.offset_line_hi.enable_next.next = self.enable_next.val();
        self.x_line.enable_next.next = self.enable_next.val();
        self.maint_line.enable_next.next = self.enable_next.val();
        for k in 0..10 {
            self.neg[k].clock.next = self.clock.val();
            self.neg[k].d.next = self.neg[k].q.val();
        }
        for k in 0..4 {
            self.tag_late[k].clock.next = self.clock.val();
            self.tag_late[k].d.next = self.tag_late[k].q.val();
        }
        for k in 0..2 {
            self.offset_late_lo[k].clock.next = self.clock.val();
            self.offset_late_lo[k].d.next = self.offset_late_lo[k].q.val();
            self.offset_late_hi[k].clock.next = self.clock.val();
            self.offset_late_hi[k].d.next = self.offset_late_hi[k].q.val();
        }
        // The lane's bracket table, a row per edge.
        self.brackets.load.next = self.load_brackets.val();
        for r in 0..4 {
            self.brackets.rows[r].cap.next = self.rows[r].cap.val();
            self.brackets.rows[r].maint.next = self.rows[r].maint.val();
            self.brackets.rows[r].weight_long.next = self.rows[r].weight_long.val();
            self.brackets.rows[r].weight_short.next = self.rows[r].weight_short.val();
        }
        self.brackets.enable_next.next = self.enable_next.val();
        self.brackets.select_enable.next = self.stage_en[1].q.val();
        self.brackets.field_enable.next = self.stage_en[2].q.val();
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
        self.tag_line.d.next = bit_cast::<TAG_VALID, TAG>(self.in_tag.val())
            | (bit_cast::<TAG_VALID, 1>(self.in_valid.val().into()) << 32);
        self.offset_bits.next = unsigned_cast(self.in_offset.val());
        self.offset_line_lo.d.next = self.offset_bits.val().get_bits::<OFFSET_HALF>(0);
        self.offset_line_hi.d.next =
            bit_cast::<OFFSET_HI_NEG, OFFSET_HALF>(
                self.offset_bits.val().get_bits::<OFFSET_HALF>(54),
            ) | (bit_cast::<OFFSET_HI_NEG, 1>(self.qty_bits.val().get_bits::<1>(31)) << 54);

        // S2–S5: X = |Q|·P, 31 × 32 → 63 bits.
        self.mul_x.a.next = self.abs_qty.q.val();
        self.mul_x.b.next = self.price.val();

        // S6–S10: X's bracket and its amounts; X on its way to the second
        // product from the product's copy.
        self.brackets.x.next = self.mul_x.y.val();
        self.brackets.x_copy.next = self.mul_x.y_copy.val();
        self.x_line.d.next = self.mul_x.y_copy.val();

        self.maint_line.d.next = self.maint.q.val();

        // S12–S17: X·W, 63 × 37 → 100 bits.
        self.mul_xw.a.next = self.x_line.q.val();
        self.mul_xw.b.next = self.weight.q.val();

        // S18: ~sext(T) + ~A + Y, each 110 bits (A and XW zero-extended),
        // as parts: bits 0–63 of T are its low half and bits 0–9 of its
        // high one. Sign-extended by hand on unsigned bits: rust-hdl's
        // simulated `signed_bit_cast` does not terminate on the most
        // negative value.
        self.offset_sign.next = self.offset_late_hi[1].q.val().get_bits::<1>(53);
        self.neg_late.next = self.offset_late_hi[1].q.val().get_bit(54);
        self.t_inv_lo.next = !(bit_cast::<LOW, OFFSET_HALF>(self.offset_late_lo[1].q.val())
            | (bit_cast::<LOW, 10>(self.offset_late_hi[1].q.val().get_bits::<10>(0)) << 54));
        self.t_inv_hi.next =
            !(bit_cast::<SUM_HI, 44>(self.offset_late_hi[1].q.val().get_bits::<44>(10))
                | (bit_cast::<SUM_HI, 1>(self.offset_sign.val()) << 44)
                | (bit_cast::<SUM_HI, 1>(self.offset_sign.val()) << 45));
        self.a_inv_lo.next = !self.maint_line.q.val().get_bits::<LOW>(0);
        self.a_inv_hi.next = !bit_cast::<SUM_HI, 43>(self.maint_line.q.val().get_bits::<43>(64));
        if self.neg_late.val() {
            self.xw_sel_lo.next = self.mul_xw.y_lo.val();
            self.xw_sel_hi.next = bit_cast::<SUM_HI, PRODUCT_HI>(self.mul_xw.y_hi.val());
        } else {
            self.xw_sel_lo.next = !self.mul_xw.y_lo.val();
            self.xw_sel_hi.next = !bit_cast::<SUM_HI, PRODUCT_HI>(self.mul_xw.y_hi.val());
        }
        // 3:2 compressor; its carry vector's free bit 0 adds the first +1.
        self.csa.x_lo.next = self.t_inv_lo.val();
        self.csa.x_hi.next = self.t_inv_hi.val();
        self.csa.y_lo.next = self.a_inv_lo.val();
        self.csa.y_hi.next = self.a_inv_hi.val();
        self.csa.z_lo.next = self.xw_sel_lo.val();
        self.csa.z_hi.next = self.xw_sel_hi.val();
        self.csa.carry_in.next = true;
        // Half-adder step (third input zero); its free bit 0 adds σ (1 for
        // long positions; `neg_late` holds S17).
        self.half.x_lo.next = self.csa.s_lo.val();
        self.half.x_hi.next = self.csa.s_hi.val();
        self.half.y_lo.next = self.csa.c_lo.val();
        self.half.y_hi.next = self.csa.c_hi.val();
        self.half.z_lo.next = 0.into();
        self.half.z_hi.next = 0.into();
        self.half.carry_in.next = !self.neg_late.val();

        // S19–S20: s + c + 1, the second +1. Without it the sum is
        // shortfall − 1, whose sign the adder also gives.
        self.add.a_lo.next = self.save_s_lo.q.val();
        self.add.a_hi.next = self.save_s_hi.q.val();
        self.add.b_lo.next = self.save_c_lo.q.val();
        self.add.b_hi.next = self.save_c_hi.q.val();
        self.add.cin.next = true;

        // S1.
        if self.stage_en[0].q.val() {
            self.neg[0].d.next = self.qty_bits.val().get_bit(31);
            self.abs_qty.d.next = self.qty_abs.val();
        }
        // The side line: entry k holds stage k + 1.
        if self.neg_en.q.val() {
            for k in 1..10 {
                self.neg[k].d.next = self.neg[k - 1].q.val();
            }
        }
        // S11: the bracket's amount, and its weight for the position's side
        // (`neg[9]` holds S10).
        if self.stage_en[3].q.val() {
            self.maint.d.next = self.brackets.maint.val();
            if self.neg[9].q.val() {
                self.weight.d.next = self.brackets.weight_short.val();
            } else {
                self.weight.d.next = self.brackets.weight_long.val();
            }
        }
        // S16, S17: `T` after its LUT RAM line.
        if self.tail_en[0].q.val() {
            self.offset_late_lo[0].d.next = self.offset_line_lo.q.val();
            self.offset_late_hi[0].d.next = self.offset_line_hi.q.val();
        }
        if self.tail_en[1].q.val() {
            self.offset_late_lo[1].d.next = self.offset_late_lo[0].q.val();
            self.offset_late_hi[1].d.next = self.offset_late_hi[0].q.val();
        }
        // S18: the half-adder step, registered.
        if self.tail_en[2].q.val() {
            self.save_s_lo.d.next = self.half.s_lo.val();
            self.save_s_hi.d.next = self.half.s_hi.val();
            self.save_c_lo.d.next = self.half.c_lo.val();
            self.save_c_hi.d.next = self.half.c_hi.val();
        }
        // S17 to S20: the tag after its LUT RAM line.
        if self.tail_en[1].q.val() {
            self.tag_late[0].d.next = self.tag_line.q.val();
        }
        for k in 1..4 {
            if self.tail_en[1 + k].q.val() {
                self.tag_late[k].d.next = self.tag_late[k - 1].q.val();
            }
        }
        // S21: shortfall ≥ 0 is the sum's sign; shortfall > 0 adds
        // shortfall − 1 ≥ 0, the sign of the sum without its carry-in.
        self.tag_valid.next = self.tag_late[3].q.val();
        if self.tail_en[5].q.val() {
            self.valid_out.d.next = self.tag_valid.val().get_bit(32);
            self.tag_out.d.next = self.tag_valid.val().get_bits::<TAG>(0);
            self.hit_out.d.next = self.tag_valid.val().get_bit(32)
                && !self.add.sum_hi.val().get_bit(45)
                && (!self.add.negative_without_cin.val() || self.at_equal.val());
        }
        if self.shortfall_en.q.val() {
            self.shortfall_out_lo.d.next = self.add.sum_lo.val();
            self.shortfall_out_hi.d.next = self.add.sum_hi.val();
        }
        self.out_valid.next = self.valid_out.q.val();
        self.out_hit.next = self.hit_out.q.val();
        self.out_tag.next = self.tag_out.q.val();
        self.shortfall_bits.next = bit_cast::<SUM, LOW>(self.shortfall_out_lo.q.val())
            | (bit_cast::<SUM, SUM_HI>(self.shortfall_out_hi.q.val()) << 64);
        self.out_shortfall.next = signed_cast(self.shortfall_bits.val());
    }
}
