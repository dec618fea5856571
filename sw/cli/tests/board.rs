//! `liqscan board` and `liqscan scan --backend board|auto --device`, end
//! to end as a user runs them: a virtual board process serving the
//! verilated `liqscan_top`, driven through its file by the same `MmioBus` a
//! card's host uses; its events byte for byte the `cpu` backend's, on ticks
//! and on live events; and killed mid-run, the scan fails over to cpu
//! without losing or repeating an event.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{events_args, liqscan, scan_args, stderr, stdout};

/// A `liqscan board` process, killed when dropped.
struct VirtualBoard {
    child: Child,
    device: PathBuf,
}

impl VirtualBoard {
    fn start(dir: &Path) -> Self {
        let device = dir.join("board");
        let child = Command::new(env!("CARGO_BIN_EXE_liqscan"))
            .args(["board", "--device"])
            .arg(&device)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("liqscan board starts");
        let started = Instant::now();
        while !device.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the virtual board did not appear at {}",
                device.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, device }
    }

    fn device(&self) -> &str {
        self.device.to_str().unwrap()
    }
}

impl Drop for VirtualBoard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A generated scenario with live events in `dir`.
fn scenario(dir: &Path, ticks: &str) {
    let output = liqscan(
        dir,
        &[
            "gen",
            "--positions",
            "1500",
            "--symbols",
            "4",
            "--ticks",
            ticks,
            "--events",
            "300",
            "--seed",
            "11",
            "--out",
            ".",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// `liqscan scan` on the scenario's book and `input` (`--ticks F` or `--events F`).
fn scan(dir: &Path, input: &[&str], backend: &[&str]) -> std::process::Output {
    let mut args = match input {
        ["--ticks", file] => scan_args(file),
        ["--events", file] => events_args(file),
        _ => panic!("not an input: {input:?}"),
    };
    args.extend_from_slice(backend);
    liqscan(dir, &args)
}

#[test]
fn the_virtual_board_scans_like_cpu_on_ticks_and_live_events() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), "300");
    let board = VirtualBoard::start(dir.path());
    for input in [["--ticks", "ticks.csv"], ["--events", "events.jsonl"]] {
        let cpu = scan(dir.path(), &input, &["--backend", "cpu"]);
        assert_eq!(cpu.status.code(), Some(0), "{}", stderr(&cpu));
        assert!(
            stdout(&cpu).lines().count() > 20,
            "too few events to compare"
        );
        for backend in ["board", "auto"] {
            let run = scan(
                dir.path(),
                &input,
                &["--backend", backend, "--device", board.device()],
            );
            let err = stderr(&run);
            assert_eq!(run.status.code(), Some(0), "{backend}: {err}");
            assert_eq!(stdout(&run), stdout(&cpu), "{backend} on {input:?}");
            assert!(err.contains("summary: backend board,"), "{backend}: {err}");
            assert!(err.contains("failovers 0"), "{backend}: {err}");
            assert!(
                err.contains("their bus reads 0,"),
                "a tick reads no card register: {err}"
            );
        }
    }
}

#[test]
fn auto_without_a_usable_board_runs_on_cpu_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), "50");
    let cpu = scan(dir.path(), &["--ticks", "ticks.csv"], &["--backend", "cpu"]);
    let auto = scan(dir.path(), &["--ticks", "ticks.csv"], &[]);
    assert_eq!(auto.status.code(), Some(0));
    assert_eq!(stdout(&auto), stdout(&cpu));
    assert!(stderr(&auto).contains("summary: backend cpu,"));
    let missing = scan(
        dir.path(),
        &["--ticks", "ticks.csv"],
        &["--device", "no-such-board"],
    );
    let err = stderr(&missing);
    assert_eq!(missing.status.code(), Some(0), "{err}");
    assert_eq!(stdout(&missing), stdout(&cpu));
    assert!(
        err.contains("backend auto: cpu, the board at no-such-board cannot be used"),
        "{err}"
    );
    let board = scan(
        dir.path(),
        &["--ticks", "ticks.csv"],
        &["--backend", "board", "--device", "no-such-board"],
    );
    assert_eq!(board.status.code(), Some(1), "{}", stderr(&board));
}

#[test]
fn killing_the_board_mid_run_fails_over_without_losing_an_event() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), "3000");
    let cpu = scan(dir.path(), &["--ticks", "ticks.csv"], &["--backend", "cpu"]);
    assert_eq!(cpu.status.code(), Some(0));
    let mut board = VirtualBoard::start(dir.path());
    let mut run = Command::new(env!("CARGO_BIN_EXE_liqscan"))
        .current_dir(dir.path())
        .args(scan_args("ticks.csv"))
        .args(["--backend", "board", "--device"])
        .arg(board.device())
        .args(["--board-timeout", "200ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill the board once the scan has written its first event.
    let mut out = run.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut out, &mut first).expect("a first event");
    board.child.kill().unwrap();
    board.child.wait().unwrap();
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut out, &mut rest).unwrap();
    let run = run.wait_with_output().unwrap();
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(0), "{err}");
    let mut events = first.to_vec();
    events.extend(rest);
    assert_eq!(String::from_utf8(events).unwrap(), stdout(&cpu));
    assert!(
        err.contains("failovers 1") || err.contains("backend cpu"),
        "{err}"
    );
    assert!(err.contains("continuing on cpu"), "{err}");
}
