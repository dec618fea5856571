//! `x ≤ cap` for two values below 2^63 held in 64 bits, registered: a cap
//! compare's C1.
//!
//! On the ECP5 (`LIQSCAN_ECP5`, which `scripts/synth.sh` defines) the compare
//! is one carry chain of CCU2C cells, instantiated here as yosys's own
//! `$alu` mapping (`arith_map.v`) lays out a subtraction: `cap + ¬x + 1`,
//! two bits a cell, with the carry-in 1. Its carry out of bit 62 is
//! `x ≤ cap` (no borrow); the last cell's second half has no operands and
//! its LUT4 is 0 (`INIT1` 0), so its `S1` is that carry, which feeds the
//! flip-flop with no LUT between. Left to synthesis, `x ≤ cap` written as bit
//! 63 of the 64-bit `cap − x` inverted came out as the chain and an inverter
//! LUT placed apart from it, 1.5 to 2.2 ns of the compare's 6.4 to 6.6 ns;
//! registering the borrow and inverting it in the next stage removed the LUT
//! but cost the Verilator model 3.9 % (`docs/timing-log.md`, 2026-12-07,
//! `24033c38ae8d`). The chain stops at bit 62 because a sum bit of zero
//! operands above it would be the carry inverted, and yosys's abc9 then
//! drives the flip-flop from that sum through an inverter LUT again (as it
//! did, in the scanner, with a 64-bit chain whose bit 63 is 0).
//!
//! Otherwise (Verilator, generic yosys) it is `q <= x <= cap` in plain
//! Verilog, one 64-bit compare for the model (on 63-bit slices it cost the
//! model 0.6 %: Verilator masks both operands every cycle); the rust-hdl
//! simulation runs the same. The ECP5 form ignores bit 63, so the two agree
//! when both values are below 2^63, as the compare's are. `hw/tests/verilog.rs` proves the two forms equal with yosys
//! (the chain through `cells_sim.v`'s CCU2C model) and checks the ECP5
//! form's cells.

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

use crate::dsp::ECP5_DEFINE;

/// Width of both operands.
pub const WIDTH: usize = 64;

/// The bits the ECP5 chain compares: the values are below 2^63.
pub const CHAIN_BITS: usize = WIDTH - 1;

/// CCU2C cells of the chain: two bits a cell, the last half-cell the carry
/// out's.
pub const CHAIN_CELLS: usize = CHAIN_BITS.div_ceil(2);

const _: () = assert!(
    CHAIN_BITS % 2 == 1,
    "the carry out takes the last cell's second half"
);

/// `q` = `x ≤ cap` as sampled on the last enabled edge (both below 2^63).
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
                if hi < CHAIN_BITS {
                    format!(
                        "CCU2C #(.INIT0(16'h96AA), .INIT1(16'h96AA), .INJECT1_0(\"NO\"), .INJECT1_1(\"NO\")) bits{lo} (\n   \
                         .CIN({cin}), .A0(cap[{lo}]), .B0(x[{lo}]), .C0(1'b1), .D0(1'b1),\n   \
                         .A1(cap[{hi}]), .B1(x[{hi}]), .C1(1'b1), .D1(1'b1), .COUT(carry[{next}]));\n",
                        next = c + 1
                    )
                } else {
                    // Bit 62 and, on S1, the carry out of it (INIT1 0).
                    format!(
                        "CCU2C #(.INIT0(16'h96AA), .INIT1(16'h0000), .INJECT1_0(\"NO\"), .INJECT1_1(\"NO\")) bits{lo} (\n   \
                         .CIN({cin}), .A0(cap[{lo}]), .B0(x[{lo}]), .C0(1'b1), .D0(1'b1),\n   \
                         .A1(1'b0), .B1(1'b0), .C1(1'b0), .D1(1'b0), .S1(le_out));\n"
                    )
                }
            })
            .collect::<String>();
        Verilog::Custom(format!(
            "\
initial q = 0;
`ifdef {ECP5_DEFINE}
// cap + ~x + 1, two bits a cell; carry[k] is the carry into bit 2k. The
// carry out of bit {top} (x <= cap) on the last cell's S1.
wire [{last}:1] carry;
wire le_out;
{cells}\
always @(posedge clock) if (enable) q <= le_out;
`else
always @(posedge clock) if (enable) q <= x <= cap;
`endif
",
            top = CHAIN_BITS - 1,
            last = CHAIN_CELLS - 1,
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
