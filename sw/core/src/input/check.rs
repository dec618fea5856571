//! The robustness properties of every input parser, on any bytes: no panic,
//! no hang, and either a parsed value or an error located by file, line and
//! field, on one bounded line. The fuzz targets (`fuzz/`) and the bounded
//! property run in CI (`sw/core/tests/parse_props.rs`) both call these, so
//! they check the same thing. Each function panics if a property is broken.

use std::sync::{Arc, OnceLock};

use super::error::{InputError, ReadError};
use super::{parse_symbols, read_positions, read_symbols, EventReader, Item, TickReader};
use crate::book::{Book, Update};
use crate::cpu::CpuScanner;
use crate::decimal::{parse_decimal, MAX_DIGITS};
use crate::engine::Engine;
use crate::market::Market;
use crate::spec::MAX_POSITIONS;

/// The README's `symbols.toml`: `BTCUSDT` alone (tick 0.1, lot 0.001, two
/// brackets), as a literal for `concat!`.
macro_rules! btcusdt_symbols {
    () => {
        r#"liquidate_at_equal = false
[[symbol]]
name = "BTCUSDT"
tick_size = "0.1"
lot_size = "0.001"
[[symbol.brackets]]
notional_cap = "50000"
mmr = "0.004"
maint_amount = "0"
[[symbol.brackets]]
mmr = "0.005"
maint_amount = "50"
"#
    };
}

/// The README's `symbols.toml`: `BTCUSDT` alone (tick 0.1, lot 0.001, two
/// brackets).
pub const BTCUSDT_SYMBOLS: &str = btcusdt_symbols!();

/// The market the positions and ticks checks read against: `BTCUSDT`
/// ([`BTCUSDT_SYMBOLS`]) and `ETHUSDT` (tick 0.01, lot 1).
pub const SYMBOLS: &str = concat!(
    btcusdt_symbols!(),
    r#"
[[symbol]]
name = "ETHUSDT"
tick_size = "0.01"
lot_size = 1
[[symbol.brackets]]
mmr = "0.01"
maint_amount = 0
"#
);

/// [`SYMBOLS`], parsed once.
pub fn market() -> Arc<Market> {
    static MARKET: OnceLock<Arc<Market>> = OnceLock::new();
    MARKET
        .get_or_init(|| Arc::new(parse_symbols(SYMBOLS, "symbols.toml").expect("valid")))
        .clone()
}

/// Longest error line any input may produce (file name aside).
const MAX_ERROR_BYTES: usize = 8 * 1024;

/// Lines of `data` as the readers count them (`\n`, `\r\n` or `\r` ends a
/// line), plus one for an unfinished last line.
fn line_count(data: &[u8]) -> u64 {
    let mut lines = 1;
    let mut after_cr = false;
    for &b in data {
        if b == b'\r' || (b == b'\n' && !after_cr) {
            lines += 1;
        }
        after_cr = b == b'\r';
    }
    lines
}

/// An input error is located in `data` and is one bounded line.
#[track_caller]
pub fn assert_located(error: &InputError, file: &str, data: &[u8]) {
    assert_eq!(error.file, file, "{error}");
    let lines = line_count(data);
    assert!(
        (1..=lines).contains(&error.line),
        "line {} outside 1..={lines}: {error}",
        error.line
    );
    assert!(!error.field.is_empty(), "no field: {error}");
    assert!(!error.reason.is_empty(), "no reason: {error}");
    let message = error.to_string();
    assert!(!message.contains(['\n', '\r']), "not one line: {message:?}");
    assert!(
        message.len() <= file.len() + MAX_ERROR_BYTES,
        "{} bytes of error",
        message.len()
    );
}

#[track_caller]
fn invalid(error: &ReadError) -> &InputError {
    match error {
        ReadError::Invalid(e) => e,
        ReadError::Io { .. } => panic!("I/O error from a byte slice: {error}"),
    }
}

/// The decimal parser: a value in the grammar re-parses from its canonical
/// form to itself; a refusal is one bounded line.
pub fn decimal(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_decimal(text) {
        Ok(value) => {
            let canonical = value.to_string();
            assert_eq!(parse_decimal(&canonical), Ok(value), "{text:?}");
            assert!(value.scale() as usize <= MAX_DIGITS, "{text:?}");
            let unsigned = text.trim_start_matches(['-', '+']);
            assert!(
                unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
                "{text:?} accepted"
            );
            assert!(
                !unsigned.starts_with('.') && !unsigned.ends_with('.'),
                "{text:?} accepted"
            );
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains(['\n', '\r']), "{message:?}");
            assert!(message.len() <= 512, "{} bytes of error", message.len());
        }
    }
}

