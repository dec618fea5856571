//! `liqscan-bench`: measures every backend's per-tick decision latency on
//! one-symbol books of several sizes and prints markdown tables.

use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use liqscan_bench::clock::{clock_from_file, default_results, Design};
use liqscan_bench::machine::Machine;
use liqscan_bench::report::{detail_table, header, summary_table, Settings};
use liqscan_bench::{bench_case, case_config, SimPlan, SOFTWARE};
use liqscan_core::spec::{DEFAULT_LANES, LANE_OPTIONS};
use liqscan_sim::Backend;

#[derive(Debug, Parser)]
#[command(
    name = "liqscan-bench",
    about = "Per-tick decision latency of liqscan's backends, side by side"
)]
struct Args {
    /// Positions in the ticked symbol, one case each.
    #[arg(long, value_delimiter = ',', num_args = 1.., default_values_t = [1_000, 4_000, 16_000])]
    positions: Vec<usize>,
    /// Ticks per case.
    #[arg(long, default_value_t = 50_000)]
    ticks: usize,
    /// Leading ticks of each case run but not recorded (caches, branch predictors).
    #[arg(long, default_value_t = 1_000)]
    warmup: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Software backends to run on every tick, in this order, after the
    /// baseline (a backend that decides nothing: the cost of measuring).
    #[arg(long, value_enum, value_delimiter = ',', num_args = 1.., default_values_t = SOFTWARE)]
    backends: Vec<Backend>,
    /// Ticks of each case also run on the Verilator model (0: none).
    #[arg(long, default_value_t = 200)]
    sim_ticks: usize,
    /// The circuit's lanes (the Verilator model is built for 1 and 8).
    #[arg(long, default_value_t = DEFAULT_LANES)]
    lanes: usize,
    /// Clock for converting the circuit's cycles to ns (default: the newest
    /// routed, else placed, result of --design for --lanes in the results file).
    #[arg(long)]
    clock_mhz: Option<f64>,
    /// Whose clock the results file gives: the bare scanner's, or
    /// `liqscan_top`'s (the scanner behind its bus logic).
    #[arg(long, value_enum, default_value_t = Design::Scanner)]
    design: Design,
    /// Synthesis results written by scripts/synth.sh.
    #[arg(long, value_name = "FILE", default_value_os_t = default_results())]
    results: std::path::PathBuf,
    /// Core to pin the measuring thread to (default: the last one).
    #[arg(long)]
    core: Option<usize>,
    /// Also write the markdown to this file.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

/// Pins this thread to `wanted` (or the last core); returns the core's id.
fn pin(wanted: Option<usize>) -> Option<usize> {
    let cores = core_affinity::get_core_ids()?;
    let core = match wanted {
        Some(id) => *cores.iter().find(|c| c.id == id)?,
        None => *cores.last()?,
    };
    core_affinity::set_for_current(core).then_some(core.id)
}

fn main() -> Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        LANE_OPTIONS.contains(&args.lanes),
        "--lanes must be one of {LANE_OPTIONS:?}"
    );
    anyhow::ensure!(
        !args.backends.contains(&Backend::Sim),
        "the sim backend runs on the first --sim-ticks ticks of each case, not in --backends"
    );
    let (clock_mhz, clock_source) = match args.clock_mhz {
        Some(mhz) => (mhz, "--clock-mhz".to_owned()),
        None => {
            let result = clock_from_file(&args.results, args.design, args.lanes)?;
            eprintln!(
                "clock: {} MHz for {} lanes, {result} ({})",
                result.clock_mhz,
                args.lanes,
                args.results.display()
            );
            (result.clock_mhz, result.to_string())
        }
    };
    anyhow::ensure!(
        clock_mhz > 0.0,
        "the clock must be positive, not {clock_mhz} MHz"
    );
    anyhow::ensure!(args.warmup < args.ticks, "--warmup must be below --ticks");
    // Before pinning: the affinity mask then holds one core.
    let machine = Machine::current();
    let pinned = pin(args.core);
    if pinned.is_none() {
        eprintln!("warning: could not pin the measuring thread; figures may be noisier");
    }
    let settings = Settings {
        machine,
        pinned,
        lanes: args.lanes,
        clock_mhz,
        clock_source,
        seed: args.seed,
        ticks: args.ticks,
        warmup: args.warmup,
        sim_ticks: (args.sim_ticks > 0).then_some(args.sim_ticks.min(args.ticks)),
    };
    // The model's warm-up is in proportion to its shorter run.
    let sim = settings.sim_ticks.map(|ticks| SimPlan {
        ticks,
        warmup: args.warmup * ticks / args.ticks,
    });

    let mut cases = Vec::with_capacity(args.positions.len());
    for &positions in &args.positions {
        let started = Instant::now();
        let config = case_config(positions, args.ticks, args.seed);
        let case = bench_case(&config, &args.backends, args.warmup, args.lanes, sim)
            .with_context(|| format!("case of {positions} positions"))?;
        let liquidations = case
            .runs
            .iter()
            .find(|r| r.backend != "base")
            .map_or(0, |r| r.events.len());
        eprintln!(
            "{positions} positions: {liquidations} liquidations, {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if let Some(Err(reason)) = &case.sim {
            eprintln!("warning: Verilator model not run: {reason}");
        }
        cases.push(case);
    }

    let markdown = format!(
        "{}\n{}\n{}",
        header(&settings),
        summary_table(&cases, &settings),
        detail_table(&cases, &settings)
    );
    print!("{markdown}");
    if let Some(path) = &args.out {
        std::fs::write(path, &markdown).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
