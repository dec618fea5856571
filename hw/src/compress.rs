//! A 3:2 compressor (carry-save adder) over a value held in two parts.
//!
//! `x + y + z = s + c` for every bit position at once: `s = x ^ y ^ z`,
//! `c = majority(x, y, z)·2`, with `c`'s free bit 0 taking `carry_in`. No
//! carry runs between bit positions, so the value is held as a low part of
//! [`LOW`] bits and a high part of `HI` bits and the only link between them
//! is the majority of bit 63, which becomes bit 0 of `c`'s high part. On the
//! FPGA that is the same LUT per bit as one `LOW + HI`-bit compressor; the
//! Verilator model computes each part as one 64-bit word instead of a
//! multi-word value. Exact modulo `2^(LOW + HI)`.

use rust_hdl::prelude::*;

/// Bits in the low part of a split value: one machine word of the model.
pub const LOW: usize = 64;

/// `s + c = x + y + z + carry_in` modulo `2^(LOW + HI)`, combinational.
#[derive(LogicBlock, Default)]
pub struct Compressor<const HI: usize> {
    pub x_lo: Signal<In, Bits<LOW>>,
    pub x_hi: Signal<In, Bits<HI>>,
    pub y_lo: Signal<In, Bits<LOW>>,
    pub y_hi: Signal<In, Bits<HI>>,
    pub z_lo: Signal<In, Bits<LOW>>,
    pub z_hi: Signal<In, Bits<HI>>,
    /// Bit 0 of `c`.
    pub carry_in: Signal<In, bool>,
    pub s_lo: Signal<Out, Bits<LOW>>,
    pub s_hi: Signal<Out, Bits<HI>>,
    pub c_lo: Signal<Out, Bits<LOW>>,
    pub c_hi: Signal<Out, Bits<HI>>,
    /// `majority(x, y, z)` per bit, before the shift.
    major_lo: Signal<Local, Bits<LOW>>,
    major_hi: Signal<Local, Bits<HI>>,
}

impl<const HI: usize> Logic for Compressor<HI> {
    #[hdl_gen]
    fn update(&mut self) {
        self.s_lo.next = self.x_lo.val() ^ self.y_lo.val() ^ self.z_lo.val();
        self.s_hi.next = self.x_hi.val() ^ self.y_hi.val() ^ self.z_hi.val();
        self.major_lo.next = (self.x_lo.val() & self.y_lo.val())
            | (self.x_lo.val() & self.z_lo.val())
            | (self.y_lo.val() & self.z_lo.val());
        self.major_hi.next = (self.x_hi.val() & self.y_hi.val())
            | (self.x_hi.val() & self.z_hi.val())
            | (self.y_hi.val() & self.z_hi.val());
        if self.carry_in.val() {
            self.c_lo.next = (self.major_lo.val() << 1) | 1;
        } else {
            self.c_lo.next = self.major_lo.val() << 1;
        }
        self.c_hi.next =
            (self.major_hi.val() << 1) | bit_cast::<HI, 1>(self.major_lo.val().get_bits::<1>(63));
    }
}
