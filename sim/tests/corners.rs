//! The verilated scanner at the edges of the spec, on 1 and 8 lanes, with
//! `at_equal` both ways: the largest price, quantity, weight, margin and
//! maintenance amount, the extremes of the offset, shortfalls of 0 and ±1,
//! notionals on every bracket cap and one unit either side, one lot, long and short.

mod common;

use common::*;
use liqscan_core::decimal::parse_decimal;
use liqscan_core::spec::{self, BracketInput, PositionConst, SymbolUnits};
use liqscan_sim::ScannerModel;

fn units(tick: &str, lot: &str, ladder: &[(Option<&str>, &str, &str)]) -> SymbolUnits {
    let d = |s: &str| parse_decimal(s).unwrap();
    let ladder: Vec<BracketInput> = ladder
        .iter()
        .map(|(cap, mmr, maint)| BracketInput {
            notional_cap: cap.map(d),
            mmr: d(mmr),
            maint_amount: d(maint),
        })
        .collect();
    SymbolUnits::new(&d(tick), &d(lot), &ladder).unwrap()
}

/// The largest weight: `k6 = 65535` (just under `K6_LIMIT`), `mmr` up to 0.999999.
fn max_weight() -> SymbolUnits {
    let u = units(
        "6553.5",
        "0.1",
        &[
            (Some("1000000"), "0.000001", "0"),
            (Some("999999999999.99999999"), "0.5", "5000.5"),
            (None, "0.999999", "9999999999.99999999"),
        ],
    );
    assert_eq!(u.k6, spec::K6_LIMIT - 1);
    u
}

/// The finest scale (`s = 22`) with the largest maintenance amount.
fn max_scale() -> SymbolUnits {
    let u = units(
        "0.00000001",
        "0.00000001",
        &[
            (Some("0.00000001"), "0.1", "9999999999.99999999"),
            (None, "0.999999", "9999999999.99999999"),
        ],
    );
    assert_eq!(u.quote_decimals, spec::MAX_QUOTE_DECIMALS);
    u
}

/// Caps at notionals 10, 1000, 10^6, 10^11 with `X = N` (tick = lot = 1),
/// each bracket's rate and amount distinct; padded to 16.
fn four_caps() -> SymbolUnits {
    units(
        "1",
        "1",
        &[
            (Some("10"), "0.01", "0"),
            (Some("1000"), "0.02", "0.1"),
            (Some("1000000"), "0.05", "20.1"),
            (Some("100000000000"), "0.1", "50020.1"),
            (None, "0.25", "9000050020.1"),
        ],
    )
}

/// All sixteen brackets used: caps 3, 9, 27, … (powers of three), steeply rising rates.
fn sixteen_brackets() -> SymbolUnits {
    let caps: Vec<String> = (1..16).map(|i| 3u64.pow(i).to_string()).collect();
    let mmrs: Vec<String> = (0..16)
        .map(|i| format!("0.{:06}", 1 + i * 60_000))
        .collect();
    let ladder: Vec<(Option<&str>, &str, &str)> = (0..16)
        .map(|i| (caps.get(i).map(String::as_str), mmrs[i].as_str(), "0.5"))
        .collect();
    let u = units("1", "1", &ladder);
    assert_eq!(u.bracket_count, spec::MAX_BRACKETS);
    u
}

/// `Q` with `T` such that the margin sum at `price` is `target`, if `T` fits 108 bits.
fn with_sum(units: &SymbolUnits, qty_lots: i32, price: u32, target: i128) -> Option<PositionConst> {
    let offset = target
        - units.margin_sum(
            PositionConst {
                qty_lots,
                offset: 0,
            },
            price,
        );
    let half = 1i128 << (spec::OFFSET_BITS - 1);
    (-half..half)
        .contains(&offset)
        .then_some(PositionConst { qty_lots, offset })
}

/// Sums within two of the threshold for every quantity, both sides.
fn near_all(units: &SymbolUnits, price: u32, qtys: &[u64]) -> Vec<Option<PositionConst>> {
    let mut slots = Vec::new();
    for &q in qtys {
        for sign in [1i32, -1] {
            for target in -2..=2 {
                slots.push(with_sum(units, sign * q as i32, price, target));
            }
        }
    }
    slots
}

