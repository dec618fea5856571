//! `liqscan verilog`: the scanner's generated Verilog.

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use liqscan_core::spec::{DEFAULT_LANES, LANE_OPTIONS};
use liqscan_hw::verilog::{scanner_verilog, Build, TOP_MODULE};
use tracing::info;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Parallel lanes (1, 2, 4, 8 or 16).
    #[arg(long, default_value_t = DEFAULT_LANES, value_parser = lanes)]
    lanes: usize,
    /// The FPGA build (board capacities) instead of the Verilator build.
    /// Define `LIQSCAN_ECP5` when synthesizing it for an ECP5 (`yosys
    /// read_verilog -D LIQSCAN_ECP5`) to get registered MULT18X18D blocks.
    #[arg(long)]
    fpga: bool,
    /// Directory to write the Verilog to (created if missing).
    #[arg(long)]
    out: PathBuf,
}

fn lanes(text: &str) -> Result<usize, String> {
    let lanes: usize = text.parse().map_err(|e| format!("{e}"))?;
    if LANE_OPTIONS.contains(&lanes) {
        Ok(lanes)
    } else {
        Err(format!("must be one of {LANE_OPTIONS:?}"))
    }
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let (build, name) = if args.fpga {
        (Build::Fpga, "fpga")
    } else {
        (Build::Sim, "sim")
    };
    let verilog = scanner_verilog(args.lanes, build).context("generating Verilog")?;
    fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let path = args
        .out
        .join(format!("liqscan_{name}_{}lanes.v", args.lanes));
    fs::write(&path, verilog).with_context(|| format!("cannot write {}", path.display()))?;
    info!(
        "wrote module `{TOP_MODULE}` ({} slots, {} symbols) to {}",
        build.slots(),
        build.symbols(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
