//! A simple dual-port block RAM with a registered, clock-enabled read port.
//!
//! rust-hdl's `RAM` reads on every clock edge; the scanner must freeze its
//! whole pipeline while the result stream is back-pressured, so the read
//! port here has a clock enable (`read_enable`, the BRAM's CE pin). The
//! memory is never initialised in Verilog: the host writes every word it
//! uses. The simulation keeps only written words (a `BTreeMap`), so small
//! instances simulate cheaply; unwritten words read as zero.

use std::collections::BTreeMap;

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

/// `2^N` words of `D`; one write port and one registered read port on one clock.
#[derive(LogicBlock, Default)]
pub struct Memory<D: Synth, const N: usize> {
    pub clock: Signal<In, Clock>,
    pub read_address: Signal<In, Bits<N>>,
    /// Clock enable of the read register: low keeps `read_data`.
    pub read_enable: Signal<In, bool>,
    /// `mem[read_address]` as sampled at the last enabled edge.
    pub read_data: Signal<Out, D>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, D>,
    pub write_enable: Signal<In, bool>,
    _sim: BTreeMap<Bits<N>, D>,
}

impl<D: Synth, const N: usize> Logic for Memory<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            // Read before write: a read and a write of the same word on one edge return the old word.
            if self.read_enable.val() {
                self.read_data.next = self
                    ._sim
                    .get(&self.read_address.val())
                    .copied()
                    .unwrap_or_default();
            }
            if self.write_enable.val() {
                self._sim
                    .insert(self.write_address.val(), self.write_data.val());
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{msb}:0] mem [0:{last}];

always @(posedge clock) begin
   if (read_enable) begin
      read_data <= mem[read_address];
   end
   if (write_enable) begin
      mem[write_address] <= write_data;
   end
end
",
            msb = D::BITS - 1,
            last = (1usize << N) - 1,
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "memory".into(),
            clock: "clock".into(),
            inputs: vec![
                "read_address".into(),
                "read_enable".into(),
                "write_address".into(),
                "write_data".into(),
                "write_enable".into(),
            ],
            outputs: vec!["read_data".into()],
        }]
    }
}
