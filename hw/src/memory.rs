//! A simple dual-port block RAM whose ports are registered at the memory.
//!
//! rust-hdl's `RAM` reads on every clock edge; the scanner must freeze its
//! whole pipeline while the result stream is back-pressured, so the read
//! port here has a clock enable. Every path into or out of the array starts
//! or ends at a register beside it, because the position memory can take
//! most of the chip's block RAMs, spread over the whole chip:
//! * the read address and the read enable are registered first, one copy per
//!   group of [`GROUP_TILES`] blocks (see [`crate::fanout`]), so the net from
//!   the address counter reaches a few dozen registers instead of every
//!   block's pins; the enable therefore arrives one cycle ahead
//!   (`read_enable_next`);
//! * the read data passes the array's read register and then an output
//!   register: without the output register the block RAM's slow
//!   clock-to-output and the route from the block would share one cycle;
//! * writes are registered once the same way and reach the array one edge
//!   after they are presented ([`WRITE_LATENCY`]).
//!
//! [`READ_LATENCY`] = 3 enabled edges from address to data.
//!
//! With `LIQSCAN_ECP5` defined and at most 2^14 words the Verilog
//! instantiates ECP5 DP16KD blocks with `REGMODE_B = "OUTREG"` (yosys does
//! not fold an output register into one), each the full 16 Kbit deep and as
//! wide as the depth allows (1, 2, 4, 9 or 18 bits), so no word is spread over
//! several blocks in depth and there is no read multiplexer. Otherwise it is
//! the same pipeline in plain Verilog, which Verilator and the rust-hdl
//! simulation run.
//!
//! The memory is never initialised in Verilog: the host writes every word it
//! uses. The simulation keeps only written words (a `BTreeMap`), so small
//! instances simulate cheaply; unwritten words read as zero. An array read
//! and an array write of the same word on one edge are not defined on the
//! FPGA (the simulation returns the old word); the scanner never does one
//! whose data it uses.

use std::collections::BTreeMap;

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

use crate::dsp::ECP5_DEFINE;

/// Enabled edges from sampling `read_address` to the word on `read_data`:
/// address register, array register, output register.
pub const READ_LATENCY: usize = 3;
/// Edges from presenting a write to the array holding it.
pub const WRITE_LATENCY: usize = 1;
/// Block RAMs that share one copy of the registered read address, enable and write port.
pub const GROUP_TILES: usize = 4;

/// `2^N` words of `D`; one write port and one clock-enabled read port on one clock.
#[derive(LogicBlock, Default)]
pub struct Memory<D: Synth, const N: usize> {
    pub clock: Signal<In, Clock>,
    /// Sampled on every enabled edge.
    pub read_address: Signal<In, Bits<N>>,
    /// Clock enable of the read port **for the next cycle** (registered at
    /// the blocks): an edge is enabled when this was high in the cycle before it.
    pub read_enable_next: Signal<In, bool>,
    /// `mem[read_address]` as sampled [`READ_LATENCY`] enabled edges ago.
    pub read_data: Signal<Out, D>,
    /// The write port, sampled on every edge; the array is written
    /// [`WRITE_LATENCY`] edge later.
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, D>,
    pub write_enable: Signal<In, bool>,
    _sim: BTreeMap<Bits<N>, D>,
    // The registers, simulation side.
    _enable: bool,
    _address: Bits<N>,
    _stage: D,
    _write: Option<(Bits<N>, D)>,
}

impl<D: Synth, const N: usize> Logic for Memory<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            // The array reads before it writes: a read and a write of the same word on one edge return the old word.
            if self._enable {
                self.read_data.next = self._stage;
                self._stage = self._sim.get(&self._address).copied().unwrap_or_default();
                self._address = self.read_address.val();
            }
            self._enable = self.read_enable_next.val();
            if let Some((address, word)) = self._write.take() {
                self._sim.insert(address, word);
            }
            if self.write_enable.val() {
                self._write = Some((self.write_address.val(), self.write_data.val()));
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let plain = format!(
            "\
reg [{msb}:0] mem [0:{last}];
reg enable;
reg [{amsb}:0] address;
reg [{msb}:0] read_stage;
reg write_pending;
reg [{amsb}:0] write_row;
reg [{msb}:0] write_word;
initial begin
   enable = 1'b0;
   write_pending = 1'b0;
end

always @(posedge clock) begin
   enable <= read_enable_next;
   if (enable) begin
      address <= read_address;
      read_stage <= mem[address];
      read_data <= read_stage;
   end
   write_pending <= write_enable;
   write_row <= write_address;
   write_word <= write_data;
   if (write_pending) begin
      mem[write_row] <= write_word;
   end
end
",
            msb = D::BITS - 1,
            amsb = N - 1,
            last = (1usize << N) - 1,
        );
        match ecp5_tiles(D::BITS, N) {
            Some(tiles) => Verilog::Custom(format!(
                "`ifdef {ECP5_DEFINE}\n{tiles}`else\n{plain}`endif\n"
            )),
            None => Verilog::Custom(plain),
        }
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "memory".into(),
            clock: "clock".into(),
            inputs: vec![
                "read_address".into(),
                "read_enable_next".into(),
                "write_address".into(),
                "write_data".into(),
                "write_enable".into(),
            ],
            outputs: vec!["read_data".into()],
        }]
    }
}

