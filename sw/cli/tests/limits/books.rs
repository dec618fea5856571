//! The small books of the limits on values: each holds a field at its
//! limit (at both ends where it has two) in positions whose fate turns on it.

use crate::common::book::*;

/// The README's ladder: mmr 0.4 % up to a notional of 50,000, then 0.5 % less 50.
pub fn readme_ladder() -> Vec<BracketDef> {
    vec![
        bracket(Some("50000"), "0.004", "0"),
        bracket(None, "0.005", "50"),
    ]
}

/// The README's BTCUSDT with a long (id 1) and a short (id 2) of 1 at
/// 50,000 with 5,000 of margin, and ticks 1 at 50,000 (no event), 2 at
/// 45,180.7 (the long) and 3 at 60,000 (the short).
pub fn base() -> TestBook {
    let mut book = TestBook::new(vec![symbol("BTCUSDT", "0.1", "0.001", readme_ladder())]);
    book.position(1, "BTCUSDT", "1", "50000", "5000")
        .position(2, "BTCUSDT", "-1", "50000", "5000")
        .tick(1, "BTCUSDT", "50000")
        .tick(2, "BTCUSDT", "45180.7")
        .tick(3, "BTCUSDT", "60000");
    book
}

/// The finest tick, 10^-8 (so prices stay below 2^32 · 10^-8 ≈ 42.95): a
/// long of 1 at 40 with 4 of margin, liquidated below 36 / 0.996 =
/// 36.14457831…, and a short with 2, liquidated above 42 / 1.004 =
/// 41.83266932…, marked 10^-8 either side of both.
pub fn finest_tick() -> TestBook {
    let mut book = TestBook::new(vec![symbol(
        "BTCUSDT",
        "0.00000001",
        "0.001",
        readme_ladder(),
    )]);
    book.position(1, "BTCUSDT", "1", "40", "4")
        .position(2, "BTCUSDT", "-1", "40", "2");
    for (seq, mark) in [
        "40",
        "36.14457832",
        "36.14457831",
        "41.83266932",
        "41.83266933",
    ]
    .into_iter()
    .enumerate()
    {
        book.tick(seq as u128 + 1, "BTCUSDT", mark);
    }
    book
}

/// `base()` on the finest lot, 10^-8, with a long and a short of one lot
/// (the README's position scaled by 10^-8).
pub fn finest_lot() -> TestBook {
    let mut book = base();
    book.symbols[0].lot_size = "0.00000001".into();
    book.position(3, "BTCUSDT", "0.00000001", "50000", "0.00005")
        .position(4, "BTCUSDT", "-0.00000001", "50000", "0.00005");
    book
}

/// `k6 = t·l = 65,535` (tick 6.5535, lot 0.01): a long and a short near
/// 50,000, and a long of 2^31 − 1 lots at 2^32 − 1 ticks, whose offset
/// `Q·Pe·k6·10^6` is near 2^99.
pub fn largest_k6() -> TestBook {
    let (tick, lot) = ("6.5535", "0.01");
    let mut book = TestBook::new(vec![symbol("K6", tick, lot, readme_ladder())]);
    let price = |ticks: i128| grid(tick, ticks);
    let max_price = price((1 << 32) - 1);
    book.position(1, "K6", "1", &price(7630), "5000")
        .position(2, "K6", "-1", &price(7630), "5000")
        .position(
            3,
            "K6",
            &grid(lot, (1 << 31) - 1),
            &max_price,
            "9999999999.99999999",
        );
    for (seq, ticks) in [7630, 6867, 8393, (1 << 32) - 1].into_iter().enumerate() {
        book.tick(seq as u128 + 1, "K6", &price(ticks));
    }
    book
}

