//! Registered copies of the pipeline's clock enable.
//!
//! The scanner freezes its whole pipeline while the result stream is
//! back-pressured. One enable net into every pipeline register (about
//! 70,000 at L = 8) would span the chip and take most of a 150 MHz cycle
//! in routing alone. Instead each group of registers that sits together (a
//! lane stage, a multiplier, a group of block RAMs) gets its own
//! [`EnableCopy`], so each copy drives only its group. The copies form a
//! two-level tree: the scanner's enable reaches one first-level copy per
//! lane, one per lane bank (a bank spreads over the chip) and one for the
//! control, and each of those only its group's second-level copies, so no
//! net carries the enable across the chip to hundreds of loads. The
//! first-level copies are [`ReadyCopy`]s: each forms the enable itself from
//! `res_ready` and the busy flag in its flip-flop's set/reset and data pins,
//! so the nets from those two registers to the far lanes carry no logic.
//!
//! Synthesis merges registers with the same input into one (yosys's
//! `opt_merge`, even with `keep` on the register): `(* keep *)` on the
//! copy's `always` block is what stops it.

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

use crate::dsp::ECP5_DEFINE;

/// One copy of the enable: `d` is the enable of the next cycle, `q` that
/// of this cycle.
pub type EnableCopy = Relay<bool>;

/// A clock-enabled register that synthesis keeps apart from its
/// twins: one copy per group of loads of a wide select (see
/// [`crate::table`]), where plain registers with the same input would be
/// merged back into one net with every load on it.
#[derive(LogicBlock, Default)]
pub struct RegisterCopy<T: Synth> {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, bool>,
    pub d: Signal<In, T>,
    /// `d` as sampled on the last enabled edge.
    pub q: Signal<Out, T>,
}

impl<T: Synth> Logic for RegisterCopy<T> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.enable.val() {
            self.q.next = self.d.val();
        }
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "initial q = 0;\n(* keep *) always @(posedge clock) if (enable) q <= d;\n".into(),
        )
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "register_copy".into(),
            clock: "clock".into(),
            inputs: vec!["enable".into(), "d".into()],
            outputs: vec!["q".into()],
        }]
    }
}

/// A free-running register that synthesis keeps apart from its twins:
/// one hop of a net from a shared register to one lane, for data that is
/// loaded steps before the lane reads it and holds for the whole scan (or
/// runs on a fixed schedule), so the hop costs no enable. A chain of two
/// splits a hop across the chip in half; `scripts/floorplan.py` pins the
/// first of such a chain (a field named `relay_*`) midway.
#[derive(LogicBlock, Default)]
pub struct Relay<T: Synth> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, T>,
    /// `d` as sampled on the last edge.
    pub q: Signal<Out, T>,
}

impl<T: Synth> Logic for Relay<T> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.q.next = self.d.val();
        }
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom("initial q = 0;\n(* keep *) always @(posedge clock) q <= d;\n".into())
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "relay".into(),
            clock: "clock".into(),
            inputs: vec!["d".into()],
            outputs: vec!["q".into()],
        }]
    }
}

/// `q` = `ready | !busy` as sampled on the previous clock edge: a
/// first-level copy of the scanner's enable that needs no logic before its
/// flip-flop. It holds the stall (`busy & !ready`), which an ECP5 flip-flop
/// takes as a synchronous reset on `ready` with `busy` as its data, and
/// outputs its complement.
#[derive(LogicBlock, Default)]
pub struct ReadyCopy {
    pub clock: Signal<In, Clock>,
    pub ready: Signal<In, bool>,
    pub busy: Signal<In, bool>,
    /// The enable of this cycle.
    pub q: Signal<Out, bool>,
    _stall: bool,
}

impl Logic for ReadyCopy {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self._stall = self.busy.val() & !self.ready.val();
        }
        self.q.next = !self._stall;
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        // On the ECP5 the flip-flop is instantiated: written behaviourally,
        // synthesis merges the identical reset logic of all copies into one
        // LUT ahead of them, the net this copy exists to avoid.
        Verilog::Custom(format!(
            "\
wire stall;
`ifdef {ECP5_DEFINE}
(* keep *) TRELLIS_FF #(.GSR(\"DISABLED\"), .CEMUX(\"1\"), .CLKMUX(\"CLK\"), .LSRMUX(\"LSR\"),
   .SRMODE(\"LSR_OVER_CE\"), .REGSET(\"RESET\")) stall_ff (
   .CLK(clock), .LSR(ready), .DI(busy), .Q(stall));
`else
reg stall_r;
initial stall_r = 1'b0;
(* keep *) always @(posedge clock) if (ready) stall_r <= 1'b0; else stall_r <= busy;
assign stall = stall_r;
`endif
always @(*) q = !stall;
"
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "ready_copy".into(),
            clock: "clock".into(),
            inputs: vec!["ready".into(), "busy".into()],
            outputs: vec!["q".into()],
        }]
    }
}
