//! Every refusal class of the input contract, with its exact location.

use std::io::{self, Read};
use std::sync::Arc;

use super::check::SYMBOLS;
use super::*;
use crate::gen::{write_positions_csv, write_symbols_toml, write_ticks_csv};
use crate::market::{Market, SymbolId};

fn market() -> Arc<Market> {
    Arc::new(parse_symbols(SYMBOLS, "symbols.toml").unwrap())
}

/// `SYMBOLS` with `from` replaced by `to` (which must occur).
fn edited(from: &str, to: &str) -> String {
    assert!(SYMBOLS.contains(from), "{from:?}");
    SYMBOLS.replacen(from, to, 1)
}

#[track_caller]
fn assert_error(error: &InputError, file: &str, line: u64, field: &str, reason: &str) {
    assert_eq!(
        (error.file.as_str(), error.line, error.field.as_str()),
        (file, line, field),
        "{error}"
    );
    assert!(error.reason.contains(reason), "{error} lacks {reason:?}");
    assert!(!error.to_string().contains('\n'));
}

#[track_caller]
fn symbols_error(text: &str, line: u64, field: &str, reason: &str) {
    let error = parse_symbols(text, "symbols.toml").expect_err("must be refused");
    assert_error(&error, "symbols.toml", line, field, reason);
}

#[test]
fn parses_the_example_symbols() {
    let market = market();
    assert!(!market.liquidate_at_equal);
    assert_eq!(market.len(), 2);
    let btc = market.symbol(market.id("BTCUSDT").unwrap());
    assert_eq!(btc.units.bracket_count, 2);
    assert_eq!(btc.ladder[0].notional_cap, Some(50000.into()));
    let eth = market.symbol(SymbolId(1));
    assert_eq!(eth.lot_size, 1.into());
    let at_equal = parse_symbols(
        &edited("liquidate_at_equal = false", "liquidate_at_equal = true"),
        "s",
    )
    .unwrap();
    assert!(at_equal.liquidate_at_equal);
    let default = parse_symbols(&edited("liquidate_at_equal = false\n", ""), "s").unwrap();
    assert!(!default.liquidate_at_equal);
}

