//! `liqscan scan` end to end: the README example, event order, output
//! destinations, bad ticks mid-stream and failures.

mod common;

use common::*;

#[test]
fn readme_example_on_every_software_backend() {
    let fixture = Fixture::readme();
    for backend in ["cpu", "indexed"] {
        let output = fixture.scan(&["--backend", backend]);
        assert!(output.status.success(), "{backend}: {}", stderr(&output));
        assert_eq!(stdout(&output), format!("{README_EVENT}\n"), "{backend}");
        let err = stderr(&output);
        assert!(
            err.contains("positions 1, ticks 2, bad ticks 0, liquidations 1"),
            "{err}"
        );
        assert!(
            err.contains("p50") && err.contains("p99.9") && err.contains("max"),
            "{err}"
        );
    }
}

#[test]
fn out_file_takes_the_events_and_stdout_stays_empty() {
    let fixture = Fixture::readme();
    let output = fixture.scan(&["--out", "events.jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        std::fs::read_to_string(fixture.path("events.jsonl")).unwrap(),
        format!("{README_EVENT}\n")
    );
}

#[test]
fn events_in_tick_order_then_position_id() {
    let positions = "id,account,symbol,qty,entry_price,margin
9,x,BTCUSDT,1,50000,5000
3,y,BTCUSDT,2,50000,10000
5,z,BTCUSDT,-1,50000,100
";
    let ticks = "seq,symbol,mark_price\n1,BTCUSDT,50100\n2,BTCUSDT,45000\n3,BTCUSDT,1\n";
    let fixture = Fixture::new(SYMBOLS, positions, ticks);
    for backend in ["cpu", "indexed"] {
        let output = fixture.scan(&["--backend", backend]);
        assert!(output.status.success(), "{}", stderr(&output));
        let events: Vec<serde_json::Value> = stdout(&output)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let order: Vec<(u64, u64)> = events
            .iter()
            .map(|e| (e["tick"].as_u64().unwrap(), e["position"].as_u64().unwrap()))
            .collect();
        assert_eq!(order, [(1, 5), (2, 3), (2, 9)], "{backend}");
    }
}

#[test]
fn liquidate_at_equal_liquidates_at_zero_shortfall() {
    // With mmr 0 in the first bracket, E = MM = 0 exactly at P = 45,000.
    let symbols = SYMBOLS
        .replace("mmr = \"0.004\"", "mmr = \"0\"")
        .replace("notional_cap = \"50000\"", "notional_cap = \"1000000\"");
    for (flag, expected) in [("false", 0), ("true", 1)] {
        let symbols = symbols.replace(
            "liquidate_at_equal = false",
            &format!("liquidate_at_equal = {flag}"),
        );
        let fixture = Fixture::new(
            &symbols,
            POSITIONS,
            "seq,symbol,mark_price\n1,BTCUSDT,45000\n",
        );
        let output = fixture.scan(&[]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(
            stdout(&output).lines().count(),
            expected,
            "liquidate_at_equal = {flag}"
        );
    }
}

/// Ticks 6 and 7 are good (7 liquidates position 42), line 4 is bad, 9 would liquidate 43.
const BAD_AFTER_GOOD: &str = "seq,symbol,mark_price
6,BTCUSDT,45180.8
7,BTCUSDT,45180.7
8,BTCUSDT,45180.75
9,BTCUSDT,60000
";

fn two_positions() -> String {
    format!("{POSITIONS}43,b,BTCUSDT,-1,50000,5000\n")
}

#[test]
fn bad_tick_after_good_ticks_keeps_earlier_events() {
    let fixture = Fixture::new(SYMBOLS, &two_positions(), BAD_AFTER_GOOD);
    let output = fixture.scan(&[]);
    assert_bad_input(&output, "ticks.csv:4: mark_price:", "not a multiple of 0.1");
    assert_eq!(stdout(&output), format!("{README_EVENT}\n"));

    let output = fixture.scan(&["--out", "events.jsonl"]);
    assert_bad_input(&output, "ticks.csv:4: mark_price:", "not a multiple of 0.1");
    assert_eq!(
        std::fs::read_to_string(fixture.path("events.jsonl")).unwrap(),
        format!("{README_EVENT}\n")
    );
}

#[test]
fn skip_bad_ticks_reports_counts_and_goes_on() {
    let ticks = format!("{BAD_AFTER_GOOD}9,BTCUSDT,1\n10,DOGE,1\n");
    let fixture = Fixture::new(SYMBOLS, &two_positions(), &ticks);
    let output = fixture.scan(&["--skip-bad-ticks"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let events: Vec<&str> = out.lines().collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0], README_EVENT);
    assert!(
        events[1].starts_with(r#"{"tick":9,"position":43,"#),
        "{}",
        events[1]
    );
    let err = stderr(&output);
    assert!(
        err.contains("ticks.csv:4: mark_price: not a multiple of 0.1"),
        "{err}"
    );
    assert!(
        err.contains("ticks.csv:6: seq: not increasing: 9 after 9 (line 5)"),
        "{err}"
    );
    assert!(
        err.contains("ticks.csv:7: symbol: unknown symbol \"DOGE\""),
        "{err}"
    );
    assert!(
        err.contains("positions 2, ticks 3, bad ticks 3, liquidations 2"),
        "{err}"
    );
}

#[test]
fn missing_files_and_io_failures_exit_1() {
    let fixture = Fixture::readme();
    for (flag, file) in [
        ("--symbols", "symbols.toml"),
        ("--positions", "positions.csv"),
        ("--ticks", "ticks.csv"),
    ] {
        std::fs::rename(fixture.path(file), fixture.path("moved")).unwrap();
        let output = fixture.scan(&[]);
        std::fs::rename(fixture.path("moved"), fixture.path(file)).unwrap();
        assert_eq!(output.status.code(), Some(1), "{flag}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("cannot open {file}")),
            "{}",
            stderr(&output)
        );
    }
    let output = fixture.scan(&["--out", "no/such/dir/events.jsonl"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("cannot create no/such/dir/events.jsonl"));
}

/// The verilated circuit gives the README's line byte for byte (fails, naming
/// the install command, where Verilator is missing).
#[test]
fn readme_example_on_the_verilated_circuit() {
    let output = Fixture::readme().scan(&["--backend", "sim"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{README_EVENT}\n"));
}

/// The same on a model whose scans run on two threads (two replicas, each
/// evaluating half of the lanes), without a warning that it fell back.
#[test]
fn readme_example_on_the_circuit_on_two_threads() {
    let output = Fixture::readme().scan(&["--backend", "sim", "--sim-threads", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{README_EVENT}\n"));
    assert!(
        !stderr(&output).contains("thread(s), not 2"),
        "{}",
        stderr(&output)
    );
}
