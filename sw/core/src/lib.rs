//! liqscan-core: the exact margin spec, the position book and the software
//! scanners. No I/O beyond parsing readers handed in by the caller.

pub mod board_format;
pub mod book;
pub mod cpu;
pub mod decimal;
mod ends;
pub mod engine;
mod gap;
pub mod gen;
mod id_map;
pub mod indexed;
pub mod input;
pub mod latency;
pub mod layout;
pub mod market;
mod prefetch;
pub mod prices;
pub mod report;
pub mod slots;
pub mod spec;
pub mod synth_results;
pub mod threshold;

#[cfg(test)]
mod test_util;

pub use book::{Book, Position, Update};
pub use cpu::CpuScanner;
pub use engine::{Engine, EngineError, Liquidation, Tick};
pub use indexed::IndexedScanner;
pub use market::{Market, Symbol, SymbolId};
