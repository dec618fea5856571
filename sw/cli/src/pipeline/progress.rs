//! How far a scan is, as the stages publish it (relaxed atomic stores, each
//! counter on its own cache line so the stages never share one), and its
//! display: an `indicatif` bar when stderr is a terminal and the run is
//! long, a `tracing` line every ten seconds otherwise.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam::utils::CachePadded;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use liqscan_core::report::grouped;
use tracing::info;

/// Counts the stages publish while they run.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes of the input read (the feed).
    pub bytes: CachePadded<AtomicU64>,
    /// Ticks decided (the scanner).
    pub ticks: CachePadded<AtomicU64>,
    /// Liquidations decided (the scanner).
    pub liquidations: CachePadded<AtomicU64>,
    /// Sends of the feed that found the channel to the scanner full.
    pub feed_stalls: CachePadded<AtomicU64>,
    /// Sends of the scanner that found the sink behind (its channel full, or
    /// every decided tick's buffer out).
    pub scanner_stalls: CachePadded<AtomicU64>,
}

impl Progress {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// A run shorter than this shows no progress.
const LONG_RUN: Duration = Duration::from_secs(1);

/// Between two progress lines in a log.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// The progress display of one scan.
pub struct Display {
    started: Instant,
    /// Size of the input file, when it is one.
    total_bytes: Option<u64>,
    input: String,
    terminal: bool,
    bar: Option<ProgressBar>,
    last_log: Instant,
}

impl Display {
    pub fn new(input: &str, total_bytes: Option<u64>) -> Self {
        let now = Instant::now();
        Self {
            started: now,
            total_bytes,
            input: input.to_owned(),
            terminal: io::stderr().is_terminal(),
            bar: None,
            last_log: now,
        }
    }

    /// Shows `progress` if the run has become long.
    pub fn update(&mut self, progress: &Progress) {
        let now = Instant::now();
        if now - self.started < LONG_RUN {
            return;
        }
        let (bytes, ticks, liquidations) = (
            Progress::get(&progress.bytes),
            Progress::get(&progress.ticks),
            Progress::get(&progress.liquidations),
        );
        let message = format!(
            "{} ticks, {} liquidations",
            grouped(ticks),
            grouped(liquidations)
        );
        if self.terminal {
            let bar = self.bar.get_or_insert_with(|| new_bar(self.total_bytes));
            bar.set_position(bytes);
            bar.set_message(message);
        } else if now - self.last_log >= LOG_EVERY {
            self.last_log = now;
            let read = match self.total_bytes {
                Some(total) if total > 0 => {
                    format!(
                        "{:.0} % of {}",
                        bytes as f64 * 100.0 / total as f64,
                        self.input
                    )
                }
                _ => format!("{} bytes of {}", grouped(bytes), self.input),
            };
            info!("progress: {read}, {message}");
        }
    }

    /// Removes the bar, before the summary.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn new_bar(total_bytes: Option<u64>) -> ProgressBar {
    let (bar, template) = match total_bytes {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            "{elapsed_precise} [{wide_bar}] {percent:>3}% {msg}",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "{elapsed_precise} {spinner} {bytes} read, {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}
