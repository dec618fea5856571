//! Writes the scanner's Verilog: `write_verilog [--lanes L] [--fpga|--sim] --out DIR`
//! creates `DIR/scanner_L<L>_<build>.v` and prints its path.

use std::path::PathBuf;

use liqscan_hw::verilog::{scanner_verilog, Build};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut lanes = liqscan_core::spec::DEFAULT_LANES;
    let mut build = Build::Fpga;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--lanes" => lanes = args.next().ok_or("--lanes needs a value")?.parse()?,
            "--fpga" => build = Build::Fpga,
            "--sim" => build = Build::Sim,
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a directory")?)),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    std::fs::create_dir_all(&out)?;
    let name = format!(
        "scanner_L{lanes}_{}.v",
        if build == Build::Fpga { "fpga" } else { "sim" }
    );
    let path = out.join(name);
    std::fs::write(&path, scanner_verilog(lanes, build)?)?;
    println!("{}", path.display());
    Ok(())
}
