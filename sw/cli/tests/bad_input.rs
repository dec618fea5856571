//! Every class of bad input: exit code 2 and one stderr line naming file,
//! line, field and reason. Symbols and positions are refused before any tick.

mod common;

use common::*;

/// `text` with `from` (which must occur) replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in {text:?}");
    text.replacen(from, to, 1)
}

/// Scans the README book with one file edited and checks the refusal.
#[track_caller]
fn refused(file: &str, from: &str, to: &str, prefix: &str, reason: &str) {
    let (mut symbols, mut positions, mut ticks) =
        (SYMBOLS.to_owned(), POSITIONS.to_owned(), TICKS.to_owned());
    let target = match file {
        "symbols.toml" => &mut symbols,
        "positions.csv" => &mut positions,
        "ticks.csv" => &mut ticks,
        other => panic!("unknown file {other}"),
    };
    *target = edit(target, from, to);
    let output = Fixture::new(&symbols, &positions, &ticks).scan(&[]);
    assert_bad_input(&output, prefix, reason);
    assert_eq!(
        stdout(&output),
        "",
        "no events for a book refused before scanning"
    );
}

#[test]
fn float_in_toml() {
    refused(
        "symbols.toml",
        r#"mmr = "0.004""#,
        "mmr = 0.004",
        "symbols.toml:8: symbol[0].brackets[0].mmr:",
        "floats are inexact",
    );
    refused(
        "symbols.toml",
        r#"mmr = "0.004""#,
        "mmr = 0.004",
        "symbols.toml:8:",
        r#"write it as a string, "0.004""#,
    );
}

#[test]
fn unknown_toml_key() {
    refused(
        "symbols.toml",
        "lot_size = \"0.001\"\n",
        "lot_size = \"0.001\"\nleverage = 20\n",
        "symbols.toml:6: leverage:",
        "unknown key `leverage`",
    );
    refused(
        "symbols.toml",
        "liquidate_at_equal = false",
        "liquidate_at_eq = false",
        "symbols.toml:1: liquidate_at_eq:",
        "unknown key",
    );
}

#[test]
fn duplicate_symbol_name() {
    let again = "[[symbol]]\nname = \"BTCUSDT\"\ntick_size = \"1\"\nlot_size = \"1\"\n[[symbol.brackets]]\nmmr = \"0\"\nmaint_amount = \"0\"\n";
    let with_both = format!("{SYMBOLS}{again}");
    refused(
        "symbols.toml",
        SYMBOLS,
        &with_both,
        "symbols.toml:14: symbol[1].name:",
        "duplicate symbol name \"BTCUSDT\" (first at line 3)",
    );
}

#[test]
fn bracket_ladder_errors() {
    let last = "mmr = \"0.005\"\nmaint_amount = \"50\"";
    let not_ascending = "notional_cap = \"40000\"\nmmr = \"0.005\"\nmaint_amount = \"50\"\n[[symbol.brackets]]\nmmr = \"0.01\"\nmaint_amount = \"100\"";
    refused(
        "symbols.toml",
        last,
        not_ascending,
        "symbols.toml:11: symbol[0].brackets[1].notional_cap:",
        "strictly ascending",
    );
    refused(
        "symbols.toml",
        "notional_cap = \"50000\"\n",
        "",
        "symbols.toml:6: symbol[0].brackets[0].notional_cap:",
        "missing",
    );
    refused(
        "symbols.toml",
        last,
        &format!("notional_cap = \"90000\"\n{last}"),
        "symbols.toml:11: symbol[0].brackets[1].notional_cap:",
        "the last bracket has no notional_cap",
    );
    let ladder = &SYMBOLS[SYMBOLS.find("[[symbol.brackets]]").unwrap()..];
    refused(
        "symbols.toml",
        ladder,
        "",
        "symbols.toml:2: symbol[0].brackets:",
        "need 1 to 16 brackets, got 0",
    );
    let seventeen: String = (1..=16)
        .map(|cap| format!("[[symbol.brackets]]\nnotional_cap = \"{cap}0000\"\nmmr = \"0.004\"\nmaint_amount = \"0\"\n"))
        .chain(["[[symbol.brackets]]\nmmr = \"0.5\"\nmaint_amount = \"0\"\n".to_owned()])
        .collect();
    // The 17th bracket's table starts at line 6 + 16·4.
    refused(
        "symbols.toml",
        ladder,
        &seventeen,
        "symbols.toml:70: symbol[0].brackets:",
        "need 1 to 16 brackets, got 17",
    );
}

