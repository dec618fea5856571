//! `events.jsonl` at every edge: each kind, each refusal with its line,
//! field and reason, stale changes, line endings.

use super::*;
use crate::input::check::market;
use crate::input::read_positions;

/// Position 42: BTCUSDT long 1 at 50,000 with 5,000 margin (s = 10).
const BOOK: &str = "id,account,symbol,qty,entry_price,margin\n42,alice,BTCUSDT,1,50000,5000\n";

fn book() -> Book {
    read_positions(BOOK.as_bytes(), "positions.csv", market()).unwrap()
}

/// Every item of `text`, applying each change to the book as a scan does;
/// a tick at `seq` liquidates the ids listed for it in `liquidations`. Read
/// twice, and both must agree: by the [`EventReader`] a line at a time, and
/// as the scan's pipeline reads it, every line parsed ahead by the
/// [`EventParser`] before the [`EventJudge`] judges any.
fn run_with(
    text: &str,
    liquidations: &[(u64, u64)],
) -> (Vec<Result<ItemRecord, InputError>>, Book) {
    let invalid = |e: ReadError| match e {
        ReadError::Invalid(e) => e,
        ReadError::Io { .. } => panic!("I/O error from a byte slice"),
    };
    // What a scan does with an item: apply a change, liquidate on a tick.
    let handle =
        |book: &mut Book, record: &ItemRecord, liquidated: &mut dyn FnMut(u64, u64)| match &record
            .item
        {
            Item::Change(change) => book.apply(&change.update),
            Item::Tick(tick) => {
                for &(seq, id) in liquidations {
                    if seq == tick.seq {
                        book.close(id);
                        liquidated(id, seq);
                    }
                }
            }
            Item::Stale(_) => {}
        };

    let mut book = book();
    let mut reader = EventReader::new(text.as_bytes(), "events.jsonl", &book);
    let mut out = Vec::new();
    while let Some(item) = reader.next_event(&book) {
        let item = item.map_err(invalid);
        if let Ok(record) = &item {
            handle(&mut book, record, &mut |id, seq| reader.liquidated(id, seq));
        }
        out.push(item);
    }

    let mut ahead_book = self::book();
    let mut parser = EventParser::new(text.as_bytes(), "events.jsonl", market());
    let parsed: Vec<_> = std::iter::from_fn(|| parser.next_line()).collect();
    let mut judge = EventJudge::new("events.jsonl", &ahead_book);
    let mut ahead = Vec::new();
    for line in parsed {
        let item = line
            .map_err(invalid)
            .and_then(|line| judge.judge(&ahead_book, line));
        if let Ok(record) = &item {
            handle(&mut ahead_book, record, &mut |id, seq| {
                judge.liquidated(id, seq)
            });
        }
        ahead.push(item);
    }
    assert_eq!(ahead, out, "parsed ahead, then judged: {text}");
    (out, book)
}

fn run(text: &str) -> Vec<Result<ItemRecord, InputError>> {
    run_with(text, &[]).0
}

/// The only error of `text` (every other line good).
#[track_caller]
fn refused(text: &str, line: u64, field: &str, reason: &str) {
    let errors: Vec<InputError> = run(text).into_iter().filter_map(Result::err).collect();
    assert_eq!(errors.len(), 1, "{text}: {errors:?}");
    let error = &errors[0];
    assert_eq!(
        (error.file.as_str(), error.line, error.field.as_str()),
        ("events.jsonl", line, field),
        "{error}"
    );
    assert!(error.reason.contains(reason), "{error}\nlacks {reason:?}");
    assert!(!error.to_string().contains(['\n', '\r']), "{error}");
}

