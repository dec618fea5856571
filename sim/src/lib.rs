//! liqscan-sim: the RustHDL scanner verilated and driven cycle by cycle from
//! Rust, for bit-exact comparison with the software scanners.
//!
//! Layers: [`ffi`] (the C ABI of the C++ shim, the only `unsafe`), [`dut`]
//! (ports by name as integers, the clock), [`model`] (the scanner's host
//! writes and ticks).

pub mod dut;
pub mod error;
mod ffi;
pub mod model;
pub mod ports;

pub use dut::{Dut, Port};
pub use error::SimError;
pub use model::{Hit, ScannerModel, TickStats, SLOTS, SYMBOLS};
