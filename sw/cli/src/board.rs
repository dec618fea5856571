//! `liqscan board`: a virtual board. Runs the verilated `liqscan_top` and
//! serves its register window and result ring as one file, playing the
//! card's DMA engine, until SIGINT or SIGTERM; `liqscan scan --backend board
//! --device PATH` drives it through the same memory-mapped bus a card uses.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::{Context, Result};
use liqscan_core::spec::DEFAULT_LANES;
use liqscan_driver::virtual_board;
use liqscan_sim::TopModel;
use signal_hook::consts::{SIGINT, SIGTERM};
use tracing::info;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to serve (e.g. /dev/shm/liqscan-board): created under a
    /// temporary name, renamed to PATH when the board is ready, removed
    /// when it stops.
    #[arg(long, value_name = "PATH")]
    device: PathBuf,
    /// Lanes of the verilated circuit.
    #[arg(long, default_value_t = DEFAULT_LANES)]
    lanes: usize,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let card = TopModel::new(args.lanes).context("starting the verilated liqscan_top")?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register(signal, stop.clone())
            .context("installing the signal handlers")?;
    }
    info!(
        "virtual board: liqscan_top with {} lanes at {} (stop with SIGINT or SIGTERM)",
        args.lanes,
        args.device.display()
    );
    virtual_board::serve(card, &args.device, &stop)
        .with_context(|| format!("serving {}", args.device.display()))?;
    info!("virtual board stopped; {} removed", args.device.display());
    Ok(ExitCode::SUCCESS)
}
