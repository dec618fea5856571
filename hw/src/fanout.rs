//! Registered copies of the pipeline's clock enable.
//!
//! The scanner freezes its whole pipeline while the result stream is
//! back-pressured. One enable net into every pipeline register would span
//! the chip with tens of thousands of loads. Instead each group of registers that sits together (a
//! lane stage, a multiplier, a group of block RAMs) gets its own
//! [`EnableCopy`], so each copy drives only its group. The copies form a
//! three-level tree: the scanner's enable reaches one root copy per lane and
//! one for the control; each root, its lane's first-level copies (the lane,
//! each lane bank, the result side); and each of those only its group's
//! second-level copies, so no net carries the enable across the chip to
//! hundreds of loads, and the two registers the enable is formed from reach
//! only the roots and each lane's port selects. The roots are [`ReadyCopy`]s:
//! each forms the enable itself from `res_ready` and the busy flag in its
//! flip-flop's set/reset and data pins, so the nets from those two registers
//! carry no logic.
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

/// Two relays in a row: the way from a shared register to one lane in two
/// hops, `q` being `d` of two edges before. The floorplan pins the first
/// (`relay`) midway; the second sits beside the lane's loads.
#[derive(LogicBlock, Default)]
pub struct RelayPair<T: Synth> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, T>,
    pub q: Signal<Out, T>,
    relay: Relay<T>,
    copy: Relay<T>,
}

impl<T: Synth> Logic for RelayPair<T> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, relay, copy);
        self.relay.d.next = self.d.val();
        self.copy.d.next = self.relay.q.val();
        self.q.next = self.copy.q.val();
    }
}

