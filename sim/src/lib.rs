//! liqscan-sim: the RustHDL scanner verilated and driven cycle by cycle from
//! Rust, for bit-exact comparison with the software scanners.
//!
//! Layers: [`ffi`] (the C ABI of the C++ shim, the only `unsafe`), [`dut`]
//! (ports by name as integers, the clock), [`model`] (the scanner's host
//! writes and ticks), [`top_model`] (`liqscan_top`, the scanner behind the
//! board's register map: AXI4-Lite accesses and the result stream),
//! [`engine`] (the `sim` backend of liqscan-core's `Engine`), [`backend`]
//! (every backend by name, software and simulated), [`trace`] (waveforms
//! of chosen ticks, with the `trace` feature).
//!
//! The build verilates the scanner and `liqscan_top` with 1 and 8 lanes
//! (`build.rs`), and with the `trace` feature the scanner with waveform
//! tracing. A tick runs in the model's C++ from the edge that accepts it to
//! `done`, its results handed back in a buffer: one call, not one per edge. Without Verilator the crate still builds, and
//! [`ScannerModel::new`] and [`TopModel::new`] return
//! [`SimError::Unavailable`]; `LIQSCAN_VERILATOR` names the `verilator`
//! binary to use (a nonexistent path simulates its absence).

pub mod backend;
mod card;
pub mod dut;
pub mod engine;
pub mod error;
mod ffi;
pub mod model;
pub mod ports;
pub mod top_model;
pub mod trace;

pub use backend::Backend;
pub use dut::{Dut, Port};
pub use engine::SimEngine;
pub use error::SimError;
pub use model::{Hit, ScannerModel, TickStats, SLOTS, SYMBOLS};
pub use top_model::TopModel;
pub use trace::TraceWindow;
