//! Pipelined wide unsigned multipliers built from 16×16 partial products, and
//! the carry-select adder that finishes them.
//!
//! rust-hdl multiplies only `Bits<16> × Bits<16>`, which is also what one
//! ECP5 18×18 DSP does, so every product is split into 16-bit digits. Each
//! partial product is a [`Mul16`] (operands and product registered inside the
//! DSP block on the ECP5 build) and the sums are spread over registered
//! stages so no carry chain is longer than 47 bits.
//!
//! Multipliers per lane: [`MulNotional`] 2×2 = 4, [`MulProduct`] 4×3 = 12,
//! 16 in all (8 lanes use 128 of the LFE5UM-85F's 156).
//!
//! ```text
//! WideAdder  (110 + 110 + cin, limbs 37 | 37 | 36)
//!   A1: lo = a0+b0+cin, mid{0,1} = a1+b1+{0,1}, hi{0,1} = a2+b2+{0,1}
//!       (the +1 candidates are `PlusOne` blocks: on the ECP5 their bit 0 is
//!       the +0 candidate's inverted, so no LUT follows a carry chain)
//!   A1: also the carry out of a0+b0 alone (the low limb without cin; a
//!       `CarryOut` block, whose ECP5 chain has no bit-0 sum to share)
//!   A2: sum = {hi_c1, mid_c0, lo}  (carry-select: two mux levels; the low
//!       carry in two registers, one per upper limb's select),
//!       negative_without_cin = bit 109 of a+b (its carry picks the same candidates)
//! MulNotional  X = |Q|·P   (31 × 32 → 63)
//!   M0, M1: pp_ij = q_i·p_j  4 registered DSPs (operand and product registers), 32 bits each
//!   M2: lo = pp00, hi = pp11, mid = pp01 + pp10     (32-bit add)
//!   M3: X = {hi,lo} + mid·2^16                      (47-bit add, two registers)
//! MulProduct  X·W   (63 × 37 → 100)
//!   P0, P1: pp_ij = x_i·w_j  12 registered DSPs, 32 bits each
//!   P2: the pp's in fabric registers (the 12 DSPs span a row of the chip;
//!       this hop keeps the long way apart from the compressors)
//!   P3: six rows of non-overlapping pp's → carry-save pair (3 levels of 3:2)
//!   P4, P5: WideAdder of the pair
//! ```

use rust_hdl::prelude::*;

use crate::carry_out::CarryOut;
use crate::compress::{Compressor, LOW};
use crate::dsp::Mul16;
use crate::fanout::RegisterCopy;
use crate::plus_one::PlusOne;

/// Integer widths of the decision path, from [`liqscan_core::spec`].
pub mod width {
    use liqscan_core::spec;

    /// `P`.
    pub const PRICE: usize = spec::PRICE_BITS as usize;
    /// `|Q|`.
    pub const QTY: usize = spec::QTY_BITS as usize;
    /// `Q` as stored (two's complement).
    pub const QTY_STORE: usize = spec::QTY_STORE_BITS as usize;
    /// `X = |Q|·P`.
    pub const NOTIONAL: usize = spec::NOTIONAL_BITS as usize;
    /// `W` (weight_long / weight_short).
    pub const WEIGHT: usize = spec::WEIGHT_BITS as usize;
    /// `X·W`.
    pub const PRODUCT: usize = spec::PRODUCT_BITS as usize;
    /// `A` (maint).
    pub const MAINT: usize = spec::MAINT_BITS as usize;
    /// `T` (offset, signed).
    pub const OFFSET: usize = spec::OFFSET_BITS as usize;
    /// `T + A ± X·W` and the shortfall (signed).
    pub const SUM: usize = spec::SUM_BITS as usize;
}

use width::{NOTIONAL, PRICE, PRODUCT, QTY, SUM, WEIGHT};

/// Low and middle limb of [`WideAdder`]; the high limb is the rest.
const LIMB: usize = 37;
const LIMB_HI: usize = SUM - 2 * LIMB;
/// The high parts of a sum and of `X·W` held as two parts (see [`crate::compress`]).
pub const SUM_HI: usize = SUM - LOW;
pub const PRODUCT_HI: usize = PRODUCT - LOW;

