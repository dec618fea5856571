//! The scan's per-tick latency distributions, in nanoseconds: the backend's
//! decision time and the feed-to-decision time, over intervals of the run.
//!
//! Each histogram has a fixed range (1 ns to one hour at three significant
//! figures, about 270 KiB) allocated once, so that recording a tick on the
//! scanner's hot path never allocates. A value above the range is recorded
//! as the largest one and counted as over the range, never dropped.

use std::fmt;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
pub use liqscan_core::latency::Summary;

/// Largest value a histogram holds: one hour, in nanoseconds.
pub const HIGHEST_NS: u64 = 3_600_000_000_000;

/// Significant figures kept at every magnitude (0.1 % resolution).
const SIGNIFICANT_FIGURES: u8 = 3;

/// One distribution of nanoseconds with a fixed range.
#[derive(Debug, Clone)]
pub struct Latency {
    histogram: Histogram<u64>,
    /// Values above [`HIGHEST_NS`], recorded as [`HIGHEST_NS`].
    over_range: u64,
}

impl Default for Latency {
    fn default() -> Self {
        let mut histogram = Histogram::new_with_bounds(1, HIGHEST_NS, SIGNIFICANT_FIGURES)
            .expect("valid histogram bounds");
        histogram.auto(false);
        Self {
            histogram,
            over_range: 0,
        }
    }
}

impl Latency {
    /// Records `elapsed` (at least 1 ns). Never allocates.
    #[inline]
    pub fn record(&mut self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX).max(1);
        if self.histogram.record(nanos).is_err() {
            self.histogram.saturating_record(HIGHEST_NS);
            self.over_range += 1;
        }
    }

    pub fn histogram(&self) -> &Histogram<u64> {
        &self.histogram
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// Values above the range, counted as its largest.
    pub fn over_range(&self) -> u64 {
        self.over_range
    }

    /// Adds `other`'s values (the same range: no allocation).
    pub fn add(&mut self, other: &Latency) {
        self.histogram
            .add(&other.histogram)
            .expect("histograms of the same range add");
        self.over_range += other.over_range;
    }

    pub fn reset(&mut self) {
        self.histogram.reset();
        self.over_range = 0;
    }

    pub fn summary(&self) -> Summary {
        Summary::of(&self.histogram)
    }
}

/// The [`Summary`], then `(N over 1 h: at least these)` if a value was above
/// the range.
impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())?;
        if self.over_range > 0 {
            write!(f, " ({} over 1 h: at least these)", self.over_range)?;
        }
        Ok(())
    }
}

/// What the scanner measured per tick over one interval of the run.
#[derive(Debug, Clone)]
pub struct Interval {
    pub start: Instant,
    /// Set when the interval is handed over.
    pub end: Instant,
    /// The backend's `tick` call.
    pub decision: Latency,
    /// From the feed having parsed the tick to the backend's decision.
    pub feed_to_decision: Latency,
}

impl Interval {
    pub fn new(start: Instant) -> Self {
        Self {
            start,
            end: start,
            decision: Latency::default(),
            feed_to_decision: Latency::default(),
        }
    }

    /// Empties it for a new interval from `start`.
    pub fn restart(&mut self, start: Instant) {
        self.start = start;
        self.end = start;
        self.decision.reset();
        self.feed_to_decision.reset();
    }

    /// Ticks recorded.
    pub fn ticks(&self) -> u64 {
        self.decision.count()
    }

    pub fn add(&mut self, other: &Interval) {
        self.start = self.start.min(other.start);
        self.end = self.end.max(other.end);
        self.decision.add(&other.decision);
        self.feed_to_decision.add(&other.feed_to_decision);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_known_distribution() {
        let mut latency = Latency::default();
        for nanos in 1..=1000 {
            latency.record(Duration::from_nanos(nanos));
        }
        assert_eq!(
            latency.summary(),
            Summary {
                count: 1000,
                p50: 500,
                p90: 900,
                p99: 990,
                p999: 999,
                max: 1000
            }
        );
        assert_eq!(
            latency.to_string(),
            "p50 500 ns, p90 900 ns, p99 990 ns, p99.9 999 ns, max 1000 ns"
        );
        assert_eq!(Latency::default().summary(), Summary::default());
    }

    /// Zero is recorded as 1 ns; past an hour, as an hour, and said.
    #[test]
    fn values_out_of_range_are_counted_not_dropped() {
        let mut latency = Latency::default();
        latency.record(Duration::ZERO);
        latency.record(Duration::from_secs(7200));
        latency.record(Duration::MAX);
        assert_eq!(latency.count(), 3);
        assert_eq!(latency.over_range(), 2);
        // Within the histogram's 0.1 % resolution.
        let p50 = latency.summary().p50;
        assert!(p50.abs_diff(HIGHEST_NS) <= HIGHEST_NS / 1000, "{p50}");
        assert_eq!(latency.histogram().min(), 1);
        assert!(
            latency
                .to_string()
                .ends_with("(2 over 1 h: at least these)"),
            "{latency}"
        );
    }

    #[test]
    fn intervals_add_up_and_restart_empty() {
        let start = Instant::now();
        let mut a = Interval::new(start);
        let mut b = Interval::new(start + Duration::from_secs(1));
        a.decision.record(Duration::from_nanos(10));
        a.feed_to_decision.record(Duration::from_nanos(20));
        b.decision.record(Duration::from_nanos(30));
        b.feed_to_decision.record(Duration::from_nanos(40));
        b.end = start + Duration::from_secs(2);
        a.add(&b);
        assert_eq!((a.ticks(), a.feed_to_decision.count()), (2, 2));
        assert_eq!(a.end - a.start, Duration::from_secs(2));
        a.restart(start);
        assert_eq!(a.ticks(), 0);
    }
}
