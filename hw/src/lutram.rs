//! A small distributed RAM: synchronous write, asynchronous read.
//!
//! On the ECP5 synthesis maps it onto TRELLIS_DPR16X4 (16 words × 4 bits of
//! LUT RAM each, `ram_style = "distributed"` keeps it out of the block
//! RAMs), so a table that would otherwise be a bank of registers and a
//! tree of multiplexers costs a few LUTs per four bits and no flip-flops.
//! The read is combinational: a register on `read_address` and one on
//! `read_data` put one LUT RAM read between two registers.
//!
//! rust-hdl's `RAM` reads through a register and cannot express this,
//! hence the hand-written Verilog; the simulation model below is what the
//! rust-hdl tests run and the Verilog is what Verilator runs, and both are
//! checked against the same reference through the lane and scanner tests.
//! A read of a word written on the same edge returns the old word until the
//! edge has passed (a register sampling `read_data` on that edge sees the
//! old word); the lane never reads a word on the edges it writes it.

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

/// `2^N` words of `D`: one write port on `clock`, one asynchronous read port.
#[derive(LogicBlock, Default)]
pub struct LutRam<D: Synth, const N: usize> {
    pub clock: Signal<In, Clock>,
    pub read_address: Signal<In, Bits<N>>,
    /// `mem[read_address]`, combinational.
    pub read_data: Signal<Out, D>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, D>,
    /// Writes `write_data` to `write_address` on the clock edge.
    pub write_enable: Signal<In, bool>,
    _words: Vec<D>,
}

impl<D: Synth, const N: usize> Logic for LutRam<D, N> {
    fn update(&mut self) {
        if self._words.is_empty() {
            self._words = vec![D::default(); 1 << N];
        }
        if self.clock.pos_edge() && self.write_enable.val() {
            self._words[self.write_address.val().index()] = self.write_data.val();
        }
        self.read_data.next = self._words[self.read_address.val().index()];
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
(* ram_style = \"distributed\" *) reg [{msb}:0] mem [0:{last}];
always @(posedge clock) begin
   if (write_enable) mem[write_address] <= write_data;
end
always @(*) read_data = mem[read_address];
",
            msb = D::BITS - 1,
            last = (1usize << N) - 1,
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        // The write port samples on the clock; the read is combinational.
        vec![TimingInfo {
            name: "lut_ram".into(),
            clock: "clock".into(),
            inputs: vec![
                "write_address".into(),
                "write_data".into(),
                "write_enable".into(),
            ],
            outputs: vec![],
        }]
    }
}
