//! Books of a million positions and of 4,096 symbols, written from a few
//! terms so that the oracle judges each (symbol, terms, tick) once.

use crate::books::readme_ladder;
use crate::common::book::*;

pub const SYMBOLS_MAX: usize = 4096;
pub const POSITIONS_MAX: usize = 1 << 20;

/// Terms of the large books: a long and a short of 1 at 50,000 with 5,000
/// of margin (liquidated at 45,180.7 and at 60,000), and a long and a short
/// that no tick here liquidates.
fn large_book_terms(book: &mut TestBook) -> [u32; 4] {
    [
        book.add_terms("1", "50000", "5000"),
        book.add_terms("-1", "50000", "5000"),
        book.add_terms("1", "50000", "40000"),
        book.add_terms("-1", "50000", "40000"),
    ]
}

/// `counts[s]` positions on symbol `s` (each with the README's ladder),
/// ids dealt round robin over the symbols; in each symbol one position in
/// `rare` is liquidatable (a long, then a short, …), the others are safe;
/// then the ticks, each a symbol's index and a mark.
pub fn large_book(counts: &[usize], rare: usize, ticks: &[(usize, &str)]) -> TestBook {
    let symbols = (0..counts.len())
        .map(|s| symbol(&format!("S{s:04}"), "0.1", "0.001", readme_ladder()))
        .collect();
    let mut book = TestBook::new(symbols);
    let [long, short, safe_long, safe_short] = large_book_terms(&mut book);
    let total: usize = counts.iter().sum();
    book.positions.reserve(total);
    // How many each symbol holds so far.
    let mut held = vec![0usize; counts.len()];
    while book.positions.len() < total {
        for (s, held) in held.iter_mut().enumerate() {
            if *held == counts[s] {
                continue;
            }
            let r = *held;
            *held += 1;
            let terms = match (r % rare == 0, r / rare % 2 == 0) {
                (true, true) => long,
                (true, false) => short,
                (false, _) if r % 2 == 0 => safe_long,
                (false, _) => safe_short,
            };
            book.positions.push(PositionRow {
                id: book.positions.len() as u128 + 1,
                symbol: s as u32,
                terms,
            });
        }
    }
    for (seq, &(s, mark)) in ticks.iter().enumerate() {
        let name = book.symbols[s].name.clone();
        book.tick(seq as u128 + 1, &name, mark);
    }
    book
}

/// 50,000 (no event), 45,180.7 (the longs) and 60,000 (the shorts) on each
/// of `symbols`.
pub fn three_marks(symbols: &[usize]) -> Vec<(usize, &'static str)> {
    symbols
        .iter()
        .flat_map(|&s| ["50000", "45180.7", "60000"].map(|mark| (s, mark)))
        .collect()
}

/// The largest book the contract allows: 4,096 symbols of 256 positions,
/// 1,048,576 in all, which also fills the `sim` model's rows exactly.
pub fn largest_book() -> TestBook {
    large_book(
        &[POSITIONS_MAX / SYMBOLS_MAX; SYMBOLS_MAX],
        4,
        &three_marks(&[0, 2047, 4095]),
    )
}
