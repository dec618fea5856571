//! liqscan-hw
pub mod lane;
pub mod memory;
pub mod mul;
pub mod scanner;
pub mod verilog;
