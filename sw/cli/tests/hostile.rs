//! The binary used as a hostile user or a hostile environment would use it:
//! huge sizes, a closed stderr or stdout, `--out` naming an input, signals
//! mid-scan, a full disk (issue 21).

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_liqscan"));
    command.env_remove("RUST_LOG");
    command
}

// ---------------------------------------------------------------- gen sizes

/// Every size `gen` and `demo` take is bounded, the bound stated, and a size
/// out of range is a usage error (exit 2), refused before anything is
/// allocated or written.
#[test]
fn generator_sizes_are_bounded_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["--ticks", "18446744073709551615"], "at most 10000000"),
        (&["--ticks", "1000000000"], "at most 10000000"),
        (&["--ticks", "10000001"], "at most 10000000"),
        (&["--positions", "1048577"], "at most 1048576"),
        (&["--symbols", "4097"], "at most 4096"),
        (&["--symbols", "0"], "at least 1"),
    ];
    for (size, bound) in cases {
        for command in ["gen", "demo"] {
            let started = Instant::now();
            let mut args = vec![command];
            args.extend_from_slice(size);
            if command == "gen" {
                args.extend_from_slice(&["--out", "scenario"]);
            }
            let output = liqscan(dir.path(), &args);
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(bound), "{args:?}: {err}");
            assert!(started.elapsed() < Duration::from_secs(10), "{args:?}");
        }
    }
    assert!(!dir.path().join("scenario").exists());
}

// ---------------------------------------------------------------- closed pipes

/// 100 longs liquidated at 45,180.7 and 100 shorts at 60,000, with bad ticks
/// (a warning each under `--skip-bad-ticks`) before, between and after.
fn warning_fixture() -> Fixture {
    let mut positions = String::from("id,account,symbol,qty,entry_price,margin\n");
    for id in 1..=200 {
        let qty = if id <= 100 { "1" } else { "-1" };
        positions.push_str(&format!("{id},a{id},BTCUSDT,{qty},50000,5000\n"));
    }
    let mut ticks = String::from("seq,symbol,mark_price\n1,BTCUSDT,50000\n");
    let mut seq = 1;
    let bad = |ticks: &mut String, seq: &mut u32, n: u32| {
        for _ in 0..n {
            *seq += 1;
            ticks.push_str(&format!("{seq},BTCUSDT,45180.75\n"));
        }
    };
    bad(&mut ticks, &mut seq, 50);
    seq += 1;
    ticks.push_str(&format!("{seq},BTCUSDT,45180.7\n"));
    bad(&mut ticks, &mut seq, 50);
    seq += 1;
    ticks.push_str(&format!("{seq},BTCUSDT,60000\n"));
    bad(&mut ticks, &mut seq, 50);
    Fixture::new(SYMBOLS, &positions, &ticks)
}

fn spawn(dir: &Path, args: &[&str], stdout: Stdio, stderr: Stdio) -> Child {
    bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("liqscan starts")
}

/// The write end of a pipe whose read end is already closed: a reader that
/// died. (Closing the read end after spawning would race with the child,
/// which may fill the pipe's buffer first.)
fn closed_pipe() -> Stdio {
    let mut reader = Command::new("true")
        .stdin(Stdio::piped())
        .spawn()
        .expect("true runs");
    let write_end = reader.stdin.take().unwrap();
    assert!(reader.wait().unwrap().success());
    Stdio::from(write_end)
}

/// A closed stderr (`2>&1 | head -1`, a dead log collector) used to panic at
/// the first warning (exit 101) and never scan the rest: now every event
/// still arrives and the scan succeeds.
#[test]
fn closed_stderr_loses_no_event() {
    let fixture = warning_fixture();
    let args = [&scan_args("ticks.csv")[..], &["--skip-bad-ticks"]].concat();
    let reference = liqscan(fixture.dir.path(), &args);
    assert!(reference.status.success(), "{}", stderr(&reference));
    assert_eq!(stdout(&reference).lines().count(), 200);
    assert!(stderr(&reference).contains("bad ticks 150, liquidations 200"));

    let mut child = spawn(fixture.dir.path(), &args, Stdio::piped(), closed_pipe());
    let mut events = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut events)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(String::from_utf8(events).unwrap(), stdout(&reference));
    assert_eq!(status.code(), Some(0));

    // The same on an error path: the bad tick's message is lost, the events
    // before it are not, and the exit code still says bad input.
    let ticks = format!("{TICKS}8,BTCUSDT,45180.75\n9,BTCUSDT,1\n");
    let fixture = Fixture::new(SYMBOLS, POSITIONS, &ticks);
    let mut child = spawn(
        fixture.dir.path(),
        &scan_args("ticks.csv"),
        Stdio::piped(),
        closed_pipe(),
    );
    let mut events = String::new();
    let mut out = child.stdout.take().unwrap();
    out.read_to_string(&mut events).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(2));
    assert_eq!(events, format!("{README_EVENT}\n"));
}