// hdl_gen code needs literal offsets; these are the values they spell out.
const _: () = {
    assert!(SUM == 110 && LIMB_HI == 36 && LOW == 64 && SUM_HI == 46 && PRODUCT_HI == 36);
    assert!(QTY == 31 && PRICE == 32 && NOTIONAL == 63);
    assert!(WEIGHT == 37 && PRODUCT == 100);
};

/// `a + b + cin` modulo `2^SUM`, two stages, ≤ 38-bit carry chains.
///
/// Operands and sum are held as a low part of [`LOW`] bits and a high part
/// of [`SUM_HI`] (see [`crate::compress`]); the limbs are cut from the
/// parts, the middle one from both.
#[derive(LogicBlock, Default)]
pub struct WideAdder {
    pub clock: Signal<In, Clock>,
    /// Clock enable: every stage holds while low.
    pub enable: Signal<In, bool>,
    pub a_lo: Signal<In, Bits<LOW>>,
    pub a_hi: Signal<In, Bits<SUM_HI>>,
    pub b_lo: Signal<In, Bits<LOW>>,
    pub b_hi: Signal<In, Bits<SUM_HI>>,
    pub cin: Signal<In, bool>,
    /// `a + b + cin`, [`WideAdder::LATENCY`] enabled cycles later.
    pub sum_lo: Signal<Out, Bits<LOW>>,
    pub sum_hi: Signal<Out, Bits<SUM_HI>>,
    /// Bit `SUM − 1` of `a + b` (the sum without `cin`), registered alongside
    /// `sum`. With `cin` = 1 it is the sign of `sum − 1`, so a consumer
    /// tells `sum > 0` from `sum = 0` without a 110-bit zero test.
    pub negative_without_cin: Signal<Out, bool>,
    /// The middle limbs (bits 37–73): 27 bits of the low parts, 10 of the high.
    a_mid: Signal<Local, Bits<LIMB>>,
    b_mid: Signal<Local, Bits<LIMB>>,
    // A1: limb sums with their carry out (bit LIMB); the upper limbs both ways.
    lo_sum: Signal<Local, Bits<{ LIMB + 1 }>>,
    lo: DFF<Bits<{ LIMB + 1 }>>,
    /// `lo`'s carry out again, for the high limb's select alone: `lo`'s own
    /// drives the 37 middle-limb multiplexers, so each register sits by
    /// its own limb's loads.
    lo_carry_hi: RegisterCopy<bool>,
    /// Carry out of `a0 + b0` (the low limb without `cin`; `carry_out.rs`
    /// says why a block).
    lo_carry_without_cin: CarryOut<LIMB>,
    mid0: DFF<Bits<{ LIMB + 1 }>>,
    /// `a1 + b1 + 1` (37 + 37 + 1 → 38 bits; `plus_one.rs` says why a block).
    mid1: PlusOne<LIMB, { LIMB + 1 }>,
    hi0: DFF<Bits<LIMB_HI>>,
    /// `a2 + b2 + 1` (36 + 36 + 1 → 36 bits).
    hi1: PlusOne<LIMB_HI, LIMB_HI>,
    // A2: pick by the incoming carries.
    mid: Signal<Local, Bits<LIMB>>,
    mid_carry: Signal<Local, bool>,
    hi: Signal<Local, Bits<LIMB_HI>>,
    out_lo: DFF<Bits<LOW>>,
    out_hi: DFF<Bits<SUM_HI>>,
    /// The carries of `a + b` into the upper limbs, and its top bit.
    mid_carry_without_cin: Signal<Local, bool>,
    sign_without_cin: DFF<bool>,
}

impl WideAdder {
    /// Register stages from inputs to `sum`.
    pub const LATENCY: usize = 2;
}

