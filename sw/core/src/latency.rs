//! Latency distributions (hdrhistogram, nanoseconds or cycles), shared by
//! the CLI's scan statistics and the benchmarks.

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;

/// A distribution being recorded: three significant figures (0.1 %
/// resolution) at every magnitude, from 1 up to whatever is recorded (the
/// histogram grows to cover the largest value, 584 years in ns). A value it
/// still cannot hold is recorded as its largest and counted in
/// [`Recorder::saturated`], never silently clamped.
#[derive(Debug, Clone)]
pub struct Recorder {
    histogram: Histogram<u64>,
    saturated: u64,
}

impl Default for Recorder {
    fn default() -> Self {
        Self {
            histogram: Histogram::new(3).expect("valid bounds"),
            saturated: 0,
        }
    }
}

impl Recorder {
    pub fn record(&mut self, value: u64) {
        let value = value.max(1);
        if self.histogram.record(value).is_err() {
            self.histogram.saturating_record(value);
            self.saturated += 1;
        }
    }

    /// Records `elapsed` in nanoseconds.
    pub fn record_duration(&mut self, elapsed: Duration) {
        self.record(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Values too large to record, counted as the largest recordable one
    /// (then the quantiles they reach are lower bounds).
    pub fn saturated(&self) -> u64 {
        self.saturated
    }

    pub fn summary(&self) -> Summary {
        Summary::of(&self.histogram)
    }
}

/// The [`Summary`], then `(N saturated: at least these)` if any value was
/// too large to record.
impl fmt::Display for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())?;
        if self.saturated > 0 {
            write!(f, " ({} saturated: at least these)", self.saturated)?;
        }
        Ok(())
    }
}

/// Quantiles of a distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

impl Summary {
    /// The quantiles of `histogram` (all zero when it is empty).
    pub fn of(histogram: &Histogram<u64>) -> Self {
        if histogram.is_empty() {
            return Self::default();
        }
        Self {
            count: histogram.len(),
            p50: histogram.value_at_quantile(0.5),
            p90: histogram.value_at_quantile(0.9),
            p99: histogram.value_at_quantile(0.99),
            p999: histogram.value_at_quantile(0.999),
            max: histogram.max(),
        }
    }
}

/// As nanoseconds: `p50 … ns, p90 … ns, p99 … ns, p99.9 … ns, max … ns`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            p50,
            p90,
            p99,
            p999,
            max,
            ..
        } = self;
        write!(
            f,
            "p50 {p50} ns, p90 {p90} ns, p99 {p99} ns, p99.9 {p999} ns, max {max} ns"
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
            (s.count, s.p50, s.p90, s.p99, s.p999, s.max),
            (1000, 500, 900, 990, 999, 1000)
        );
        assert_eq!(Recorder::default().summary(), Summary::default());
        assert_eq!(
            s.to_string(),
            "p50 500 ns, p90 900 ns, p99 990 ns, p99.9 999 ns, max 1000 ns"
        );
    }

    /// Within the histogram's 0.1 % resolution.
    #[track_caller]
    fn assert_close(got: u64, want: u64) {
        let error = got.abs_diff(want) as f64 / want as f64;
        assert!(error <= 1e-3, "{got} is not within 0.1 % of {want}");
    }

    /// A 5 s tick was recorded as 1 s when the histogram stopped at 1 s.
    #[test]
    fn long_durations_are_recorded_not_clamped() {
        let mut r = Recorder::default();
        r.record_duration(Duration::from_secs(5));
        let s = r.summary();
        assert_close(s.p50, 5_000_000_000);
        assert_close(s.max, 5_000_000_000);
        assert_eq!(r.saturated(), 0);

        // An hour, a day and a year next to a microsecond: each at 0.1 %.
        let day = 86_400_000_000_000u64;
        for value in [1_000, 3_600_000_000_000, day, 365 * day] {
            r.record(value);
        }
        let s = r.summary();
        assert_eq!(s.count, 5);
        assert_close(s.p50, 3_600_000_000_000);
        assert_close(s.p99, 365 * day);
        assert_close(s.max, 365 * day);
        assert_eq!(r.saturated(), 0);
        assert!(!r.to_string().contains("saturated"), "{r}");
    }

    /// What cannot be recorded is counted and said, not passed off as exact.
    #[test]
    fn values_beyond_any_histogram_say_they_saturated() {
        let mut r = Recorder::default();
        r.record(10);
        r.record(u64::MAX);
        r.record_duration(Duration::MAX);
        let s = r.summary();
        assert_eq!(s.count, 3);
        if r.saturated() == 0 {
            assert_close(s.max, u64::MAX);
        } else {
            assert_eq!(r.saturated(), 2);
            assert!(
                r.to_string().ends_with("(2 saturated: at least these)"),
                "{r}"
            );
        }
    }
}
