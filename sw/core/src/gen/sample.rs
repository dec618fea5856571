//! Sampling helpers that use only correctly rounded IEEE operations (`+ − × ÷`,
//! `sqrt`), never the platform's `ln`/`exp`, so a seed yields the same
//! scenario on every machine.

use rand::Rng;

/// `2^x` for `x ≥ 0`: whole doublings, then the fraction bit by bit with
/// `2^(2^-i)` from repeated square roots (20 bits, relative error < 1e-6).
pub fn exp2(x: f64) -> f64 {
    debug_assert!(x >= 0.0);
    let mut whole = x.floor();
    let mut frac = x - whole;
    let mut value = 1.0;
    while whole >= 1.0 {
        value *= 2.0;
        whole -= 1.0;
    }
    let mut root = 2.0f64;
    for _ in 0..20 {
        root = root.sqrt();
        frac *= 2.0;
        if frac >= 1.0 {
            value *= root;
            frac -= 1.0;
        }
    }
    value
}

/// `log2(x)` for `x ≥ 1`: whole halvings, then the fraction bit by bit by squaring.
pub fn log2(mut x: f64) -> f64 {
    debug_assert!(x >= 1.0);
    let mut result = 0.0;
    while x >= 2.0 {
        x /= 2.0;
        result += 1.0;
    }
    let mut bit = 1.0;
    for _ in 0..20 {
        x *= x;
        bit /= 2.0;
        if x >= 2.0 {
            x /= 2.0;
            result += bit;
        }
    }
    result
}

/// Log-uniform on `[lo, hi]` (`0 < lo ≤ hi`).
pub fn log_uniform(rng: &mut impl Rng, lo: f64, hi: f64) -> f64 {
    lo * exp2(rng.gen::<f64>() * log2(hi / lo))
}

/// Zero mean, unit variance, bounded (triangular: `√6·(u1 + u2 − 1)`).
pub fn unit_noise(rng: &mut impl Rng) -> f64 {
    6f64.sqrt() * (rng.gen::<f64>() + rng.gen::<f64>() - 1.0)
}

/// `x` rounded down or up at random, in proportion (unbiased), as an integer.
pub fn stochastic_round(rng: &mut impl Rng, x: f64) -> i64 {
    let floor = x.floor();
    floor as i64 + i64::from(rng.gen::<f64>() < x - floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp2_and_log2_are_close_inverses() {
        for x in [0.0, 0.25, 1.0, 3.7, 12.5, 30.0] {
            let y = exp2(x);
            assert!((y / 2f64.powf(x) - 1.0).abs() < 1e-5, "exp2({x}) = {y}");
            assert!((log2(y) - x).abs() < 1e-5, "log2(exp2({x}))");
        }
    }
}
