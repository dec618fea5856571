//! One bracket's cap compare, `X ≤ cap_b`: one 64-bit comparison.
//!
//! `X` comes from a register copy kept for each row of four compares
//! (placed beside them) and the cap from the compare's own register, so the
//! comparison is one 32-cell carry chain (CCU2C) from register to register,
//! registered; the fit is registered once more, beside the priority encoder
//! that reads it:
//!
//! ```text
//! C1  le = X ≤ cap = carry out of cap + ¬X + 1   (CarryLe; on the ECP5 bits 0–62)
//! C2  fits = le
//! ```
//!
//! C1 is a block of its own, [`CarryLe`]: on the ECP5 the chain (bits 0–62;
//! bit 63 is 0) hands its carry out from its last cell straight into `le`'s
//! flip-flop; written
//! as bit 63 of `cap − X` inverted, synthesis put an inverter LUT between
//! the chain and the flip-flop, placed apart from both (1.5 to 2.2 ns of the
//! compare's 6.4 to 6.6 ns, `docs/timing-log.md`, 2026-12-07). For
//! Verilator it is one 64-bit `X <= cap`. (Written as `X <= cap`, yosys maps
//! the compare on the ECP5 to the chain and a 64-bit equality test in about
//! 70 LUTs beside it.)
//!
//! (The compare was three 33-bit chains before, the low half and the high
//! half for both values of the low half's borrow, with a 2:1 select in C2:
//! 99 chain bits instead of 64, and three flag registers instead of one. The
//! one chain is longer; `docs/timing-log.md`, 2026-12-07, has its placed
//! paths.)
//!
//! Each compare also holds its cap, copied on the edge after `load` through
//! its own registered copy of `load` (`armed`, one per compare so that each
//! drives only its own 64 cap registers). The clock enable comes from a copy
//! shared by the row of four compares beside it (`BracketSelect`): it
//! reaches two registers a compare.

use rust_hdl::prelude::*;

use crate::carry_le::{self, CarryLe};
use crate::fanout::EnableCopy;

/// Width of `X` and the caps as the lane holds them: 63 bits zero-extended.
pub const WIDE: usize = carry_le::WIDTH;

/// `fits` = `X ≤ cap` for the `X` sampled [`CapCompare::LATENCY`] enabled edges ago
/// (both below 2^63).
#[derive(LogicBlock, Default)]
pub struct CapCompare {
    pub clock: Signal<In, Clock>,
    /// Clock enable of this cycle, for `le` and `fits`.
    pub enable: Signal<In, bool>,
    /// High for a cycle: the next edge arms the copy, the one after it copies `cap`.
    pub load: Signal<In, bool>,
    pub cap: Signal<In, Bits<WIDE>>,
    pub x: Signal<In, Bits<WIDE>>,
    pub fits: Signal<Out, bool>,
    armed: EnableCopy,
    cap_q: DFF<Bits<WIDE>>,
    // C1.
    le: CarryLe,
    // C2.
    fits_q: DFF<bool>,
}

impl CapCompare {
    /// Enabled edges from sampling `x` to its `fits`.
    pub const LATENCY: usize = 2;
}

impl Logic for CapCompare {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, armed, le);
        dff_setup!(self, clock, cap_q, fits_q);

        self.armed.d.next = self.load.val();
        if self.armed.q.val() {
            self.cap_q.d.next = self.cap.val();
        }

        // C1.
        self.le.enable.next = self.enable.val();
        self.le.cap.next = self.cap_q.q.val();
        self.le.x.next = self.x.val();
        if self.enable.val() {
            // C2.
            self.fits_q.d.next = self.le.q.val();
        }
        self.fits.next = self.fits_q.q.val();
    }
}
