//! One bracket's cap compare, `X ≤ cap_b`, in two carry-select halves.
//!
//! A whole 64-bit `cap − X` is one 32-cell carry chain fed by an `X` shared
//! with many other chains. Here `X` comes from a register copy kept for
//! each row of four compares (placed beside them), and each compare has
//! three 33-bit chains: the low half, and the high half for both values of the low
//! half's borrow. The fit is then a 2:1 select one stage later:
//!
//! ```text
//! X ≤ cap  ⇔  X_hi < cap_hi  ∨  (X_hi = cap_hi ∧ X_lo ≤ cap_lo)
//!          ⇔  (X_lo ≤ cap_lo) ? (X_hi ≤ cap_hi) : (X_hi < cap_hi)
//!
//! C1  lo_le, hi_le, hi_lt          (three 33-bit subtractions; bit 32 is the borrow)
//! C2  fits = lo_le ? hi_le : hi_lt
//! ```
//!
//! Each compare also holds its cap (copied on the edge after `load`) and its
//! own copy of the clock enable, so a stall reaches it through one short net.

use rust_hdl::prelude::*;

use crate::fanout::EnableCopy;

/// Width of `X` and the caps as the lane holds them: 63 bits zero-extended.
pub const WIDE: usize = 64;
/// Width of a half.
const HALF: usize = WIDE / 2;

/// `fits` = `X ≤ cap` for the `X` sampled [`CapCompare::LATENCY`] enabled edges ago.
#[derive(LogicBlock, Default)]
pub struct CapCompare {
    pub clock: Signal<In, Clock>,
    /// Clock enable of the **next** cycle (registered inside).
    pub enable_next: Signal<In, bool>,
    /// High for a cycle: the next edge arms the copy, the one after it copies `cap`.
    pub load: Signal<In, bool>,
    pub cap: Signal<In, Bits<WIDE>>,
    pub x: Signal<In, Bits<WIDE>>,
    pub fits: Signal<Out, bool>,
    enable: EnableCopy,
    armed: DFF<bool>,
    cap_q: DFF<Bits<WIDE>>,
    // C1: each half zero-extended by one bit, so bit 32 of a difference is its borrow.
    cap_lo: Signal<Local, Bits<33>>,
    cap_hi: Signal<Local, Bits<33>>,
    x_lo: Signal<Local, Bits<33>>,
    x_hi: Signal<Local, Bits<33>>,
    diff_lo: Signal<Local, Bits<33>>,
    diff_hi: Signal<Local, Bits<33>>,
    diff_hi_swapped: Signal<Local, Bits<33>>,
    lo_le: DFF<bool>,
    hi_le: DFF<bool>,
    hi_lt: DFF<bool>,
    // C2.
    fits_q: DFF<bool>,
}

impl CapCompare {
    /// Enabled edges from sampling `x` to its `fits`.
    pub const LATENCY: usize = 2;
}

const _: () = assert!(HALF == 32);

impl Logic for CapCompare {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, enable);
        dff_setup!(self, clock, armed, cap_q, lo_le, hi_le, hi_lt, fits_q);
        self.enable.d.next = self.enable_next.val();

        self.armed.d.next = self.load.val() & !self.armed.q.val();
        if self.armed.q.val() {
            self.cap_q.d.next = self.cap.val();
        }

        // C1.
        self.cap_lo.next = bit_cast::<33, HALF>(self.cap_q.q.val().get_bits::<HALF>(0));
        self.cap_hi.next = bit_cast::<33, HALF>(self.cap_q.q.val().get_bits::<HALF>(32));
        self.x_lo.next = bit_cast::<33, HALF>(self.x.val().get_bits::<HALF>(0));
        self.x_hi.next = bit_cast::<33, HALF>(self.x.val().get_bits::<HALF>(32));
        self.diff_lo.next = self.cap_lo.val() - self.x_lo.val();
        self.diff_hi.next = self.cap_hi.val() - self.x_hi.val();
        self.diff_hi_swapped.next = self.x_hi.val() - self.cap_hi.val();
        if self.enable.q.val() {
            self.lo_le.d.next = !self.diff_lo.val().get_bit(32);
            self.hi_le.d.next = !self.diff_hi.val().get_bit(32);
            self.hi_lt.d.next = self.diff_hi_swapped.val().get_bit(32);
        }

        // C2.
        if self.enable.q.val() {
            if self.lo_le.q.val() {
                self.fits_q.d.next = self.hi_le.q.val();
            } else {
                self.fits_q.d.next = self.hi_lt.q.val();
            }
        }
        self.fits.next = self.fits_q.q.val();
    }
}
