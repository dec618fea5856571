//! `liqscan scan --events` end to end: positions opened, resized, margined
//! and closed between ticks, stale changes counted, bad lines located and
//! their earlier events flushed, `--skip-bad-events`, the flags that
//! exclude one another, and `gen --events`.

mod common;

use common::*;

/// The README book (position 42, liquidated at 45,180.7) live: a short 43
/// opened by an event, then ticks; after 42 is liquidated a deposit and a
/// close for it are stale; 43 withdraws to 1,000 and is liquidated at
/// 51,000 (E = 1,000 − 1,000 = 0 < MM = 51,000 · 0.5 % − 50 = 205).
const EVENTS: &str = r#"{"seq":1,"kind":"open","id":43,"account":"b","symbol":"BTCUSDT","qty":"-1","entry_price":"50000","margin":"5000"}
{"seq":6,"kind":"tick","symbol":"BTCUSDT","mark_price":"45180.8"}
{"seq":7,"kind":"tick","symbol":"BTCUSDT","mark_price":"45180.7"}
{"seq":8,"kind":"margin","id":42,"delta":"100","reason":"deposit"}
{"seq":9,"kind":"close","id":42}
{"seq":10,"kind":"margin","id":43,"delta":"-4000","reason":"withdraw"}
{"seq":11,"kind":"tick","symbol":"BTCUSDT","mark_price":"51000"}
"#;

/// The short's liquidation.
const SHORT_EVENT: &str = r#"{"tick":11,"position":43,"account":"b","symbol":"BTCUSDT","mark":"51000","equity":"0","maintenance":"205"}"#;

