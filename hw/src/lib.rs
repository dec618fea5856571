//! liqscan-hw
pub mod compare;
pub mod delay;
pub mod dsp;
pub mod fanout;
pub mod lane;
pub mod lutram;
pub mod memory;
pub mod mul;
pub mod scanner;
pub mod table;
pub mod verilog;