/// Sixteen brackets on a continuous ladder (`CONT`: caps every 10,000, mmr
/// 0.4 % + 0.1 % a bracket, maintenance amounts `5·j·(j − 1)`) and on a
/// jumping one (`JUMP`: the same without amounts), and one bracket (`ONE`).
/// Positions in the first, middle, last capped and uncapped brackets.
pub fn sixteen_brackets() -> TestBook {
    let ladder = |continuous: bool| -> Vec<BracketDef> {
        (1..=16)
            .map(|j: u32| {
                let cap = (j < 16).then(|| (10_000 * j).to_string());
                let mmr = format!("0.{:03}", 3 + j);
                let maint = if continuous { 5 * j * (j - 1) } else { 0 };
                bracket(cap.as_deref(), &mmr, &maint.to_string())
            })
            .collect()
    };
    let mut book = TestBook::new(vec![
        symbol("CONT", "0.1", "0.001", ladder(true)),
        symbol("JUMP", "0.1", "0.001", ladder(false)),
        symbol("ONE", "0.1", "0.001", vec![bracket(None, "0.005", "0")]),
    ]);
    for (base_id, name) in [(10, "CONT"), (20, "JUMP")] {
        for (i, (qty, margin)) in [
            ("0.1", "500"),
            ("1", "5000"),
            ("3", "15000"),
            ("4", "20000"),
            ("-1", "5000"),
            ("-3.5", "17500"),
        ]
        .into_iter()
        .enumerate()
        {
            book.position(base_id + i as u128, name, qty, "50000", margin);
        }
    }
    book.position(30, "ONE", "1", "50000", "5000");
    let mut seq = 0;
    for name in ["CONT", "JUMP"] {
        for mark in ["50000", "46000", "45000", "40000", "55000", "60000"] {
            seq += 1;
            book.tick(seq, name, mark);
        }
    }
    book.tick(seq + 1, "ONE", "45000");
    book
}

/// mmr at 0, at 10^-6 and at 0.999999. Long 3 sits exactly at `E = MM` at
/// 50,000 (no event) and goes at 49,999.9; short 4 goes past 75,000.0375….
pub fn mmr_ends() -> TestBook {
    let mut book = TestBook::new(vec![symbol(
        "MMR",
        "0.1",
        "0.001",
        vec![
            bracket(Some("10000"), "0", "0"),
            bracket(Some("20000"), "0.000001", "0"),
            bracket(None, "0.999999", "0"),
        ],
    )]);
    book.position(1, "MMR", "0.1", "50000", "500")
        .position(2, "MMR", "0.3", "50000", "1500")
        .position(3, "MMR", "1", "50000", "49999.95")
        .position(4, "MMR", "-1", "50000", "100000");
    for (seq, mark) in ["50000", "49999.9", "75000", "75000.1", "44999.9"]
        .into_iter()
        .enumerate()
    {
        book.tick(seq as u128 + 1, "MMR", mark);
    }
    book
}

/// maint_amount at 0, at 10^-8 and at 10^10 − 10^-8, with positions whose
/// fate turns on each.
pub fn maint_ends() -> TestBook {
    let mut book = TestBook::new(vec![symbol(
        "MAINT",
        "0.1",
        "0.001",
        vec![
            bracket(Some("50000"), "0.004", "0"),
            bracket(Some("100000"), "0.005", "0.00000001"),
            bracket(None, "0.5", "9999999999.99999999"),
        ],
    )]);
    book.position(1, "MAINT", "1", "50000", "5000")
        .position(2, "MAINT", "1.5", "50000", "7500")
        .position(3, "MAINT", "1000000", "50000", "9999999999.99999999")
        .position(4, "MAINT", "-400000", "50000", "9999999999");
    for (seq, mark) in ["50000", "45180.7", "48000", "75000"]
        .into_iter()
        .enumerate()
    {
        book.tick(seq as u128 + 1, "MAINT", mark);
    }
    book
}

/// notional_cap at 10^-8 and at 10^12 − 10^-8: a long of 1,000,000 at
/// 1,000,000 is in the second bracket at 999,999.9 (notional 999,999,900,000)
/// and in the last at 1,000,000 (10^12, one past the cap), where it goes.
pub fn cap_ends() -> TestBook {
    let ladder = vec![
        bracket(Some("0.00000001"), "0.001", "0"),
        bracket(Some("999999999999.99999999"), "0.004", "0"),
        bracket(None, "0.01", "0"),
    ];
    let mut book = TestBook::new(vec![
        symbol("CAP", "0.1", "0.001", ladder.clone()),
        symbol("CAPS", "0.1", "0.001", ladder),
    ]);
    book.position(1, "CAP", "1000000", "1000000", "9999999999")
        .position(2, "CAPS", "-1", "50000", "5000")
        .tick(1, "CAP", "999999.9")
        .tick(2, "CAP", "1000000")
        .tick(3, "CAPS", "50000")
        .tick(4, "CAPS", "60000");
    book
}

