//! Fuzzes the decimal parser (`liqscan_core::decimal::parse_decimal`) on any UTF-8 text:
//! no panic, and either a parsed value or an error located by line and field
//! (the properties are `liqscan_core::input::check::decimal`, shared with CI's
//! bounded run in `sw/core/tests/parse_props.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| liqscan_core::input::check::decimal(data));
