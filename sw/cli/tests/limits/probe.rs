//! A limit's probes and how `scan` must take each: the runner.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::book::*;
use crate::common::*;

/// Where a refusal is located.
#[derive(Debug, Clone)]
pub enum Loc {
    /// A key of the symbols file (see [`Layout`]).
    Symbols(String),
    /// A line of the symbols file.
    SymbolsLine(u64),
    /// The line of the position with this id.
    Position(u128),
    /// The line of the tick with this `seq`; the ticks before it are scanned.
    Tick(u128),
}

/// What `scan` must do with a probe's book.
#[derive(Debug, Clone)]
pub enum Expect {
    /// Exit 0 on every backend, the same bytes, the oracle's events (at
    /// least one).
    Scans,
    /// Exit 2 on every backend with one line `{file}:{line}: {field}: …`
    /// containing `reason`, after the oracle's events of the ticks before.
    Refused {
        at: Loc,
        field: String,
        reason: String,
    },
    /// `sim` cannot hold the book: exit 1 with this capacity message, no
    /// event, and in less than half the time `sim` took to load and scan the
    /// limit's book that fits (it refuses before writing to the model).
    Overflows { message: String },
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub what: String,
    pub book: TestBook,
    pub expect: Expect,
}

/// A limit as docs/input.md states it, and its probes: a book at it (and
/// at each of its ends) and one past it (each way).
pub struct Limit {
    pub name: &'static str,
    pub probes: Vec<Probe>,
}

pub fn scans(what: &str, book: TestBook) -> Probe {
    Probe {
        what: what.to_owned(),
        book,
        expect: Expect::Scans,
    }
}

pub fn refused(what: &str, book: TestBook, at: Loc, field: &str, reason: &str) -> Probe {
    Probe {
        what: what.to_owned(),
        book,
        expect: Expect::Refused {
            at,
            field: field.to_owned(),
            reason: reason.to_owned(),
        },
    }
}

/// `at` with the symbols-file value of `key` (`symbol[i].tick_size`,
/// `symbol[i].lot_size`, `symbol[i].brackets[j].<key>`) set to `value`,
/// refused there.
pub fn past_symbol(at: &TestBook, key: &str, value: &str, reason: &str) -> Probe {
    let mut book = at.clone();
    let (symbol, rest) = key
        .strip_prefix("symbol[")
        .and_then(|k| k.split_once("]."))
        .unwrap_or_else(|| panic!("bad key {key}"));
    let symbol = &mut book.symbols[symbol.parse::<usize>().unwrap()];
    let slot = match rest {
        "tick_size" => &mut symbol.tick_size,
        "lot_size" => &mut symbol.lot_size,
        bracket => {
            let (j, field) = bracket
                .strip_prefix("brackets[")
                .and_then(|b| b.split_once("]."))
                .unwrap_or_else(|| panic!("bad key {key}"));
            let b = &mut symbol.ladder[j.parse::<usize>().unwrap()];
            match field {
                "notional_cap" => b.notional_cap.insert(String::new()),
                "mmr" => &mut b.mmr,
                "maint_amount" => &mut b.maint_amount,
                other => panic!("no bracket key {other}"),
            }
        }
    };
    *slot = value.to_owned();
    refused(
        &format!("{key} = {value}"),
        book,
        Loc::Symbols(key.to_owned()),
        key,
        reason,
    )
}

/// `at` with `field` of position `id` set to `value`, refused at its line.
pub fn past_position(at: &TestBook, id: u128, field: &str, value: &str, reason: &str) -> Probe {
    let mut book = at.clone();
    if field == "id" {
        let row = book.positions.iter_mut().find(|p| p.id == id).unwrap();
        row.id = value.parse().unwrap();
    } else {
        let terms = book.terms_of(id);
        *match field {
            "qty" => &mut terms.qty,
            "entry_price" => &mut terms.entry,
            "margin" => &mut terms.margin,
            other => panic!("no position field {other}"),
        } = value.to_owned();
    }
    let line_id = if field == "id" {
        value.parse().unwrap()
    } else {
        id
    };
    refused(
        &format!("position {id}: {field} = {value}"),
        book,
        Loc::Position(line_id),
        field,
        reason,
    )
}

