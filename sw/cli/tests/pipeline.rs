//! `liqscan scan` as a pipeline: three threads (the default) and
//! `--single-thread` write the same bytes and exit the same way on every
//! in-process backend, good input and bad; standard input read as a live
//! pipe, each tick's events out before the next tick is written; SIGTERM
//! on a pipe kept open; the interval log; pinning; back-pressure.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::Histogram;

/// Long enough for any of these waits on a loaded CI machine, short enough
/// that a hang fails the test instead of the run.
const PATIENCE: Duration = Duration::from_secs(120);

/// A generated book with ticks and live events in a temporary directory.
fn scenario() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let gen = [
        "gen",
        "--positions",
        "1200",
        "--symbols",
        "3",
        "--ticks",
        "1500",
        "--events",
        "400",
        "--seed",
        "23",
        "--out",
        ".",
    ];
    let output = liqscan(dir.path(), &gen);
    assert!(output.status.success(), "{}", stderr(&output));
    dir
}

/// `text` with `line` inserted as its line `at` (1-based).
fn with_line(text: &str, at: usize, line: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(at - 1, line);
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The last line of stderr (an error, or the last line of the summary).
fn last_line(output: &Output) -> String {
    stderr(output).lines().last().unwrap_or("").to_owned()
}

/// Every input (ticks and events; a bad line stopping the scan; bad lines
/// skipped) on every in-process backend: the threads write what the single
/// thread writes, byte for byte, and exit the same way, a bad line's error
/// the same one line.
#[test]
fn threads_write_what_the_single_thread_writes() {
    let dir = scenario();
    let dir = dir.path();
    let ticks = std::fs::read_to_string(dir.join("ticks.csv")).unwrap();
    let events = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    // Line 700 of each: late enough that ticks before it liquidated.
    std::fs::write(
        dir.join("bad_ticks.csv"),
        with_line(&ticks, 700, "5,NOSUCH,1"),
    )
    .unwrap();
    std::fs::write(
        dir.join("bad_events.jsonl"),
        with_line(&events, 700, r#"{"seq":1,"kind":"close","id":1}"#),
    )
    .unwrap();
    let cases: [(&str, &[&str], i32); 6] = [
        ("ticks", &["--ticks", "ticks.csv"], 0),
        ("events", &["--events", "events.jsonl"], 0),
        ("a bad tick", &["--ticks", "bad_ticks.csv"], 2),
        ("a bad event", &["--events", "bad_events.jsonl"], 2),
        (
            "a bad tick skipped",
            &["--ticks", "bad_ticks.csv", "--skip-bad-ticks"],
            0,
        ),
        (
            "a bad event skipped",
            &["--events", "bad_events.jsonl", "--skip-bad-events"],
            0,
        ),
    ];
    for backend in BACKENDS {
        for (case, input, code) in cases {
            let run = |single: bool| {
                let mut args = vec![
                    "scan",
                    "--symbols",
                    "symbols.toml",
                    "--positions",
                    "positions.csv",
                    "--backend",
                    backend,
                ];
                args.extend_from_slice(input);
                if single {
                    args.push("--single-thread");
                }
                liqscan(dir, &args)
            };
            let (threads, single) = (run(false), run(true));
            let what = format!("{backend}, {case}");
            assert_eq!(
                single.status.code(),
                Some(code),
                "{what}: {}",
                stderr(&single)
            );
            assert_eq!(
                threads.status.code(),
                single.status.code(),
                "{what}: {}",
                stderr(&threads)
            );
            assert!(!threads.stdout.is_empty(), "{what}: no event");
            assert!(
                threads.stdout == single.stdout,
                "{what}: the threads wrote other bytes"
            );
            if code == 2 {
                assert_eq!(last_line(&threads), last_line(&single), "{what}");
                assert!(last_line(&threads).contains(":700: "), "{what}");
            } else {
                let counts = |o: &Output| {
                    let err = stderr(o);
                    let summary = err.lines().find(|l| l.starts_with("summary: ")).unwrap();
                    summary[..summary.find(", load ").unwrap()].to_owned()
                };
                assert_eq!(counts(&threads), counts(&single), "{what}");
            }
        }
    }
}

/// A scan reading standard input.
fn spawn_on_stdin(dir: &Path, input: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_liqscan"))
        .current_dir(dir)
        .args([
            "scan",
            "--symbols",
            "symbols.toml",
            "--positions",
            "positions.csv",
            input,
            "-",
        ])
        .args(extra)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("liqscan runs")
}

/// The lines a child writes on stdout, as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if send.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    lines
}

/// The README book: position 42 long, 43 short, 44 long far from danger.
const BOOK: &str = "id,account,symbol,qty,entry_price,margin
42,alice,BTCUSDT,1,50000,5000
43,bob,BTCUSDT,-1,50000,5000
44,carol,BTCUSDT,0.5,50000,20000
";

/// Ticks written to stdin one at a time: each tick's event is read back
/// before the next tick is written, so nothing waits for more input or for
/// the end to come out.
#[test]
fn a_live_pipe_gets_each_ticks_events_before_the_next_tick() {
    let fixture = Fixture::new(SYMBOLS, BOOK, "");
    for single in [false, true] {
        let extra: &[&str] = if single { &["--single-thread"] } else { &[] };
        let mut child = spawn_on_stdin(fixture.dir.path(), "--ticks", extra);
        let lines = lines_of(&mut child);
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "seq,symbol,mark_price").unwrap();
        for (tick, expected) in [
            ("1,BTCUSDT,45180.7", Some(r#""position":42"#)),
            ("2,BTCUSDT,50000", None),
            ("3,BTCUSDT,54776.2", Some(r#""position":43"#)),
            ("4,BTCUSDT,10040.1", Some(r#""position":44"#)),
        ] {
            writeln!(stdin, "{tick}").unwrap();
            stdin.flush().unwrap();
            let Some(expected) = expected else { continue };
            let line = lines
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("no event for tick {tick} while the pipe stays open"));
            assert!(line.contains(expected), "{tick}: {line}");
        }
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{err}");
        assert!(
            err.contains("ticks 4, bad ticks 0, liquidations 3"),
            "{err}"
        );
        assert!(lines.recv_timeout(PATIENCE).is_err(), "an extra line");
    }
}

/// SIGTERM to a scan reading a pipe that stays open (the feed blocked in a
/// read): exit 143, the summary, every event of the decided ticks out and
/// whole.
#[test]
fn sigterm_on_a_live_pipe_ends_with_every_decided_event() {
    let fixture = Fixture::new(SYMBOLS, BOOK, "");
    let events = r#"{"seq":1,"kind":"tick","symbol":"BTCUSDT","mark_price":"45180.7"}
{"seq":2,"kind":"open","id":45,"account":"dave","symbol":"BTCUSDT","qty":"2","entry_price":"45000","margin":"500"}
{"seq":3,"kind":"tick","symbol":"BTCUSDT","mark_price":"54776.2"}
{"seq":4,"kind":"tick","symbol":"BTCUSDT","mark_price":"44000"}
"#;
    let mut child = spawn_on_stdin(fixture.dir.path(), "--events", &[]);
    let lines = lines_of(&mut child);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(events.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(lines.recv_timeout(PATIENCE).expect("an event"));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < PATIENCE, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(143));
    drop(stdin);
    got.extend(lines.iter());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("summary: backend cpu, positions 3, ticks 3,"),
        "{err}"
    );
    assert!(
        err.contains("stopped by SIGTERM after seq 4 of stdin: every event up to it written"),
        "{err}"
    );
    let positions: Vec<u64> = got
        .iter()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            event["position"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(positions, [42, 43, 45], "{got:?}");
}

/// The interval log reads back with hdrhistogram's own iterator: per tag,
/// the counts add up to the ticks; the summary gives both distributions.
#[test]
fn hist_out_is_an_interval_log_of_every_tick() {
    let dir = scenario();
    let dir = dir.path();
    for single in [false, true] {
        let mut args = scan_args("ticks.csv");
        args.extend(["--backend", "indexed", "--hist-out", "latency.hlog"]);
        if single {
            args.push("--single-thread");
        }
        let output = liqscan(dir, &args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{err}");
        assert!(err.contains("ticks 1500,"), "{err}");
        for name in ["decision", "feed-to-decision"] {
            let line = err
                .lines()
                .find(|l| l.starts_with(&format!("{name} latency per tick: p50 ")))
                .unwrap_or_else(|| panic!("no {name} line: {err}"));
            for quantile in ["p90", "p99", "p99.9", "max"] {
                assert!(line.contains(&format!(" {quantile} ")), "{line}");
            }
        }
        let log = std::fs::read(dir.join("latency.hlog")).unwrap();
        let mut counts = std::collections::BTreeMap::new();
        let mut deserializer = Deserializer::new();
        let mut start_time = false;
        for entry in IntervalLogIterator::new(&log) {
            match entry.expect("a well-formed interval log") {
                LogEntry::StartTime(_) => start_time = true,
                LogEntry::BaseTime(_) => {}
                LogEntry::Interval(interval) => {
                    let tag = interval
                        .tag()
                        .expect("a tagged interval")
                        .as_str()
                        .to_owned();
                    let bytes = STANDARD.decode(interval.encoded_histogram()).unwrap();
                    let histogram: Histogram<u64> =
                        deserializer.deserialize(&mut bytes.as_slice()).unwrap();
                    assert!(histogram.max() as f64 <= interval.max());
                    *counts.entry(tag).or_insert(0) += histogram.len();
                }
            }
        }
        assert!(start_time, "no StartTime");
        assert_eq!(
            counts.into_iter().collect::<Vec<_>>(),
            [
                ("decision".to_owned(), 1500),
                ("feed-to-decision".to_owned(), 1500)
            ]
        );
    }
}

/// `--core N` pins the scanner and says so; a core this process may not
/// run on is a usage error before anything is read; without it the
/// scanner is not pinned.
#[test]
fn core_pins_the_scanner_and_says_so() {
    let fixture = Fixture::readme();
    let output = fixture.scan(&["--core", "0"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert_eq!(stdout(&output), format!("{README_EVENT}\n"));
    assert!(
        err.contains("pipeline: three threads, scanner pinned to core 0, feed waited "),
        "{err}"
    );
    let output = fixture.scan(&[]);
    assert!(
        stderr(&output).contains("pipeline: three threads, scanner not pinned,"),
        "{}",
        stderr(&output)
    );
    let output = fixture.scan(&["--single-thread", "--core", "0"]);
    assert!(
        stderr(&output).contains("pipeline: one thread, pinned to core 0"),
        "{}",
        stderr(&output)
    );
    let output = fixture.scan(&["--core", "100000"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("error: --core 100000: not a core this process may run on"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

/// `--hist-out` naming an input or `--out` is refused before anything runs.
#[test]
fn hist_out_never_overwrites_an_input_or_the_events() {
    let fixture = Fixture::readme();
    for (args, message) in [
        (
            &["--hist-out", "ticks.csv"][..],
            "--hist-out ticks.csv is the same file as --ticks ticks.csv",
        ),
        (
            &["--out", "e.jsonl", "--hist-out", "e.jsonl"],
            "--hist-out e.jsonl is --out too",
        ),
    ] {
        let output = fixture.scan(args);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
    assert_eq!(
        std::fs::read_to_string(fixture.path("ticks.csv")).unwrap(),
        TICKS
    );
}
