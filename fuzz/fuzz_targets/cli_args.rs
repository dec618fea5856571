//! Fuzzes the command line (`liqscan_cli::Invocation`: clap's parser, then
//! the checks a command makes of its arguments before it opens, generates or
//! writes anything) on any argument vector, NUL-separated: no panic, and
//! either a command that parses and passes its checks or a usage error,
//! exit 2 (`--help` and `--version`: exit 0). The property is
//! `liqscan_cli::check::args`, shared with CI's bounded run in
//! `sw/cli/tests/args_props.rs`. Nothing is run, opened or written.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| liqscan_cli::check::args(data));