/// `at` with `field` of tick `seq` set to `value`, refused at its line.
pub fn past_tick(at: &TestBook, seq: u128, field: &str, value: &str, reason: &str) -> Probe {
    let mut book = at.clone();
    let tick = book.tick_mut(seq);
    let mut located = seq;
    match field {
        "seq" => {
            located = value.parse().unwrap();
            tick.seq = located;
        }
        "symbol" => tick.symbol = value.to_owned(),
        "mark_price" => tick.mark = value.to_owned(),
        other => panic!("no tick field {other}"),
    }
    refused(
        &format!("tick {seq}: {field} = {value}"),
        book,
        Loc::Tick(located),
        field,
        reason,
    )
}

/// Runs `scan` in `dir` on `backend`, timed.
pub fn scan_on(dir: &Path, backend: &str) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let output = scan_in(dir, &["--backend", backend]);
    (output, started.elapsed())
}

/// Runs a limit's probes in order.
pub fn check(limit: &Limit) {
    // The longest `sim` run of a book that fits, to time refusals against.
    let mut sim_fits = Duration::ZERO;
    for probe in &limit.probes {
        let context = format!("{}: {}", limit.name, probe.what);
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let layout = probe.book.write(dir.path());
        println!("{context}: written in {:.1?}", started.elapsed());
        match &probe.expect {
            Expect::Scans => {
                let sim = scans_alike(&context, &probe.book, dir.path());
                sim_fits = sim_fits.max(sim);
            }
            Expect::Refused { at, field, reason } => {
                let (file, line, scanned) = match at {
                    Loc::Symbols(key) => ("symbols.toml", layout.line(key), 0),
                    Loc::SymbolsLine(line) => ("symbols.toml", *line, 0),
                    Loc::Position(id) => ("positions.csv", probe.book.position_line(*id), 0),
                    Loc::Tick(seq) => {
                        let index = probe.book.tick_index(*seq);
                        ("ticks.csv", index as u64 + 2, index)
                    }
                };
                let prefix = format!("{file}:{line}: {field}:");
                let expected = probe.book.expected_events(scanned);
                for backend in BACKENDS {
                    let (output, took) = scan_on(dir.path(), backend);
                    println!("{context} on {backend}: {took:.1?}");
                    assert_bad_input(&output, &prefix, reason);
                    assert_events(&stdout(&output), &expected);
                }
            }
            Expect::Overflows { message } => overflows(&context, dir.path(), message, sim_fits),
        }
    }
}

/// Scans the book in `dir` on every backend: each succeeds with the same
/// bytes, the oracle's events, and says so in its summary. Returns the
/// time `sim` took.
fn scans_alike(context: &str, book: &TestBook, dir: &Path) -> Duration {
    let expected = book.expected_events(book.ticks.len());
    assert!(
        !expected.is_empty(),
        "{context}: the book must liquidate something"
    );
    println!("{context}: {} events", expected.len());
    let summary = format!(
        "positions {}, ticks {}, bad ticks 0, liquidations {},",
        book.positions.len(),
        book.ticks.len(),
        expected.len()
    );
    let (mut reference, mut sim) = (None::<String>, Duration::ZERO);
    for backend in BACKENDS {
        let (output, took) = scan_on(dir, backend);
        println!("{context} on {backend}: {took:.1?}");
        let err = stderr(&output);
        assert!(output.status.success(), "{context} on {backend}: {err}");
        assert!(err.contains(&summary), "{context} on {backend}: {err}");
        if backend == "sim" {
            sim = took;
        }
        let out = stdout(&output);
        match &reference {
            None => {
                assert_events(&out, &expected);
                reference = Some(out);
            }
            Some(first) => assert!(
                *first == out,
                "{context}: {backend} differs from {}:\n{out}\n{first}",
                BACKENDS[0]
            ),
        }
    }
    sim
}

/// `sim` refuses the book in `dir` with exit 1 and `message`, writes no
/// event, and takes less than half the time it took to load and scan a
/// book that fits (`sim_fits`): it refuses before writing to the model,
/// which is what takes that time.
fn overflows(context: &str, dir: &Path, message: &str, sim_fits: Duration) {
    assert!(
        sim_fits > Duration::ZERO,
        "{context}: a book that fits must come first, to time the refusal against"
    );
    let (output, took) = scan_on(dir, "sim");
    println!("{context} on sim: {took:.1?}");
    assert_eq!(output.status.code(), Some(1), "{context}");
    assert_eq!(
        stderr(&output),
        format!("error: loading positions into sim: capacity exceeded: {message}\n"),
        "{context}"
    );
    assert_eq!(stdout(&output), "", "{context}");
    assert!(
        took < sim_fits / 2,
        "{context}: refused after {took:.1?}, loading a book that fits took {sim_fits:.1?}"
    );
}
