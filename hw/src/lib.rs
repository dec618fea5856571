//! liqscan-hw: the scanner circuit in RustHDL, and its Verilog.
//!
//! Module map, from the top down:
//! * [`top`]: `liqscan_top`, the scanner behind the board's register map:
//!   an AXI4-Lite slave, the command ring, the tick doorbell and an
//!   AXI4-Stream of result records.
//! * [`scanner`]: the top block, composed of the scan control, the symbol
//!   table and one lane slice per lane; its ports and timing contract.
//! * [`lane`]: one lane's arithmetic, a position per clock (21 stages).
//! * [`bracket_select`]: a lane's bracket table and the select of the
//!   first bracket whose cap fits `X`.
//! * [`compare`]: one bracket's cap compare `X ≤ cap_b`.
//! * [`carry_le`]: its registered 64-bit `X ≤ cap` (one carry chain on the ECP5).
//! * [`compress`]: a 3:2 compressor over a value held in a low and a high part.
//! * [`table`]: one field of a lane's bracket table, in LUT RAM.
//! * [`mul`]: the wide multipliers and the carry-select adder.
//! * [`carry_out`]: the carry out of a sum (the adder's low limb without
//!   its carry-in).
//! * [`plus_one`]: a carry-select limb's `+1` candidate (a chain without
//!   its bit 0 on the ECP5).
//! * [`dsp`]: one 16×16 multiply (an ECP5 MULT18X18D on the FPGA).
//! * [`memory`]: a block RAM with registered ports and a clock-enabled read.
//! * [`lutram`]: a small LUT RAM (synchronous write, asynchronous read).
//! * [`delay`]: a fixed delay held in LUT RAM.
//! * [`fanout`]: registered copies of the clock enable and relays.
//! * [`verilog`]: the scanner's and the top's Verilog for a lane count and a build.
pub mod bracket_select;
pub mod carry_le;
pub mod carry_out;
pub mod ccu2c;
pub mod compare;
pub mod compress;
pub mod delay;
pub mod dsp;
pub mod fanout;
pub mod lane;
pub mod lutram;
pub mod memory;
pub mod mul;
pub mod plus_one;
pub mod scanner;
pub mod table;
pub mod top;
pub mod verilog;