impl Logic for WideAdder {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, lo_carry_hi, lo_carry_without_cin, mid1, hi1);
        dff_setup!(self, clock, lo, mid0, hi0, out_lo, out_hi, sign_without_cin);
        // Bits 37–63 of the low part and 0–9 of the high one.
        self.a_mid.next = bit_cast::<LIMB, 27>(self.a_lo.val().get_bits::<27>(37))
            | (bit_cast::<LIMB, 10>(self.a_hi.val().get_bits::<10>(0)) << 27);
        self.b_mid.next = bit_cast::<LIMB, 27>(self.b_lo.val().get_bits::<27>(37))
            | (bit_cast::<LIMB, 10>(self.b_hi.val().get_bits::<10>(0)) << 27);
        // The carry out of 37 + 37.
        self.lo_carry_without_cin.enable.next = self.enable.val();
        self.lo_carry_without_cin.a.next = self.a_lo.val().get_bits::<LIMB>(0);
        self.lo_carry_without_cin.b.next = self.b_lo.val().get_bits::<LIMB>(0);
        // 37 + 37 + 1 → 38 bits. Each `x + (y + c)` below is one carry chain
        // with `c` as its carry-in; written `x + y + c`, synthesis shares
        // `x + y` with the sum beside it and adds `c` in a second chain
        // behind the first.
        self.lo_sum.next = bit_cast::<{ LIMB + 1 }, LIMB>(self.a_lo.val().get_bits::<LIMB>(0))
            + (bit_cast::<{ LIMB + 1 }, LIMB>(self.b_lo.val().get_bits::<LIMB>(0))
                + self.cin.val());
        self.lo_carry_hi.enable.next = self.enable.val();
        self.lo_carry_hi.d.next = self.lo_sum.val().get_bit(37);
        // The `+1` candidates, each beside its `+0` one.
        self.mid1.enable.next = self.enable.val();
        self.mid1.a.next = self.a_mid.val();
        self.mid1.b.next = self.b_mid.val();
        self.mid1.zero_lsb.next = self.mid0.q.val().get_bit(0);
        self.hi1.enable.next = self.enable.val();
        self.hi1.a.next = self.a_hi.val().get_bits::<LIMB_HI>(10);
        self.hi1.b.next = self.b_hi.val().get_bits::<LIMB_HI>(10);
        self.hi1.zero_lsb.next = self.hi0.q.val().get_bit(0);
        if self.enable.val() {
            self.lo.d.next = self.lo_sum.val();
            // 37 + 37 → 38 bits.
            self.mid0.d.next = bit_cast::<{ LIMB + 1 }, LIMB>(self.a_mid.val())
                + bit_cast::<{ LIMB + 1 }, LIMB>(self.b_mid.val());
            // 36 + 36 → 36 bits: the carry out of bit 109 is dropped (mod 2^110).
            self.hi0.d.next =
                self.a_hi.val().get_bits::<LIMB_HI>(10) + self.b_hi.val().get_bits::<LIMB_HI>(10);
        }
        if self.lo.q.val().get_bit(37) {
            self.mid.next = self.mid1.q.val().get_bits::<LIMB>(0);
        } else {
            self.mid.next = self.mid0.q.val().get_bits::<LIMB>(0);
        }
        // The middle limb's carry out, by the high limb's own copy of `lo`'s.
        if self.lo_carry_hi.q.val() {
            self.mid_carry.next = self.mid1.q.val().get_bit(37);
        } else {
            self.mid_carry.next = self.mid0.q.val().get_bit(37);
        }
        if self.mid_carry.val() {
            self.hi.next = self.hi1.q.val();
        } else {
            self.hi.next = self.hi0.q.val();
        }
        // `a + b` shares the upper candidates; only its low carry differs.
        if self.lo_carry_without_cin.q.val() {
            self.mid_carry_without_cin.next = self.mid1.q.val().get_bit(37);
        } else {
            self.mid_carry_without_cin.next = self.mid0.q.val().get_bit(37);
        }
        if self.enable.val() {
            // {36, 37, 37} → 46 + 64 bits, disjoint fields; the middle
            // limb's bits 27–36 open the high part.
            self.out_lo.d.next = (bit_cast::<LOW, LIMB>(self.mid.val()) << 37)
                | bit_cast::<LOW, LIMB>(self.lo.q.val().get_bits::<LIMB>(0));
            self.out_hi.d.next = (bit_cast::<SUM_HI, LIMB_HI>(self.hi.val()) << 10)
                | bit_cast::<SUM_HI, 10>(self.mid.val().get_bits::<10>(27));
            if self.mid_carry_without_cin.val() {
                self.sign_without_cin.d.next = self.hi1.q.val().get_bit(35);
            } else {
                self.sign_without_cin.d.next = self.hi0.q.val().get_bit(35);
            }
        }
        self.sum_lo.next = self.out_lo.q.val();
        self.sum_hi.next = self.out_hi.q.val();
        self.negative_without_cin.next = self.sign_without_cin.q.val();
    }
}

