//! Shared fixtures: the README book in a temporary directory and a runner.

#![allow(dead_code)]

pub mod book;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use liqscan_core::input::check::BTCUSDT_SYMBOLS as SYMBOLS;

pub const POSITIONS: &str = "id,account,symbol,qty,entry_price,margin
42,a,BTCUSDT,1,50000,5000
";

/// Not liquidated at 45,180.8, liquidated at 45,180.7.
pub const TICKS: &str = "seq,symbol,mark_price
6,BTCUSDT,45180.8
7,BTCUSDT,45180.7
";

/// Every backend `scan` takes; `sim` fails, naming the install command,
/// where Verilator is missing.
pub const BACKENDS: [&str; 3] = ["cpu", "indexed", "sim"];

/// The README's event line.
pub const README_EVENT: &str = r#"{"tick":7,"position":42,"account":"a","symbol":"BTCUSDT","mark":"45180.7","equity":"180.7","maintenance":"180.7228"}"#;

/// A directory with `symbols.toml`, `positions.csv` and `ticks.csv`.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new(symbols: &str, positions: &str, ticks: &str) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("symbols.toml"), symbols).unwrap();
        std::fs::write(dir.path().join("positions.csv"), positions).unwrap();
        std::fs::write(dir.path().join("ticks.csv"), ticks).unwrap();
        Self { dir }
    }

    pub fn readme() -> Self {
        Self::new(SYMBOLS, POSITIONS, TICKS)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `liqscan scan` on the three files, run from the fixture directory so
    /// errors name the files as `symbols.toml`, `positions.csv`, `ticks.csv`.
    pub fn scan(&self, extra: &[&str]) -> Output {
        scan_in(self.dir.path(), extra)
    }
}

/// Runs `liqscan` in `dir`, logging at the default level.
pub fn liqscan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liqscan"))
        .current_dir(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("liqscan runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// Asserts exit code 2 and exactly one stderr line starting with `prefix`
/// (`file:line: field:`) and containing `reason`.
#[track_caller]
pub fn assert_bad_input(output: &Output, prefix: &str, reason: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    let message = lines[0].strip_prefix("error: ").unwrap_or(lines[0]);
    assert!(
        message.starts_with(prefix),
        "{message:?} should start with {prefix:?}"
    );
    assert!(
        message.contains(reason),
        "{message:?} should contain {reason:?}"
    );
}

/// The arguments of `liqscan scan` on `symbols.toml`, `positions.csv` and
/// `ticks` (paths relative to where it runs).
pub fn scan_args(ticks: &str) -> Vec<&str> {
    vec![
        "scan",
        "--symbols",
        "symbols.toml",
        "--positions",
        "positions.csv",
        "--ticks",
        ticks,
    ]
}

/// The arguments of `liqscan scan` on `symbols.toml`, `positions.csv` and
/// the events file `events`.
pub fn events_args(events: &str) -> Vec<&str> {
    vec![
        "scan",
        "--symbols",
        "symbols.toml",
        "--positions",
        "positions.csv",
        "--events",
        events,
    ]
}

impl Fixture {
    /// Writes `events` to `events.jsonl` and scans it on the book, as
    /// `liqscan scan --events events.jsonl`.
    pub fn scan_events(&self, events: &str, extra: &[&str]) -> Output {
        std::fs::write(self.path("events.jsonl"), events).unwrap();
        let mut args = events_args("events.jsonl");
        args.extend_from_slice(extra);
        liqscan(self.dir.path(), &args)
    }
}

/// `liqscan scan` on `symbols.toml`, `positions.csv` and `ticks.csv` in `dir`.
pub fn scan_in(dir: &Path, extra: &[&str]) -> Output {
    let mut args = scan_args("ticks.csv");
    args.extend_from_slice(extra);
    liqscan(dir, &args)
}