/// `q` = `ready | !busy` as sampled on the previous clock edge: a root
/// copy of the scanner's enable with no logic on its nets. On
/// the ECP5 it is a flip-flop with `ready` on its synchronous set and
/// `!busy` on its data, from its own LUT in the same slice (a LUT's output
/// reaches its slice's flip-flop without routing), and `q` is the
/// flip-flop's output: no LUT between it and the copies it feeds.
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
        // On the ECP5 the LUT and the flip-flop are instantiated: written
        // behaviourally, synthesis merges the identical logic of all copies
        // into one LUT ahead of them, the net this copy exists to avoid.
        Verilog::Custom(format!(
            "\
wire enable;
`ifdef {ECP5_DEFINE}
wire idle;
(* keep *) LUT4 #(.INIT(16'h5555)) idle_lut (.A(busy), .B(1'b0), .C(1'b0), .D(1'b0), .Z(idle));
(* keep *) TRELLIS_FF #(.GSR(\"DISABLED\"), .CEMUX(\"1\"), .CLKMUX(\"CLK\"), .LSRMUX(\"LSR\"),
   .SRMODE(\"LSR_OVER_CE\"), .REGSET(\"SET\")) enable_ff (
   .CLK(clock), .LSR(ready), .DI(idle), .Q(enable));
`else
reg enable_r;
initial enable_r = 1'b1;
(* keep *) always @(posedge clock) if (ready) enable_r <= 1'b1; else enable_r <= !busy;
assign enable = enable_r;
`endif
always @(*) q = enable;
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

/// The result port selects of one lane's three field groups (see
/// [`crate::scanner::ResultSkid`]): the slot and the hit (`head`), the
/// shortfall's bits 0–63 (`lo`) and its bits 64–109 (`hi`), the two words of
/// the lane's final adder. Each select says how many of the last three
/// cycles were stalled (`¬(ready ∨ ¬busy)`): none (`back0`), at most one
/// (`back_le1`), exactly two (`back2`); it is decoded on the edge before
/// from `ready`, `busy` and two registered copies of `ready ∨ ¬busy` (the
/// last cycle's and the one before).
///
/// On the ECP5 each group has all of it on its own: the two history copies
/// and the three select registers, each select one LUT4 of `ready`, `busy`
/// and the group's history and its flip-flop, every cell instantiated and
/// kept (the copies have the same inputs, and synthesis would merge them or
/// share `ready ∨ ¬busy` in one LUT ahead of them). A lane's skid spreads
/// over the fields' sources, some 50 × 38 tiles when placed, and one select
/// register for all of it had to reach from one corner of it to the other
/// (71–74 tiles); a group's registers sit together, and its selects beside
/// them. The only nets that cross the lane are `ready` and `busy`, each from
/// a register, into the groups' first LUTs and flip-flops.
///
/// Without the define (the simulations) the copies would be the same
/// values computed three times: the history and the selects are one set of
/// registers, every group's outputs the same ones.
#[derive(LogicBlock, Default)]
pub struct PortSelects {
    pub clock: Signal<In, Clock>,
    /// The result stream's ready and the scanner's busy flag.
    pub ready: Signal<In, bool>,
    pub busy: Signal<In, bool>,
    pub back0_head: Signal<Out, bool>,
    pub back_le1_head: Signal<Out, bool>,
    pub back2_head: Signal<Out, bool>,
    pub back0_lo: Signal<Out, bool>,
    pub back_le1_lo: Signal<Out, bool>,
    pub back2_lo: Signal<Out, bool>,
    pub back0_hi: Signal<Out, bool>,
    pub back_le1_hi: Signal<Out, bool>,
    pub back2_hi: Signal<Out, bool>,
    /// `ready ∨ ¬busy` of the last cycle (powers up 1) and the one before.
    _first: bool,
    _copy: bool,
    _back0: bool,
    _back_le1: bool,
    _back2: bool,
}

/// The select LUTs' truth tables, inputs A = `ready`, B = `busy`, C = the
/// last cycle's `ready ∨ ¬busy`, D = the one before's (`Z = INIT[DCBA]`).
const BACK0_INIT: u16 = 0xB000;
const BACK_LE1_INIT: u16 = 0xFBB0;
const BACK2_INIT: u16 = 0x044B;

/// The field groups of a lane's result port, as the outputs name them.
pub const PORT_GROUPS: [&str; 3] = ["head", "lo", "hi"];

impl Logic for PortSelects {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let now = self.ready.val() | !self.busy.val();
            let (first, copy) = (self._first, self._copy);
            self._back0 = now & first & copy;
            self._back_le1 = (now & first) | (now & copy) | (first & copy);
            self._back2 = (now ^ first ^ copy) & !(now & first & copy);
            self._copy = first;
            self._first = now;
        }
        self.back0_head.next = self._back0;
        self.back0_lo.next = self._back0;
        self.back0_hi.next = self._back0;
        self.back_le1_head.next = self._back_le1;
        self.back_le1_lo.next = self._back_le1;
        self.back_le1_hi.next = self._back_le1;
        self.back2_head.next = self._back2;
        self.back2_lo.next = self._back2;
        self.back2_hi.next = self._back2;
    }

    fn connect(&mut self) {
        self.back0_head.connect();
        self.back_le1_head.connect();
        self.back2_head.connect();
        self.back0_lo.connect();
        self.back_le1_lo.connect();
        self.back2_lo.connect();
        self.back0_hi.connect();
        self.back_le1_hi.connect();
        self.back2_hi.connect();
    }

    fn hdl(&self) -> Verilog {
        const FF: &str = ".GSR(\"DISABLED\"), .CEMUX(\"1\"), .CLKMUX(\"CLK\"), .LSRMUX(\"LSR\"), \
                          .SRMODE(\"LSR_OVER_CE\")";
        let mut ecp5 = String::new();
        let mut outputs = String::new();
        for g in PORT_GROUPS {
            ecp5.push_str(&format!(
                "\
wire idle_{g}, first_{g}, copy_{g};
(* keep *) LUT4 #(.INIT(16'h5555)) idle_lut_{g} (.A(busy), .B(1'b0), .C(1'b0), .D(1'b0), .Z(idle_{g}));
(* keep *) TRELLIS_FF #({FF}, .REGSET(\"SET\")) first_ff_{g} (
   .CLK(clock), .LSR(ready), .DI(idle_{g}), .Q(first_{g}));
(* keep *) TRELLIS_FF #({FF}, .REGSET(\"RESET\")) copy_ff_{g} (
   .CLK(clock), .LSR(1'b0), .DI(first_{g}), .Q(copy_{g}));
"
            ));
            for (sel, init) in [
                ("back0", BACK0_INIT),
                ("back_le1", BACK_LE1_INIT),
                ("back2", BACK2_INIT),
            ] {
                ecp5.push_str(&format!(
                    "\
wire {sel}_d_{g}, {sel}_q_{g};
(* keep *) LUT4 #(.INIT(16'h{init:04X})) {sel}_lut_{g} (
   .A(ready), .B(busy), .C(first_{g}), .D(copy_{g}), .Z({sel}_d_{g}));
(* keep *) TRELLIS_FF #({FF}, .REGSET(\"RESET\")) {sel}_ff_{g} (
   .CLK(clock), .LSR(1'b0), .DI({sel}_d_{g}), .Q({sel}_q_{g}));
"
                ));
                outputs.push_str(&format!("always @(*) {sel}_{g} = {sel}_q_{g};\n"));
            }
        }
        let plain = PORT_GROUPS
            .iter()
            .flat_map(|g| {
                ["back0", "back_le1", "back2"].map(|sel| format!("wire {sel}_q_{g} = {sel}_r;\n"))
            })
            .collect::<String>();
        Verilog::Custom(format!(
            "\
`ifdef {ECP5_DEFINE}
{ecp5}`else
reg first_r, copy_r, back0_r, back_le1_r, back2_r;
wire now = ready | !busy;
initial begin
   first_r = 1'b1;
   copy_r = 1'b0;
   back0_r = 1'b0;
   back_le1_r = 1'b0;
   back2_r = 1'b0;
end
always @(posedge clock) begin
   back0_r <= now & first_r & copy_r;
   back_le1_r <= (now & first_r) | (now & copy_r) | (first_r & copy_r);
   back2_r <= (now ^ first_r ^ copy_r) & !(now & first_r & copy_r);
   copy_r <= first_r;
   first_r <= now;
end
{plain}`endif
{outputs}"
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "port_selects".into(),
            clock: "clock".into(),
            inputs: vec!["ready".into(), "busy".into()],
            outputs: PORT_GROUPS
                .iter()
                .flat_map(|g| ["back0", "back_le1", "back2"].map(|sel| format!("{sel}_{g}")))
                .collect(),
        }]
    }
}