/// `X = |Q|·P`: 31 × 32 → 63 bits, 4 DSPs, three stages.
#[derive(LogicBlock, Default)]
pub struct MulNotional {
    pub clock: Signal<In, Clock>,
    /// Clock enable: every stage holds while low.
    pub enable: Signal<In, bool>,
    /// `|Q|`.
    pub a: Signal<In, Bits<QTY>>,
    /// `P`.
    pub b: Signal<In, Bits<PRICE>>,
    /// `a·b`, [`MulNotional::LATENCY`] enabled cycles later.
    pub y: Signal<Out, Bits<NOTIONAL>>,
    /// `y` from a register of its own: two sources for a wide fan-out (the
    /// lane's compares), each sitting by its half of the loads.
    pub y_copy: Signal<Out, Bits<NOTIONAL>>,
    /// `a` zero-extended to two whole digits.
    a_ext: Signal<Local, Bits<32>>,
    /// M0, M1: `pp[2i + j] = a_i·b_j` (16×16 → 32 bits), weight `2^(16(i+j))`.
    pp: [Mul16; 4],
    // M2.
    lo: DFF<Bits<32>>,
    hi: DFF<Bits<32>>,
    mid: DFF<Bits<33>>,
    /// Bits 16..63 of `{hi, lo}` (bit 63 is zero: `X < 2^63`).
    upper: Signal<Local, Bits<47>>,
    upper_sum: Signal<Local, Bits<47>>,
    // M3.
    x_next: Signal<Local, Bits<NOTIONAL>>,
    x: DFF<Bits<NOTIONAL>>,
    x_copy: RegisterCopy<Bits<NOTIONAL>>,
}

impl MulNotional {
    /// Register stages from inputs to `y`.
    pub const LATENCY: usize = Mul16::LATENCY + 2;
    /// 16×16 multipliers (DSP blocks) used.
    pub const MULTIPLIERS: usize = 4;
}

impl Logic for MulNotional {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, x_copy);
        dff_setup!(self, clock, lo, hi, mid, x);
        self.a_ext.next = bit_cast::<32, QTY>(self.a.val());
        // M0, M1: 16 × 16 → 32 bits each.
        for i in 0..2 {
            for j in 0..2 {
                self.pp[2 * i + j].clock.next = self.clock.val();
                self.pp[2 * i + j].enable.next = self.enable.val();
                self.pp[2 * i + j].a.next = self.a_ext.val().get_bits::<16>(16 * i);
                self.pp[2 * i + j].b.next = self.b.val().get_bits::<16>(16 * j);
            }
        }
        if self.enable.val() {
            // M2: 32 + 32 → 33 bits; the outer products sit side by side in {hi, lo}.
            self.lo.d.next = self.pp[0].p.val();
            self.hi.d.next = self.pp[3].p.val();
            self.mid.d.next =
                bit_cast::<33, 32>(self.pp[1].p.val()) + bit_cast::<33, 32>(self.pp[2].p.val());
        }
        // M3: X = {hi, lo} + mid·2^16; the low 16 bits pass, the rest is a 47-bit add.
        self.upper.next = (bit_cast::<47, 32>(self.hi.q.val()) << 16)
            | bit_cast::<47, 16>(self.lo.q.val().get_bits::<16>(16));
        // 47 + 33 → 47 bits (no overflow: X < 2^63).
        self.upper_sum.next = self.upper.val() + bit_cast::<47, 33>(self.mid.q.val());
        self.x_next.next = (bit_cast::<NOTIONAL, 47>(self.upper_sum.val()) << 16)
            | bit_cast::<NOTIONAL, 16>(self.lo.q.val().get_bits::<16>(0));
        if self.enable.val() {
            self.x.d.next = self.x_next.val();
        }
        self.x_copy.enable.next = self.enable.val();
        self.x_copy.d.next = self.x_next.val();
        self.y.next = self.x.q.val();
        self.y_copy.next = self.x_copy.q.val();
    }
}

