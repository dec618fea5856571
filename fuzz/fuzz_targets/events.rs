//! Fuzzes the events stream (`liqscan_core::input::EventReader`), read to its end
//! against `check::events_book()` and scanned on `cpu` as `liqscan scan --events`
//! does, on any bytes: no panic, and either a parsed item or an error located by
//! line and field (the properties are `liqscan_core::input::check::events`,
//! shared with CI's bounded run in `sw/core/tests/parse_props.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| liqscan_core::input::check::events(data));
