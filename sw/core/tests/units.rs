//! `SymbolUnits::new`: continuity detection, the floor in the cap
//! conversion, the `k6` limit, scales and bracket padding.

use liqscan_core::decimal::parse_decimal;
use liqscan_core::spec::{BracketInput, SymbolUnits, K6_LIMIT, MAX_BRACKETS, NOTIONAL_MAX};

fn d(s: &str) -> rust_decimal::Decimal {
    parse_decimal(s).unwrap()
}

fn ladder(brackets: &[(Option<&str>, &str, &str)]) -> Vec<BracketInput> {
    brackets
        .iter()
        .map(|&(cap, mmr, maint)| BracketInput {
            notional_cap: cap.map(d),
            mmr: d(mmr),
            maint_amount: d(maint),
        })
        .collect()
}

fn units(tick: &str, lot: &str, brackets: &[(Option<&str>, &str, &str)]) -> SymbolUnits {
    SymbolUnits::new(&d(tick), &d(lot), &ladder(brackets)).unwrap()
}

/// An exchange-style ladder: maint_{i+1} = maint_i + cap_i·(mmr_{i+1} − mmr_i).
const CONTINUOUS: [(Option<&str>, &str, &str); 5] = [
    (Some("50000"), "0.004", "0"),
    (Some("250000"), "0.005", "50"),
    (Some("3000000"), "0.01", "1300"),
    (Some("20000000"), "0.025", "46300"),
    (None, "0.05", "546300"),
];

#[test]
fn detects_continuous_ladders() {
    assert!(units("0.1", "0.001", &CONTINUOUS).continuous);
    assert!(
        units("0.1", "0.001", &CONTINUOUS[4..]).continuous,
        "one bracket"
    );
    // Falling rates, falling amounts: still continuous.
    assert!(units("1", "1", &[(Some("100"), "0.5", "40"), (None, "0.1", "0")]).continuous);
    // Amounts that use all 8 decimals.
    assert!(
        units(
            "1",
            "1",
            &[
                (Some("12.34"), "0.1", "0"),
                (None, "0.100001", "0.00001234")
            ]
        )
        .continuous
    );
    assert!(
        units(
            "1",
            "1",
            &[
                (Some("1234.56"), "0.1", "1.5"),
                (None, "0.10001", "1.5123456")
            ]
        )
        .continuous
    );
}

#[test]
fn detects_jumping_ladders() {
    for (i, delta) in [
        (1, "50.00000001"),
        (2, "1299.99999999"),
        (4, "546300.00000001"),
        (4, "546299"),
    ] {
        let mut jumping = CONTINUOUS;
        jumping[i].2 = delta;
        assert!(
            !units("0.1", "0.001", &jumping).continuous,
            "bracket {i} maint {delta}"
        );
    }
    // A rate change with no amount change: MM jumps up at the cap.
    assert!(!units("1", "1", &[(Some("100"), "0.01", "0"), (None, "0.5", "0")]).continuous);
    assert!(
        !units(
            "1",
            "1",
            &[
                (Some("12.34"), "0.1", "0"),
                (None, "0.100001", "0.00001233")
            ]
        )
        .continuous
    );
}

/// `cap_b = floor(notional_cap / (t·l·10^-(dt+dl)))`, at most `NOTIONAL_MAX`.
#[test]
fn converts_caps_with_a_floor() {
    // One lot·tick is worth 0.1·0.001 = 0.0001.
    let u = units(
        "0.1",
        "0.001",
        &[
            (Some("0.00009999"), "0.01", "0"),
            (Some("50000"), "0.01", "0"),
            (Some("50000.00019999"), "0.01", "0"),
            (None, "0.01", "0"),
        ],
    );
    assert_eq!(u.brackets[0].cap, 0, "below one lot·tick: no notional fits");
    assert_eq!(u.brackets[1].cap, 500_000_000);
    assert_eq!(u.brackets[2].cap, 500_000_001, "500,000,001.9999 floors");
    assert_eq!(u.brackets[3].cap, NOTIONAL_MAX);
    assert_eq!(u.bracket_of(0), 0);
    assert_eq!(u.bracket_of(1), 1);
    assert_eq!(
        u.bracket_of(500_000_000),
        1,
        "a notional exactly on the cap is in the bracket"
    );
    assert_eq!(u.bracket_of(500_000_001), 2);
    assert_eq!(u.bracket_of(500_000_002), 3);
    // Tiny steps make a large cap exceed every notional: clamped.
    let fine = units(
        "0.00000001",
        "0.00000001",
        &[
            (Some("999999999999.99999999"), "0.01", "0"),
            (None, "0.02", "0"),
        ],
    );
    assert_eq!(fine.brackets[0].cap, NOTIONAL_MAX);
    // Coarse steps: floor(999,999,999,999.99999999 / 655) = 1,526,717,557.
    let coarse = units(
        "655",
        "1",
        &[
            (Some("999999999999.99999999"), "0.01", "0"),
            (None, "0.02", "0"),
        ],
    );
    assert_eq!(coarse.brackets[0].cap, 1_526_717_557);
}

/// `k6 = t·l·10^(s − dt − dl − 6)` must be below 2^16.
#[test]
fn enforces_the_k6_limit() {
    let one = [(None, "0.01", "0")];
    let k6 =
        |tick: &str, lot: &str| SymbolUnits::new(&d(tick), &d(lot), &ladder(&one)).map(|u| u.k6);
    assert_eq!(k6("1", "1"), Ok(100), "s = 8: 10^(8 − 6)");
    assert_eq!(k6("655.35", "1"), Ok(65_535));
    assert_eq!(
        k6("0.0001", "0.00065535"),
        Ok(65_535),
        "dt + dl = 12: k6 = t·l"
    );
    assert_eq!(K6_LIMIT, 65_536);
    for (tick, lot) in [
        ("655.36", "1"),
        ("0.0001", "0.00065536"),
        ("1", "1000"),
        ("0.5", "1311"),
    ] {
        let err = k6(tick, lot).unwrap_err();
        assert_eq!(err.field, "tick_size", "{tick} × {lot}");
        assert!(err.reason.contains("k6"), "{err}");
    }
}