/// `X·W`: 63 × 37 → 100 bits, 12 DSPs, four stages.
///
/// The compressors and the product are held as a low part of [`LOW`] bits
/// and a high part of [`PRODUCT_HI`] (see [`crate::compress`]).
#[derive(LogicBlock, Default)]
pub struct MulProduct {
    pub clock: Signal<In, Clock>,
    /// Clock enable: every stage holds while low.
    pub enable: Signal<In, bool>,
    /// `X`.
    pub a: Signal<In, Bits<NOTIONAL>>,
    /// `W`.
    pub b: Signal<In, Bits<WEIGHT>>,
    /// `a·b`, [`MulProduct::LATENCY`] enabled cycles later: bits 0–63 and 64–99.
    pub y_lo: Signal<Out, Bits<LOW>>,
    pub y_hi: Signal<Out, Bits<PRODUCT_HI>>,
    /// Operands zero-extended to whole digits: 4 and 3.
    a_ext: Signal<Local, Bits<64>>,
    b_ext: Signal<Local, Bits<48>>,
    /// P0, P1: `pp[3i + j] = a_i·b_j` (16×16 → 32 bits), weight `2^(16(i+j))`.
    pp: [Mul16; 12],
    /// P2: each pp in a fabric register.
    pp_q: [DFF<Bits<32>>; 12],
    /// 3:2 compressors: 6 → 4 → 3 → 2 vectors. Exact modulo `2^100`, and
    /// the product is below `2^100`. The twelve pp's enter as six rows
    /// whose pp's do not overlap: digit sums `i + j` even (`even`'s inputs)
    /// and odd (`odd`'s); then `first` takes `even`'s pair and `odd`'s sum,
    /// `last` `first`'s pair and `odd`'s carries.
    even: Compressor<PRODUCT_HI>,
    odd: Compressor<PRODUCT_HI>,
    first: Compressor<PRODUCT_HI>,
    last: Compressor<PRODUCT_HI>,
    // P3: the carry-save pair.
    save_s_lo: DFF<Bits<LOW>>,
    save_s_hi: DFF<Bits<PRODUCT_HI>>,
    save_c_lo: DFF<Bits<LOW>>,
    save_c_hi: DFF<Bits<PRODUCT_HI>>,
    // P3, P4.
    add: WideAdder,
}

impl MulProduct {
    /// Register stages from inputs to `y`.
    pub const LATENCY: usize = Mul16::LATENCY + 2 + WideAdder::LATENCY;
    /// 16×16 multipliers (DSP blocks) used.
    pub const MULTIPLIERS: usize = 12;
}

