//! liqscan-core: the exact margin spec, the position book and the software
//! scanners. No I/O beyond parsing readers handed in by the caller.

pub mod decimal;
pub mod spec;
