//! liqscan-testkit: what the tests of several crates share, in one place
//! (a dev-dependency only, never published).
//!
//! - [`oracle`]: the liquidation rule in exact rationals, straight from the
//!   input strings, independent of the spec integers.
//! - [`book`]: seeded random and adversarial books and tick sequences as
//!   input strings (liqscan-core's agreement and price tests).
//! - [`units`]: symbols and positions drawn directly in spec integers (the
//!   co-simulation tests of liqscan-sim).
//! - [`live`]: live streams (`events.jsonl` with its opening book) with
//!   planted boundaries, and the oracle that plays them (liqscan-sim's
//!   backend agreement and the CLI's).
//! - [`replay`]: a live stream played on an engine as `liqscan scan
//!   --events` plays it, event lines and all (liqscan-sim's backend and
//!   board agreement).
//! - [`board`]: command entries and result records of the board's formats
//!   (the tests of `liqscan_top` in liqscan-hw and liqscan-sim).
//! - [`alloc`]: a counting global allocator, charged per thread (the tests
//!   that no tick allocates, in liqscan-core and liqscan-cli).

pub mod alloc;
pub mod board;
pub mod book;
pub mod live;
pub mod oracle;
pub mod replay;
pub mod units;

use rand::Rng;

/// Roughly log-uniform in `lo ..= hi` (both taken as at least 1): a bit
/// length uniformly, then a value of that length, so small and huge values
/// are drawn alike.
pub fn log_uniform<R: Rng + ?Sized>(rng: &mut R, lo: u128, hi: u128) -> u128 {
    let hi = hi.max(1);
    let lo = lo.max(1).min(hi);
    let bits = rng.gen_range(lo.ilog2()..=hi.ilog2());
    let from = (1u128 << bits).max(lo);
    let to = (1u128 << bits).saturating_mul(2).saturating_sub(1).min(hi);
    rng.gen_range(from..=to)
}

/// `digits` (a magnitude) with a decimal point before its last `decimals`
/// digits, zero-padded, and a minus sign if `negative`: `12345, 2` → `123.45`.
fn with_point(negative: bool, digits: &str, decimals: u32) -> String {
    let digits = format!("{digits:0>width$}", width = decimals as usize + 1);
    let (int, frac) = digits.split_at(digits.len() - decimals as usize);
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn log_uniform_stays_in_range_and_reaches_both_ends() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let draws: Vec<u128> = (0..2_000)
            .map(|_| log_uniform(&mut rng, 3, 1 << 40))
            .collect();
        assert!(draws.iter().all(|&x| (3..=1 << 40).contains(&x)));
        assert!(draws.iter().any(|&x| x < 8) && draws.iter().any(|&x| x >= 1 << 39));
        assert_eq!(log_uniform(&mut rng, 0, 0), 1);
        assert!(log_uniform(&mut rng, 1, u128::MAX) >= 1);
    }

    #[test]
    fn writes_decimal_points() {
        assert_eq!(with_point(false, "12345", 2), "123.45");
        assert_eq!(with_point(true, "5", 3), "-0.005");
        assert_eq!(with_point(false, "7", 0), "7");
        assert_eq!(book::fmt(-1_500, 3), "-1.500");
    }
}
