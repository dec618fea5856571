//! `liqscan gen` round trip and `liqscan demo` on a small scenario.

mod common;

use std::fs::File;
use std::sync::Arc;

use common::*;
use liqscan_core::gen::{generate, GenConfig};
use liqscan_core::input::{read_positions, read_symbols, read_ticks};

#[test]
fn generated_files_parse_back_to_the_same_book() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "gen",
        "--positions",
        "3000",
        "--symbols",
        "7",
        "--ticks",
        "500",
        "--seed",
        "11",
        "--out",
        "scenario",
    ];
    let output = liqscan(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let scenario = generate(&GenConfig {
        positions: 3000,
        symbols: 7,
        ticks: 500,
        seed: 11,
    })
    .unwrap();
    let path = |name: &str| dir.path().join("scenario").join(name);

    let market =
        Arc::new(read_symbols(File::open(path("symbols.toml")).unwrap(), "symbols.toml").unwrap());
    assert_eq!(*market, *scenario.market);
    let book = read_positions(
        File::open(path("positions.csv")).unwrap(),
        "positions.csv",
        market.clone(),
    )
    .unwrap();
    assert_eq!(book.sorted(), scenario.book().sorted());
    let ticks: Vec<_> = read_ticks(File::open(path("ticks.csv")).unwrap(), "ticks.csv", market)
        .unwrap()
        .into_iter()
        .map(|t| t.tick)
        .collect();
    assert_eq!(ticks, scenario.ticks);

    // The same seed writes the same bytes.
    let again = liqscan(dir.path(), &[&args[..10], &["again"]].concat());
    assert!(again.status.success());
    for name in ["symbols.toml", "positions.csv", "ticks.csv"] {
        let first = std::fs::read(path(name)).unwrap();
        assert_eq!(
            first,
            std::fs::read(dir.path().join("again").join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn generated_files_scan_like_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let output = liqscan(
        dir.path(),
        &[
            "gen",
            "--positions",
            "2000",
            "--symbols",
            "4",
            "--ticks",
            "2000",
            "--seed",
            "3",
            "--out",
            ".",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let scan = |backend: &str| {
        let output = scan_in(dir.path(), &["--backend", backend]);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let cpu = scan("cpu");
    assert!(cpu.lines().count() > 0, "the scenario liquidates someone");
    assert_eq!(cpu, scan("indexed"));
}

#[test]
fn demo_agrees_on_a_small_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let output = liqscan(
        dir.path(),
        &[
            "demo",
            "--positions",
            "5000",
            "--symbols",
            "5",
            "--ticks",
            "5000",
        ],
    );
    let out = stdout(&output);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    let table: Vec<&str> = out.lines().collect();
    assert!(
        table[0].starts_with("backend")
            && table[0].contains("p99.9 ns")
            && table[0].contains("vs cpu"),
        "{out}"
    );
    assert!(
        table[1].starts_with("cpu ")
            && table[2].starts_with("indexed ")
            && table[3].starts_with("sim "),
        "{out}"
    );
    let column = |row: &str, i: usize| {
        row.split_whitespace()
            .nth(i)
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let (ticks, events) = (|row| column(row, 1), |row| column(row, 2));
    assert!(
        events(table[1]) > 0 && events(table[1]) == events(table[2]),
        "{out}"
    );
    // The circuit scans every tick and finds every event.
    assert_eq!((ticks(table[1]), ticks(table[3])), (5000, 5000), "{out}");
    assert_eq!(events(table[3]), events(table[1]), "{out}");
    let source = |row: &str| row.split_whitespace().nth(3).unwrap().to_string();
    assert_eq!(
        [source(table[1]), source(table[2]), source(table[3])],
        ["host", "host", "circuit"],
        "{out}"
    );
    // Its latency is its cycles at the recorded clock: 1,000 positions per
    // symbol on 8 lanes take scan_cycles(~1000, 8) cycles a tick.
    let cycles_line = table
        .iter()
        .find(|l| l.starts_with("sim: the circuit's cycles per tick"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        cycles_line.contains(" MHz, the 8-lane FPGA build "),
        "{out}"
    );
    let p50_cycles: u64 = cycles_line
        .split("p50 ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{cycles_line}"));
    assert!((100..300).contains(&p50_cycles), "{cycles_line}");
    assert!(
        table
            .iter()
            .any(|l| l.starts_with("sim: the Verilator model simulated ")
                && l.ends_with(" cycles per second")),
        "{out}"
    );
    assert!(
        out.contains("agree event for event on all 5000 ticks"),
        "{out}"
    );
}

#[test]
fn demo_defaults_are_the_real_scenario() {
    let output = liqscan(std::path::Path::new("."), &["demo", "--help"]);
    assert!(output.status.success());
    assert!(
        !stdout(&output).contains("--positions"),
        "the size flags are hidden"
    );
    assert_eq!(
        GenConfig::demo(),
        GenConfig {
            positions: 100_000,
            symbols: 20,
            ticks: 100_000,
            seed: 1
        }
    );
}