/// DP16KD data widths by address bits (`DATA_WIDTH_x`): the block is
/// 16,384 bits (18,432 with parity) whatever its shape.
fn dp16kd_width(address_bits: usize) -> Option<usize> {
    match address_bits {
        0..=10 => Some(18),
        11 => Some(9),
        12 => Some(4),
        13 => Some(2),
        14 => Some(1),
        _ => None,
    }
}

/// The ECP5 body of a `2^address_bits × width` memory: port A writes, port B
/// reads through the array and output registers; each group of
/// [`GROUP_TILES`] blocks has its own copy of the read enable, the read
/// address and the write port. `None` when the memory is deeper than one block.
fn ecp5_tiles(width: usize, address_bits: usize) -> Option<String> {
    let tile_width = dp16kd_width(address_bits)?;
    let tiles = width.div_ceil(tile_width);
    let groups = tiles.div_ceil(GROUP_TILES);
    let padded = tiles * tile_width;
    let n = address_bits;
    // The top `used` address pins carry the word address (zero-extended);
    // below them, x18 uses pins 1:0 of the write port as byte enables.
    let used = address_bits.max(10);
    let address = |port: char, bus: &str| {
        (0..14)
            .map(|i| {
                let pin = if i >= 14 - used {
                    let bit = i - (14 - used);
                    if bit < address_bits {
                        format!("{bus}[grp * {n} + {bit}]")
                    } else {
                        "1'b0".to_string()
                    }
                } else if port == 'A' && tile_width == 18 && i < 2 {
                    "1'b1".to_string()
                } else {
                    "1'b0".to_string()
                };
                format!(".AD{port}{i}({pin})")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let data = |pin: &str, bus: &str| {
        (0..18)
            .map(|i| format!(".{pin}{i}({bus}[{i}])"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pad = if padded > width {
        format!("{{{}'b0, write_data}}", padded - width)
    } else {
        "write_data".to_string()
    };
    Some(format!(
        "\
// {tiles} DP16KD of {tile_width} bits × {depth} in {groups} groups of up to
// {GROUP_TILES}. A writes, B reads through the array and output registers
// (REGMODE_B = OUTREG). Each group registers its own copy of the read
// enable (CEB, OCEB), the read address and the write port, each block its
// own write data; `keep` stops synthesis from merging the copies (the banks
// of all lanes are written from the same host data).
wire [{padded_msb}:0] write_bits = {pad};
wire [{padded_msb}:0] read_bits;
reg [{groups_msb}:0] enable_g;
reg [{groups} * {n} - 1:0] address_g;
reg [{groups_msb}:0] write_g;
reg [{groups} * {n} - 1:0] write_row_g;
reg [{padded_msb}:0] write_word;
initial begin
   enable_g = {groups}'b0;
   write_g = {groups}'b0;
end
genvar g, t;
generate
   for (g = 0; g < {groups}; g = g + 1) begin : group
      (* keep *) always @(posedge clock) begin
         enable_g[g] <= read_enable_next;
         if (enable_g[g]) address_g[g * {n} +: {n}] <= read_address;
         write_g[g] <= write_enable;
         write_row_g[g * {n} +: {n}] <= write_address;
      end
   end
   for (t = 0; t < {tiles}; t = t + 1) begin : tile
      localparam integer grp = t / {GROUP_TILES};
      wire [17:0] di = {di_value};
      wire [17:0] do_b;
      (* keep *) always @(posedge clock) write_word[t * {tile_width} +: {tile_width}] <= write_bits[t * {tile_width} +: {tile_width}];
      DP16KD #(
         .DATA_WIDTH_A({tile_width}), .DATA_WIDTH_B({tile_width}),
         .REGMODE_A(\"NOREG\"), .REGMODE_B(\"OUTREG\"),
         .WRITEMODE_A(\"NORMAL\"), .WRITEMODE_B(\"NORMAL\"),
         .CSDECODE_A(\"0b000\"), .CSDECODE_B(\"0b000\"),
         .RESETMODE(\"SYNC\"), .ASYNC_RESET_RELEASE(\"SYNC\"), .GSR(\"DISABLED\")
      ) ram (
         .CLKA(clock), .CEA(1'b1), .OCEA(1'b1), .WEA(write_g[grp]), .RSTA(1'b0),
         .CSA0(1'b0), .CSA1(1'b0), .CSA2(1'b0),
         {address_a},
         {di_pins},
         .CLKB(clock), .CEB(enable_g[grp]), .OCEB(enable_g[grp]), .WEB(1'b0), .RSTB(1'b0),
         .CSB0(1'b0), .CSB1(1'b0), .CSB2(1'b0),
         {address_b},
         {dib_pins},
         {do_pins}
      );
      assign read_bits[t * {tile_width} +: {tile_width}] = do_b[{tile_width} - 1:0];
   end
endgenerate
always @(*) read_data = read_bits[{msb}:0];
",
        depth = 1usize << address_bits,
        padded_msb = padded - 1,
        groups_msb = groups - 1,
        msb = width - 1,
        di_value = if tile_width == 18 {
            "write_word[t * 18 +: 18]".to_string()
        } else {
            format!(
                "{{{{{}{{1'b0}}}}, write_word[t * {tile_width} +: {tile_width}]}}",
                18 - tile_width
            )
        },
        address_a = address('A', "write_row_g"),
        address_b = address('B', "address_g"),
        di_pins = data("DIA", "di"),
        dib_pins = (0..18)
            .map(|i| format!(".DIB{i}(1'b0)"))
            .collect::<Vec<_>>()
            .join(", "),
        do_pins = data("DOB", "do_b"),
    ))
}