#[test]
fn rate_and_decimals_errors() {
    refused(
        "symbols.toml",
        r#"mmr = "0.005""#,
        r#"mmr = "1""#,
        "symbols.toml:11: symbol[0].brackets[1].mmr:",
        "must be < 1",
    );
    refused(
        "symbols.toml",
        r#"mmr = "0.004""#,
        r#"mmr = "0.0045001""#,
        "symbols.toml:8: symbol[0].brackets[0].mmr:",
        "at most 6 decimals",
    );
    refused(
        "symbols.toml",
        r#"tick_size = "0.1""#,
        r#"tick_size = "0.000000001""#,
        "symbols.toml:4: symbol[0].tick_size:",
        "at most 8 decimals",
    );
    refused(
        "symbols.toml",
        r#"maint_amount = "50""#,
        r#"maint_amount = "50.000000001""#,
        "symbols.toml:12: symbol[0].brackets[1].maint_amount:",
        "at most 8 decimals",
    );
    refused(
        "positions.csv",
        ",5000\n",
        ",5000.000000001\n",
        "positions.csv:2: margin:",
        "at most 8 decimals",
    );
}

#[test]
fn out_of_range_values() {
    refused(
        "symbols.toml",
        r#"maint_amount = "50""#,
        r#"maint_amount = "10000000000""#,
        "symbols.toml:12: symbol[0].brackets[1].maint_amount:",
        "out of range",
    );
    refused(
        "symbols.toml",
        r#"notional_cap = "50000""#,
        r#"notional_cap = "1000000000000""#,
        "symbols.toml:7: symbol[0].brackets[0].notional_cap:",
        "out of range",
    );
    refused(
        "positions.csv",
        ",50000,",
        ",429496729.6,",
        "positions.csv:2: entry_price:",
        "out of range",
    );
    refused(
        "positions.csv",
        ",1,",
        ",2147483.648,",
        "positions.csv:2: qty:",
        "out of range",
    );
    refused(
        "positions.csv",
        ",5000\n",
        ",10000000000\n",
        "positions.csv:2: margin:",
        "out of range",
    );
    refused(
        "ticks.csv",
        "45180.7",
        "429496729.6",
        "ticks.csv:3: mark_price:",
        "out of range",
    );
}

#[test]
fn k6_too_coarse() {
    let coarse = "tick_size = \"100\"\nlot_size = \"1000\"";
    refused(
        "symbols.toml",
        "tick_size = \"0.1\"\nlot_size = \"0.001\"",
        coarse,
        "symbols.toml:4: symbol[0].tick_size:",
        "too coarse",
    );
}

#[test]
fn unknown_symbol() {
    refused(
        "positions.csv",
        "BTCUSDT",
        "ETHUSDT",
        "positions.csv:2: symbol:",
        "unknown symbol \"ETHUSDT\"",
    );
}

#[test]
fn duplicate_id() {
    refused(
        "positions.csv",
        POSITIONS,
        &format!("{POSITIONS}42,b,BTCUSDT,2,50000,5000\n"),
        "positions.csv:3: id:",
        "duplicate id 42 (first at line 2)",
    );
}

#[test]
fn qty_not_a_lot_multiple_or_zero() {
    refused(
        "positions.csv",
        ",1,",
        ",1.0005,",
        "positions.csv:2: qty:",
        "not a multiple of 0.001",
    );
    refused(
        "positions.csv",
        ",1,",
        ",0,",
        "positions.csv:2: qty:",
        "must be nonzero",
    );
    refused(
        "positions.csv",
        ",50000,",
        ",50000.05,",
        "positions.csv:2: entry_price:",
        "not a multiple of 0.1",
    );
}