/// One lane's branch of the enable tree, three levels deep. The root is
/// the lane's one enable copy that `res_ready` and the busy flag reach, so
/// those two registers drive a root per lane and the control's (and the
/// port selects below) rather than every lane's whole first level, and the
/// root can sit between them and the lane. The first level (from the root):
/// copies for the lane,
/// for each of its three position banks (a bank spreads over the chip, so
/// its copy sits at the bank's centre instead of being pulled into the
/// lane), for its result side and for the relays of its flags (whose
/// second-level copy is pinned with them, midway between the control and
/// the lane); the second level: the copies the scanner's own per-lane
/// registers run on. The result ports' multiplexer has selects of its own,
/// straight from `res_ready`: how many of the last three cycles were not
/// ready (how far the core has run ahead of the stream), decoded on the
/// edge before, for each of the port's field groups apart
/// ([`PortSelects`]), so each select is a register that drives nothing but
/// its group's multiplexers.
#[derive(LogicBlock, Default)]
pub struct LaneEnables {
    pub clock: Signal<In, Clock>,
    /// The result stream's ready and the scanner's busy flag.
    pub ready: Signal<In, bool>,
    pub busy: Signal<In, bool>,
    /// First level (the enable of the next cycle for what they feed): the
    /// lane's stage copies and the banks' read enables.
    pub lane_next: Signal<Out, bool>,
    pub qty_next: Signal<Out, bool>,
    pub offset_next: Signal<Out, bool>,
    pub valid_next: Signal<Out, bool>,
    /// The result ports' selects, for each field group ([`PortSelects`]):
    /// of the last three cycles, none, at most one, exactly two were
    /// stalled (`¬(ready ∨ ¬busy)`).
    pub back0_head: Signal<Out, bool>,
    pub back_le1_head: Signal<Out, bool>,
    pub back2_head: Signal<Out, bool>,
    pub back0_lo: Signal<Out, bool>,
    pub back_le1_lo: Signal<Out, bool>,
    pub back2_lo: Signal<Out, bool>,
    pub back0_hi: Signal<Out, bool>,
    pub back_le1_hi: Signal<Out, bool>,
    pub back2_hi: Signal<Out, bool>,
    /// Second level: the lane's row counter and memory-side registers, the
    /// register stage between the banks and the lane, the relays of the
    /// lane's flags, and the result side.
    pub core: Signal<Out, bool>,
    pub m2: Signal<Out, bool>,
    pub relay: Signal<Out, bool>,
    pub out: Signal<Out, bool>,
    root: ReadyCopy,
    lane_first: EnableCopy,
    qty_first: EnableCopy,
    offset_first: EnableCopy,
    valid_first: EnableCopy,
    out_first: EnableCopy,
    relay_first: EnableCopy,
    ports: PortSelects,
    core_copy: EnableCopy,
    m2_copy: EnableCopy,
    relay_en: EnableCopy,
    out_copy: EnableCopy,
}

