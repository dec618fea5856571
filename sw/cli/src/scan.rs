//! `liqscan scan`: symbols and positions are validated whole, then the
//! ticks (`--ticks`), or the ticks and the book changes between them
//! (`--events`), from a file or standard input, go through the pipeline
//! (see [`crate::pipeline`]): the feed parses each line, the scanner applies
//! a change to the book and the backend or scans a tick, the sink writes
//! each liquidation as one JSON line, each tick's lines out as soon as it is
//! decided. SIGINT or SIGTERM stops the scan between two lines: the line in
//! hand is finished and its events written, then the summary, exit 130 or
//! 143. stderr ends with the summary: counts, times, both latency
//! distributions, the pipeline's waits.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use liqscan_core::input::StreamKind;
use liqscan_core::spec::DEFAULT_LANES;
use liqscan_sim::{backend, Backend};

use crate::sim_threads::SimThreads;

use crate::device::DeviceArgs;
use crate::pipeline::feed::is_stdin;
use crate::pipeline::stop::signal_name;
use crate::pipeline::{self, affinity, Destination, Outcome, Setup};
use crate::{load, trace, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Symbols file (TOML).
    #[arg(long)]
    symbols: PathBuf,
    /// Positions open before the first line (CSV: id,account,symbol,qty,entry_price,margin);
    /// required with --ticks, optional with --events (none open without it).
    #[arg(long, required_unless_present = "events")]
    positions: Option<PathBuf>,
    #[command(flatten)]
    input: Input,
    /// `auto` takes the board when --device names one that identifies
    /// itself correctly, else cpu, and says which and why.
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    backend: Backend,
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    trace: trace::TraceArgs,
    #[command(flatten)]
    sim: SimThreads,
    /// Write the events here instead of stdout (never one of the input files).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Report bad tick lines on stderr and go on (exit 0) instead of stopping (exit 2).
    #[arg(long, conflicts_with = "events")]
    skip_bad_ticks: bool,
    /// Report bad lines of --events on stderr and go on (exit 0) instead of stopping (exit 2).
    #[arg(long, conflicts_with = "ticks")]
    skip_bad_events: bool,
    /// Pin the scanner's thread to this core (numbered as the OS numbers
    /// them, from 0). Without it the scanner is not pinned: the OS
    /// schedules it, as it does the feed and the sink.
    #[arg(long, value_name = "N")]
    core: Option<usize>,
    /// Run the feed, the scanner and the sink in turn on one thread instead
    /// of three: the reference, byte for byte the same events.
    #[arg(long)]
    single_thread: bool,
    /// Write the per-tick latencies (nanoseconds) to FILE as an HdrHistogram
    /// interval log, tags `decision` and `feed-to-decision`.
    #[arg(long, value_name = "FILE")]
    hist_out: Option<PathBuf>,
}

/// What a scan reads: exactly one of the two.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Input {
    /// Mark-price ticks (CSV: seq,symbol,mark_price), scanned as read; `-`
    /// reads standard input, as a live pipe.
    #[arg(long)]
    ticks: Option<PathBuf>,
    /// Ticks and book changes interleaved (JSON Lines: open, update, margin,
    /// close, tick), applied and scanned as read; `-` reads standard input,
    /// as a live pipe.
    #[arg(long)]
    events: Option<PathBuf>,
}

impl Input {
    /// Which input it is and its path (clap has checked there is one).
    fn file(&self) -> Result<(StreamKind, &Path)> {
        match (&self.ticks, &self.events) {
            (Some(ticks), None) => Ok((StreamKind::Ticks, ticks)),
            (None, Some(events)) => Ok((StreamKind::Events, events)),
            _ => Err(UsageError("exactly one of --ticks and --events".into()).into()),
        }
    }
}

/// The checks of a scan's paths and core before anything is opened: an
/// output (`--out`, `--hist-out`) that is one of the inputs or the other
/// output, a core this process may not run on. `path` gives a path flag's
/// value by its id; a usage error (exit 2).
pub fn check_args(path: impl Fn(&str) -> Option<PathBuf>, core: Option<usize>) -> Result<()> {
    let inputs: Vec<(&str, PathBuf)> = [
        ("--symbols", "symbols"),
        ("--positions", "positions"),
        ("--ticks", "ticks"),
        ("--events", "events"),
    ]
    .into_iter()
    .filter_map(|(flag, id)| Some((flag, path(id)?)))
    .filter(|(_, path)| !is_stdin(path))
    .collect();
    let inputs: Vec<(&str, &Path)> = inputs.iter().map(|(f, p)| (*f, p.as_path())).collect();
    let (out, hist_out) = (path("out"), path("hist_out"));
    if let Some(out) = &out {
        load::refuse_overwriting_inputs(("--out", out), &inputs)?;
    }
    if let Some(hist_out) = &hist_out {
        load::refuse_overwriting_inputs(("--hist-out", hist_out), &inputs)?;
        if let Some(out) = &out {
            if out == hist_out {
                return Err(UsageError(format!(
                    "--hist-out {} is --out too: the events and the latency log need two files",
                    load::label(out)
                ))
                .into());
            }
            load::refuse_overwriting_inputs(("--hist-out", hist_out), &[("--out", out)])?;
        }
    }
    if let Some(core) = core {
        affinity::check(core)?;
    }
    Ok(())
}