/// `|qty|` at 2^31 − 1 lots and at one lot, long and short.
pub fn qty_ends() -> TestBook {
    let mut book = base();
    book.position(3, "BTCUSDT", "2147483.647", "50000", "9999999999.99999999")
        .position(4, "BTCUSDT", "-2147483.647", "50000", "9999999999.99999999")
        .position(5, "BTCUSDT", "0.001", "50000", "5")
        .position(6, "BTCUSDT", "-0.001", "50000", "5");
    book
}

/// Prices at 2^32 − 1 ticks (`HIGH`) and at one tick (`LOW`), as entry
/// prices and as marks.
pub fn price_ends() -> TestBook {
    let mut book = TestBook::new(vec![
        symbol("HIGH", "0.1", "0.001", readme_ladder()),
        symbol("LOW", "0.1", "0.001", readme_ladder()),
    ]);
    book.position(1, "HIGH", "1", "429496729.5", "42949672.95")
        .position(2, "HIGH", "-1", "386547056.5", "38654705.65")
        .position(3, "LOW", "1", "0.2", "0.01")
        .position(4, "LOW", "-1", "0.1", "0.01")
        .tick(1, "HIGH", "429496729.5")
        .tick(2, "HIGH", "386547056.5")
        .tick(3, "LOW", "0.1")
        .tick(4, "LOW", "0.2");
    book
}

/// margin at 10^10 − 10^-8, at 0 and at 10^-8.
pub fn margin_ends() -> TestBook {
    let mut book = base();
    book.position(3, "BTCUSDT", "1000000", "50000", "9999999999.99999999")
        .position(4, "BTCUSDT", "-1", "50000", "0")
        .position(5, "BTCUSDT", "1", "50000", "0.00000001");
    book.ticks.clear();
    for (seq, mark) in ["50000", "45180.7", "40000", "60000"]
        .into_iter()
        .enumerate()
    {
        book.tick(seq as u128 + 1, "BTCUSDT", mark);
    }
    book
}

/// The largest `id`, 2^64 − 1, liquidated with position 1.
pub fn largest_id() -> TestBook {
    let mut book = base();
    book.position(u64::MAX.into(), "BTCUSDT", "1", "50000", "5000");
    book
}

/// The largest `seq`, 2^64 − 1, on the last tick.
pub fn largest_seq() -> TestBook {
    let mut book = base();
    book.tick_mut(3).seq = u64::MAX.into();
    book
}

/// The widest values together: tick and lot at 10^-8 (quote scale 22),
/// `|Q|` at 2^31 − 1 and `P` at 2^32 − 1, margin and maint_amount just under
/// 10^10, mmr at 10^-6 and 0.999999: maintenance to 22 decimals.
pub fn widest_values() -> TestBook {
    let fine = "0.00000001";
    let mut book = TestBook::new(vec![
        symbol("FINE", fine, fine, vec![bracket(None, "0.000001", "0")]),
        symbol(
            "FINEMAINT",
            fine,
            fine,
            vec![bracket(None, "0.999999", "9999999999.99999999")],
        ),
    ]);
    let (qty_max, price_max) = (grid(fine, (1 << 31) - 1), grid(fine, (1 << 32) - 1));
    let neg_qty_max = format!("-{qty_max}");
    book.position(1, "FINE", &qty_max, &price_max, "92.23372036")
        .position(2, "FINE", &neg_qty_max, &grid(fine, 1 << 31), "46.11686019")
        .position(3, "FINE", fine, fine, "0")
        .position(4, "FINE", &qty_max, &price_max, "9999999999.99999999")
        .position(5, "FINEMAINT", &qty_max, &price_max, "0");
    let mut seq = 0;
    for ticks in [(1 << 32) - 1, 4_080_218_930, 3_865_470_566, 1 << 31, 1] {
        seq += 1;
        book.tick(seq, "FINE", &grid(fine, ticks));
    }
    book.tick(seq + 1, "FINEMAINT", fine)
        .tick(seq + 2, "FINEMAINT", &price_max);
    book
}

/// `base()` with a fourth tick naming an unknown symbol of `len` characters.
pub fn unknown_symbol_tick(len: usize) -> TestBook {
    let mut book = base();
    book.tick(4, &"X".repeat(len), "1");
    book
}
