//! Per-tick decision latency: nanoseconds of the `Engine::tick` call only.

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;

/// Longest latency told apart from longer ones: one minute.
const MAX_NANOS: u64 = 60_000_000_000;

/// A latency histogram: 1 ns to a minute, 3 significant digits.
#[derive(Debug, Clone)]
pub struct Latency(Histogram<u64>);

impl Default for Latency {
    fn default() -> Self {
        Self(Histogram::new_with_bounds(1, MAX_NANOS, 3).expect("valid bounds and precision"))
    }
}

impl Latency {
    pub fn record(&mut self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.0.saturating_record(nanos);
    }

    /// `(p50, p99, p99.9, max)` in nanoseconds (zeros when empty).
    pub fn quantiles(&self) -> [u64; 4] {
        let h = &self.0;
        [
            h.value_at_quantile(0.5),
            h.value_at_quantile(0.99),
            h.value_at_quantile(0.999),
            h.max(),
        ]
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [p50, p99, p999, max] = self.quantiles();
        write!(
            f,
            "p50 {p50} ns, p99 {p99} ns, p99.9 {p999} ns, max {max} ns"
        )
    }
}
