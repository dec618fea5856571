//! `liqscan gen`: a generated scenario written as the input files: its
//! symbols, its opening book and its ticks, and with `--events N` a live
//! stream of its ticks with `N` book changes among them.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use liqscan_core::gen::{self as generator, GenConfig};
use tracing::info;

use crate::load;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Open positions.
    #[arg(long, default_value_t = GenConfig::demo().positions)]
    positions: usize,
    /// Symbols.
    #[arg(long, default_value_t = GenConfig::demo().symbols)]
    symbols: usize,
    /// Mark-price ticks.
    #[arg(long, default_value_t = GenConfig::demo().ticks)]
    ticks: usize,
    /// The same seed gives the same files.
    #[arg(long, default_value_t = GenConfig::demo().seed)]
    seed: u64,
    /// Also write events.jsonl: the ticks with this many book changes (opens,
    /// updates, margin moves, closes) among them.
    #[arg(long, value_name = "N")]
    events: Option<usize>,
    /// Directory for symbols.toml, positions.csv, ticks.csv and events.jsonl
    /// (created if missing).
    #[arg(long)]
    out: PathBuf,
}

impl Args {
    /// The scenario these flags ask for (checked by [`GenConfig::check`]).
    pub fn config(&self) -> GenConfig {
        GenConfig {
            positions: self.positions,
            symbols: self.symbols,
            ticks: self.ticks,
            seed: self.seed,
        }
    }
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let config = args.config();
    let scenario = generator::generate(&config)?;
    // Checked before anything is written.
    let events = args
        .events
        .map(|changes| generator::live_events(&config, &scenario, changes))
        .transpose()?;
    let dir = &args.out;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", load::label(dir)))?;
    let market = &scenario.market;
    write(&dir.join("symbols.toml"), |w| {
        w.write_all(generator::write_symbols_toml(market).as_bytes())
    })?;
    write(&dir.join("positions.csv"), |w| {
        generator::write_positions_csv(market, &scenario.positions, w)
    })?;
    write(&dir.join("ticks.csv"), |w| {
        generator::write_ticks_csv(market, &scenario.ticks, w)
    })?;
    if let Some(events) = events {
        write(&dir.join("events.jsonl"), |w| {
            generator::write_events_jsonl(market, events, w)
        })?;
    }
    info!(
        "wrote {} symbols, {} positions, {} ticks{} (seed {}) to {}",
        market.len(),
        scenario.positions.len(),
        scenario.ticks.len(),
        args.events
            .map(|n| format!(", events with {n} book changes"))
            .unwrap_or_default(),
        config.seed,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn write(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    let context = || format!("cannot write {}", load::label(path));
    let mut out = BufWriter::new(File::create(path).with_context(context)?);
    body(&mut out).with_context(context)?;
    out.flush().with_context(context)
}
