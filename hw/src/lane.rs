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
//! sampled; the outputs are stage [`Lane::LATENCY`] = 17.
//!
//! ```text
//! S1      |Q| (31-bit negate), σ, sext(T) to 110, tag, valid
//! S2–S5   MulNotional: X = |Q|·P                      (4 DSPs)
//! S6      15 × (X ≤ cap_b)   (64-bit subtractions; the padded bracket 15 always fits)
//! S7–S8   first bracket with X ≤ cap → A_b, W_b,σ   (4-level tournament, 2 levels per stage)
//! S9–S13  MulProduct: X·W                              (12 DSPs)
//! S14     carry-save pair of ~T, ~A, ±XW and the constant 2
//! S15–S16 WideAdder: shortfall                         (≤ 38-bit carry chains)
//! S17     out_shortfall, out_hit = valid ∧ shortfall > 0 (≥ 0 with at_equal)
//! ```
//!
//! 16 multipliers per lane. A cycle after one with `enable_next` low
//! freezes every stage, so a stall cycle delays every result by exactly one
//! cycle. The enable is registered inside the lane, one copy per stage and
//! per multiplier or adder block ([`crate::fanout`]), so no enable net spans
//! more than one stage.

use liqscan_core::spec;
use rust_hdl::prelude::*;

use crate::fanout::EnableCopy;
use crate::mul::width::{MAINT, NOTIONAL, OFFSET, PRICE, PRODUCT, QTY, QTY_STORE, SUM, WEIGHT};
use crate::mul::{MulNotional, MulProduct, WideAdder};

/// Entries of the bracket table.
pub const BRACKETS: usize = spec::MAX_BRACKETS;
/// Width of the opaque tag carried with each position.
pub const TAG: usize = 32;

/// One entry of the bracket table, as driven into every lane; each lane
/// keeps its own copy (see [`Lane::load_brackets`]).
#[derive(LogicInterface, Default)]
pub struct BracketPort {
    /// `cap_b` in `X` units (`NOTIONAL_MAX` when uncapped), zero-extended by
    /// one bit so the compare is a plain 64-bit subtraction.
    pub cap: Signal<In, Bits<64>>,
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
const S_CMP: usize = S_X + 1;
const S_PICK: usize = S_CMP + 1;
const S_SEL: usize = S_PICK + 1;
const S_XW: usize = S_SEL + MulProduct::LATENCY;
const S_CSA: usize = S_XW + 1;
const S_SUM: usize = S_CSA + WideAdder::LATENCY;
const S_OUT: usize = S_SUM + 1;

// hdl_gen code indexes the delay lines (entry k − 1 holds stage k) and the
// table with literals; these are the values they spell out.
const _: () = {
    assert!(BRACKETS == 16 && SUM == 110 && OFFSET == 108 && QTY_STORE == 32);
    assert!(S_X == 5 && S_CMP == 6 && S_PICK == 7 && S_SEL == 8);
    assert!(S_XW == 13 && S_CSA == 14 && S_SUM == 16 && S_OUT == 17);
};

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
    /// The padded bracket table, copied into the lane's own registers.
    pub brackets: [BracketPort; BRACKETS],
    /// High for a cycle: the next edge arms the copy and the one after it
    /// copies `brackets` into the lane's table (held high, the table reloads
    /// every second edge). The copy must happen before the first position
    /// of a scan reaches S6. A copy per lane keeps the compares and the
    /// tournament local when the lanes are spread over a chip.
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

    /// The clock enable of stage k's registers (entry k − 1) and of the
    /// three arithmetic blocks.
    stage_en: [EnableCopy; S_OUT],
    mul_x_en: EnableCopy,
    mul_xw_en: EnableCopy,
    add_en: EnableCopy,
    // Side-band delay lines: entry k − 1 holds stage k.
    valid: [DFF<bool>; S_SUM],
    tag: [DFF<Bits<TAG>>; S_SUM],
    /// `Q < 0` (short).
    neg: [DFF<bool>; S_CSA],
    /// `T` sign-extended to 110 bits.
    offset: [DFF<Bits<SUM>>; S_XW],

