//! `x ≤ cap` for two 64-bit values, registered: a cap compare's C1.
//!
//! On the ECP5 (`LIQSCAN_ECP5`, which `scripts/synth.sh` defines) the compare
//! is one carry chain of CCU2C cells, instantiated here as yosys's own
//! `$alu` mapping (`arith_map.v`) lays out a subtraction: `cap + ¬x + 1`,
//! two bits a cell, with the carry-in 1. Its carry out of bit 63 is
//! `x ≤ cap` (no borrow), and a last cell passes it to its `S0` output
//! (`INIT0` 0, so `S0` is the carry-in), which feeds the flip-flop with no
//! LUT between. Left to synthesis, `x ≤ cap` written as bit 63 of `cap − x`
//! inverted came out as the chain and an inverter LUT placed apart from it,
//! 1.5 to 2.2 ns of the compare's 6.4 to 6.6 ns; registering the borrow and
//! inverting it in the next stage removed the LUT but cost the Verilator
//! model 3.9 % (`docs/timing-log.md`, 2026-12-07, `24033c38ae8d`).
//!
//! Otherwise (Verilator, generic yosys) it is `q <= x <= cap` in plain
//! Verilog, one 64-bit compare for the model; the rust-hdl simulation runs
//! the same. `hw/tests/verilog.rs` proves the two forms equal with yosys
//! (the chain through `cells_sim.v`'s CCU2C model) and checks the ECP5
//! form's cells.

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

use crate::dsp::ECP5_DEFINE;

/// Width of both operands.
pub const WIDTH: usize = 64;

/// CCU2C cells of the chain: two bits a cell.
pub const CHAIN_CELLS: usize = WIDTH / 2;

/// `q` = `x ≤ cap` as sampled on the last enabled edge.
#[derive(LogicBlock, Default)]
pub struct CarryLe {
    pub clock: Signal<In, Clock>,
    /// Clock enable of `q`.
    pub enable: Signal<In, bool>,
    pub cap: Signal<In, Bits<WIDTH>>,
    pub x: Signal<In, Bits<WIDTH>>,
    pub q: Signal<Out, bool>,
}

impl Logic for CarryLe {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.enable.val() {
            self.q.next = self.x.val() <= self.cap.val();
        }
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        // A cell adds `A + ¬B + carry` on each half (`C` = 1 inverts `B`):
        // INIT 0x96AA is yosys's `$alu` mapping, the sum `A ⊕ B ⊕ C` in the
        // LUT4 (with `D` = 1) and the generate `A` in the LUT2.
        let cells = (0..CHAIN_CELLS)
            .map(|c| {
                let (lo, hi) = (2 * c, 2 * c + 1);
                let cin = if c == 0 {
                    "1'b1".to_string()
                } else {
                    format!("carry[{c}]")
                };
                format!(
                    "CCU2C #(.INIT0(16'h96AA), .INIT1(16'h96AA), .INJECT1_0(\"NO\"), .INJECT1_1(\"NO\")) bits{lo} (\n   \
                     .CIN({cin}), .A0(cap[{lo}]), .B0(x[{lo}]), .C0(1'b1), .D0(1'b1),\n   \
                     .A1(cap[{hi}]), .B1(x[{hi}]), .C1(1'b1), .D1(1'b1), .COUT(carry[{next}]));\n",
                    next = c + 1
                )
            })
            .collect::<String>();
        Verilog::Custom(format!(
            "\
initial q = 0;
`ifdef {ECP5_DEFINE}
// cap + ~x + 1, two bits a cell; carry[k] is the carry into bit 2k.
wire [{CHAIN_CELLS}:1] carry;
wire le_out;
{cells}\
// The carry out of bit 63 (x <= cap) on S0: INIT0 0 and no injected 1.
CCU2C #(.INIT0(16'h0000), .INIT1(16'h0000), .INJECT1_0(\"NO\"), .INJECT1_1(\"NO\")) carry_out (
   .CIN(carry[{CHAIN_CELLS}]), .A0(1'b0), .B0(1'b0), .C0(1'b0), .D0(1'b0),
   .A1(1'b0), .B1(1'b0), .C1(1'b0), .D1(1'b0), .S0(le_out));
always @(posedge clock) if (enable) q <= le_out;
`else
always @(posedge clock) if (enable) q <= x <= cap;
`endif
"
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "carry_le".into(),
            clock: "clock".into(),
            inputs: vec!["enable".into(), "cap".into(), "x".into()],
            outputs: vec!["q".into()],
        }]
    }
}
