//! The limits on values, each with its probes: the table.

use crate::books::*;
use crate::common::book::*;
use crate::probe::*;

/// The limits on values, each through small books (a few seconds in all).
pub fn value_limits() -> Vec<Limit> {
    let refused_at_field = |what: &str, book, at, field: &str, reason: &str| {
        refused(
            &format!("{what}: within the parser's limit, refused by the field's tighter one"),
            book,
            at,
            field,
            reason,
        )
    };
    let digits = |zeros: usize| format!("0.{}1", "0".repeat(zeros));
    let x = |n: usize| "X".repeat(n);
    vec![
        Limit {
            name: "symbols: at least one",
            probes: vec![
                scans("one symbol", base()),
                refused(
                    "no symbol",
                    TestBook::default(),
                    Loc::SymbolsLine(1),
                    "symbol",
                    "no [[symbol]] table: define at least one symbol",
                ),
            ],
        },
        Limit {
            name: "tick_size: > 0, at most 8 decimals",
            probes: vec![
                scans("tick_size 0.00000001", finest_tick()),
                past_symbol(
                    &finest_tick(),
                    "symbol[0].tick_size",
                    "0.000000001",
                    "at most 8 decimals allowed, got 9",
                ),
                past_symbol(&finest_tick(), "symbol[0].tick_size", "0", "must be > 0"),
            ],
        },
        Limit {
            name: "lot_size: > 0, at most 8 decimals",
            probes: vec![
                scans("lot_size 0.00000001", finest_lot()),
                past_symbol(
                    &finest_lot(),
                    "symbol[0].lot_size",
                    "0.000000001",
                    "at most 8 decimals allowed, got 9",
                ),
                past_symbol(&finest_lot(), "symbol[0].lot_size", "0", "must be > 0"),
            ],
        },
        Limit {
            name: "k6 = t·l·10^(s−dt−dl−6) < 2^16",
            probes: vec![
                scans("k6 = 65535 (tick 6.5535, lot 0.01)", largest_k6()),
                past_symbol(
                    &largest_k6(),
                    "symbol[0].tick_size",
                    "6.5536",
                    "tick_size × lot_size too coarse for the spec: k6 = 65536 must be < 65536",
                ),
            ],
        },
        Limit {
            name: "brackets: 1 to 16",
            probes: vec![
                scans(
                    "16 brackets (continuous and jumping) and 1",
                    sixteen_brackets(),
                ),
                {
                    let mut book = sixteen_brackets();
                    let ladder = &mut book.symbols[0].ladder;
                    ladder[15].notional_cap = Some("160000".into());
                    ladder.push(bracket(None, "0.05", "0"));
                    refused(
                        "17 brackets",
                        book,
                        Loc::Symbols("symbol[0].brackets[16]".into()),
                        "symbol[0].brackets",
                        "need 1 to 16 brackets, got 17",
                    )
                },
                {
                    let mut book = sixteen_brackets();
                    book.symbols[2].ladder.clear();
                    refused(
                        "no bracket",
                        book,
                        Loc::Symbols("symbol[2]".into()),
                        "symbol[2].brackets",
                        "need 1 to 16 brackets, got 0",
                    )
                },
            ],
        },
        Limit {
            name: "mmr: 0 <= mmr < 1, at most 6 decimals",
            probes: vec![
                scans("mmr 0, 0.000001 and 0.999999", mmr_ends()),
                past_symbol(
                    &mmr_ends(),
                    "symbol[0].brackets[2].mmr",
                    "1",
                    "out of range: must be < 1",
                ),
                past_symbol(
                    &mmr_ends(),
                    "symbol[0].brackets[1].mmr",
                    "0.0000001",
                    "at most 6 decimals allowed, got 7",
                ),
                past_symbol(
                    &mmr_ends(),
                    "symbol[0].brackets[0].mmr",
                    "-0.000001",
                    "must be >= 0",
                ),
            ],
        },
        Limit {
            name: "maint_amount: 0 <= maint_amount < 10^10, at most 8 decimals",
            probes: vec![
                scans(
                    "maint_amount 0, 0.00000001 and 9999999999.99999999",
                    maint_ends(),
                ),
                past_symbol(
                    &maint_ends(),
                    "symbol[0].brackets[2].maint_amount",
                    "10000000000",
                    "out of range: must be < 10000000000",
                ),
                past_symbol(
                    &maint_ends(),
                    "symbol[0].brackets[1].maint_amount",
                    "0.000000001",
                    "at most 8 decimals allowed, got 9",
                ),
                past_symbol(
                    &maint_ends(),
                    "symbol[0].brackets[0].maint_amount",
                    "-0.00000001",
                    "must be >= 0",
                ),
            ],
        },
        Limit {
            name: "notional_cap: 0 < notional_cap < 10^12, at most 8 decimals",
            probes: vec![
                scans(
                    "notional_cap 0.00000001 and 999999999999.99999999",
                    cap_ends(),
                ),
                past_symbol(
                    &cap_ends(),
                    "symbol[0].brackets[1].notional_cap",
                    "1000000000000",
                    "out of range: must be < 1000000000000",
                ),
                past_symbol(
                    &cap_ends(),
                    "symbol[0].brackets[0].notional_cap",
                    "0",
                    "must be > 0",
                ),
                past_symbol(
                    &cap_ends(),
                    "symbol[0].brackets[0].notional_cap",
                    "0.000000001",
                    "at most 8 decimals allowed, got 9",
                ),
            ],
        },
        Limit {
            name: "qty: nonzero, |qty| / lot_size < 2^31",
            probes: vec![
                scans("|qty| 2147483.647 and 0.001 (lot 0.001)", qty_ends()),
                past_position(
                    &qty_ends(),
                    3,
                    "qty",
                    "2147483.648",
                    "out of range: |qty| / lot_size must be < 2^31",
                ),
                past_position(
                    &qty_ends(),
                    4,
                    "qty",
                    "-2147483.648",
                    "out of range: |qty| / lot_size must be < 2^31",
                ),
                past_position(&qty_ends(), 5, "qty", "0", "must be nonzero"),
            ],
        },
        Limit {
            name: "entry_price: > 0, entry_price / tick_size < 2^32",
            probes: vec![
                scans("entry_price 429496729.5 and 0.1 (tick 0.1)", price_ends()),
                past_position(
                    &price_ends(),
                    1,
                    "entry_price",
                    "429496729.6",
                    "out of range: entry_price / tick_size must be < 2^32",
                ),
                past_position(&price_ends(), 4, "entry_price", "0", "must be > 0"),
            ],
        },
        Limit {
            name: "mark_price: > 0, mark_price / tick_size < 2^32",
            probes: vec![
                scans("mark_price 429496729.5 and 0.1 (tick 0.1)", price_ends()),
                past_tick(
                    &price_ends(),
                    1,
                    "mark_price",
                    "429496729.6",
                    "out of range: mark_price / tick_size must be < 2^32",
                ),
                past_tick(&price_ends(), 4, "mark_price", "0", "must be > 0"),
            ],
        },
        Limit {
            name: "margin: 0 <= margin < 10^10, at most 8 decimals",
            probes: vec![
                scans(
                    "margin 9999999999.99999999, 0 and 0.00000001",
                    margin_ends(),
                ),
                past_position(
                    &margin_ends(),
                    3,
                    "margin",
                    "10000000000",
                    "out of range: must be < 10000000000",
                ),
                past_position(
                    &margin_ends(),
                    5,
                    "margin",
                    "0.000000001",
                    "at most 8 decimals allowed, got 9",
                ),
                past_position(&margin_ends(), 4, "margin", "-0.00000001", "must be >= 0"),
            ],
        },
        Limit {
            name: "id: < 2^64",
            probes: vec![
                scans("id 18446744073709551615", largest_id()),
                past_position(
                    &largest_id(),
                    u64::MAX.into(),
                    "id",
                    "18446744073709551616",
                    "out of range: must be < 2^64",
                ),
            ],
        },
        Limit {
            name: "seq: < 2^64",
            probes: vec![
                scans("seq 18446744073709551615", largest_seq()),
                past_tick(
                    &largest_seq(),
                    u64::MAX.into(),
                    "seq",
                    "18446744073709551616",
                    "out of range: must be < 2^64",
                ),
            ],
        },
        Limit {
            name: "quote scale 22: the widest values of every field together",
            probes: vec![
                scans(
                    "tick and lot 10^-8, |Q| 2^31 − 1, P 2^32 − 1",
                    widest_values(),
                ),
                past_position(
                    &widest_values(),
                    1,
                    "qty",
                    "21.47483648",
                    "out of range: |qty| / lot_size must be < 2^31",
                ),
                past_position(
                    &widest_values(),
                    1,
                    "entry_price",
                    "42.94967296",
                    "out of range: entry_price / tick_size must be < 2^32",
                ),
                past_tick(
                    &widest_values(),
                    1,
                    "mark_price",
                    "42.94967296",
                    "out of range: mark_price / tick_size must be < 2^32",
                ),
            ],
        },
        Limit {
            name: "a decimal: at most 28 digits after the point, trailing zeros not counted",
            probes: vec![
                scans(
                    "margin 5000 with 40 zeros after the point",
                    with(base(), |b| {
                        b.terms_of(1).margin = format!("5000.{}", "0".repeat(40))
                    }),
                ),
                refused_at_field(
                    "28 digits after the point",
                    with(base(), |b| b.terms_of(1).margin = digits(27)),
                    Loc::Position(1),
                    "margin",
                    "at most 8 decimals allowed, got 28",
                ),
                past_position(
                    &base(),
                    1,
                    "margin",
                    &digits(28),
                    "too many digits after the point: \"0.00000000000000000000000000001\" \
                     has 29, at most 28 digits after the point",
                ),
            ],
        },
        Limit {
            name: "a decimal: at most 28 significant digits, leading zeros not counted",
            probes: vec![
                scans(
                    "qty 1 after 40 zeros",
                    with(base(), |b| {
                        b.terms_of(1).qty = format!("{}1", "0".repeat(40))
                    }),
                ),
                refused_at_field(
                    "28 significant digits",
                    with(base(), |b| {
                        b.terms_of(1).qty = "1234567890123456789012345678".into()
                    }),
                    Loc::Position(1),
                    "qty",
                    "out of range: |qty| / lot_size must be < 2^31",
                ),
                past_position(
                    &base(),
                    1,
                    "qty",
                    "12345678901234567890123456789",
                    "too many digits: \"12345678901234567890123456789\" has 29 significant \
                     digits, at most 28 significant digits",
                ),
            ],
        },
        Limit {
            name: "a value echoed in an error: cut to 64 characters, then its length",
            probes: vec![
                refused(
                    "a 64-character symbol, echoed whole",
                    unknown_symbol_tick(64),
                    Loc::Tick(4),
                    "symbol",
                    &format!("unknown symbol \"{}\"", x(64)),
                ),
                refused(
                    "a 65-character symbol, cut",
                    unknown_symbol_tick(65),
                    Loc::Tick(4),
                    "symbol",
                    &format!("unknown symbol \"{}\"… (65 bytes)", x(64)),
                ),
            ],
        },
    ]
}

/// `book` after `edit`.
pub fn with(mut book: TestBook, edit: impl FnOnce(&mut TestBook)) -> TestBook {
    edit(&mut book);
    book
}