    // S1.
    qty_bits: Signal<Local, Bits<QTY_STORE>>,
    qty_low: Signal<Local, Bits<QTY>>,
    qty_abs: Signal<Local, Bits<QTY>>,
    offset_bits: Signal<Local, Bits<OFFSET>>,
    offset_sign: Signal<Local, Bits<1>>,
    offset_ext: Signal<Local, Bits<SUM>>,
    abs_qty: DFF<Bits<QTY>>,
    // S2–S5.
    mul_x: MulNotional,
    /// Copy `brackets` on the edge after `load_brackets`, one flag per bracket
    /// and field so no enable drives more than 107 registers. Each flag clears
    /// itself, so each lane's copy has its own enables and synthesis cannot
    /// merge the eight copies into one.
    armed_cap: [DFF<bool>; BRACKETS - 1],
    armed_maint: [DFF<bool>; BRACKETS],
    armed_weight: [DFF<bool>; BRACKETS],
    /// The lane's copy of the table (bracket 15's cap is never compared).
    cap: [DFF<Bits<64>>; BRACKETS - 1],
    maint_table: [DFF<Bits<MAINT>>; BRACKETS],
    weight_long: [DFF<Bits<WEIGHT>>; BRACKETS],
    weight_short: [DFF<Bits<WEIGHT>>; BRACKETS],
    // S6: per bracket, X ≤ cap_b as the borrow of the 64-bit `cap_b − X`
    // (one carry chain each); bracket 15 of the padded table always fits.
    x_wide: Signal<Local, Bits<64>>,
    cap_less_x: [Signal<Local, Bits<64>>; BRACKETS - 1],
    fits: [DFF<bool>; BRACKETS - 1],
    // S7–S8: a tournament of pairs, lower bracket first; `*_k` hold the
    // winners of groups of `2^k` brackets, `fits_k` whether any bracket of a
    // group fits. S7 plays levels 1 and 2 for both weights, S8 levels 3 and
    // 4 and then picks the position's side.
    maint_1: [Signal<Local, Bits<MAINT>>; 8],
    long_1: [Signal<Local, Bits<WEIGHT>>; 8],
    short_1: [Signal<Local, Bits<WEIGHT>>; 8],
    // Only the ORs a later level reads.
    fits_1: [Signal<Local, bool>; 7],
    maint_2: [Signal<Local, Bits<MAINT>>; 4],
    long_2: [Signal<Local, Bits<WEIGHT>>; 4],
    short_2: [Signal<Local, Bits<WEIGHT>>; 4],
    fits_2: [Signal<Local, bool>; 3],
    /// S7: the four group winners and whether groups 0..2 fit.
    pick_maint: [DFF<Bits<MAINT>>; 4],
    pick_long: [DFF<Bits<WEIGHT>>; 4],
    pick_short: [DFF<Bits<WEIGHT>>; 4],
    pick_fits: [DFF<bool>; 3],
    maint_3: [Signal<Local, Bits<MAINT>>; 2],
    long_3: [Signal<Local, Bits<WEIGHT>>; 2],
    short_3: [Signal<Local, Bits<WEIGHT>>; 2],
    /// Some bracket of the lower half fits.
    fits_lower: Signal<Local, bool>,
    long_4: Signal<Local, Bits<WEIGHT>>,
    short_4: Signal<Local, Bits<WEIGHT>>,
    /// `X` at S6, S7 and S8.
    x: [DFF<Bits<NOTIONAL>>; 3],
    // S8; `maint` is delayed to S13.
    maint: [DFF<Bits<MAINT>>; S_XW - S_SEL + 1],
    weight: DFF<Bits<WEIGHT>>,
    // S9–S13.
    mul_xw: MulProduct,
    // S14.
    t_inv: Signal<Local, Bits<SUM>>,
    a_ext: Signal<Local, Bits<SUM>>,
    a_inv: Signal<Local, Bits<SUM>>,
    xw_ext: Signal<Local, Bits<SUM>>,
    xw_sel: Signal<Local, Bits<SUM>>,
    s1: Signal<Local, Bits<SUM>>,
    c1: Signal<Local, Bits<SUM>>,
    save_s: DFF<Bits<SUM>>,
    save_c: DFF<Bits<SUM>>,
    // S15–S16.
    add: WideAdder,
    // S17.
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
            weight,
            save_s,
            save_c,
            valid_out,
            hit_out,
            tag_out,
            shortfall_out
        );
        clock!(self, clock, mul_x, mul_xw, add, mul_x_en, mul_xw_en, add_en);
        for k in 0..17 {
            self.stage_en[k].clock.next = self.clock.val();
            self.stage_en[k].d.next = self.enable_next.val();
        }
        self.mul_x_en.d.next = self.enable_next.val();
        self.mul_xw_en.d.next = self.enable_next.val();
        self.add_en.d.next = self.enable_next.val();
        for k in 0..16 {
            self.valid[k].clock.next = self.clock.val();
            self.valid[k].d.next = self.valid[k].q.val();
            self.tag[k].clock.next = self.clock.val();
            self.tag[k].d.next = self.tag[k].q.val();
        }
        for k in 0..14 {
            self.neg[k].clock.next = self.clock.val();
            self.neg[k].d.next = self.neg[k].q.val();
        }
        for k in 0..13 {
            self.offset[k].clock.next = self.clock.val();
            self.offset[k].d.next = self.offset[k].q.val();
        }
        for k in 0..6 {
            self.maint[k].clock.next = self.clock.val();
            self.maint[k].d.next = self.maint[k].q.val();
        }
        for k in 0..3 {
            self.x[k].clock.next = self.clock.val();
            self.x[k].d.next = self.x[k].q.val();
        }
        for k in 0..4 {
            self.pick_maint[k].clock.next = self.clock.val();
            self.pick_maint[k].d.next = self.pick_maint[k].q.val();
            self.pick_long[k].clock.next = self.clock.val();
            self.pick_long[k].d.next = self.pick_long[k].q.val();
            self.pick_short[k].clock.next = self.clock.val();
            self.pick_short[k].d.next = self.pick_short[k].q.val();
        }
        for k in 0..3 {
            self.pick_fits[k].clock.next = self.clock.val();
            self.pick_fits[k].d.next = self.pick_fits[k].q.val();
        }
        for b in 0..15 {
            self.fits[b].clock.next = self.clock.val();
            self.fits[b].d.next = self.fits[b].q.val();
        }
        // The lane's bracket table.
        for b in 0..15 {
            self.armed_cap[b].clock.next = self.clock.val();
            self.armed_cap[b].d.next = self.load_brackets.val() & !self.armed_cap[b].q.val();
            self.cap[b].clock.next = self.clock.val();
            self.cap[b].d.next = self.cap[b].q.val();
            if self.armed_cap[b].q.val() {
                self.cap[b].d.next = self.brackets[b].cap.val();
            }
        }
        for b in 0..16 {
            self.armed_maint[b].clock.next = self.clock.val();
            self.armed_maint[b].d.next = self.load_brackets.val() & !self.armed_maint[b].q.val();
            self.armed_weight[b].clock.next = self.clock.val();
            self.armed_weight[b].d.next = self.load_brackets.val() & !self.armed_weight[b].q.val();
            self.maint_table[b].clock.next = self.clock.val();
            self.maint_table[b].d.next = self.maint_table[b].q.val();
            self.weight_long[b].clock.next = self.clock.val();
            self.weight_long[b].d.next = self.weight_long[b].q.val();
            self.weight_short[b].clock.next = self.clock.val();
            self.weight_short[b].d.next = self.weight_short[b].q.val();
            if self.armed_maint[b].q.val() {
                self.maint_table[b].d.next = self.brackets[b].maint.val();
            }
            if self.armed_weight[b].q.val() {
                self.weight_long[b].d.next = self.brackets[b].weight_long.val();
                self.weight_short[b].d.next = self.brackets[b].weight_short.val();
            }
        }
        self.mul_x.enable.next = self.mul_x_en.q.val();
        self.mul_xw.enable.next = self.mul_xw_en.q.val();
        self.add.enable.next = self.add_en.q.val();

        // S1: |Q| ≤ 2^31 − 1, so −Q is exact modulo 2^31: a 31-bit negate.
        // sext(T): 108 → 110 bits.
        self.qty_bits.next = unsigned_cast(self.in_qty.val());
        self.qty_low.next = self.qty_bits.val().get_bits::<QTY>(0);
        if self.qty_bits.val().get_bit(31) {
            // A 1-bit literal keeps the Verilog add 31 bits wide.
            self.qty_abs.next = !self.qty_low.val() + true;
        } else {
            self.qty_abs.next = self.qty_low.val();
        }
        // Sign-extended by hand on unsigned bits: rust-hdl's simulated
        // `signed_bit_cast` does not terminate on the most negative value.
        self.offset_bits.next = unsigned_cast(self.in_offset.val());
        self.offset_sign.next = self.offset_bits.val().get_bits::<1>(107);
        self.offset_ext.next = bit_cast::<SUM, OFFSET>(self.offset_bits.val())
            | (bit_cast::<SUM, 1>(self.offset_sign.val()) << 108)
            | (bit_cast::<SUM, 1>(self.offset_sign.val()) << 109);

        // S2–S5: X = |Q|·P, 31 × 32 → 63 bits.
        self.mul_x.a.next = self.abs_qty.q.val();
        self.mul_x.b.next = self.price.val();

        // S6: 63 − 63 → 64 bits; bit 63 is the borrow.
        self.x_wide.next = bit_cast::<64, NOTIONAL>(self.mul_x.y.val());
        for b in 0..15 {
            self.cap_less_x[b].next = self.cap[b].q.val() - self.x_wide.val();
        }

        // S7–S8: the first bracket with X ≤ cap wins. Each level picks the
        // lower half of a pair if any of its brackets fits, else the upper half
        // (the padded table always fits at bracket 15, the default). The
        // selects are ORs of registered flags, so the data sees two mux levels
        // per stage (three at S8 with the side) and each select drives one
        // pair's worth of bits.
        for k in 0..7 {
            self.fits_1[k].next = self.fits[2 * k].q.val() | self.fits[2 * k + 1].q.val();
        }
        for k in 0..8 {
            if self.fits[2 * k].q.val() {
                self.maint_1[k].next = self.maint_table[2 * k].q.val();
                self.long_1[k].next = self.weight_long[2 * k].q.val();
                self.short_1[k].next = self.weight_short[2 * k].q.val();
            } else {
                self.maint_1[k].next = self.maint_table[2 * k + 1].q.val();
                self.long_1[k].next = self.weight_long[2 * k + 1].q.val();
                self.short_1[k].next = self.weight_short[2 * k + 1].q.val();
            }
        }
        for k in 0..3 {
            self.fits_2[k].next = self.fits_1[2 * k].val() | self.fits_1[2 * k + 1].val();
        }
        for k in 0..4 {
            if self.fits_1[2 * k].val() {
                self.maint_2[k].next = self.maint_1[2 * k].val();
                self.long_2[k].next = self.long_1[2 * k].val();
                self.short_2[k].next = self.short_1[2 * k].val();
            } else {
                self.maint_2[k].next = self.maint_1[2 * k + 1].val();
                self.long_2[k].next = self.long_1[2 * k + 1].val();
                self.short_2[k].next = self.short_1[2 * k + 1].val();
            }
        }
        self.fits_lower.next = self.pick_fits[0].q.val() | self.pick_fits[1].q.val();
        for k in 0..2 {
            if self.pick_fits[2 * k].q.val() {
                self.maint_3[k].next = self.pick_maint[2 * k].q.val();
                self.long_3[k].next = self.pick_long[2 * k].q.val();
                self.short_3[k].next = self.pick_short[2 * k].q.val();
            } else {
                self.maint_3[k].next = self.pick_maint[2 * k + 1].q.val();
                self.long_3[k].next = self.pick_long[2 * k + 1].q.val();
                self.short_3[k].next = self.pick_short[2 * k + 1].q.val();
            }
        }
        if self.fits_lower.val() {
            self.long_4.next = self.long_3[0].val();
            self.short_4.next = self.short_3[0].val();
        } else {
            self.long_4.next = self.long_3[1].val();
            self.short_4.next = self.short_3[1].val();
        }

        // S9–S13: X·W, 63 × 37 → 100 bits.
        self.mul_xw.a.next = self.x[2].q.val();
        self.mul_xw.b.next = self.weight.q.val();

        // S14: ~T + ~A + Y, each 110 bits (A and XW zero-extended).
        self.t_inv.next = !self.offset[12].q.val();
        self.a_ext.next = bit_cast::<SUM, MAINT>(self.maint[5].q.val());
        self.a_inv.next = !self.a_ext.val();
        self.xw_ext.next = bit_cast::<SUM, PRODUCT>(self.mul_xw.y.val());
        if self.neg[12].q.val() {
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

        // S15–S16: s + c + σ, where σ = 1 for long positions.
        self.add.a.next = self.save_s.q.val();
        self.add.b.next = self.save_c.q.val();
        self.add.cin.next = !self.neg[13].q.val();

        // S1.
        if self.stage_en[0].q.val() {
            self.valid[0].d.next = self.in_valid.val();
            self.tag[0].d.next = self.in_tag.val();
            self.neg[0].d.next = self.qty_bits.val().get_bit(31);
            self.abs_qty.d.next = self.qty_abs.val();
            self.offset[0].d.next = self.offset_ext.val();
        }
        // The side-band delay lines: entry k holds stage k + 1.
        for k in 1..16 {
            if self.stage_en[k].q.val() {
                self.valid[k].d.next = self.valid[k - 1].q.val();
                self.tag[k].d.next = self.tag[k - 1].q.val();
            }
        }
        for k in 1..14 {
            if self.stage_en[k].q.val() {
                self.neg[k].d.next = self.neg[k - 1].q.val();
            }
        }
        for k in 1..13 {
            if self.stage_en[k].q.val() {
                self.offset[k].d.next = self.offset[k - 1].q.val();
            }
        }
        // S6: X ≤ cap_b ⇔ no borrow.
        if self.stage_en[5].q.val() {
            for b in 0..15 {
                self.fits[b].d.next = !self.cap_less_x[b].val().get_bit(63);
            }
            self.x[0].d.next = self.mul_x.y.val();
        }
        // S7: the four group winners.
        if self.stage_en[6].q.val() {
            for k in 0..4 {
                self.pick_maint[k].d.next = self.maint_2[k].val();
                self.pick_long[k].d.next = self.long_2[k].val();
                self.pick_short[k].d.next = self.short_2[k].val();
            }
            for k in 0..3 {
                self.pick_fits[k].d.next = self.fits_2[k].val();
            }
            self.x[1].d.next = self.x[0].q.val();
        }
        // S8: the tournament's final and the position's side (`neg[6]` holds S7).
        if self.stage_en[7].q.val() {
            if self.fits_lower.val() {
                self.maint[0].d.next = self.maint_3[0].val();
            } else {
                self.maint[0].d.next = self.maint_3[1].val();
            }
            if self.neg[6].q.val() {
                self.weight.d.next = self.short_4.val();
            } else {
                self.weight.d.next = self.long_4.val();
            }
            self.x[2].d.next = self.x[1].q.val();
        }
        // `maint` entry k holds stage k + 8.
        for k in 1..6 {
            if self.stage_en[k + 7].q.val() {
                self.maint[k].d.next = self.maint[k - 1].q.val();
            }
        }
        // S14: half-adder step; its free bit 0 adds the second +1.
        if self.stage_en[13].q.val() {
            self.save_s.d.next = self.s1.val() ^ self.c1.val();
            self.save_c.d.next = ((self.s1.val() & self.c1.val()) << 1) | 1;
        }
        // S17: shortfall > 0 ⇔ sum < 0; shortfall = 0 ⇔ sum = 0.
        if self.stage_en[16].q.val() {
            self.valid_out.d.next = self.valid[15].q.val();
            self.tag_out.d.next = self.tag[15].q.val();
            self.shortfall_out.d.next = self.add.sum.val();
            self.hit_out.d.next = self.valid[15].q.val()
                && !self.add.sum.val().get_bit(109)
                && (self.add.sum.val().any() || self.at_equal.val());
        }
        self.out_valid.next = self.valid_out.q.val();
        self.out_hit.next = self.hit_out.q.val();
        self.out_tag.next = self.tag_out.q.val();
        self.out_shortfall.next = signed_cast(self.shortfall_out.q.val());
    }
}