impl Logic for LaneEnables {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(
            self,
            clock,
            root,
            lane_first,
            qty_first,
            offset_first,
            valid_first,
            out_first,
            relay_first,
            ports,
            core_copy,
            m2_copy,
            relay_en,
            out_copy
        );
        self.root.ready.next = self.ready.val();
        self.root.busy.next = self.busy.val();
        self.lane_first.d.next = self.root.q.val();
        self.qty_first.d.next = self.root.q.val();
        self.offset_first.d.next = self.root.q.val();
        self.valid_first.d.next = self.root.q.val();
        self.out_first.d.next = self.root.q.val();
        self.relay_first.d.next = self.root.q.val();
        self.ports.ready.next = self.ready.val();
        self.ports.busy.next = self.busy.val();
        self.core_copy.d.next = self.lane_first.q.val();
        self.m2_copy.d.next = self.lane_first.q.val();
        self.relay_en.d.next = self.relay_first.q.val();
        self.out_copy.d.next = self.out_first.q.val();
        self.lane_next.next = self.lane_first.q.val();
        self.qty_next.next = self.qty_first.q.val();
        self.offset_next.next = self.offset_first.q.val();
        self.valid_next.next = self.valid_first.q.val();
        self.back0_head.next = self.ports.back0_head.val();
        self.back_le1_head.next = self.ports.back_le1_head.val();
        self.back2_head.next = self.ports.back2_head.val();
        self.back0_lo.next = self.ports.back0_lo.val();
        self.back_le1_lo.next = self.ports.back_le1_lo.val();
        self.back2_lo.next = self.ports.back2_lo.val();
        self.back0_hi.next = self.ports.back0_hi.val();
        self.back_le1_hi.next = self.ports.back_le1_hi.val();
        self.back2_hi.next = self.ports.back2_hi.val();
        self.core.next = self.core_copy.q.val();
        self.m2.next = self.m2_copy.q.val();
        self.relay.next = self.relay_en.q.val();
        self.out.next = self.out_copy.q.val();
    }
}