#[test]
fn missing_column_or_wrong_header() {
    refused(
        "positions.csv",
        ",margin\n",
        "\n",
        "positions.csv:1: header:",
        "missing column `margin`",
    );
    refused(
        "positions.csv",
        "entry_price",
        "price",
        "positions.csv:1: header:",
        "missing column `entry_price`",
    );
    refused(
        "positions.csv",
        "id,account",
        "account,id",
        "positions.csv:1: header:",
        "out of order",
    );
    refused(
        "ticks.csv",
        "mark_price",
        "mark",
        "ticks.csv:1: header:",
        "missing column `mark_price`",
    );
}

#[test]
fn malformed_numbers() {
    refused(
        "positions.csv",
        ",1,",
        ",1e3,",
        "positions.csv:2: qty:",
        "not a decimal number",
    );
    refused(
        "positions.csv",
        "42,",
        "4_2,",
        "positions.csv:2: id:",
        "not an unsigned integer",
    );
    refused(
        "symbols.toml",
        r#"mmr = "0.004""#,
        r#"mmr = "0.00x4""#,
        "symbols.toml:8: symbol[0].brackets[0].mmr:",
        "not a decimal number",
    );
    refused(
        "ticks.csv",
        "7,",
        "7a,",
        "ticks.csv:3: seq:",
        "not an unsigned integer",
    );
}

#[test]
fn wrong_field_count() {
    refused(
        "positions.csv",
        ",5000\n",
        "\n",
        "positions.csv:2: record:",
        "expected 6 fields, got 5",
    );
    refused(
        "positions.csv",
        ",5000\n",
        ",5000,x\n",
        "positions.csv:2: record:",
        "expected 6 fields, got 7",
    );
}

#[test]
fn seq_not_increasing() {
    refused(
        "ticks.csv",
        "7,",
        "6,",
        "ticks.csv:3: seq:",
        "not increasing: 6 after 6 (line 2)",
    );
}

#[test]
fn unknown_tick_symbol() {
    refused(
        "ticks.csv",
        "7,BTCUSDT",
        "7,ETHUSDT",
        "ticks.csv:3: symbol:",
        "unknown symbol",
    );
}

