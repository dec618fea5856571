//! The carry out of `a + b`, registered: the final adder's low limb without
//! its carry-in, beside the limb's sum with it ([`crate::mul::WideAdder`]).
//!
//! With the carry-in 1 (the lane's adder), bit 0 of the limb's sum is bit 0
//! of `a + b` inverted, and on the ECP5 yosys's abc9 finds that: it drives
//! the sum's bit-0 flip-flop from a LUT inverting the bit-0 sum of this
//! chain, which nothing else reads, wherever the chain is placed (a LUT after
//! the chain; `docs/timing-log.md`, 2026-12-07). So with `LIQSCAN_ECP5`
//! (which `scripts/synth.sh` defines) the chain is CCU2C cells instantiated
//! here whose bit 0 has no sum: its half-cell's LUT4 is 0 and its LUT2 the
//! carry `a₀ ∧ b₀` (INIT 0x0008), the other bits as yosys's `$alu` mapping
//! (`arith_map.v`) lays out an addition (INIT 0x96AA, `C` = 0), and the
//! carry out of bit `N − 1` leaves the chain on the sum output of a half-cell
//! whose operands are 0, straight into the flip-flop. Otherwise (Verilator,
//! generic yosys) it is `a > ¬b` (`a + b ≥ 2^N`), one compare for the model;
//! the rust-hdl simulation runs the same. `hw/tests/verilog.rs` proves the
//! two forms equal with yosys.

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

use crate::ccu2c;
use crate::dsp::ECP5_DEFINE;

/// `q` = the carry out of `a + b` (`a + b ≥ 2^N`) for the `a`, `b` sampled
/// on the last enabled edge.
#[derive(LogicBlock, Default)]
pub struct CarryOut<const N: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of the register.
    pub enable: Signal<In, bool>,
    pub a: Signal<In, Bits<N>>,
    pub b: Signal<In, Bits<N>>,
    pub q: Signal<Out, bool>,
}

impl<const N: usize> CarryOut<N> {
    /// CCU2C cells of the ECP5 form: bits 0 to `N − 1` and the half-cell
    /// that puts the carry out on its sum output.
    pub const CHAIN_CELLS: usize = N / 2 + 1;
}

impl<const N: usize> Logic for CarryOut<N> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.enable.val() {
            self.q.next = self.a.val() > !self.b.val();
        }
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        let cells = Self::CHAIN_CELLS;
        // Bit 0: no sum (LUT4 0), the carry a0 & b0 (LUT2); bits 1 and up a
        // sum and its carry; half-cell N: operands 0, the carry in on S.
        let init = |i: usize| if i == 0 { "16'h0008" } else { "16'h96AA" };
        let out = |half: usize, i: usize| {
            if i == N {
                format!(", .S{half}(carry_out)")
            } else {
                String::new()
            }
        };
        // Operand bits above N (the carry out's half-cell) are 0.
        let (carries, chain) = ccu2c::adder(cells, N, init, out);
        Verilog::Custom(format!(
            "\
initial q = 0;
`ifdef {ECP5_DEFINE}
// a + b, two bits a cell; carry[k] is the carry into bit 2k.
{carries}wire carry_out;
{chain}\
always @(posedge clock) if (enable) q <= carry_out;
`else
always @(posedge clock) if (enable) q <= a > ~b;
`endif
"
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "carry_out".into(),
            clock: "clock".into(),
            inputs: vec!["enable".into(), "a".into(), "b".into()],
            outputs: vec!["q".into()],
        }]
    }
}