#[test]
fn scales_weights_and_padding() {
    let u = units("0.01", "0.0001", &CONTINUOUS);
    assert_eq!((u.quote_decimals, u.k6), (12, 1));
    assert_eq!(
        units("0.00000001", "0.00000001", &CONTINUOUS).quote_decimals,
        22
    );
    assert_eq!(units("1", "1", &CONTINUOUS).quote_decimals, 8);
    let u = units("0.1", "0.001", &CONTINUOUS);
    assert_eq!((u.quote_decimals, u.k6), (10, 1));
    assert_eq!(u.brackets[0].weight_long, 996_000);
    assert_eq!(u.brackets[0].weight_short, 1_004_000);
    assert_eq!(u.brackets[1].maint, 50 * 10u128.pow(10));
    assert_eq!(u.bracket_count, 5);
    for padded in &u.brackets[5..MAX_BRACKETS] {
        assert_eq!(padded, &u.brackets[4]);
        assert_eq!(padded.cap, NOTIONAL_MAX);
    }
}

/// Margins of either sign in `(−10^10, 10^10)`, at most 8 decimals: the
/// spec's range (funding may take a margin below zero), wider than a
/// stated margin's `[0, 10^10)`.
#[test]
fn margins_of_either_sign_up_to_the_range() {
    let u = units("0.1", "0.001", &CONTINUOUS);
    assert_eq!(u.quote_decimals, 10);
    let signed = |text: &str| u.signed_quote_units(&d(text), "delta");
    assert_eq!(
        signed("-9999999999.99999999"),
        Ok(-99_999_999_999_999_999_900)
    );
    assert_eq!(
        signed("9999999999.99999999"),
        Ok(99_999_999_999_999_999_900)
    );
    assert_eq!(signed("-0.00000001"), Ok(-100));
    assert_eq!(signed("-0"), Ok(0));
    for (text, reason) in [
        (
            "-10000000000",
            "out of range: must be > -10000000000 and < 10000000000",
        ),
        (
            "10000000000",
            "out of range: must be > -10000000000 and < 10000000000",
        ),
        ("-0.000000001", "at most 8 decimals allowed, got 9"),
    ] {
        let error = signed(text).unwrap_err();
        assert_eq!(
            (error.field.as_str(), error.reason.as_str()),
            ("delta", reason)
        );
    }
    // A stated margin stays at or above zero.
    assert!(u.quote_units(&d("-0.00000001"), "margin").is_err());
    let limit = u.amount_limit_units();
    assert_eq!(limit, 10i128.pow(20));
    assert!(u.margin_in_range(-limit + 1) && u.margin_in_range(limit - 1));
    assert!(!u.margin_in_range(-limit) && !u.margin_in_range(limit));
}

/// `T = C·10^s − Q·Pe·k6·10^6` holds in `OFFSET_BITS` signed bits at every
/// corner of the ranges, the margin's lowest included (checked exactly on
/// big integers, so the check does not lean on the i128 it checks), and the
/// margin sum in `SUM_BITS`.
#[test]
fn offset_and_sum_widths_hold_negative_margins() {
    use liqscan_core::spec::{
        PositionConst, AMOUNT_LIMIT, OFFSET_BITS, PRICE_MAX, QTY_MAX, SUM_BITS,
    };
    use num_bigint::BigInt;
    // s = 22 and the largest k6 (t·l = 65,535·10^-16): the widest T.
    let fine = units(
        "0.00065535",
        "0.00000001",
        &[(None, "0.999999", "9999999999.99999999")],
    );
    let coarse = units("655.35", "1", &[(None, "0.999999", "9999999999.99999999")]);
    for u in [&fine, &coarse] {
        let s = u.quote_decimals;
        let c_max = BigInt::from(AMOUNT_LIMIT) * BigInt::from(10).pow(s) - 1;
        let value = BigInt::from(QTY_MAX)
            * BigInt::from(PRICE_MAX)
            * BigInt::from(u.k6)
            * BigInt::from(1_000_000);
        let half = BigInt::from(2).pow(OFFSET_BITS - 1);
        // Lowest: a long at the lowest margin; highest: a short at the highest.
        for t in [-&c_max - &value, &c_max + &value] {
            assert!(
                -&half <= t && t < half,
                "T = {t} outside {OFFSET_BITS} bits (s = {s})"
            );
        }
        // The same through the spec's own arithmetic, and the sum at both price ends.
        for (qty, margin) in [
            (QTY_MAX as i32, -(u.amount_limit_units() - 1)),
            (-(QTY_MAX as i32), u.amount_limit_units() - 1),
        ] {
            let konst = u.position_const(qty, PRICE_MAX as u32, margin);
            let expected = BigInt::from(margin)
                - BigInt::from(qty)
                    * BigInt::from(PRICE_MAX)
                    * BigInt::from(u.k6)
                    * BigInt::from(1_000_000);
            assert_eq!(BigInt::from(konst.offset), expected);
            let sum_half = 1i128 << (SUM_BITS - 1);
            for price in [1, PRICE_MAX as u32] {
                let sum = u.margin_sum(PositionConst { ..konst }, price);
                assert!((-sum_half..sum_half).contains(&sum), "sum {sum} at {price}");
            }
        }
    }
}
