//! liqscan-hw
pub mod lane;
pub mod mul;
pub mod memory;
pub mod scanner;
pub mod verilog;