impl Args {
    /// The input files, by flag (standard input is none).
    fn inputs(&self) -> Result<Vec<(&'static str, &Path)>> {
        let (kind, input) = self.input.file()?;
        let mut inputs = vec![("--symbols", self.symbols.as_path())];
        if let Some(positions) = &self.positions {
            inputs.push(("--positions", positions));
        }
        let flag = match kind {
            StreamKind::Ticks => "--ticks",
            StreamKind::Events => "--events",
        };
        if !is_stdin(input) {
            inputs.push((flag, input));
        }
        Ok(inputs)
    }

    /// `--trace`'s checks, before anything is opened (usage errors).
    pub fn check_trace(&self) -> Result<()> {
        self.trace.check(self.backend, &self.inputs()?)
    }
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let started = Instant::now();
    let (kind, input) = args.input.file()?;
    args.check_trace()?;
    let flag_path = |id: &str| -> Option<PathBuf> {
        match id {
            "symbols" => Some(args.symbols.clone()),
            "positions" => args.positions.clone(),
            "ticks" => args.input.ticks.clone(),
            "events" => args.input.events.clone(),
            "out" => args.out.clone(),
            "hist_out" => args.hist_out.clone(),
            _ => None,
        }
    };
    check_args(flag_path, args.core)?;
    let (market, book) = load::book(&args.symbols, args.positions.as_deref())?;
    let positions = book.len();
    let setup = Setup {
        backend: args.backend,
        trace: args.trace.tracing(),
        options: backend::Options {
            lanes: DEFAULT_LANES,
            device: args.device.device(),
            board_timeout: args.device.board_timeout,
            sim_threads: args.sim.threads(),
        },
        market,
        book,
        kind,
        input: input.to_owned(),
        destination: match &args.out {
            Some(path) => Destination::File(path.clone()),
            None => Destination::Stdout,
        },
        hist_out: args.hist_out.clone(),
        skip_bad: args.skip_bad_ticks || args.skip_bad_events,
        core: args.core,
        started,
    };
    let outcome = if args.single_thread {
        pipeline::single_thread(setup)?
    } else {
        pipeline::threads(setup)?
    };
    Ok(summary(&outcome, positions))
}

/// Writes the summary on stderr; the exit code: 0, or 130 or 143 after a
/// signal.
fn summary(outcome: &Outcome, positions: usize) -> ExitCode {
    let tally = &outcome.tally;
    note!(
        "summary: backend {}, positions {}, ticks {}, bad ticks {}, liquidations {}, \
         updates applied {}, stale updates {}, bad events {}, load {:.3} s, scan {:.3} s",
        outcome.backend,
        positions,
        tally.ticks,
        tally.bad_ticks,
        tally.liquidations,
        tally.updates,
        tally.stale_updates,
        tally.bad_events,
        outcome.load.as_secs_f64(),
        outcome.scan.as_secs_f64(),
    );
    if !outcome.counters.is_empty() {
        let counters: Vec<String> = outcome
            .counters
            .iter()
            .map(|(name, value)| format!("{name} {value}"))
            .collect();
        note!("backend: {}", counters.join(", "));
    }
    note!("decision latency per tick: {}", outcome.totals.decision);
    note!(
        "feed-to-decision latency per tick: {}",
        outcome.totals.feed_to_decision
    );
    if outcome.threads {
        let unread = match outcome.unread {
            0 => String::new(),
            n => format!(", {n} lines read ahead and not handled"),
        };
        note!(
            "pipeline: three threads, scanner {}, feed waited {} times for the scanner, \
             scanner waited {} times for the sink{unread}",
            outcome.pinned,
            outcome.feed_stalls,
            outcome.scanner_stalls,
        );
    } else {
        note!("pipeline: one thread, {}", outcome.pinned);
    }
    let Some(signal) = outcome.stopped_by else {
        return ExitCode::SUCCESS;
    };
    let after = match (tally.last_seq, outcome.kind) {
        (Some(seq), StreamKind::Ticks) => format!("after tick {seq}"),
        (Some(seq), StreamKind::Events) => format!("after seq {seq} of {}", outcome.input),
        (None, kind) => format!("before the first {}", kind.noun()),
    };
    note!(
        "stopped by {} {after}: every event up to it written",
        signal_name(signal)
    );
    ExitCode::from(u8::try_from(128 + signal).unwrap_or(1))
}