/// Offsets at the ends of the spec range and of the 108-bit register.
fn offset_extremes(qtys: &[u64]) -> Vec<Option<PositionConst>> {
    let half = 1i128 << (spec::OFFSET_BITS - 1);
    let mut slots = Vec::new();
    for &q in qtys {
        for sign in [1i32, -1] {
            for offset in [OFFSET_MIN, OFFSET_MAX, -half, half - 1, -1, 0] {
                slots.push(Some(PositionConst {
                    qty_lots: sign * q as i32,
                    offset,
                }));
            }
        }
    }
    slots
}

/// `|Q|` putting `X = |Q|·price` on each cap and one step either side.
fn around_caps(units: &SymbolUnits, price: u32) -> Vec<u64> {
    let mut qtys = Vec::new();
    for b in &units.brackets[..units.bracket_count - 1] {
        let q = b.cap / u64::from(price);
        qtys.extend(
            [q.saturating_sub(1), q, q + 1]
                .into_iter()
                .filter(|&q| (1..=spec::QTY_MAX).contains(&q)),
        );
    }
    qtys
}

/// Every corner case: (symbol units, tick price, region slots).
fn cases() -> Vec<(SymbolUnits, u32, Vec<Option<PositionConst>>)> {
    let big = [1, 2, 12_345, spec::QTY_MAX - 1, spec::QTY_MAX];
    let mut cases = Vec::new();
    for (u, price) in [
        (max_weight(), spec::PRICE_MAX as u32),
        (max_weight(), 1),
        (max_scale(), spec::PRICE_MAX as u32),
        (max_scale(), 1),
    ] {
        let mut slots = near_all(&u, price, &big);
        slots.extend(offset_extremes(&big));
        cases.push((u, price, slots));
    }
    // Caps: at P = 1 (X = |Q|) and at P = 5 (every cap a multiple of 5, so X lands on it).
    for (u, price) in [(four_caps(), 1), (four_caps(), 5), (sixteen_brackets(), 1)] {
        let qtys = around_caps(&u, price);
        cases.push((u.clone(), price, near_all(&u, price, &qtys)));
    }
    cases
}

fn corners(lanes: usize) {
    let mut model: ScannerModel = model(lanes);
    let cases = cases();
    let mut next_row = 0;
    let mut symbols = Vec::new();
    for (i, (units, price, slots)) in cases.into_iter().enumerate() {
        let rows = (slots.len() as u32).div_ceil(lanes as u32);
        // Symbols spread over the table, the last at the highest number.
        let id = if i == 0 {
            spec::SIM_SYMBOLS as u32 - 1
        } else {
            i as u32 * 397
        };
        symbols.push((
            load(&mut model, id, units, next_row, slots.clone()),
            price,
            slots,
        ));
        next_row += rows;
    }
    let (mut events, mut zero, mut one, mut max_qty) = (0, 0, 0, 0);
    for at_equal in [false, true] {
        for (symbol, price, slots) in &mut symbols {
            // Restore positions closed by the previous pass.
            for (i, slot) in slots.iter().enumerate() {
                model
                    .write_position(symbol.first_slot + i as u32, *slot)
                    .unwrap();
            }
            symbol.slots.clone_from(slots);
            let want = expected(symbol, *price, at_equal);
            zero += want.iter().filter(|h| h.shortfall == 0).count();
            one += want.iter().filter(|h| h.shortfall == 1).count();
            max_qty += want
                .iter()
                .filter(|h| {
                    symbol.slots[(h.slot - symbol.first_slot) as usize]
                        .unwrap()
                        .qty_lots
                        .unsigned_abs() as u64
                        == spec::QTY_MAX
                })
                .count();
            events += check_tick(&mut model, symbol, *price, at_equal).0;
        }
    }
    println!("L={lanes}: {events} events over {} regions", symbols.len());
    // The corners were actually exercised.
    assert!(
        zero > 0 && one > 0 && max_qty > 0,
        "zero {zero}, one {one}, max qty {max_qty}"
    );
}

#[test]
fn corners_one_lane() {
    corners(1);
}

#[test]
fn corners_eight_lanes() {
    corners(8);
}
