//! A carry-select limb's `+1` candidate, `a + b + 1`, registered: the final
//! adder's [`crate::mul::WideAdder`] keeps one beside each `a + b`.
//!
//! Over the same operand bits, bit 0 of `a + b + 1` is bit 0 of `a + b`
//! inverted, and on the ECP5 yosys's abc9 finds that: it drops the `+1`
//! chain's own bit-0 sum and drives its flip-flop from a LUT inverting the
//! other chain's, wherever that chain is placed (37 + 33 tiles, 7.08 ns with
//! seed 2 on `7deef84`; `docs/timing-log.md`, 2026-12-07), even with the
//! chain's cells instantiated by hand. Taking bit 0 from the `+0`
//! candidate's register instead, in plain Verilog for every build, cost the
//! Verilator model 2.6 % (`ca16b56`, not kept).
//!
//! So the Verilog has two forms. With `LIQSCAN_ECP5` (which
//! `scripts/synth.sh` defines) the sum is a chain of CCU2C cells instantiated
//! here: bit 0's half-cell has no sum (its LUT4 is 0) and makes the carry
//! of `a₀ + b₀ + 1`, `a₀ ∨ b₀`, in its LUT2 (INIT 0x000E), so no cell of
//! the chain computes `a₀ ⊕ b₀` for abc9 to share; bits 1 and up are laid
//! out as yosys's `$alu` mapping (`arith_map.v`) lays out an addition (INIT
//! 0x96AA, `C` = 0) and registered straight from the chain. Bit 0 is
//! `zero_lsb` inverted: the `+0` candidate's registered bit 0, which the
//! carry-select's multiplexer LUTs read anyway.
//! Otherwise (Verilator, generic yosys) it is one registered `a + b + 1` and
//! `zero_lsb` is not read; the rust-hdl simulation runs the same. The two
//! agree from the first enabled edge on, when `zero_lsb` holds bit 0 of the
//! `a + b` sampled with `a + b + 1` (before it, the ECP5 form's bit 0 is 1,
//! the inverse of the `+0` register's reset value: the adder's output in
//! those cycles is no position's). `hw/tests/verilog.rs` proves the two
//! forms equal with yosys from that edge on and checks that no LUT follows
//! the chain.

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

use crate::ccu2c;
use crate::dsp::ECP5_DEFINE;

/// `q` = `a + b + 1` modulo `2^M` for the `a`, `b` sampled on the last
/// enabled edge; `M` is `N` or `N + 1` (the carry out).
#[derive(LogicBlock, Default)]
pub struct PlusOne<const N: usize, const M: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of the register.
    pub enable: Signal<In, bool>,
    pub a: Signal<In, Bits<N>>,
    pub b: Signal<In, Bits<N>>,
    /// Bit 0 of the `+0` candidate's register (`a + b` sampled on the same
    /// edges): the ECP5 form's bit 0, inverted.
    pub zero_lsb: Signal<In, bool>,
    pub q: Signal<Out, Bits<M>>,
}

impl<const N: usize, const M: usize> PlusOne<N, M> {
    /// CCU2C cells of the ECP5 form: two sum bits a cell.
    pub const CHAIN_CELLS: usize = M.div_ceil(2);
}

impl<const N: usize, const M: usize> Logic for PlusOne<N, M> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.enable.val() {
            self.q.next = bit_cast::<M, N>(self.a.val())
                + bit_cast::<M, N>(self.b.val())
                + Bits::<M>::from(1u64);
        }
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        assert!(M == N || M == N + 1, "PlusOne: M is N or N + 1");
        let cells = Self::CHAIN_CELLS;
        // Bit 0's sum is left unconnected; bits at or above M do not exist.
        let sum = |half: usize, i: usize| {
            if i == 0 || i >= M {
                String::new()
            } else {
                format!(", .S{half}(sum[{i}])")
            }
        };
        // Bit 0: no sum (LUT4 0), the carry a0 | b0 (LUT2); bits 1 and up a
        // sum and its carry.
        let init = |i: usize| if i == 0 { "16'h000E" } else { "16'h96AA" };
        // Operand bits above N (the carry out's half-cell) are 0.
        let (carries, chain) = ccu2c::adder(cells, N, init, sum);
        let widen = |name: &str| {
            if M > N {
                format!("{{1'b0, {name}}}")
            } else {
                name.to_string()
            }
        };
        let top = M - 1;
        Verilog::Custom(format!(
            "\
`ifdef {ECP5_DEFINE}
// a + b + 1, two bits a cell, bit 0 a carry only; carry[k] is the carry
// into bit 2k. Bit 0 is the +0 candidate's, inverted.
{carries}wire [{top}:1] sum;
reg [{top}:1] upper;
{chain}\
initial upper = 0;
always @(posedge clock) if (enable) upper <= sum;
always @(*) q = {{upper, ~zero_lsb}};
`else
initial q = 0;
always @(posedge clock) if (enable) q <= {a} + ({b} + {M}'d1);
`endif
",
            a = widen("a"),
            b = widen("b"),
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "plus_one".into(),
            clock: "clock".into(),
            inputs: vec!["enable".into(), "a".into(), "b".into(), "zero_lsb".into()],
            outputs: vec!["q".into()],
        }]
    }
}
