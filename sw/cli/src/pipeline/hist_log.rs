//! `--hist-out`: the scan's latency intervals as a standard HdrHistogram
//! interval log (the format of HdrHistogram's `HistogramLogWriter`, read by
//! its `HistogramLogProcessor` and by `hdrhistogram`'s
//! `IntervalLogIterator`): a header, then per interval two compressed
//! histograms in nanoseconds, tagged [`DECISION_TAG`] and [`FEED_TAG`].

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Instant, SystemTime};

use anyhow::{anyhow, Context, Result};
use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
use hdrhistogram::serialization::V2DeflateSerializer;

use super::latency::{Interval, Latency};
use crate::load::label;

/// The tag of the backend's decision time per tick.
pub const DECISION_TAG: &str = "decision";
/// The tag of the feed-to-decision time per tick.
pub const FEED_TAG: &str = "feed-to-decision";

/// An interval log being written.
pub struct HistLog {
    out: BufWriter<File>,
    name: String,
    serializer: V2DeflateSerializer,
    /// The log's BaseTime: interval timestamps are seconds since it.
    base: Instant,
}

impl HistLog {
    /// Creates (or truncates) `path` and writes the header: the log's
    /// StartTime and BaseTime are `now` (the instant `base`).
    pub fn create(path: &Path, base: Instant, now: SystemTime) -> Result<Self> {
        let name = label(path);
        let file = File::create(path).with_context(|| format!("cannot create {name}"))?;
        let mut log = Self {
            out: BufWriter::new(file),
            name,
            serializer: V2DeflateSerializer::new(),
            base,
        };
        let header = IntervalLogWriterBuilder::new()
            .add_comment("[Histogram log format version 1.3]")
            .add_comment(&format!(
                "[liqscan scan: per-tick latency in nanoseconds; tag {DECISION_TAG}: the \
                 backend's tick call; tag {FEED_TAG}: from the feed having parsed the tick to \
                 the backend's decision]"
            ))
            .with_start_time(now)
            .with_base_time(now)
            .begin_log_with(&mut log.out, &mut log.serializer)
            .map(drop);
        header
            .and_then(|()| {
                log.out.write_all(
                    b"\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\
                      \"Interval_Compressed_Histogram\"\n",
                )
            })
            .map_err(|e| log.failed(e.into()))?;
        Ok(log)
    }

    fn failed(&self, error: anyhow::Error) -> anyhow::Error {
        error.context(format!("writing the latency log {}", self.name))
    }

    /// Writes `interval`'s two histograms (nothing for an interval without
    /// ticks).
    pub fn write(&mut self, interval: &Interval) -> Result<()> {
        if interval.ticks() == 0 {
            return Ok(());
        }
        let start = interval.start.saturating_duration_since(self.base);
        let length = interval.end.saturating_duration_since(interval.start);
        let histograms: [(&str, &Latency); 2] = [
            (DECISION_TAG, &interval.decision),
            (FEED_TAG, &interval.feed_to_decision),
        ];
        for (tag, latency) in histograms {
            // A builder with no header writes nothing: only the histogram line.
            let written = IntervalLogWriterBuilder::new()
                .begin_log_with(&mut self.out, &mut self.serializer)
                .map_err(anyhow::Error::from)
                .and_then(|mut writer| {
                    writer
                        .write_histogram(latency.histogram(), start, length, Tag::new(tag))
                        .map_err(|e| anyhow!("{e}"))
                });
            written.map_err(|e| self.failed(e))?;
        }
        Ok(())
    }

    /// Flushes the log to its file.
    pub fn finish(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| self.failed(e.into()))
    }
}
