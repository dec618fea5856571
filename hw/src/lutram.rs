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
        write_port_timing("lut_ram")
    }
}

/// Parts of a [`SplitLutRam`]'s word, each read at its own address.
pub const PARTS: usize = 4;

/// A [`LutRam`] of `2^N` words of `W` bits whose read port has [`PARTS`]
/// copies of its address, one per part of the word: part `k` is bits
/// `k·C .. min((k + 1)·C, W)`, `C` being `W / PARTS` rounded up to whole LUT
/// RAM cells (4 bits), and reads at `read_address_k`. Fed from a copy of the
/// address register each, a wide word's read addresses hang on four short
/// nets instead of one that spans every cell of the word. With the four
/// addresses equal it reads as a [`LutRam`].
#[derive(LogicBlock)]
pub struct SplitLutRam<const W: usize, const N: usize> {
    pub clock: Signal<In, Clock>,
    pub read_address_0: Signal<In, Bits<N>>,
    pub read_address_1: Signal<In, Bits<N>>,
    pub read_address_2: Signal<In, Bits<N>>,
    pub read_address_3: Signal<In, Bits<N>>,
    /// Part `k` of `mem[read_address_k]`, combinational.
    pub read_data: Signal<Out, Bits<W>>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, Bits<W>>,
    /// Writes `write_data` to `write_address` on the clock edge.
    pub write_enable: Signal<In, bool>,
    _words: Vec<Bits<W>>,
    /// Each part's bits, set.
    _parts: Vec<Bits<W>>,
}

/// The bit ranges of a `w`-bit word's `k` parts (empty ones left out).
pub fn split_parts(w: usize, k: usize) -> Vec<std::ops::Range<usize>> {
    let cell = 4;
    let part = w.div_ceil(k).div_ceil(cell) * cell;
    (0..k)
        .map(|i| (i * part).min(w)..((i + 1) * part).min(w))
        .filter(|r| !r.is_empty())
        .collect()
}

impl<const W: usize, const N: usize> Default for SplitLutRam<W, N> {
    fn default() -> Self {
        let mut parts = vec![Bits::<W>::default(); PARTS];
        for (k, range) in split_parts(W, PARTS).into_iter().enumerate() {
            for bit in range {
                parts[k] = parts[k].replace_bit(bit, true);
            }
        }
        Self {
            clock: Default::default(),
            read_address_0: Default::default(),
            read_address_1: Default::default(),
            read_address_2: Default::default(),
            read_address_3: Default::default(),
            read_data: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            write_enable: Default::default(),
            _words: vec![Bits::<W>::default(); 1 << N],
            _parts: parts,
        }
    }
}

impl<const W: usize, const N: usize> Logic for SplitLutRam<W, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.write_enable.val() {
            self._words[self.write_address.val().index()] = self.write_data.val();
        }
        let addresses = [
            self.read_address_0.val(),
            self.read_address_1.val(),
            self.read_address_2.val(),
            self.read_address_3.val(),
        ];
        let mut data = Bits::<W>::default();
        for (address, part) in addresses.iter().zip(&self._parts) {
            data = data | (self._words[address.index()] & *part);
        }
        self.read_data.next = data;
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        // One memory per part, so that each read port is a memory's only one.
        let last = (1usize << N) - 1;
        let (mut mems, mut writes, mut reads) = (String::new(), String::new(), String::new());
        for (k, range) in split_parts(W, PARTS).into_iter().enumerate() {
            let (lo, msb) = (range.start, range.end - 1);
            mems += &format!(
                "(* ram_style = \"distributed\" *) reg [{}:0] mem_{k} [0:{last}];\n",
                range.len() - 1
            );
            writes += &format!(
                "   if (write_enable) mem_{k}[write_address] <= write_data[{msb}:{lo}];\n"
            );
            reads += &format!("   read_data[{msb}:{lo}] = mem_{k}[read_address_{k}];\n");
        }
        Verilog::Custom(format!(
            "{mems}always @(posedge clock) begin\n{writes}end\nalways @(*) begin\n{reads}end\n"
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        write_port_timing("split_lut_ram")
    }
}

/// A LUT RAM's timing: its write port samples on the clock; the read is combinational.
fn write_port_timing(name: &str) -> Vec<TimingInfo> {
    vec![TimingInfo {
        name: name.into(),
        clock: "clock".into(),
        inputs: vec![
            "write_address".into(),
            "write_data".into(),
            "write_enable".into(),
        ],
        outputs: vec![],
    }]
}
