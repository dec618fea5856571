//! Latency distributions (hdrhistogram, nanoseconds or cycles), shared by
//! the CLI's scan statistics and the benchmarks.

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;

/// Values recorded exactly up to this (1 s in ns); larger ones saturate.
const HIGHEST: u64 = 1_000_000_000;

/// A distribution being recorded.
#[derive(Debug, Clone)]
pub struct Recorder(Histogram<u64>);

impl Default for Recorder {
    fn default() -> Self {
        // Three significant figures: 0.1 % resolution at every magnitude.
        Self(Histogram::new_with_bounds(1, HIGHEST, 3).expect("valid bounds"))
    }
}

impl Recorder {
    pub fn record(&mut self, value: u64) {
        self.0.saturating_record(value.max(1));
    }

    /// Records `elapsed` in nanoseconds.
    pub fn record_duration(&mut self, elapsed: Duration) {
        self.record(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
    }

    pub fn summary(&self) -> Summary {
        let h = &self.0;
        if h.is_empty() {
            return Summary::default();
        }
        Summary {
            count: h.len(),
            p50: h.value_at_quantile(0.5),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
        }
    }
}

/// Quantiles of a distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub p50: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

/// As nanoseconds: `p50 … ns, p99 … ns, p99.9 … ns, max … ns`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            p50,
            p99,
            p999,
            max,
            ..
        } = self;
        write!(
            f,
            "p50 {p50} ns, p99 {p99} ns, p99.9 {p999} ns, max {max} ns"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_known_distribution() {
        let mut r = Recorder::default();
        for v in 1..=1000 {
            r.record(v);
        }
        let s = r.summary();
        assert_eq!(
            (s.count, s.p50, s.p99, s.p999, s.max),
            (1000, 500, 990, 999, 1000)
        );
        assert_eq!(Recorder::default().summary(), Summary::default());
        assert_eq!(
            s.to_string(),
            "p50 500 ns, p99 990 ns, p99.9 999 ns, max 1000 ns"
        );
    }
}
