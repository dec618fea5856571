//! `liqscan prices`: long, short and none, from entry prices and from marks.

mod common;

use common::*;

/// A long and a short as in the README (liquidated at 45,180.7 and from
/// 54,776.2 up), a fully collateralised long and a tiny over-margined short
/// that no price on the grid liquidates.
const POSITIONS: &str = "id,account,symbol,qty,entry_price,margin
43,b,BTCUSDT,-1,50000,5000
42,a,BTCUSDT,1,50000,5000
7,c,BTCUSDT,1,50000,60000
8,d,BTCUSDT,-0.001,50000,9999999999
";

fn prices(fixture: &Fixture, marks: Option<&str>) -> String {
    let mut args = vec![
        "prices",
        "--symbols",
        "symbols.toml",
        "--positions",
        "positions.csv",
    ];
    if let Some(marks) = marks {
        args.extend(["--marks", marks]);
    }
    let output = liqscan(fixture.dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn long_short_and_none_from_entry_prices() {
    let fixture = Fixture::new(SYMBOLS, POSITIONS, TICKS);
    assert_eq!(
        prices(&fixture, None),
        "id,symbol,side,reference,liquidation_price
7,BTCUSDT,long,50000,none
8,BTCUSDT,short,50000,none
42,BTCUSDT,long,50000,45180.7
43,BTCUSDT,short,50000,54776.2
"
    );
}

#[test]
fn the_last_mark_of_the_symbol_is_the_reference() {
    // Last mark 40,000: the long is already liquidatable there (the highest
    // liquidating price at or below the reference is the reference itself);
    // the short's threshold above it is unchanged.
    let fixture = Fixture::new(
        SYMBOLS,
        POSITIONS,
        "seq,symbol,mark_price\n1,BTCUSDT,60000\n2,BTCUSDT,40000\n",
    );
    let out = prices(&fixture, Some("ticks.csv"));
    assert!(out.contains("42,BTCUSDT,long,40000,40000\n"), "{out}");
    assert!(out.contains("43,BTCUSDT,short,40000,54776.2\n"), "{out}");
    // Above the short's threshold the nearest adverse price is the mark itself.
    let fixture = Fixture::new(
        SYMBOLS,
        POSITIONS,
        "seq,symbol,mark_price\n1,BTCUSDT,60000.5\n",
    );
    let out = prices(&fixture, Some("ticks.csv"));
    assert!(out.contains("43,BTCUSDT,short,60000.5,60000.5\n"), "{out}");
    assert!(out.contains("42,BTCUSDT,long,60000.5,45180.7\n"), "{out}");
}

#[test]
fn marks_are_validated_like_ticks() {
    let fixture = Fixture::new(
        SYMBOLS,
        POSITIONS,
        "seq,symbol,mark_price\n2,BTCUSDT,60000\n1,BTCUSDT,40000\n",
    );
    let output = liqscan(
        fixture.dir.path(),
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
    assert_bad_input(&output, "ticks.csv:3: seq:", "not increasing");
}