#[test]
fn refuses_toml_floats_saying_why() {
    symbols_error(
        &edited(r#"mmr = "0.004""#, "mmr = 0.004"),
        8,
        "symbol[0].brackets[0].mmr",
        "floats are inexact",
    );
    symbols_error(
        &edited(r#"mmr = "0.004""#, "mmr = 0.004"),
        8,
        "symbol[0].brackets[0].mmr",
        "\"0.004\"",
    );
    symbols_error(
        &edited(r#"tick_size = "0.01""#, "tick_size = 1e-2"),
        16,
        "symbol[1].tick_size",
        "TOML float 1e-2",
    );
}

#[test]
fn refuses_unknown_keys_naming_them() {
    symbols_error(
        &edited("[[symbol]]\n", "colour = 1\n[[symbol]]\n"),
        2,
        "colour",
        "unknown key `colour`",
    );
    symbols_error(
        &edited(r#"lot_size = "0.001""#, "lot_size = \"0.001\"\nlot = 3"),
        6,
        "lot",
        "unknown key `lot`",
    );
    symbols_error(
        &edited(r#"maint_amount = "50""#, "maint_amount = \"50\"\nmaint = 1"),
        13,
        "maint",
        "unknown key",
    );
}

#[test]
fn refuses_duplicate_symbol_names() {
    symbols_error(
        &edited(r#"name = "ETHUSDT""#, r#"name = "BTCUSDT""#),
        15,
        "symbol[1].name",
        "duplicate symbol name \"BTCUSDT\" (first at line 3)",
    );
}

#[test]
fn refuses_bad_bracket_ladders() {
    // Not ascending.
    symbols_error(
        &edited("mmr = \"0.005\"\nmaint_amount = \"50\"", "notional_cap = \"50000\"\nmmr = \"0.005\"\nmaint_amount = \"50\"\n[[symbol.brackets]]\nmmr = \"0.01\"\nmaint_amount = \"1\""),
        11,
        "symbol[0].brackets[1].notional_cap",
        "strictly ascending",
    );
    // A capped bracket without a cap.
    symbols_error(
        &edited("notional_cap = \"50000\"\n", ""),
        6,
        "symbol[0].brackets[0].notional_cap",
        "missing",
    );
    // A cap on the last bracket.
    symbols_error(
        &edited("mmr = \"0.005\"", "notional_cap = \"1e9\"\nmmr = \"0.005\""),
        11,
        "symbol[0].brackets[1].notional_cap",
        "not a decimal",
    );
    symbols_error(
        &edited(
            "mmr = \"0.005\"",
            "notional_cap = \"90000\"\nmmr = \"0.005\"",
        ),
        11,
        "symbol[0].brackets[1].notional_cap",
        "the last bracket has no notional_cap",
    );
    // No brackets at all, and seventeen.
    let no_brackets = SYMBOLS
        .split("[[symbol.brackets]]\nmmr = \"0.01\"")
        .next()
        .unwrap();
    symbols_error(
        no_brackets,
        14,
        "symbol[1].brackets",
        "need 1 to 16 brackets, got 0",
    );
    let mut many = String::from("[[symbol]]\nname = \"X\"\ntick_size = \"1\"\nlot_size = \"1\"\n");
    for cap in 1..=16 {
        many +=
            &format!("[[symbol.brackets]]\nnotional_cap = {cap}\nmmr = \"0\"\nmaint_amount = 0\n");
    }
    many += "[[symbol.brackets]]\nmmr = \"0\"\nmaint_amount = 0\n";
    symbols_error(
        &many,
        69,
        "symbol[0].brackets",
        "need 1 to 16 brackets, got 17",
    );
}

#[test]
fn refuses_out_of_range_rates_and_amounts() {
    symbols_error(
        &edited(r#"mmr = "0.004""#, r#"mmr = "1""#),
        8,
        "symbol[0].brackets[0].mmr",
        "must be < 1",
    );
    symbols_error(
        &edited(r#"mmr = "0.004""#, r#"mmr = "0.0040001""#),
        8,
        "symbol[0].brackets[0].mmr",
        "at most 6 decimals",
    );
    symbols_error(
        &edited(r#"mmr = "0.004""#, r#"mmr = "-0.004""#),
        8,
        "symbol[0].brackets[0].mmr",
        ">= 0",
    );
    symbols_error(
        &edited(r#"maint_amount = "50""#, r#"maint_amount = "10000000000""#),
        12,
        "symbol[0].brackets[1].maint_amount",
        "out of range",
    );
    symbols_error(
        &edited(r#"maint_amount = "50""#, r#"maint_amount = "0.000000001""#),
        12,
        "symbol[0].brackets[1].maint_amount",
        "at most 8 decimals",
    );
    symbols_error(
        &edited(
            r#"notional_cap = "50000""#,
            r#"notional_cap = "1000000000000""#,
        ),
        7,
        "symbol[0].brackets[0].notional_cap",
        "out of range",
    );
    symbols_error(
        &edited(r#"tick_size = "0.1""#, r#"tick_size = "0.000000001""#),
        4,
        "symbol[0].tick_size",
        "at most 8 decimals",
    );
    symbols_error(
        &edited(r#"lot_size = "0.001""#, r#"lot_size = "0""#),
        5,
        "symbol[0].lot_size",
        "must be > 0",
    );
}

#[test]
fn refuses_too_many_symbols() {
    let symbol = |i: usize| {
        format!("[[symbol]]\nname = \"S{i}\"\ntick_size = 1\nlot_size = 1\nbrackets = [{{ mmr = 0, maint_amount = 0 }}]\n")
    };
    let text: String = (0..=crate::spec::MAX_SYMBOLS).map(symbol).collect();
    symbols_error(
        &text,
        5 * 4096 + 1,
        "symbol[4096].name",
        "too many symbols: at most 4096",
    );
}

/// The 4,096 symbols the contract allows parse, and a duplicate after them is
/// located at its line and its first one's (each symbol's line is found by a
/// binary search; how long that takes is the bench's business, not a test's).
#[test]
fn the_largest_symbols_file_parses_and_locates_a_duplicate() {
    let symbol = |i: usize| {
        format!("[[symbol]]\r\nname = \"S{i}\"\ntick_size = 1\nlot_size = 1\nbrackets = [{{ mmr = 0, maint_amount = 0 }}]\n")
    };
    let text = |n: usize| -> String { (0..n).map(symbol).collect() };
    let (small, large) = (text(1024), text(crate::spec::MAX_SYMBOLS));
    assert!(parse_symbols(&small, "symbols.toml").is_ok());
    assert!(parse_symbols(&large, "symbols.toml").is_ok());
    let again = format!("{large}{}", symbol(7));
    symbols_error(
        &again,
        5 * 4096 + 2,
        "symbol[4096].name",
        "duplicate symbol name \"S7\" (first at line 37)",
    );
}

#[test]
fn refuses_a_too_coarse_grid() {
    let coarse = edited(
        r#"tick_size = "0.1"
lot_size = "0.001""#,
        "tick_size = \"100\"\nlot_size = \"1000\"",
    );
    symbols_error(&coarse, 4, "symbol[0].tick_size", "k6");
}

#[test]
fn refuses_malformed_documents() {
    symbols_error(
        &edited(r#"mmr = "0.004""#, r#"mmr = "0,004""#),
        8,
        "symbol[0].brackets[0].mmr",
        "not a decimal number",
    );
    symbols_error(
        &edited(r#"mmr = "0.004""#, "mmr = true"),
        8,
        "symbol[0].brackets[0].mmr",
        "got a boolean",
    );
    symbols_error(
        &edited(
            r#"mmr = "0.004"
"#,
            "",
        ),
        6,
        "mmr",
        "missing field `mmr`",
    );
    symbols_error(
        &edited(r#"name = "ETHUSDT""#, "name = 5"),
        15,
        "name",
        "invalid type",
    );
    symbols_error(
        &edited(r#"name = "ETHUSDT""#, "name = \"ETH"),
        15,
        "name",
        "",
    );
    symbols_error(
        &edited("liquidate_at_equal = false", "liquidate_at_equal = \"no\""),
        1,
        "liquidate_at_equal",
        "invalid type",
    );
    symbols_error("liquidate_at_equal = true\n", 1, "symbol", "no [[symbol]]");
    let error = read_symbols(&b"[[symbol]]\nname = \"\xff\"\n"[..], "s.toml").unwrap_err();
    assert_error(
        error.invalid().unwrap(),
        "s.toml",
        2,
        "toml",
        "invalid UTF-8",
    );
}

const POSITIONS: &str = "id,account,symbol,qty,entry_price,margin
42,a,BTCUSDT,1,50000,5000
7,b,BTCUSDT,-0.5,51000.1,100.12345678
9,\"c,d\",ETHUSDT,3,2500.01,0
";

/// `POSITIONS` with `from` replaced by `to` (which must occur).
fn positions_edited(from: &str, to: &str) -> String {
    assert!(POSITIONS.contains(from), "{from:?}");
    POSITIONS.replacen(from, to, 1)
}

#[track_caller]
fn positions_error(text: &str, line: u64, field: &str, reason: &str) {
    let error =
        read_positions(text.as_bytes(), "positions.csv", market()).expect_err("must be refused");
    assert_error(
        error.invalid().expect("bad input"),
        "positions.csv",
        line,
        field,
        reason,
    );
}

#[test]
fn reads_positions() {
    let book = read_positions(POSITIONS.as_bytes(), "positions.csv", market()).unwrap();
    assert_eq!(book.len(), 3);
    let short = book.get(7).unwrap();
    assert_eq!(
        (short.account.as_str(), short.qty_lots, short.entry_ticks),
        ("b", -500, 510001)
    );
    let units = book.market.units(short.symbol);
    assert_eq!(units.format_units(short.margin_units), "100.12345678");
    assert_eq!(book.get(9).unwrap().account, "c,d");
}

#[test]
fn refuses_bad_headers() {
    positions_error(
        &positions_edited(",margin\n", "\n"),
        1,
        "header",
        "missing column `margin`",
    );
    positions_error(
        &positions_edited("id,account", "id,acct"),
        1,
        "header",
        "missing column `account`",
    );
    positions_error(
        &positions_edited(",margin\n", ",margin,x\n"),
        1,
        "header",
        "unexpected column \"x\"",
    );
    positions_error(
        &positions_edited("id,account", "account,id"),
        1,
        "header",
        "out of order",
    );
    positions_error("", 1, "header", "missing header");
}

#[test]
fn refuses_bad_position_fields() {
    positions_error(
        &positions_edited(",5000\n", "\n"),
        2,
        "record",
        "expected 6 fields, got 5",
    );
    positions_error(
        &positions_edited(",5000\n", ",5000,1\n"),
        2,
        "record",
        "expected 6 fields, got 7",
    );
    positions_error(
        &positions_edited("42,", "4x2,"),
        2,
        "id",
        "not an unsigned integer",
    );
    positions_error(
        &positions_edited("42,", "-42,"),
        2,
        "id",
        "not an unsigned integer",
    );
    positions_error(
        &positions_edited("42,", "18446744073709551616,"),
        2,
        "id",
        "out of range",
    );
    positions_error(
        &positions_edited("9,", "42,"),
        4,
        "id",
        "duplicate id 42 (first at line 2)",
    );
    positions_error(&positions_edited(",a,", ",,"), 2, "account", "empty");
    positions_error(
        &positions_edited("ETHUSDT", "XRPUSDT"),
        4,
        "symbol",
        "unknown symbol \"XRPUSDT\"",
    );
    positions_error(
        &positions_edited("-0.5", "-0.0005"),
        3,
        "qty",
        "not a multiple of 0.001",
    );
    positions_error(
        &positions_edited("-0.5", "-0.000"),
        3,
        "qty",
        "must be nonzero",
    );
    positions_error(
        &positions_edited("-0.5", "1e3"),
        3,
        "qty",
        "not a decimal number",
    );
    positions_error(
        &positions_edited("-0.5", "2147483.648"),
        3,
        "qty",
        "out of range",
    );
    assert!(read_positions(
        positions_edited("-0.5", "-2147483.647").as_bytes(),
        "p",
        market()
    )
    .is_ok());
    positions_error(
        &positions_edited("51000.1", "51000.15"),
        3,
        "entry_price",
        "not a multiple of 0.1",
    );
    positions_error(
        &positions_edited("51000.1", "0"),
        3,
        "entry_price",
        "must be > 0",
    );
    positions_error(
        &positions_edited("51000.1", "429496729.6"),
        3,
        "entry_price",
        "out of range",
    );
    assert!(read_positions(
        positions_edited("51000.1", "429496729.5").as_bytes(),
        "p",
        market()
    )
    .is_ok());
    positions_error(
        &positions_edited("100.12345678", "100.123456789"),
        3,
        "margin",
        "at most 8 decimals",
    );
    positions_error(
        &positions_edited("100.12345678", "10000000000"),
        3,
        "margin",
        "out of range",
    );
    positions_error(&positions_edited("100.12345678", "-1"), 3, "margin", ">= 0");
    positions_error(
        &positions_edited("100.12345678", ""),
        3,
        "margin",
        "empty value",
    );
}

const TICKS: &str = "seq,symbol,mark_price
1,BTCUSDT,45180.8
5,ETHUSDT,2400.00
3,BTCUSDT,45180.7
6,DOGE,1
7,BTCUSDT,45180.75
8,BTCUSDT,0
9,BTCUSDT
10,BTCUSDT,429496729.6
11,BTCUSDT,45180.7
";

#[test]
fn streams_ticks_and_goes_on_after_a_bad_line() {
    let ticks: Vec<_> = TickReader::new(TICKS.as_bytes(), "ticks.csv", market())
        .unwrap()
        .collect();
    assert_eq!(ticks.len(), 9);
    let good = ticks[1].as_ref().unwrap();
    assert_eq!(
        (good.line, good.tick.seq, good.tick.symbol, good.tick.price),
        (3, 5, SymbolId(1), 240000)
    );
    assert_eq!(good.mark, "2400.00", "the mark as written");
    let expected = [
        (4, "seq", "not increasing: 3 after 5 (line 3)"),
        (5, "symbol", "unknown symbol \"DOGE\""),
        (6, "mark_price", "not a multiple of 0.1"),
        (7, "mark_price", "must be > 0"),
        (8, "record", "expected 3 fields, got 2"),
        (9, "mark_price", "out of range"),
    ];
    for (result, (line, field, reason)) in ticks[2..8].iter().zip(expected) {
        assert_error(
            result.as_ref().unwrap_err().invalid().unwrap(),
            "ticks.csv",
            line,
            field,
            reason,
        );
    }
    assert_eq!(ticks[8].as_ref().unwrap().tick.seq, 11);
    let error = read_ticks(TICKS.as_bytes(), "ticks.csv", market()).unwrap_err();
    assert_error(
        error.invalid().unwrap(),
        "ticks.csv",
        4,
        "seq",
        "not increasing",
    );
    let error = TickReader::new("seq,symbol,mark\n".as_bytes(), "ticks.csv", market())
        .err()
        .unwrap();
    assert_error(
        error.invalid().unwrap(),
        "ticks.csv",
        1,
        "header",
        "missing column `mark_price`",
    );
}

/// Yields `ok` then fails.
struct Failing<'a> {
    ok: &'a [u8],
}

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ok.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        let n = self.ok.read(buf)?;
        Ok(n)
    }
}

#[test]
fn an_io_error_is_not_bad_input_and_ends_the_stream() {
    let ticks: Vec<_> = TickReader::new(
        Failing {
            ok: b"seq,symbol,mark_price\n1,BTCUSDT,1\n",
        },
        "ticks.csv",
        market(),
    )
    .unwrap()
    .collect();
    assert_eq!(ticks.len(), 2);
    assert!(ticks[0].is_ok());
    assert!(
        matches!(&ticks[1], Err(ReadError::Io { .. })),
        "{:?}",
        ticks[1]
    );
    let error = read_positions(Failing { ok: b"id,acc" }, "p.csv", market()).unwrap_err();
    assert!(matches!(error, ReadError::Io { .. }));
    // The OS cause is the source, not repeated in the message: a chain
    // printer (`anyhow`'s `{:#}`) shows it exactly once.
    assert_eq!(error.to_string(), "p.csv: read failed");
    let source = std::error::Error::source(&error).expect("the I/O error");
    assert_eq!(source.to_string(), "disk on fire");
    assert!(source.source().is_none());
}

#[test]
fn written_files_read_back_identically() {
    let market = market();
    let book = read_positions(POSITIONS.as_bytes(), "positions.csv", market.clone()).unwrap();
    let text = write_symbols_toml(&market);
    assert_eq!(
        parse_symbols(&text, "written.toml").unwrap(),
        *market,
        "{text}"
    );

    let mut csv = Vec::new();
    let positions: Vec<_> = book.sorted().into_iter().cloned().collect();
    write_positions_csv(&market, &positions, &mut csv).unwrap();
    let again = read_positions(&csv[..], "written.csv", market.clone()).unwrap();
    assert_eq!(again.sorted(), book.sorted());

    let ticks: Vec<_> = TickReader::new(TICKS.as_bytes(), "ticks.csv", market.clone())
        .unwrap()
        .flatten()
        .map(|t| t.tick)
        .collect();
    let mut csv = Vec::new();
    write_ticks_csv(&market, &ticks, &mut csv).unwrap();
    let again: Vec<_> = read_ticks(&csv[..], "written.csv", market)
        .unwrap()
        .into_iter()
        .map(|t| t.tick)
        .collect();
    assert_eq!(again, ticks);
}

#[test]
fn lines_count_blank_lines_and_multi_line_fields() {
    let text = "id,account,symbol,qty,entry_price,margin\r\n42,\"a\nb\",BTCUSDT,1,50000,5000\r\n\r\n\n7,b,BTCUSDT,x,1,1\n";
    positions_error(text, 6, "qty", "not a decimal number");
    let text = "\nid,acct\n";
    positions_error(text, 2, "header", "missing column `account`");
    let ticks = "seq,symbol,mark_price\n\n1,BTCUSDT,1\n\n\n2,BTCUSDT,0.01\n";
    let error = read_ticks(ticks.as_bytes(), "ticks.csv", market()).unwrap_err();
    assert_error(
        error.invalid().unwrap(),
        "ticks.csv",
        6,
        "mark_price",
        "not a multiple",
    );
    let bad_utf8 = b"seq,symbol,mark_price\n1,BTCUSDT,1\n\n2,BTC\xffUSDT,1\n";
    let error = read_ticks(&bad_utf8[..], "ticks.csv", market()).unwrap_err();
    assert_error(
        error.invalid().unwrap(),
        "ticks.csv",
        4,
        "record",
        "invalid UTF-8",
    );
}

#[test]
fn refuses_blank_lines_before_the_header() {
    for blank in ["\n", "\r\n", "\n\n", "\r"] {
        let text = format!("{blank}{POSITIONS}");
        positions_error(&text, 1, "header", "blank line before the header");
        let ticks = format!("{blank}seq,symbol,mark_price\n1,BTCUSDT,1\n");
        let error = read_ticks(ticks.as_bytes(), "ticks.csv", market()).unwrap_err();
        assert_error(
            error.invalid().unwrap(),
            "ticks.csv",
            1,
            "header",
            "the header must be line 1",
        );
    }
}

/// Old-Mac files: every line ends with a lone `\r`, as the reader splits them.
#[test]
fn counts_cr_only_lines_as_the_reader_does() {
    let cr = POSITIONS.replace('\n', "\r");
    let book = read_positions(cr.as_bytes(), "positions.csv", market()).unwrap();
    assert_eq!(book.len(), 3);
    positions_error(
        &positions_edited("2500.01", "2500.001").replace('\n', "\r"),
        4,
        "entry_price",
        "not a multiple of 0.01",
    );
    // A blank CR line is skipped and counted.
    let ticks = "seq,symbol,mark_price\r1,BTCUSDT,1\r\r2,BTCUSDT,0.01\r";
    let error = read_ticks(ticks.as_bytes(), "ticks.csv", market()).unwrap_err();
    assert_error(
        error.invalid().unwrap(),
        "ticks.csv",
        4,
        "mark_price",
        "not a multiple",
    );
    let all: Vec<_> = TickReader::new(TICKS.replace('\n', "\r").as_bytes(), "ticks.csv", market())
        .unwrap()
        .map(|t| t.map_or_else(|e| e.invalid().unwrap().line, |t| t.line))
        .collect();
    assert_eq!(all, (2..=10).collect::<Vec<_>>());
}

#[test]
fn a_bad_header_shows_what_was_found() {
    let spaced = "id, account,symbol,qty,entry_price,margin\n42,a,BTCUSDT,1,50000,5000\n";
    positions_error(
        spaced,
        1,
        "header",
        "missing column `account` (column \" account\" has spaces around it): \
         expected `id,account,symbol,qty,entry_price,margin`, \
         found \"id, account,symbol,qty,entry_price,margin\"",
    );
    positions_error(
        "id,account,symbol,qty,entry_price,margin,x\n",
        1,
        "header",
        "unexpected column \"x\": expected `id,account,symbol,qty,entry_price,margin`, found \"id,account,symbol,qty,entry_price,margin,x\"",
    );
    let long = format!("seq,symbol,{}\n", "m".repeat(100_000));
    let error = TickReader::new(long.as_bytes(), "ticks.csv", market())
        .err()
        .unwrap();
    let error = error.invalid().unwrap();
    assert_error(error, "ticks.csv", 1, "header", "found \"seq,symbol,mmmm");
    assert!(error.reason.ends_with("… (100011 bytes)"), "{error}");
    assert!(error.to_string().len() < 300, "{error}");
}

#[test]
fn huge_values_are_echoed_cut() {
    let huge = "9".repeat(50 << 20);
    for (from, field) in [("42,a", "id"), ("-0.5", "qty"), ("BTCUSDT,-", "symbol")] {
        let to = match field {
            "id" => format!("{huge}x,a"),
            "qty" => format!("{huge}x"),
            _ => format!("{huge}x,-"),
        };
        let text = positions_edited(from, &to);
        let error = read_positions(text.as_bytes(), "positions.csv", market()).unwrap_err();
        let error = error.invalid().unwrap();
        assert_eq!(
            (error.line, error.field.as_str()),
            (if field == "id" { 2 } else { 3 }, field)
        );
        assert!(
            error.to_string().len() < 300,
            "{} bytes",
            error.to_string().len()
        );
        assert!(error.reason.contains("… (52428801 bytes)"), "{error}");
    }
    let toml = edited(
        r#"name = "ETHUSDT""#,
        &format!("name = \"BTCUSDT\"\n{}= 1", "k".repeat(1 << 20)),
    );
    let error = parse_symbols(&toml, "symbols.toml").unwrap_err();
    assert!(
        error.to_string().len() < 2048,
        "{} bytes",
        error.to_string().len()
    );
}

#[test]
fn an_unterminated_quote_says_it_swallowed_the_rest() {
    let ticks = "seq,symbol,mark_price\n1,BTCUSDT,45180.8\n2,\"BTCUSDT,45180.7\n3,BTCUSDT,45180.6\n4,BTCUSDT,45180.5\n";
    let items: Vec<_> = TickReader::new(ticks.as_bytes(), "ticks.csv", market())
        .unwrap()
        .collect();
    assert_eq!(items.len(), 2, "one tick, then the error, then the end");
    assert_eq!(items[0].as_ref().unwrap().tick.seq, 1);
    assert_error(
        items[1].as_ref().unwrap_err().invalid().unwrap(),
        "ticks.csv",
        3,
        "record",
        "unterminated quote: the quote opened at line 3 is never closed, so the rest of the file (lines 3 to 5) was read as one field",
    );
    // On the last line, in the header, and with CR endings.
    positions_error(
        &format!("{POSITIONS}10,\"x,ETHUSDT,1,1,1"),
        5,
        "record",
        "the quote opened at line 5 is never closed, so the rest of the file (line 5)",
    );
    positions_error(
        "id,\"account,symbol,qty,entry_price,margin\n42,a,BTCUSDT,1,50000,5000\n",
        1,
        "record",
        "(lines 1 to 2)",
    );
    let cr = ticks.replace('\n', "\r");
    let error = read_ticks(cr.as_bytes(), "ticks.csv", market()).unwrap_err();
    assert_error(
        error.invalid().unwrap(),
        "ticks.csv",
        3,
        "record",
        "(lines 3 to 5)",
    );
    // A quoted field that closes, even across lines, is no error.
    let book = read_positions(POSITIONS.as_bytes(), "positions.csv", market()).unwrap();
    assert_eq!(book.len(), 3);
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let with_bom = format!("\u{feff}{POSITIONS}");
    let book = read_positions(with_bom.as_bytes(), "positions.csv", market()).unwrap();
    assert_eq!(book.len(), 3);
    let ticks = "\u{feff}seq,symbol,mark_price\n1,BTCUSDT,1\n";
    assert_eq!(
        read_ticks(ticks.as_bytes(), "ticks.csv", market())
            .unwrap()
            .len(),
        1
    );
    let symbols = format!("\u{feff}{SYMBOLS}");
    assert_eq!(
        read_symbols(symbols.as_bytes(), "symbols.toml").unwrap(),
        *market()
    );
}

#[test]
fn a_lone_cr_in_toml_is_refused_saying_why() {
    symbols_error(
        &SYMBOLS.replace('\n', "\r"),
        1,
        "liquidate_at_equal",
        "carriage return (CR) without a line feed: TOML lines end with LF or CRLF",
    );
    symbols_error(
        &edited("lot_size = \"0.001\"\n", "lot_size = \"0.001\"\r"),
        5,
        "lot_size",
        "without a line feed",
    );
    symbols_error("\r\"", 1, "toml", "carriage return");
}
