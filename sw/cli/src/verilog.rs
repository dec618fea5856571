//! `liqscan verilog`: the scanner's (or, with `--top`, `liqscan_top`'s)
//! generated Verilog and its top module's port list as JSON (read by
//! `scripts/harness.py`).

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use liqscan_core::spec::{DEFAULT_LANES, LANE_OPTIONS};
use liqscan_hw::verilog::{
    parse_ports, scanner_verilog, top_verilog, Build, Dir, Port, TOP_MODULE,
};
use serde::Serialize;
use tracing::info;

use crate::load;

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
    /// `liqscan_top` (the scanner behind the board's register map: an
    /// AXI4-Lite slave and an AXI4-Stream of result records) instead of the
    /// bare scanner.
    #[arg(long)]
    top: bool,
    /// Directory to write the Verilog to (created if missing).
    #[arg(long, required_unless_present = "ports_json")]
    out: Option<PathBuf>,
    /// Also write the top module's ports to this file, as a JSON array in
    /// declaration order: `{"name", "direction" ("input" or "output"),
    /// "width", "signed", "lane"}`, where `lane` is the number after `$` of
    /// a per-lane port (`res_slot$3`) and `null` for the others.
    #[arg(long, value_name = "FILE")]
    ports_json: Option<PathBuf>,
}

/// One port as `--ports-json` writes it (fields in this order).
#[derive(Debug, Serialize)]
struct PortJson<'a> {
    name: &'a str,
    direction: &'static str,
    width: usize,
    signed: bool,
    lane: Option<usize>,
}

impl<'a> From<&'a Port> for PortJson<'a> {
    fn from(port: &'a Port) -> Self {
        Self {
            name: &port.name,
            direction: match port.dir {
                Dir::In => "input",
                Dir::Out => "output",
            },
            width: port.width,
            signed: port.signed,
            lane: port.lane(),
        }
    }
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
    let (verilog, module) = if args.top {
        (top_verilog(args.lanes, build), "liqscan_top")
    } else {
        (scanner_verilog(args.lanes, build), "liqscan")
    };
    let verilog = verilog.context("generating Verilog")?;
    if let Some(path) = &args.ports_json {
        let ports = parse_ports(&verilog, TOP_MODULE).context("reading the top module's ports")?;
        let rows: Vec<PortJson> = ports.iter().map(PortJson::from).collect();
        let json = serde_json::to_string_pretty(&rows)? + "\n";
        fs::write(path, json).with_context(|| format!("cannot write {}", load::label(path)))?;
        info!("wrote {} ports to {}", rows.len(), path.display());
    }
    if let Some(out) = &args.out {
        fs::create_dir_all(out).with_context(|| format!("cannot create {}", load::label(out)))?;
        let path = out.join(format!("{module}_{name}_{}lanes.v", args.lanes));
        fs::write(&path, verilog)
            .with_context(|| format!("cannot write {}", load::label(&path)))?;
        info!(
            "wrote module `{TOP_MODULE}` ({} slots, {} symbols) to {}",
            build.slots(),
            build.symbols(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