/// `EVENTS` with `line` inserted before its line `at` (1-based).
fn with_line(at: usize, line: &str) -> String {
    let mut lines: Vec<&str> = EVENTS.lines().collect();
    lines.insert(at - 1, line);
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn live_book_on_every_backend_byte_for_byte() {
    let fixture = Fixture::readme();
    for backend in ["cpu", "indexed", "sim"] {
        let output = fixture.scan_events(EVENTS, &["--backend", backend]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{backend}: {err}");
        assert_eq!(
            stdout(&output),
            format!("{README_EVENT}\n{SHORT_EVENT}\n"),
            "{backend}"
        );
        assert!(
            err.contains(&format!(
                "summary: backend {backend}, positions 1, ticks 3, bad ticks 0, liquidations 2, \
                 updates applied 2, stale updates 2, bad events 0, load"
            )),
            "{err}"
        );
        for stale in [
            "events.jsonl:4: stale margin (deposit) of position 42: liquidated at tick 7, ignored",
            "events.jsonl:5: stale close of position 42: liquidated at tick 7, ignored",
        ] {
            assert!(err.contains(stale), "{backend}: {err}");
        }
    }
}

#[test]
fn a_bad_event_stops_the_scan_after_every_earlier_event_is_out() {
    // Line 4, after the tick that liquidates 42 and before anything stale.
    let events = with_line(4, r#"{"seq":7,"kind":"close","id":43}"#);
    let fixture = Fixture::readme();
    let output = fixture.scan_events(&events, &[]);
    assert_bad_input(
        &output,
        "events.jsonl:4: seq:",
        "not increasing: 7 after 7 (line 3)",
    );
    assert_eq!(stdout(&output), format!("{README_EVENT}\n"));
    let output = fixture.scan_events(&events, &["--out", "out.jsonl"]);
    assert_bad_input(&output, "events.jsonl:4: seq:", "not increasing");
    assert_eq!(
        std::fs::read_to_string(fixture.path("out.jsonl")).unwrap(),
        format!("{README_EVENT}\n")
    );
    // Each class of bad line, through the binary, with its location (a bad
    // line's seq counts for nothing: the next line's 8 follows 7).
    for (line, prefix, reason) in [
        (
            r#"{"seq":100,"kind":"close","id":44}"#,
            "events.jsonl:4: id:",
            "position 44 was never opened",
        ),
        (
            r#"{"seq":100,"kind":"open","id":43,"account":"c","symbol":"BTCUSDT","qty":"1","entry_price":"1","margin":"1"}"#,
            "events.jsonl:4: id:",
            "id 43 seen before (opened at line 1): an id is never reused",
        ),
        (
            r#"{"seq":100,"kind":"margin","id":43,"delta":"-5000.1","reason":"withdraw"}"#,
            "events.jsonl:4: delta:",
            "a withdraw of 5000.1 would leave the margin at -0.1 (it is 5000)",
        ),
        (
            r#"{"seq":100,"kind":"tick","symbol":"BTCUSDT","mark_price":45000}"#,
            "events.jsonl:4: mark_price:",
            "JSON number 45000 refused: numbers are inexact, write it as a string, \"45000\"",
        ),
        (
            r#"{"seq":100,"kind":"tick","symbol":"ETHUSDT","mark_price":"1"}"#,
            "events.jsonl:4: symbol:",
            "unknown symbol \"ETHUSDT\"",
        ),
        (
            r#"{"seq":100,"kind":"close","id":43,"reason":"x"}"#,
            "events.jsonl:4: reason:",
            "unknown field `reason` for kind `close`",
        ),
        (
            r#"{"seq":100,"kind":"update","id":43,"qty":"1","margin":"1"}"#,
            "events.jsonl:4: entry_price:",
            "missing field `entry_price`",
        ),
        (
            r#"{"seq":100,"kind":"resize","id":43}"#,
            "events.jsonl:4: kind:",
            "unknown kind \"resize\"",
        ),
    ] {
        let output = fixture.scan_events(&with_line(4, line), &[]);
        assert_bad_input(&output, prefix, reason);
        assert_eq!(stdout(&output), format!("{README_EVENT}\n"), "{line}");
    }
}

#[test]
fn skip_bad_events_reports_counts_and_goes_on() {
    let events = with_line(6, r#"{"seq":9,"kind":"close","id":43}"#);
    let events = events.replacen(
        "\n",
        "\n{\"seq\":2,\"kind\":\"margin\",\"id\":43,\"delta\":100,\"reason\":\"deposit\"}\n",
        1,
    );
    let output = Fixture::readme().scan_events(&events, &["--skip-bad-events"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert_eq!(stdout(&output), format!("{README_EVENT}\n{SHORT_EVENT}\n"));
    for skipped in [
        "skipped bad event: events.jsonl:2: delta: JSON number 100 refused",
        "skipped bad event: events.jsonl:7: seq: not increasing: 9 after 9 (line 6)",
    ] {
        assert!(err.contains(skipped), "{err}");
    }
    assert!(
        err.contains("liquidations 2, updates applied 2, stale updates 2, bad events 2,"),
        "{err}"
    );
}

#[test]
fn exactly_one_of_ticks_and_events() {
    let fixture = Fixture::readme();
    std::fs::write(fixture.path("events.jsonl"), EVENTS).unwrap();
    let both = [&scan_args("ticks.csv")[..], &["--events", "events.jsonl"]].concat();
    let neither = &scan_args("ticks.csv")[..5];
    let skip_ticks = [&events_args("events.jsonl")[..], &["--skip-bad-ticks"]].concat();
    let skip_events = [&scan_args("ticks.csv")[..], &["--skip-bad-events"]].concat();
    for (args, said) in [
        (
            &both[..],
            "'--ticks <TICKS>' cannot be used with '--events <EVENTS>'",
        ),
        (
            neither,
            "the following required arguments were not provided",
        ),
        (&skip_ticks[..], "cannot be used with '--skip-bad-ticks'"),
        (&skip_events[..], "cannot be used with '--skip-bad-events'"),
    ] {
        let output = liqscan(fixture.dir.path(), args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(said), "{args:?}: {err}");
        assert_eq!(stdout(&output), "");
    }
    // --positions is required with --ticks only.
    let no_book = ["scan", "--symbols", "symbols.toml", "--ticks", "ticks.csv"];
    assert_eq!(liqscan(fixture.dir.path(), &no_book).status.code(), Some(2));
}

/// Without `--positions` the book starts empty: every position is opened
/// by an event.
#[test]
fn events_alone_open_the_book() {
    let fixture = Fixture::readme();
    let opening = r#"{"seq":0,"kind":"open","id":42,"account":"a","symbol":"BTCUSDT","qty":"1","entry_price":"50000","margin":"5000"}"#;
    std::fs::write(fixture.path("events.jsonl"), format!("{opening}\n{EVENTS}")).unwrap();
    let args = [
        "scan",
        "--symbols",
        "symbols.toml",
        "--events",
        "events.jsonl",
    ];
    let output = liqscan(fixture.dir.path(), &args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert_eq!(stdout(&output), format!("{README_EVENT}\n{SHORT_EVENT}\n"));
    assert!(err.contains("positions 0, ticks 3"), "{err}");
    assert!(err.contains("updates applied 3, stale updates 2"), "{err}");
}

#[test]
fn out_naming_the_events_file_is_refused() {
    let fixture = Fixture::readme();
    let output = fixture.scan_events(EVENTS, &["--out", "./events.jsonl"]);
    assert_eq!(
        stderr(&output),
        "error: --out ./events.jsonl is the same file as --events events.jsonl: \
         refusing to overwrite an input\n"
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(fixture.path("events.jsonl")).unwrap(),
        EVENTS
    );
}

/// CR-only and CRLF line ends are lines, blank lines count: an error is on
/// the line an editor shows.
#[test]
fn line_ends_and_blank_lines_are_located() {
    let fixture = Fixture::readme();
    for ending in ["\r", "\r\n"] {
        let events = with_line(3, "").replace('\n', ending);
        let output = fixture.scan_events(&events, &[]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), format!("{README_EVENT}\n{SHORT_EVENT}\n"));
        let bad = events.replace("\"51000\"", "\"51000.05\"");
        let output = fixture.scan_events(&bad, &[]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(
            err.contains("error: events.jsonl:8: mark_price: not a multiple of 0.1"),
            "{err}"
        );
    }
}

/// `gen --events` writes a stream every backend scans alike, with no bad
/// line; its size is bounded like the ticks'.
#[test]
fn generated_events_scan_alike_on_every_backend() {
    let dir = tempfile::tempdir().unwrap();
    let gen = [
        "gen",
        "--positions",
        "1500",
        "--symbols",
        "3",
        "--ticks",
        "300",
        "--events",
        "600",
        "--seed",
        "4",
        "--out",
        ".",
    ];
    let output = liqscan(dir.path(), &gen);
    assert!(output.status.success(), "{}", stderr(&output));
    let events = std::fs::read_to_string(dir.path().join("events.jsonl")).unwrap();
    assert_eq!(events.lines().count(), 900);
    let mut outputs = Vec::new();
    for backend in ["cpu", "indexed", "sim"] {
        let output = liqscan(
            dir.path(),
            &[&events_args("events.jsonl")[..], &["--backend", backend]].concat(),
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{backend}: {err}");
        assert!(err.contains("ticks 300, bad ticks 0"), "{err}");
        assert!(err.contains("bad events 0"), "{err}");
        outputs.push(stdout(&output));
    }
    assert!(outputs[0].lines().count() > 5, "{}", outputs[0]);
    assert_eq!(outputs[0], outputs[1], "cpu vs indexed");
    assert_eq!(outputs[0], outputs[2], "cpu vs sim");

    let output = liqscan(dir.path(), &["gen", "--events", "10000001", "--out", "big"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("events must be at most 10000000 book changes"),
        "{err}"
    );
    assert!(!dir.path().join("big").exists());
}