impl Logic for MulProduct {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, save_s_lo, save_s_hi, save_c_lo, save_c_hi);
        clock!(self, clock, add);
        self.a_ext.next = bit_cast::<64, NOTIONAL>(self.a.val());
        self.b_ext.next = bit_cast::<48, WEIGHT>(self.b.val());
        // P0, P1: 16 × 16 → 32 bits each.
        for i in 0..4 {
            for j in 0..3 {
                self.pp[3 * i + j].clock.next = self.clock.val();
                self.pp[3 * i + j].enable.next = self.enable.val();
                self.pp[3 * i + j].a.next = self.a_ext.val().get_bits::<16>(16 * i);
                self.pp[3 * i + j].b.next = self.b_ext.val().get_bits::<16>(16 * j);
            }
        }
        // P2.
        for k in 0..12 {
            self.pp_q[k].clock.next = self.clock.val();
            self.pp_q[k].d.next = self.pp_q[k].q.val();
            if self.enable.val() {
                self.pp_q[k].d.next = self.pp[k].p.val();
            }
        }
        // Even digit sums: {pp22, pp11, pp00}, {pp31, pp02, -}, {pp20, -};
        // pp22 and pp31 start at bit 64, the high part.
        self.even.x_lo.next = bit_cast::<LOW, 32>(self.pp_q[0].q.val())
            | (bit_cast::<LOW, 32>(self.pp_q[4].q.val()) << 32);
        self.even.x_hi.next = bit_cast::<PRODUCT_HI, 32>(self.pp_q[8].q.val());
        self.even.y_lo.next = bit_cast::<LOW, 32>(self.pp_q[2].q.val()) << 32;
        self.even.y_hi.next = bit_cast::<PRODUCT_HI, 32>(self.pp_q[10].q.val());
        self.even.z_lo.next = bit_cast::<LOW, 32>(self.pp_q[6].q.val()) << 32;
        self.even.z_hi.next = 0.into();
        self.even.carry_in.next = false;
        // Odd digit sums, from 2^16: {pp32, pp12, pp01}, {pp21, pp10}, {pp30};
        // pp12, pp21 and pp30 at bit 48 straddle the parts (bits 0–15 low,
        // 16–31 high), pp32 at bit 80 is in the high part and below 2^20
        // (15 × 5 significant bits), so the rows are below 2^100.
        self.odd.x_lo.next = (bit_cast::<LOW, 32>(self.pp_q[1].q.val()) << 16)
            | (bit_cast::<LOW, 32>(self.pp_q[5].q.val()) << 48);
        self.odd.x_hi.next = bit_cast::<PRODUCT_HI, 16>(self.pp_q[5].q.val().get_bits::<16>(16))
            | (bit_cast::<PRODUCT_HI, 32>(self.pp_q[11].q.val()) << 16);
        self.odd.y_lo.next = (bit_cast::<LOW, 32>(self.pp_q[3].q.val()) << 16)
            | (bit_cast::<LOW, 32>(self.pp_q[7].q.val()) << 48);
        self.odd.y_hi.next = bit_cast::<PRODUCT_HI, 16>(self.pp_q[7].q.val().get_bits::<16>(16));
        self.odd.z_lo.next = bit_cast::<LOW, 32>(self.pp_q[9].q.val()) << 48;
        self.odd.z_hi.next = bit_cast::<PRODUCT_HI, 16>(self.pp_q[9].q.val().get_bits::<16>(16));
        self.odd.carry_in.next = false;
        self.first.x_lo.next = self.even.s_lo.val();
        self.first.x_hi.next = self.even.s_hi.val();
        self.first.y_lo.next = self.even.c_lo.val();
        self.first.y_hi.next = self.even.c_hi.val();
        self.first.z_lo.next = self.odd.s_lo.val();
        self.first.z_hi.next = self.odd.s_hi.val();
        self.first.carry_in.next = false;
        self.last.x_lo.next = self.first.s_lo.val();
        self.last.x_hi.next = self.first.s_hi.val();
        self.last.y_lo.next = self.first.c_lo.val();
        self.last.y_hi.next = self.first.c_hi.val();
        self.last.z_lo.next = self.odd.c_lo.val();
        self.last.z_hi.next = self.odd.c_hi.val();
        self.last.carry_in.next = false;
        if self.enable.val() {
            // P3: the last compressor, registered.
            self.save_s_lo.d.next = self.last.s_lo.val();
            self.save_s_hi.d.next = self.last.s_hi.val();
            self.save_c_lo.d.next = self.last.c_lo.val();
            self.save_c_hi.d.next = self.last.c_hi.val();
        }
        // P4, P5: 100 + 100 → 100 bits (zero-extended into the 110-bit adder).
        self.add.enable.next = self.enable.val();
        self.add.a_lo.next = self.save_s_lo.q.val();
        self.add.a_hi.next = bit_cast::<SUM_HI, PRODUCT_HI>(self.save_s_hi.q.val());
        self.add.b_lo.next = self.save_c_lo.q.val();
        self.add.b_hi.next = bit_cast::<SUM_HI, PRODUCT_HI>(self.save_c_hi.q.val());
        self.add.cin.next = false;
        self.y_lo.next = self.add.sum_lo.val();
        self.y_hi.next = self.add.sum_hi.val().get_bits::<PRODUCT_HI>(0);
    }
}
