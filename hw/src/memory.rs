//! A simple dual-port block RAM with a two-stage, clock-enabled read port.
//!
//! rust-hdl's `RAM` reads on every clock edge; the scanner must freeze its
//! whole pipeline while the result stream is back-pressured, so the read
//! port here has a clock enable (`read_enable`, the BRAM's CE and OCE pins).
//! The read data passes the array's read register and then an output
//! register ([`READ_LATENCY`] = 2): a block RAM's clock-to-output without
//! its output register (4.3 ns on an ECP5-8) would otherwise eat most of a
//! 150 MHz cycle before the data has left the RAM.
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
//! instances simulate cheaply; unwritten words read as zero. A read of the
//! word written on the same edge is not defined on the FPGA; the scanner
//! never does one whose data it uses.

use std::collections::BTreeMap;

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

use crate::dsp::ECP5_DEFINE;

/// Enabled edges from sampling `read_address` to the word on `read_data`.
pub const READ_LATENCY: usize = 2;

/// `2^N` words of `D`; one write port and one two-stage read port on one clock.
#[derive(LogicBlock, Default)]
pub struct Memory<D: Synth, const N: usize> {
    pub clock: Signal<In, Clock>,
    pub read_address: Signal<In, Bits<N>>,
    /// Clock enable of both read stages: low keeps them.
    pub read_enable: Signal<In, bool>,
    /// `mem[read_address]` as sampled [`READ_LATENCY`] enabled edges ago.
    pub read_data: Signal<Out, D>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, D>,
    pub write_enable: Signal<In, bool>,
    _sim: BTreeMap<Bits<N>, D>,
    /// The array's read register (simulation side).
    _stage: D,
}

impl<D: Synth, const N: usize> Logic for Memory<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            // Read before write: a read and a write of the same word on one edge return the old word.
            if self.read_enable.val() {
                self.read_data.next = self._stage;
                self._stage = self
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
        let plain = format!(
            "\
reg [{msb}:0] mem [0:{last}];
reg [{msb}:0] read_stage;

always @(posedge clock) begin
   if (read_enable) begin
      read_stage <= mem[read_address];
      read_data <= read_stage;
   end
   if (write_enable) begin
      mem[write_address] <= write_data;
   end
end
",
            msb = D::BITS - 1,
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
                "read_enable".into(),
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
/// reads through the array and output registers, both clock-enabled by
/// `read_enable`. `None` when the memory is deeper than one block.
fn ecp5_tiles(width: usize, address_bits: usize) -> Option<String> {
    let tile_width = dp16kd_width(address_bits)?;
    let tiles = width.div_ceil(tile_width);
    let padded = tiles * tile_width;
    // The top `used` address pins carry the word address (zero-extended);
    // below them, x18 uses pins 1:0 of the write port as byte enables.
    let used = address_bits.max(10);
    let address = |port: char, name: &str| {
        (0..14)
            .map(|i| {
                let pin = if i >= 14 - used {
                    let bit = i - (14 - used);
                    if bit < address_bits {
                        format!("{name}[{bit}]")
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
// {tiles} DP16KD of {tile_width} bits × {depth}: A writes, B reads through
// the array and output registers (REGMODE_B = OUTREG), CE and OCE = read_enable.
wire [{padded_msb}:0] write_bits = {pad};
wire [{padded_msb}:0] read_bits;
genvar t;
generate
   for (t = 0; t < {tiles}; t = t + 1) begin : tile
      wire [17:0] di = {di_value};
      wire [17:0] do_b;
      DP16KD #(
         .DATA_WIDTH_A({tile_width}), .DATA_WIDTH_B({tile_width}),
         .REGMODE_A(\"NOREG\"), .REGMODE_B(\"OUTREG\"),
         .WRITEMODE_A(\"NORMAL\"), .WRITEMODE_B(\"NORMAL\"),
         .CSDECODE_A(\"0b000\"), .CSDECODE_B(\"0b000\"),
         .RESETMODE(\"SYNC\"), .ASYNC_RESET_RELEASE(\"SYNC\"), .GSR(\"DISABLED\")
      ) ram (
         .CLKA(clock), .CEA(1'b1), .OCEA(1'b1), .WEA(write_enable), .RSTA(1'b0),
         .CSA0(1'b0), .CSA1(1'b0), .CSA2(1'b0),
         {address_a},
         {di_pins},
         .CLKB(clock), .CEB(read_enable), .OCEB(read_enable), .WEB(1'b0), .RSTB(1'b0),
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
        msb = width - 1,
        di_value = if tile_width == 18 {
            "write_bits[t * 18 +: 18]".to_string()
        } else {
            format!(
                "{{{{{}{{1'b0}}}}, write_bits[t * {tile_width} +: {tile_width}]}}",
                18 - tile_width
            )
        },
        address_a = address('A', "write_address"),
        address_b = address('B', "read_address"),
        di_pins = data("DIA", "di"),
        dib_pins = (0..18)
            .map(|i| format!(".DIB{i}(1'b0)"))
            .collect::<Vec<_>>()
            .join(", "),
        do_pins = data("DOB", "do_b"),
    ))
}
