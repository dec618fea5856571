//! Every limit of docs/input.md, at the limit and one past it, through
//! `liqscan scan` on every backend (`cpu`, `indexed`, `sim`).
//!
//! At the limit the book scans, every backend writes the same bytes, and
//! those are exactly the events the oracle (`liqscan_testkit::oracle`, exact
//! rationals from the input strings) finds: equity, maintenance and their
//! difference, the shortfall. One past it the book is refused with exit 2
//! and one line naming the file, the line, the field and the limit, after
//! the events of the ticks before a refused tick. The `sim` model's capacity
//! is a limit of its own: a book that does not fit in whole rows is refused
//! with exit 1, before anything is written to the model.
//!
//! The books are written from definitions into temporary directories
//! (`common::book`); the largest hold a million positions and take tens of
//! seconds on `sim`, which loads them slot by slot.

mod books;
#[path = "../common/mod.rs"]
mod common;
mod large;
mod probe;
mod values;

use std::path::Path;
use std::time::Instant;

use common::book::PositionRow;
use common::*;
use large::{large_book, largest_book, three_marks, POSITIONS_MAX, SYMBOLS_MAX};
use probe::{check, refused, scan_on, scans, Expect, Limit, Loc, Probe};
use values::value_limits;

/// Every limit on a value, at it and one past it, on small books (a few
/// seconds).
#[test]
fn every_value_at_and_one_past_its_limit() {
    for limit in value_limits() {
        check(&limit);
    }
}

/// The largest book, 1,048,576 positions on 4,096 symbols, scans alike on
/// every backend (`sim` holds it exactly: 256 positions fill 32 rows of 8).
#[test]
fn the_largest_book_scans_on_every_backend() {
    check(&Limit {
        name: "positions <= 1,048,576 and symbols <= 4,096",
        probes: vec![scans("the largest book", largest_book())],
    });
}

/// One position or one symbol more than the largest book is refused on
/// every backend, at the line of the one too many.
#[test]
fn one_past_the_largest_book_is_refused() {
    let mut more_positions = largest_book();
    more_positions.positions.push(PositionRow {
        id: POSITIONS_MAX as u128 + 1,
        symbol: 0,
        terms: 0,
    });
    let more_symbols = large_book(&[1; SYMBOLS_MAX + 1], 2, &three_marks(&[0]));
    check(&Limit {
        name: "positions <= 1,048,576 and symbols <= 4,096",
        probes: vec![
            refused(
                "1,048,577 positions",
                more_positions,
                Loc::Position(POSITIONS_MAX as u128 + 1),
                "id",
                "too many positions: at most 1048576",
            ),
            refused(
                "4,097 symbols",
                more_symbols,
                Loc::Symbols(format!("symbol[{SYMBOLS_MAX}]")),
                &format!("symbol[{SYMBOLS_MAX}].name"),
                "too many symbols: at most 4096",
            ),
        ],
    });
}

