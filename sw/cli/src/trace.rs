//! `scan --trace FILE [--trace-from SEQ] [--trace-to SEQ]`: a waveform of
//! the chosen ticks on `--backend sim`, written by the scanner verilated
//! with tracing (a build with the `trace` feature; the default build has no
//! tracing code).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use liqscan_core::{Engine, Market};
use liqscan_sim::backend::Options;
use liqscan_sim::{trace, Backend};

use crate::{load, UsageError};

/// How to get a build that traces.
const BUILD_WITH_TRACE: &str = "cargo build --release -p liqscan-cli --features trace";

#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// Write an FST waveform of the ticks scanned to FILE: every signal of
    /// the circuit, each clock edge from the one that accepts a tick to
    /// `done`, one cycle per 10 ns; GTKWave or Surfer open it. `--backend
    /// sim` only, in a build with the `trace` feature.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// The first tick to trace, by its seq (default: the first).
    #[arg(long, value_name = "SEQ", requires = "trace")]
    trace_from: Option<u64>,
    /// The last tick to trace, by its seq (default: the last).
    #[arg(long, value_name = "SEQ", requires = "trace")]
    trace_to: Option<u64>,
}

impl TraceArgs {
    /// The ticks to trace, if any.
    fn window(&self) -> trace::TraceWindow {
        trace::TraceWindow {
            from: self.trace_from.unwrap_or(0),
            to: self.trace_to.unwrap_or(u64::MAX),
        }
    }

    /// Usage errors (exit 2), before anything is read: `--trace` on another
    /// backend, in a build without tracing, naming an input, or an empty
    /// window.
    pub fn check(&self, backend: Backend, inputs: &[(&str, &Path)]) -> Result<()> {
        let Some(path) = &self.trace else {
            return Ok(());
        };
        if backend != Backend::Sim {
            return Err(UsageError(format!(
                "--trace needs --backend sim (the circuit), not {backend}"
            ))
            .into());
        }
        if !trace::AVAILABLE {
            return Err(UsageError(format!(
                "--trace: this liqscan was built without waveform tracing; build it with `{BUILD_WITH_TRACE}`"
            ))
            .into());
        }
        let window = self.window();
        if window.from > window.to {
            return Err(UsageError(format!(
                "--trace-from {} is after --trace-to {}: no tick to trace",
                window.from, window.to
            ))
            .into());
        }
        load::refuse_overwriting_inputs(("--trace", path), inputs)
    }

    /// What to trace, if `--trace` was given (checked by
    /// [`TraceArgs::check`]).
    pub fn tracing(&self) -> Option<Tracing> {
        self.trace.clone().map(|path| Tracing {
            path,
            window: self.window(),
        })
    }
}

/// A waveform to write: where, and of which ticks.
#[derive(Debug, Clone)]
pub struct Tracing {
    path: PathBuf,
    window: trace::TraceWindow,
}

/// The engine to scan on: the traced circuit with `tracing`, else `backend`
/// as usual.
pub fn open(
    tracing: Option<&Tracing>,
    backend: Backend,
    market: Arc<Market>,
    options: &Options,
) -> Result<Box<dyn Engine>> {
    match tracing {
        None => Ok(backend.open(market, options)?),
        Some(tracing) => traced(market, options.lanes, &tracing.path, tracing.window),
    }
}
#[cfg(feature = "trace")]
fn traced(
    market: Arc<Market>,
    lanes: usize,
    path: &Path,
    window: trace::TraceWindow,
) -> Result<Box<dyn Engine>> {
    Ok(Box::new(liqscan_sim::SimEngine::traced(
        market, lanes, path, window,
    )?))
}

#[cfg(not(feature = "trace"))]
fn traced(
    _market: Arc<Market>,
    _lanes: usize,
    _path: &Path,
    _window: trace::TraceWindow,
) -> Result<Box<dyn Engine>> {
    Err(UsageError(format!(
        "--trace: this liqscan was built without waveform tracing; build it with `{BUILD_WITH_TRACE}`"
    ))
    .into())
}
