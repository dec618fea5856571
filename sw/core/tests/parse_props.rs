//! The fuzz targets' properties (`fuzz/`, `liqscan_core::input::check`), run
//! on stable in CI for a bounded time: every seed corpus file, then a few
//! thousand arbitrary and mutated inputs per parser. On any bytes: no panic,
//! and either a parsed value or an error located by file, line and field.

use std::path::PathBuf;

use liqscan_core::decimal::parse_decimal;
use liqscan_core::input::{check, read_events, read_positions, read_symbols, read_ticks};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// A property check: panics if the parser breaks a property on these bytes.
type Check = fn(&[u8]);

/// The parsers by fuzz target name.
const TARGETS: [(&str, Check); 5] = [
    ("decimal", check::decimal),
    ("symbols", check::symbols),
    ("positions", check::positions),
    ("ticks", check::ticks),
    ("events", check::events),
];

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Whether the parser behind `target` accepts `data` whole (every tick or
/// event good).
fn accepted(target: &str, data: &[u8]) -> bool {
    let market = check::market;
    match target {
        "decimal" => std::str::from_utf8(data).is_ok_and(|t| parse_decimal(t).is_ok()),
        "symbols" => read_symbols(data, "symbols.toml").is_ok(),
        "positions" => read_positions(data, "positions.csv", market()).is_ok(),
        "ticks" => read_ticks(data, "ticks.csv", market()).is_ok(),
        "events" => read_events(data, "events.jsonl", check::events_book()).is_ok(),
        other => panic!("unknown target {other}"),
    }
}

/// Each corpus file keeps the properties; `valid-*` files are accepted and
/// `invalid-*` ones refused, so the corpus stays what its names say.
#[test]
fn every_corpus_file_keeps_the_properties() {
    for (target, check) in TARGETS {
        let files = corpus(target);
        assert!(files.len() >= 4, "{target}: a few seeds at least");
        for (name, data) in files {
            check(&data);
            if name.starts_with("valid") {
                assert!(accepted(target, &data), "{target}/{name} refused");
            } else if name.starts_with("invalid") {
                assert!(!accepted(target, &data), "{target}/{name} accepted");
            }
        }
    }
}

/// Bytes that move the parsers between states: quotes, separators, line
/// ends, signs, points, digits, TOML and JSON punctuation, invalid UTF-8.
const INTERESTING: &[u8] = b"\"\",,\r\n\n.-+0123456789 =[]{}:#'\\e_\xff\xc3";

/// A mutation: at (a fraction of) the length, delete, insert or replace
/// one byte, or duplicate a slice.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, u8),
    Replace(usize, u8),
    Repeat(usize, usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        3 => proptest::sample::select(INTERESTING),
        1 => any::<u8>(),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte.clone()).prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), byte).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<usize>(), 1..40usize, 1..4u8).prop_map(|(at, len, n)| Edit::Repeat(at, len, n)),
    ]
}

fn mutate(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let at = |i: usize, extra: usize| i % (data.len() + extra).max(1);
        match *edit {
            Edit::Delete(i) if !data.is_empty() => {
                data.remove(at(i, 0));
            }
            Edit::Insert(i, b) => data.insert(at(i, 1), b),
            Edit::Replace(i, b) if !data.is_empty() => {
                let i = at(i, 0);
                data[i] = b;
            }
            Edit::Repeat(i, len, n) if !data.is_empty() => {
                let start = at(i, 0);
                let slice = data[start..(start + len).min(data.len())].to_vec();
                for _ in 0..n {
                    data.splice(start..start, slice.iter().copied());
                }
            }
            _ => {}
        }
    }
    data
}

/// Text made of the interesting bytes and a few words, more likely to get
/// past the first checks than uniform bytes.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => proptest::sample::select(INTERESTING).prop_map(|b| vec![b]),
        1 => proptest::sample::select(&[
            "seq,symbol,mark_price\n",
            "id,account,symbol,qty,entry_price,margin\n",
            "BTCUSDT", "ETHUSDT", "[[symbol]]\n", "[[symbol.brackets]]\n", "name = ",
            "tick_size = ", "lot_size = ", "mmr = ", "maint_amount = ", "notional_cap = ",
            "\"0.1\"", "45180.7", "-0.5", "50000", "0.001",
            "{\"seq\":", "\"kind\":", "\"open\"", "\"update\"", "\"margin\"", "\"close\"",
            "\"tick\"", "\"id\":", "\"qty\":", "\"delta\":", "\"reason\":\"funding\"",
            "\"symbol\":\"BTCUSDT\"", "\"mark_price\":", "\"entry_price\":", "\"account\":\"a\"",
            "1", "2", "}\n",
        ][..])
        .prop_map(|s: &str| s.as_bytes().to_vec()),
    ];
    proptest::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat())
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        for (_, check) in TARGETS {
            check(&data);
        }
    }

    #[test]
    fn arbitrary_text(data in texty()) {
        for (_, check) in TARGETS {
            check(&data);
        }
    }

    #[test]
    fn mutated_seeds(
        seed in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(edit(), 1..8),
    ) {
        for (target, check) in TARGETS {
            let seeds = corpus(target);
            let (_, data) = &seeds[seed.index(seeds.len())];
            check(&mutate(data.clone(), &edits));
        }
    }

    #[test]
    fn decimals_near_the_grammar(
        sign in proptest::sample::select(&["", "-", "+", "--", "+-"][..]),
        int in "[0-9]{0,31}",
        point in proptest::bool::ANY,
        frac in "[0-9]{0,31}",
    ) {
        let (int, frac) = if point { (int, frac) } else { (format!("{int}{frac}"), String::new()) };
        let text = format!("{sign}{int}{}{frac}", if point { "." } else { "" });
        check::decimal(text.as_bytes());
        let valid = sign.len() < 2 && !int.is_empty() && (!point || !frac.is_empty());
        if !valid {
            prop_assert!(parse_decimal(&text).is_err(), "{text:?} accepted");
        }
        if valid {
            let significant = format!("{int}{}", frac.trim_end_matches('0')).trim_start_matches('0').len();
            let decimals = frac.trim_end_matches('0').len();
            let in_limits = significant <= 28 && decimals <= 28;
            prop_assert_eq!(parse_decimal(&text).is_ok(), in_limits, "{:?}", text);
        }
    }
}