/// `sim` holds any book of at most `slots − (symbols − 1)·(L − 1)`
/// positions: 1,048,562 on 3 symbols at 8 lanes, even spread as badly as
/// can be (all but one in one symbol, whose last row is then nearly empty).
/// One more so spread, or the largest book with one position moved so that
/// one symbol needs a row more, is refused at once with exit 1.
#[test]
fn sim_capacity_at_and_one_past_its_bound() {
    let bound = POSITIONS_MAX - 2 * 7;
    let mut moved = largest_book();
    let from = moved.positions.iter().position(|p| p.symbol == 1).unwrap();
    moved.positions[from].symbol = 0;
    check(&Limit {
        name: "sim: slots − (symbols − 1)·(L − 1) positions",
        probes: vec![
            scans(
                "1,048,562 positions: 1,048,560 + 1 + 1",
                large_book(
                    &[bound - 2, 1, 1],
                    1024,
                    &[(0, "45180.7"), (1, "45180.7"), (2, "45180.7")],
                ),
            ),
            Probe {
                what: "1,048,563 positions: 1,048,561 + 1 + 1".into(),
                book: large_book(&[bound - 1, 1, 1], 1024, &[(0, "45180.7")]),
                expect: Expect::Overflows {
                    message: "the sim model holds 1,048,576 slots; these 3 symbols need \
                              1,048,584 after rounding each region up to whole rows of 8 lanes \
                              (1,048,563 positions; any 3 symbols always fit 1,048,562)"
                        .into(),
                },
            },
            Probe {
                what: "the largest book, one position moved: 257 + 255 + 256 + …".into(),
                book: moved,
                expect: Expect::Overflows {
                    message: "the sim model holds 1,048,576 slots; these 4,096 symbols need \
                              1,048,584 after rounding each region up to whole rows of 8 lanes \
                              (1,048,576 positions; any 4,096 symbols always fit 1,019,911)"
                        .into(),
                },
            },
        ],
    });
}

/// Lines in a file (each ends with `\n`).
fn lines_in(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// `gen` at its limits writes books that the readers take whole: 1,048,576
/// positions on 4,096 symbols (scanned), and 10,000,000 ticks (every one
/// read back by `prices --marks`; ten million ticks against a million
/// positions would scan for minutes). One past any of them is refused with
/// exit 2, naming the limit, before anything is written.
#[test]
fn gen_sizes_at_and_one_past_their_limits() {
    let dir = tempfile::tempdir().unwrap();
    let gen = |out: &str, sizes: [&str; 3]| {
        let [positions, symbols, ticks] = sizes;
        let args = [
            "gen",
            "--positions",
            positions,
            "--symbols",
            symbols,
            "--ticks",
            ticks,
            "--out",
            out,
        ];
        let started = Instant::now();
        let output = liqscan(dir.path(), &args);
        println!("{args:?}: {:.1?}", started.elapsed());
        output
    };

    let output = gen("largest", ["1048576", "4096", "20"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let largest = dir.path().join("largest");
    assert_eq!(lines_in(&largest.join("positions.csv")), POSITIONS_MAX + 1);
    let symbols = std::fs::read_to_string(largest.join("symbols.toml")).unwrap();
    assert_eq!(symbols.matches("[[symbol]]").count(), SYMBOLS_MAX);
    let (output, took) = scan_on(&largest, "cpu");
    println!("scan of the largest generated book: {took:.1?}");
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(
        err.contains("positions 1048576, ticks 20, bad ticks 0"),
        "{err}"
    );

    let output = gen("most-ticks", ["0", "1", "10000000"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let most = dir.path().join("most-ticks");
    assert_eq!(lines_in(&most.join("ticks.csv")), 10_000_001);
    let started = Instant::now();
    let output = liqscan(
        &most,
        &[
            "prices",
            "--symbols",
            "symbols.toml",
            "--positions",
            "positions.csv",
            "--marks",
            "ticks.csv",
        ],
    );
    println!("ten million ticks read back: {:.1?}", started.elapsed());
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "id,symbol,side,reference,liquidation_price\n"
    );

    for (sizes, limit) in [
        (
            ["1048577", "1", "0"],
            "positions must be at most 1048576, got 1048577",
        ),
        (
            ["0", "4097", "0"],
            "symbols must be at least 1 and at most 4096, got 4097",
        ),
        (
            ["0", "0", "0"],
            "symbols must be at least 1 and at most 4096, got 0",
        ),
        (
            ["0", "1", "10000001"],
            "ticks must be at most 10000000, got 10000001",
        ),
    ] {
        let output = gen("refused", sizes);
        assert_eq!(output.status.code(), Some(2), "{sizes:?}");
        assert_eq!(stderr(&output), format!("error: {limit}\n"), "{sizes:?}");
        assert!(!dir.path().join("refused").exists(), "{sizes:?}");
    }
}