/// The symbols parser: a market with at least one symbol, or a located error.
pub fn symbols(data: &[u8]) {
    match read_symbols(data, "symbols.toml") {
        Ok(market) => assert!(!market.is_empty()),
        Err(error) => assert_located(invalid(&error), "symbols.toml", data),
    }
}

/// The positions parser, against [`SYMBOLS`]: a book within the limits, or
/// a located error.
pub fn positions(data: &[u8]) {
    match read_positions(data, "positions.csv", market()) {
        Ok(book) => {
            assert!(book.len() <= MAX_POSITIONS);
            assert!((book.len() as u64) < line_count(data));
        }
        Err(error) => assert_located(invalid(&error), "positions.csv", data),
    }
}

/// The tick stream, against [`SYMBOLS`]: read to the end, every item a tick
/// (lines and `seq` strictly increasing) or a located error, and no more
/// items than lines.
pub fn ticks(data: &[u8]) {
    let reader = match TickReader::new(data, "ticks.csv", market()) {
        Ok(reader) => reader,
        Err(error) => return assert_located(invalid(&error), "ticks.csv", data),
    };
    let lines = line_count(data);
    let mut items = 0u64;
    let mut last: Option<(u64, u64)> = None;
    for item in reader {
        items += 1;
        assert!(items < lines, "{items} items from {lines} lines");
        match item {
            Ok(tick) => {
                assert!(
                    (2..=lines).contains(&tick.line),
                    "tick at line {}",
                    tick.line
                );
                if let Some((line, seq)) = last {
                    assert!(tick.line > line && tick.tick.seq > seq);
                }
                last = Some((tick.line, tick.tick.seq));
            }
            Err(error) => assert_located(invalid(&error), "ticks.csv", data),
        }
    }
}

/// The opening book the events check reads against: a long on `BTCUSDT`
/// (id 1) and a short on `ETHUSDT` (id 2).
pub const EVENTS_BOOK: &str = "id,account,symbol,qty,entry_price,margin
1,alice,BTCUSDT,1,50000,5000
2,bob,ETHUSDT,-3,2000,100
";

/// [`EVENTS_BOOK`] on [`SYMBOLS`].
pub fn events_book() -> Book {
    read_positions(EVENTS_BOOK.as_bytes(), "positions.csv", market()).expect("valid")
}

/// The events stream, against [`events_book`] and scanned as `liqscan scan`
/// does (on `cpu`, each change applied, each liquidation reported back):
/// read to the end, every item a tick, a change or a stale change (lines
/// and `seq` strictly increasing, every margin in the spec's range) or a
/// located error, and no more items than lines.
pub fn events(data: &[u8]) {
    let mut book = events_book();
    let mut cpu = CpuScanner::new(market());
    cpu.load(&book.sorted()).expect("the book loads");
    let mut reader = EventReader::new(data, "events.jsonl", &book);
    let lines = line_count(data);
    let (mut items, mut last, mut hits) = (0u64, None::<(u64, u64)>, Vec::new());
    while let Some(item) = reader.next_event(&book) {
        items += 1;
        assert!(items <= lines, "{items} items from {lines} lines");
        let record = match item {
            Ok(record) => record,
            Err(error) => {
                assert_located(invalid(&error), "events.jsonl", data);
                continue;
            }
        };
        assert!(
            (1..=lines).contains(&record.line),
            "item at line {}",
            record.line
        );
        if let Some((line, seq)) = last {
            assert!(
                record.line > line && record.seq > seq,
                "{record:?} after {last:?}"
            );
        }
        last = Some((record.line, record.seq));
        match record.item {
            Item::Tick(tick) => {
                hits.clear();
                cpu.tick(tick, &mut hits).expect("a valid tick");
                for hit in &hits {
                    assert!(book.close(hit.position).is_some(), "{hit:?} not open");
                    reader.liquidated(hit.position, tick.seq);
                }
            }
            Item::Change(change) => {
                if let Update::Upsert(p) = &change.update {
                    assert!(book.market.units(p.symbol).margin_in_range(p.margin_units));
                }
                cpu.apply(&change.update).expect("a valid change");
                book.apply(&change.update);
                assert!(book.len() <= MAX_POSITIONS);
            }
            Item::Stale(stale) => assert!(!book.contains(stale.id), "{stale} but open"),
        }
    }
}