/// A closed stdout is a clean failure (exit 1, said on stderr), not a panic;
/// with stderr closed too it is still exit 1.
#[test]
fn closed_stdout_exits_1() {
    let fixture = warning_fixture();
    let args = [&scan_args("ticks.csv")[..], &["--skip-bad-ticks"]].concat();
    let child = spawn(fixture.dir.path(), &args, closed_pipe(), Stdio::piped());
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("writing events to stdout (0 events written)") && err.contains("Broken pipe"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    let mut child = spawn(fixture.dir.path(), &args, closed_pipe(), closed_pipe());
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

// ---------------------------------------------------------------- --out aliasing

/// `--out` naming an input, by any path to the same file, is refused before
/// it is opened for writing (exit 2), and the input is left as it was.
#[test]
fn out_naming_an_input_is_refused_and_the_input_kept() {
    let fixture = Fixture::readme();
    let dir = fixture.dir.path();
    std::os::unix::fs::symlink("ticks.csv", dir.join("symlink.csv")).unwrap();
    std::fs::hard_link(dir.join("positions.csv"), dir.join("hardlink.csv")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    let cases = [
        ("ticks.csv", "--ticks ticks.csv"),
        ("./ticks.csv", "--ticks ticks.csv"),
        ("sub/../ticks.csv", "--ticks ticks.csv"),
        ("symlink.csv", "--ticks ticks.csv"),
        ("hardlink.csv", "--positions positions.csv"),
        ("positions.csv", "--positions positions.csv"),
        ("symbols.toml", "--symbols symbols.toml"),
    ];
    let absolute = dir.join("ticks.csv");
    let cases = cases
        .iter()
        .map(|&(out, input)| (out.to_owned(), input))
        .chain([(absolute.display().to_string(), "--ticks ticks.csv")]);
    for (out, input) in cases {
        let output = fixture.scan(&["--out", &out]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "--out {out}: {err}");
        assert_eq!(
            err,
            format!(
                "error: --out {out} is the same file as {input}: refusing to overwrite an input\n"
            )
        );
        assert_eq!(stdout(&output), "");
        assert_eq!(
            std::fs::read_to_string(fixture.path("ticks.csv")).unwrap(),
            TICKS
        );
        assert_eq!(
            std::fs::read_to_string(fixture.path("positions.csv")).unwrap(),
            POSITIONS
        );
        assert_eq!(
            std::fs::read_to_string(fixture.path("symbols.toml")).unwrap(),
            SYMBOLS
        );
    }
    // A new file, or an existing one that is no input, is written.
    std::fs::write(fixture.path("old.jsonl"), "old\n").unwrap();
    for out in ["events.jsonl", "old.jsonl"] {
        let output = fixture.scan(&["--out", out]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(
            std::fs::read_to_string(fixture.path(out)).unwrap(),
            format!("{README_EVENT}\n")
        );
    }
}

/// A newline in a file's name (`touch $'pos\nitions.csv'`) is shown escaped
/// in every error naming the file, which stays one line.
#[test]
fn a_newline_in_a_file_name_keeps_errors_on_one_line() {
    let fixture = Fixture::readme();
    let odd = "pos\nitions.csv";
    std::fs::write(fixture.path(odd), POSITIONS.replace(",1,", ",1.0005,")).unwrap();
    let scan = |positions: &str, ticks: &str, out: Option<&str>| {
        let mut args = vec![
            "scan",
            "--symbols",
            "symbols.toml",
            "--positions",
            positions,
            "--ticks",
            ticks,
        ];
        args.extend(out.map(|out| ["--out", out]).into_iter().flatten());
        liqscan(fixture.dir.path(), &args)
    };
    assert_bad_input(
        &scan(odd, "ticks.csv", None),
        "pos\\nitions.csv:2: qty:",
        "not a multiple of 0.001",
    );
    assert_bad_input(
        &scan(odd, "ticks.csv", Some(odd)),
        "--out pos\\nitions.csv is the same file as --positions pos\\nitions.csv",
        "refusing to overwrite an input",
    );
    let output = scan("positions.csv", "tic\nks.csv", None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.contains("cannot open tic\\nks.csv"), "{err}");
}

// ---------------------------------------------------------------- signals and full disks

/// A generated scenario whose scan takes many seconds on `cpu` (`extra`
/// adds to the `gen` arguments).
fn long_scenario(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let gen = [
        "gen",
        "--positions",
        "5000",
        "--symbols",
        "2",
        "--ticks",
        "1000000",
        "--out",
        ".",
    ];
    let output = liqscan(dir.path(), &[&gen[..], extra].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    dir
}

fn scan_to(dir: &Path, out: &str, ticks: &str) -> Child {
    let mut args = scan_args(ticks);
    args.extend(["--out", out]);
    spawn(dir, &args, Stdio::null(), Stdio::piped())
}

fn scan_events_to(dir: &Path, out: &str, events: &str) -> Child {
    let mut args = events_args(events);
    args.extend(["--out", out]);
    spawn(dir, &args, Stdio::null(), Stdio::piped())
}

/// Waits until `path` holds something: events are flushed per tick, so the
/// first appear long before the end of a scan.
fn wait_for_events(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        assert!(
            Instant::now() < deadline,
            "no event in {} after 60 s",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn kill(child: &Child, signal: &str) {
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// The lines of an events file, each parsed as JSON; the file must end with
/// a newline.
fn events(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "ends mid-line: {text}"
    );
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .collect()
}

/// SIGTERM or SIGINT mid-scan: the events reach `--out` tick by tick (a
/// reader sees the first ones while the scan runs), and after the signal the
/// file holds whole JSON lines, exactly the events of every tick up to the
/// one it stopped after, then the summary and exit 143 or 130.
#[test]
fn signals_stop_between_ticks_leaving_whole_lines() {
    let dir = long_scenario(&[]);
    let dir = dir.path();
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let out = format!("events-{signal}.jsonl");
        let child = scan_to(dir, &out, "ticks.csv");
        wait_for_events(&dir.join(&out));
        kill(&child, signal);
        let output = child.wait_with_output().unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(code), "SIG{signal}: {err}");
        assert!(err.contains("summary: backend cpu"), "{err}");
        let stopped = err
            .lines()
            .find_map(|l| l.strip_prefix(&format!("stopped by SIG{signal} after tick ")))
            .unwrap_or_else(|| panic!("no stop line: {err}"));
        let last: u64 = stopped.split(':').next().unwrap().parse().unwrap();
        assert!(last < 1_000_000, "the scan ended before the signal");
        let got = events(&dir.join(&out));
        assert!(!got.is_empty());

        // A full run on the ticks up to `last` writes exactly these events.
        let ticks = std::fs::read_to_string(dir.join("ticks.csv")).unwrap();
        let prefix: String = ticks
            .lines()
            .take(1 + last as usize)
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            prefix
                .lines()
                .last()
                .unwrap()
                .starts_with(&format!("{last},")),
            "seq is the line number"
        );
        std::fs::write(dir.join("prefix.csv"), prefix).unwrap();
        let full = scan_to(dir, "full.jsonl", "prefix.csv")
            .wait_with_output()
            .unwrap();
        assert!(full.status.success(), "{}", stderr(&full));
        assert_eq!(got, events(&dir.join("full.jsonl")), "SIG{signal}");
    }
}

/// The same with `--events`: the stop is between two lines, after the one
/// in hand is applied or scanned, and a full run on the lines up to it
/// writes exactly the same events.
#[test]
fn signals_stop_an_events_scan_between_lines() {
    let dir = long_scenario(&["--events", "200000"]);
    let dir = dir.path();
    let child = scan_events_to(dir, "stopped.jsonl", "events.jsonl");
    wait_for_events(&dir.join("stopped.jsonl"));
    kill(&child, "TERM");
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(143), "{err}");
    let stopped = err
        .lines()
        .find_map(|l| l.strip_prefix("stopped by SIGTERM after seq "))
        .unwrap_or_else(|| panic!("no stop line: {err}"));
    let (last, rest) = stopped.split_once(' ').unwrap();
    assert_eq!(rest, "of events.jsonl: every event up to it written");
    let last: usize = last.parse().unwrap();
    assert!(last < 1_200_000, "the scan ended before the signal");
    // seq is the line number of a generated events file.
    let stream = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    let prefix: String = stream
        .lines()
        .take(last)
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(prefix
        .lines()
        .last()
        .unwrap()
        .starts_with(&format!("{{\"seq\":{last},")));
    std::fs::write(dir.join("prefix.jsonl"), prefix).unwrap();
    let full = scan_events_to(dir, "full.jsonl", "prefix.jsonl")
        .wait_with_output()
        .unwrap();
    assert!(full.status.success(), "{}", stderr(&full));
    let got = events(&dir.join("stopped.jsonl"));
    assert!(!got.is_empty());
    assert_eq!(got, events(&dir.join("full.jsonl")));
}

/// A write that fails (a full disk) is exit 1 and says how many events were
/// written.
#[test]
fn full_disk_exits_1_saying_how_many_events_were_written() {
    let fixture = Fixture::readme();
    let output = fixture.scan(&["--out", "/dev/full"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(
        err,
        "error: writing events to /dev/full (0 events written): \
         No space left on device (os error 28)\n"
    );
}

// ---------------------------------------------------------------- summary

/// The summary reports the load (symbols, positions, backend) and the scan
/// apart; `wall` used to cover the scan loop alone.
#[test]
fn summary_reports_load_and_scan_times() {
    let output: Output = Fixture::readme().scan(&[]);
    assert!(output.status.success());
    let err = stderr(&output);
    let summary = err
        .lines()
        .find(|l| l.starts_with("summary: "))
        .unwrap_or_else(|| panic!("{err}"));
    let seconds = |field: &str| -> f64 {
        let rest = summary
            .split(&format!("{field} "))
            .nth(1)
            .unwrap_or_else(|| panic!("no {field}: {summary}"));
        rest.split(" s").next().unwrap().parse().unwrap()
    };
    assert!(
        seconds("load") >= 0.0 && seconds("scan") >= 0.0,
        "{summary}"
    );
    assert!(!summary.contains("wall"), "{summary}");
}