/// The items of `text`, which must all be good.
#[track_caller]
fn items(text: &str) -> Vec<ItemRecord> {
    run(text)
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn position(book: &Book, id: u64) -> Position {
    book.get(id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not open"))
}

/// `units · 10^-10`, BTCUSDT's quote scale.
fn btc_units(text: &str) -> i128 {
    let units = market().units(SymbolId(0)).clone();
    units
        .signed_quote_units(&parse_decimal(text).unwrap(), "x")
        .unwrap()
}

const SPEC_EXAMPLE: &str = r#"{"seq":1,"kind":"open","id":7,"account":"a","symbol":"BTCUSDT","qty":"-0.5","entry_price":"50000","margin":"2500"}
{"seq":2,"kind":"update","id":7,"qty":"-0.8","entry_price":"50100.5","margin":"4000"}
{"seq":3,"kind":"margin","id":7,"delta":"-100","reason":"withdraw"}
{"seq":4,"kind":"close","id":7}
{"seq":5,"kind":"tick","symbol":"BTCUSDT","mark_price":"45000.1"}
"#;

#[test]
fn reads_each_kind_of_the_example() {
    let got = items(SPEC_EXAMPLE);
    let opened = Position {
        id: 7,
        account: "a".into(),
        symbol: SymbolId(0),
        qty_lots: -500,
        entry_ticks: 500_000,
        margin_units: btc_units("2500"),
    };
    let resized = Position {
        qty_lots: -800,
        entry_ticks: 501_005,
        margin_units: btc_units("4000"),
        ..opened.clone()
    };
    let withdrawn = Position {
        margin_units: btc_units("3900"),
        ..resized.clone()
    };
    let change = |kind, update| Item::Change(Change { kind, update });
    let expected = [
        change(ChangeKind::Open, Update::Upsert(opened)),
        change(ChangeKind::Update, Update::Upsert(resized)),
        change(
            ChangeKind::Margin(MarginReason::Withdraw),
            Update::Upsert(withdrawn),
        ),
        change(ChangeKind::Close, Update::Close(7)),
        Item::Tick(Tick {
            seq: 5,
            symbol: SymbolId(0),
            price: 450_001,
        }),
    ];
    assert_eq!(got.len(), expected.len());
    for (i, (record, item)) in got.iter().zip(expected).enumerate() {
        assert_eq!((record.line, record.seq), (i as u64 + 1, i as u64 + 1));
        assert_eq!(record.item, item, "line {}", i + 1);
    }
}

#[test]
fn margin_moves_of_each_reason() {
    let text = r#"{"seq":1,"kind":"margin","id":42,"delta":"250.5","reason":"deposit"}
{"seq":2,"kind":"margin","id":42,"delta":"-5250.5","reason":"withdraw"}
{"seq":3,"kind":"margin","id":42,"delta":"-0.00000001","reason":"funding"}
{"seq":4,"kind":"margin","id":42,"delta":"1.5","reason":"funding"}
{"seq":5,"kind":"margin","id":42,"delta":"0","reason":"funding"}
"#;
    let (got, book) = run_with(text, &[]);
    assert!(got.iter().all(Result::is_ok), "{got:?}");
    // 5,000 + 250.5 − 5,250.5 (exactly to zero) − 10^-8 + 1.5 + 0.
    assert_eq!(position(&book, 42).margin_units, btc_units("1.49999999"));
    let reasons: Vec<ChangeKind> = got
        .into_iter()
        .map(|r| match r.unwrap().item {
            Item::Change(c) => c.kind,
            other => panic!("{other:?}"),
        })
        .collect();
    use MarginReason::*;
    assert_eq!(
        reasons,
        [Deposit, Withdraw, Funding, Funding, Funding].map(ChangeKind::Margin)
    );
}

#[test]
fn funding_may_take_the_margin_below_zero_down_to_the_spec_range() {
    let (got, book) = run_with(
        r#"{"seq":1,"kind":"margin","id":42,"delta":"-5000.00000001","reason":"funding"}"#,
        &[],
    );
    assert!(got[0].is_ok(), "{got:?}");
    assert_eq!(position(&book, 42).margin_units, btc_units("-0.00000001"));
    // To the last unit inside (−10^10, 10^10), and one unit past it.
    let edge = r#"{"seq":1,"kind":"margin","id":42,"delta":"-9999999999.99999999","reason":"funding"}
{"seq":2,"kind":"margin","id":42,"delta":"-5000","reason":"funding"}"#;
    let (got, book) = run_with(edge, &[]);
    assert!(got[0].is_ok() && got[1].is_ok(), "{got:?}");
    assert_eq!(
        position(&book, 42).margin_units,
        btc_units("-9999999999.99999999")
    );
    refused(
        r#"{"seq":1,"kind":"margin","id":42,"delta":"-9999999999.99999999","reason":"funding"}
{"seq":2,"kind":"margin","id":42,"delta":"-5000.00000001","reason":"funding"}"#,
        2,
        "delta",
        "the margin would be -10000000000 (it is -9999994999.99999999): out of range, must be > -10000000000 and < 10000000000",
    );
    refused(
        r#"{"seq":1,"kind":"margin","id":42,"delta":"9999999999.99999999","reason":"deposit"}"#,
        1,
        "delta",
        "the margin would be 10000004999.99999999 (it is 5000): out of range",
    );
    refused(
        r#"{"seq":1,"kind":"margin","id":42,"delta":"-10000000000","reason":"funding"}"#,
        1,
        "delta",
        "out of range: must be > -10000000000 and < 10000000000",
    );
    refused(
        r#"{"seq":1,"kind":"margin","id":42,"delta":"0.000000001","reason":"deposit"}"#,
        1,
        "delta",
        "at most 8 decimals allowed, got 9",
    );
}

#[test]
fn a_withdraw_never_leaves_the_margin_below_zero() {
    refused(
        r#"{"seq":1,"kind":"margin","id":42,"delta":"-5000.00000001","reason":"withdraw"}"#,
        1,
        "delta",
        "a withdraw of 5000.00000001 would leave the margin at -0.00000001 (it is 5000): a withdraw must leave it >= 0",
    );
    // Below zero after funding: no withdraw at all, a deposit is fine.
    let text = r#"{"seq":1,"kind":"margin","id":42,"delta":"-5001","reason":"funding"}
{"seq":2,"kind":"margin","id":42,"delta":"-0.5","reason":"withdraw"}
{"seq":3,"kind":"margin","id":42,"delta":"2","reason":"deposit"}
"#;
    refused(
        text,
        2,
        "delta",
        "would leave the margin at -1.5 (it is -1)",
    );
    let (_, book) = run_with(text, &[]);
    assert_eq!(position(&book, 42).margin_units, btc_units("1"));
}

#[test]
fn each_reason_has_its_sign() {
    for (delta, reason, rule) in [
        ("0", "deposit", "a deposit must have delta > 0, got \"0\""),
        ("-1", "deposit", "a deposit must have delta > 0, got \"-1\""),
        ("0", "withdraw", "a withdraw must have delta < 0, got \"0\""),
        ("1", "withdraw", "a withdraw must have delta < 0"),
    ] {
        refused(
            &format!(
                r#"{{"seq":1,"kind":"margin","id":42,"delta":"{delta}","reason":"{reason}"}}"#
            ),
            1,
            "delta",
            rule,
        );
    }
    refused(
        r#"{"seq":1,"kind":"margin","id":42,"delta":"1","reason":"bonus"}"#,
        1,
        "reason",
        "unknown reason \"bonus\" (one of deposit, withdraw, funding)",
    );
}

#[test]
fn stated_margins_follow_the_positions_file() {
    let open = |margin: &str| {
        format!(
            r#"{{"seq":1,"kind":"open","id":1,"account":"b","symbol":"ETHUSDT","qty":"3","entry_price":"2000.01","margin":"{margin}"}}"#
        )
    };
    let update = |margin: &str| {
        format!(
            r#"{{"seq":1,"kind":"update","id":42,"qty":"2","entry_price":"49000","margin":"{margin}"}}"#
        )
    };
    for text in [
        open("9999999999.99999999"),
        open("0"),
        update("9999999999.99999999"),
        update("0"),
    ] {
        assert!(run(&text)[0].is_ok(), "{text}");
    }
    for text in [open("-1"), update("-0.00000001")] {
        refused(&text, 1, "margin", "must be >= 0");
    }
    for text in [open("10000000000"), update("10000000000")] {
        refused(&text, 1, "margin", "out of range: must be < 10000000000");
    }
    refused(
        &update("1.000000001"),
        1,
        "margin",
        "at most 8 decimals allowed, got 9",
    );
}

#[test]
fn json_numbers_in_decimal_fields_are_refused() {
    refused(
        r#"{"seq":1,"kind":"tick","symbol":"BTCUSDT","mark_price":45000.1}"#,
        1,
        "mark_price",
        "JSON number 45000.1 refused: numbers are inexact, write it as a string, \"45000.1\"",
    );
    for (field, line) in [
        (
            "qty",
            r#"{"seq":1,"kind":"update","id":42,"qty":1,"entry_price":"1","margin":"1"}"#,
        ),
        (
            "entry_price",
            r#"{"seq":1,"kind":"update","id":42,"qty":"1","entry_price":5e4,"margin":"1"}"#,
        ),
        (
            "margin",
            r#"{"seq":1,"kind":"update","id":42,"qty":"1","entry_price":"1","margin":-0}"#,
        ),
        (
            "delta",
            r#"{"seq":1,"kind":"margin","id":42,"delta":1,"reason":"deposit"}"#,
        ),
    ] {
        refused(line, 1, field, "refused: numbers are inexact");
    }
    for (value, found) in [
        ("null", "null"),
        ("true", "a boolean"),
        ("[\"1\"]", "an array"),
    ] {
        refused(
            &format!(r#"{{"seq":1,"kind":"tick","symbol":"BTCUSDT","mark_price":{value}}}"#),
            1,
            "mark_price",
            &format!("expected a decimal string, found {found}"),
        );
    }
    // The one decimal grammar inside the string.
    refused(
        r#"{"seq":1,"kind":"tick","symbol":"BTCUSDT","mark_price":".5"}"#,
        1,
        "mark_price",
        "not a decimal number: \".5\"",
    );
}

#[test]
fn seq_and_id_are_json_integers_and_seq_increases() {
    let tick =
        |seq: &str| format!(r#"{{"seq":{seq},"kind":"tick","symbol":"BTCUSDT","mark_price":"1"}}"#);
    let lines = |seqs: &[&str]| seqs.iter().map(|s| tick(s)).collect::<Vec<_>>().join("\n");
    refused(
        &lines(&["5", "5"]),
        2,
        "seq",
        "not increasing: 5 after 5 (line 1)",
    );
    refused(
        &lines(&["5", "9", "6"]),
        3,
        "seq",
        "not increasing: 6 after 9 (line 2)",
    );
    refused(
        &tick("\"1\""),
        1,
        "seq",
        "a string \"1\", not a JSON integer",
    );
    refused(
        &tick("1.0"),
        1,
        "seq",
        "not an unsigned 64-bit integer: 1.0",
    );
    refused(&tick("-1"), 1, "seq", "not an unsigned 64-bit integer: -1");
    refused(
        &tick("18446744073709551616"),
        1,
        "seq",
        "not an unsigned 64-bit integer",
    );
    refused(
        &tick("null"),
        1,
        "seq",
        "expected a JSON integer, found null",
    );
    assert_eq!(items(&tick("18446744073709551615"))[0].seq, u64::MAX);
    assert_eq!(items(&lines(&["0", "7", "100"])).len(), 3, "gaps are fine");
    refused(
        r#"{"kind":"tick","symbol":"BTCUSDT","mark_price":"1"}"#,
        1,
        "seq",
        "missing field `seq`",
    );
    refused(
        r#"{"seq":1,"kind":"close","id":"42"}"#,
        1,
        "id",
        "a string \"42\", not a JSON integer",
    );
    refused(
        r#"{"seq":1,"kind":"close","id":4.2e1}"#,
        1,
        "id",
        "not an unsigned 64-bit integer",
    );
}

#[test]
fn a_bad_line_does_not_move_seq_on() {
    // Line 2 is bad at its symbol; line 3 must still exceed line 1's seq,
    // not line 2's.
    let text = r#"{"seq":5,"kind":"tick","symbol":"BTCUSDT","mark_price":"1"}
{"seq":9,"kind":"tick","symbol":"DOGE","mark_price":"1"}
{"seq":6,"kind":"tick","symbol":"BTCUSDT","mark_price":"1"}
{"seq":6,"kind":"tick","symbol":"BTCUSDT","mark_price":"1"}"#;
    let got = run(text);
    assert!(got[0].is_ok() && got[2].is_ok());
    assert!(got[1]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("unknown symbol \"DOGE\""));
    assert!(got[3]
        .as_ref()
        .unwrap_err()
        .reason
        .contains("not increasing: 6 after 6 (line 3)"));
}

#[test]
fn unknown_missing_and_repeated_fields() {
    refused(
        r#"{"seq":1,"kind":"close","id":42,"leverage":"20"}"#,
        1,
        "leverage",
        "unknown field \"leverage\" (every kind's fields: seq, kind, id, account, symbol, qty, entry_price, margin, delta, reason, mark_price)",
    );
    refused(
        r#"{"seq":1,"kind":"close","id":42,"":"1"}"#,
        1,
        "\"\"",
        "unknown field \"\"",
    );
    refused(
        r#"{"seq":1,"kind":"close","id":42,"qty":"1"}"#,
        1,
        "qty",
        "unknown field `qty` for kind `close` (a `close` line has seq, kind, id)",
    );
    refused(
        r#"{"seq":1,"kind":"update","id":42,"qty":"1","entry_price":"1"}"#,
        1,
        "margin",
        "missing field `margin` (a `update` line has seq, kind, id, qty, entry_price, margin)",
    );
    refused(
        r#"{"seq":1,"kind":"tick","symbol":"BTCUSDT"}"#,
        1,
        "mark_price",
        "missing field `mark_price`",
    );
    refused(
        r#"{"seq":1,"kind":"close","id":42,"id":43}"#,
        1,
        "id",
        "duplicate field",
    );
    refused(
        r#"{"seq":1,"id":42}"#,
        1,
        "kind",
        "missing field `kind` (one of open, update, margin, close, tick)",
    );
    refused(
        r#"{"seq":1,"kind":"liquidate","id":42}"#,
        1,
        "kind",
        "unknown kind \"liquidate\" (one of open, update, margin, close, tick)",
    );
    refused(
        r#"{"seq":1,"kind":7}"#,
        1,
        "kind",
        "expected a JSON string, found a number",
    );
}

#[test]
fn ids_never_opened_closed_or_reused() {
    refused(
        r#"{"seq":1,"kind":"close","id":43}"#,
        1,
        "id",
        "position 43 was never opened",
    );
    refused(
        r#"{"seq":1,"kind":"margin","id":43,"delta":"1","reason":"deposit"}"#,
        1,
        "id",
        "position 43 was never opened",
    );
    refused(
        r#"{"seq":1,"kind":"close","id":42}
{"seq":2,"kind":"update","id":42,"qty":"1","entry_price":"1","margin":"1"}"#,
        2,
        "id",
        "position 42 was closed at line 1",
    );
    let open = |seq: u64, id: u64| {
        format!(
            r#"{{"seq":{seq},"kind":"open","id":{id},"account":"b","symbol":"BTCUSDT","qty":"1","entry_price":"1","margin":"1"}}"#
        )
    };
    refused(
        &open(1, 42),
        1,
        "id",
        "id 42 seen before (it is in the opening book): an id is never reused",
    );
    refused(
        &format!("{}\n\n{}", open(1, 7), open(2, 7)),
        3,
        "id",
        "id 7 seen before (opened at line 1)",
    );
    refused(
        &format!(
            "{}\n{{\"seq\":2,\"kind\":\"close\",\"id\":7}}\n{}",
            open(1, 7),
            open(3, 7)
        ),
        3,
        "id",
        "id 7 seen before (closed at line 2)",
    );
    let liquidated = format!(
        "{{\"seq\":1,\"kind\":\"tick\",\"symbol\":\"BTCUSDT\",\"mark_price\":\"1\"}}\n{}",
        open(2, 42)
    );
    let (got, _) = run_with(&liquidated, &[(1, 42)]);
    let error = got[1].as_ref().unwrap_err();
    assert_eq!((error.line, error.field.as_str()), (2, "id"));
    assert!(
        error
            .reason
            .contains("id 42 seen before (liquidated at tick 1)"),
        "{error}"
    );
    refused(
        r#"{"seq":1,"kind":"open","id":1,"account":"","symbol":"BTCUSDT","qty":"1","entry_price":"1","margin":"1"}"#,
        1,
        "account",
        "empty value",
    );
}

#[test]
fn changes_to_a_liquidated_position_are_stale() {
    let text = r#"{"seq":3,"kind":"tick","symbol":"BTCUSDT","mark_price":"1"}
{"seq":4,"kind":"update","id":42,"qty":"2","entry_price":"2","margin":"2"}
{"seq":5,"kind":"margin","id":42,"delta":"-3","reason":"withdraw"}
{"seq":6,"kind":"close","id":42}
{"seq":7,"kind":"close","id":42}"#;
    let (got, after) = run_with(text, &[(3, 42)]);
    let stale: Vec<Stale> = got[1..]
        .iter()
        .map(|r| match &r.as_ref().unwrap().item {
            Item::Stale(stale) => *stale,
            other => panic!("{other:?}"),
        })
        .collect();
    let at = |kind| Stale {
        kind,
        id: 42,
        liquidated_at: Some(3),
    };
    assert_eq!(
        stale,
        [
            at(ChangeKind::Update),
            at(ChangeKind::Margin(MarginReason::Withdraw)),
            at(ChangeKind::Close),
            at(ChangeKind::Close),
        ]
    );
    assert_eq!(
        stale[1].to_string(),
        "margin (withdraw) of position 42: liquidated at tick 3"
    );
    assert!(after.is_empty());
    // Still judged up to the book: a wrong sign is bad input even when stale.
    let (got, _) = run_with(
        r#"{"seq":3,"kind":"tick","symbol":"BTCUSDT","mark_price":"1"}
{"seq":4,"kind":"margin","id":42,"delta":"3","reason":"withdraw"}"#,
        &[(3, 42)],
    );
    assert_eq!(got[1].as_ref().unwrap_err().field, "delta");
    // A reader not told of the liquidation still calls it stale, without the tick.
    let mut reader = EventReader::new(&br#"{"seq":1,"kind":"close","id":42}"#[..], "e", &book());
    let record = reader.next_event(&Book::new(market())).unwrap().unwrap();
    assert_eq!(
        record.item,
        Item::Stale(Stale {
            kind: ChangeKind::Close,
            id: 42,
            liquidated_at: None
        })
    );
}

#[test]
fn values_on_the_position_symbol_grid() {
    // ETHUSDT: tick 0.01, lot 1; an update takes its position's symbol.
    let text = r#"{"seq":1,"kind":"open","id":1,"account":"b","symbol":"ETHUSDT","qty":"-3","entry_price":"2000.01","margin":"60"}
{"seq":2,"kind":"update","id":1,"qty":"-2.5","entry_price":"2000.01","margin":"60"}
{"seq":3,"kind":"update","id":42,"qty":"-2.5","entry_price":"50000.05","margin":"60"}
{"seq":4,"kind":"tick","symbol":"ETHUSDT","mark_price":"2000.001"}
{"seq":5,"kind":"update","id":1,"qty":"0","entry_price":"2000","margin":"60"}
{"seq":6,"kind":"tick","symbol":"ETHUSDT","mark_price":"0"}
"#;
    let got = run(text);
    let error = |i: usize| got[i].as_ref().unwrap_err().to_string();
    assert_eq!(error(1), "events.jsonl:2: qty: not a multiple of 1");
    assert_eq!(
        error(2),
        "events.jsonl:3: entry_price: not a multiple of 0.1"
    );
    assert_eq!(
        error(3),
        "events.jsonl:4: mark_price: not a multiple of 0.01"
    );
    assert_eq!(error(4), "events.jsonl:5: qty: must be nonzero");
    assert_eq!(error(5), "events.jsonl:6: mark_price: must be > 0");
    refused(
        r#"{"seq":1,"kind":"tick","symbol":"DOGEUSDT","mark_price":"1"}"#,
        1,
        "symbol",
        "unknown symbol \"DOGEUSDT\"",
    );
    refused(
        r#"{"seq":1,"kind":"tick","symbol":"BTCUSDT","mark_price":"429496729.6"}"#,
        1,
        "mark_price",
        "out of range",
    );
}

#[test]
fn line_ends_blank_lines_and_a_byte_order_mark() {
    let example: Vec<&str> = SPEC_EXAMPLE.lines().collect();
    for (ending, name) in [("\n", "LF"), ("\r\n", "CRLF"), ("\r", "CR")] {
        // A blank line and a line of spaces and tabs between lines 2 and 3.
        let text = format!(
            "\u{feff}{}{ending}{}{ending}{ending} \t {ending}{}{ending}{}{ending}{}",
            example[0], example[1], example[2], example[3], example[4]
        );
        let lines: Vec<u64> = items(&text).iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 5, 6, 7], "{name}");
        // An error after the blank lines is on the line an editor shows.
        let bad = text.replace("45000.1", "45000.15");
        refused(&bad, 7, "mark_price", "not a multiple of 0.1");
    }
}

#[test]
fn records_that_are_not_one_json_object() {
    refused(
        "[1,\"tick\"]",
        1,
        "record",
        "not a JSON object: \"[1,\\\"tick\\\"]\"",
    );
    refused("7", 1, "record", "not a JSON object");
    refused(
        r#"{"seq":1,"kind":"close","id":42"#,
        1,
        "record",
        "invalid JSON at column 31: EOF while parsing an object",
    );
    refused(
        r#"{"seq":1,"kind":"close","id":42} {"seq":2}"#,
        1,
        "record",
        "invalid JSON at column 34: trailing characters",
    );
    refused(
        r#"{"seq":1,"kind":"close",'id':42}"#,
        1,
        "record",
        "invalid JSON at column 25: key must be a string",
    );
    refused(
        "{\"seq\":1,\"kind\":\"close\",\"id\":42}\n\u{ff}",
        2,
        "record",
        "not a JSON object",
    );
    let mut invalid = br#"{"seq":1,"kind":"close","id":42}"#.to_vec();
    invalid.extend_from_slice(b"\n{\"seq\":2,\"kind\":\"cl\xffose\",\"id\":42}");
    let mut reader = EventReader::new(&invalid[..], "events.jsonl", &book());
    let book = book();
    assert!(reader.next_event(&book).unwrap().is_ok());
    let error = reader.next_event(&book).unwrap().unwrap_err();
    assert_eq!(error.to_string(), "events.jsonl:2: record: invalid UTF-8");
}

#[test]
fn huge_values_and_lines_are_cut_in_errors() {
    let huge = "1".repeat(60_000);
    refused(
        &format!(r#"{{"seq":1,"kind":"tick","symbol":"BTCUSDT","mark_price":"{huge}x"}}"#),
        1,
        "mark_price",
        "… (60001 bytes) (expected [+-]digits[.digits])",
    );
    let too_long = format!(
        r#"{{"seq":1,"kind":"tick","symbol":"BTCUSDT","mark_price":"{}"}}"#,
        "1".repeat(MAX_LINE_BYTES)
    );
    refused(
        &format!(
            "{too_long}\n{}",
            SPEC_EXAMPLE
                .lines()
                .nth(4)
                .unwrap()
                .replace("\"seq\":5", "\"seq\":2")
        ),
        1,
        "record",
        &format!("line too long: {} bytes, at most 65536", too_long.len()),
    );
    let run = run(&format!(
        "{}\n{too_long}",
        SPEC_EXAMPLE.lines().next().unwrap()
    ));
    assert!(run[0].is_ok() && run[1].as_ref().unwrap_err().line == 2);
    let message = run[1].as_ref().unwrap_err().to_string();
    assert!(message.len() < 200, "{message}");
}

#[test]
fn read_events_applies_its_changes_and_stops_at_the_first_bad_line() {
    let records = read_events(SPEC_EXAMPLE.as_bytes(), "events.jsonl", book()).unwrap();
    assert_eq!(records.len(), 5);
    let bad = format!("{SPEC_EXAMPLE}{{\"seq\":6,\"kind\":\"close\",\"id\":7}}\n");
    let error = read_events(bad.as_bytes(), "events.jsonl", book()).unwrap_err();
    assert_eq!(
        error.invalid().unwrap().to_string(),
        "events.jsonl:6: id: position 7 was closed at line 4"
    );
}