/// Issue 21, case 8: CR-only line endings are read as records, and every
/// error is located on the line the reader split, not at line 1.
#[test]
fn cr_only_line_endings_are_located() {
    let cr = |text: &str| text.replace('\n', "\r");
    let positions = edit(POSITIONS, ",1,", ",1.0005,");
    let output = Fixture::new(SYMBOLS, &cr(&positions), TICKS).scan(&[]);
    assert_bad_input(&output, "positions.csv:2: qty:", "not a multiple of 0.001");
    let ticks = format!("{TICKS}8,BTCUSDT,0.05\n");
    let output = Fixture::new(SYMBOLS, &cr(POSITIONS), &cr(&ticks)).scan(&[]);
    assert_bad_input(&output, "ticks.csv:4: mark_price:", "not a multiple of 0.1");
    assert_eq!(
        stdout(&output),
        format!("{README_EVENT}\n"),
        "events before it"
    );
    // A CR-only book scans as the LF one does.
    let output = Fixture::new(SYMBOLS, &cr(POSITIONS), &cr(TICKS)).scan(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{README_EVENT}\n"));
}

/// Issue 21, case 9: a bad header shows the header found.
#[test]
fn a_bad_header_shows_what_was_found() {
    refused(
        "positions.csv",
        "id,account",
        "id, account",
        "positions.csv:1: header:",
        "missing column `account` (column \" account\" has spaces around it): \
         expected `id,account,symbol,qty,entry_price,margin`, \
         found \"id, account,symbol,qty,entry_price,margin\"",
    );
}

/// Issue 21, case 9: an OS error's cause is printed once, not twice.
#[test]
fn an_os_error_is_printed_once() {
    let fixture = Fixture::readme();
    std::fs::create_dir(fixture.path("dir")).unwrap();
    for flag in ["--symbols", "--positions", "--ticks"] {
        let mut args = scan_args("ticks.csv");
        let at = args.iter().position(|a| *a == flag).unwrap();
        args[at + 1] = "dir";
        let output = liqscan(fixture.dir.path(), &args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{err}");
        assert_eq!(err.matches("Is a directory").count(), 1, "{flag}: {err}");
        assert!(err.contains("dir: read failed: Is a directory"), "{err}");
    }
}

/// Issue 21, case 9: a huge field is echoed cut, with its length.
#[test]
fn a_huge_field_is_echoed_cut() {
    let huge = "1".repeat(50 << 20);
    let ticks = edit(TICKS, "45180.7", &format!("{huge}x"));
    let output = Fixture::new(SYMBOLS, POSITIONS, &ticks).scan(&[]);
    assert_bad_input(
        &output,
        "ticks.csv:3: mark_price:",
        "… (52428801 bytes) (expected [+-]digits[.digits])",
    );
    assert!(output.stderr.len() < 512, "{} bytes", output.stderr.len());
}

/// Issue 21, case 9: too many digits states the limit.
#[test]
fn too_many_digits_states_the_limit() {
    refused(
        "positions.csv",
        ",5000\n",
        ",0.00000000000000000000000000001\n",
        "positions.csv:2: margin:",
        "has 29, at most 28 digits after the point",
    );
    refused(
        "ticks.csv",
        "45180.7",
        "12345678901234567890123456789.5",
        "ticks.csv:3: mark_price:",
        "has 30 significant digits, at most 28 significant digits",
    );
}

/// Issue 21, case 9: with `--skip-bad-ticks`, a quote that is never closed
/// is reported, saying where it opened and that it swallowed the rest, and
/// counted; without it, it stops the scan as any bad tick does.
#[test]
fn an_unterminated_quote_says_it_swallowed_the_rest() {
    let ticks =
        "seq,symbol,mark_price\n5,\"BTCUSDT,45180.8\n6,BTCUSDT,45180.8\n7,BTCUSDT,45180.7\n";
    let fixture = Fixture::new(SYMBOLS, POSITIONS, ticks);
    let output = fixture.scan(&["--skip-bad-ticks"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "ticks.csv:2: record: unterminated quote: the quote opened at line 2 is never \
             closed, so the rest of the file (lines 2 to 4) was read as one field"
        ),
        "{err}"
    );
    assert!(err.contains("bad ticks 1,"), "{err}");
    assert_eq!(stdout(&output), "", "no tick after the quote was scanned");
    let output = fixture.scan(&[]);
    assert_bad_input(&output, "ticks.csv:2: record:", "unterminated quote");
}

/// Issue 21, case 10: the grammar of docs/input.md at its edges, through the
/// binary: `.5`, `5.`, `+.5` and blank lines before a header are refused;
/// `+`, leading zeros and trailing zeros are accepted.
#[test]
fn the_documented_grammar_at_its_edges() {
    for bad in [".5", "5.", "+.5", "-.5", "1.", "1e3", " 1", "1 ", "0x1"] {
        refused(
            "positions.csv",
            ",1,",
            &format!(",{bad},"),
            "positions.csv:2: qty:",
            "not a decimal number",
        );
    }
    refused(
        "ticks.csv",
        "45180.7",
        ".7",
        "ticks.csv:3: mark_price:",
        "not a decimal number: \".7\" (expected [+-]digits[.digits])",
    );
    refused(
        "symbols.toml",
        r#"mmr = "0.004""#,
        r#"mmr = ".004""#,
        "symbols.toml:8: symbol[0].brackets[0].mmr:",
        "not a decimal number",
    );
    for file in ["positions.csv", "ticks.csv"] {
        let header = if file == "ticks.csv" { "seq," } else { "id," };
        for blank in ["\n", "\r\n", "\n\n"] {
            refused(
                file,
                header,
                &format!("{blank}{header}"),
                &format!("{file}:1: header:"),
                "blank line before the header: the header must be line 1",
            );
        }
    }
    let positions = edit(POSITIONS, ",1,50000,5000", ",+001.000,050000.0,5000.00");
    let ticks = edit(TICKS, "7,BTCUSDT,45180.7", "0007,BTCUSDT,+45180.70");
    let output = Fixture::new(SYMBOLS, &positions, &ticks).scan(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!("{README_EVENT}\n"),
        "the mark canonical"
    );
}
