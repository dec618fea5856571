//! `liqscan-bench`: every backend, the keepers' baselines and the physical
//! limits on the same generated books, in one run; Markdown, CSV and SVG.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use liqscan_bench::clock::{clock_from_file, default_results, Design};
use liqscan_bench::machine::{load_average, Machine};
use liqscan_bench::plan::{default_plans, DEFAULT_SIZES};
use liqscan_bench::report::{markdown, Settings};
use liqscan_bench::{bench_case, numpy, write_all, Options, SOFTWARE};
use liqscan_core::spec::{DEFAULT_LANES, LANE_OPTIONS};
use liqscan_sim::Backend;

#[derive(Debug, Parser)]
#[command(
    name = "liqscan-bench",
    about = "Per-tick latency of liqscan's backends beside a decimal keeper, numpy and the physical limits"
)]
struct Args {
    /// Positions of the one-symbol cases, one case each.
    #[arg(long, value_delimiter = ',', num_args = 1.., default_values_t = DEFAULT_SIZES)]
    positions: Vec<usize>,
    /// Leave out the 1,000,000-position, 100-symbol Zipf book.
    #[arg(long)]
    no_zipf: bool,
    /// Ticks of every case (default: 100,000 up to 64,000 positions, 50,000
    /// up to 200,000, 20,000 above; 100,000 for the Zipf book).
    #[arg(long)]
    ticks: Option<usize>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Software backends run on every tick, in this order, after the
    /// baseline (a backend that decides nothing: the cost of measuring).
    #[arg(long, value_enum, value_delimiter = ',', num_args = 1.., default_values_t = SOFTWARE)]
    backends: Vec<Backend>,
    /// Ticks of every case for the decimal keeper (default: scaled to the book; 0: none).
    #[arg(long)]
    keeper_ticks: Option<usize>,
    /// Ticks of every case for the numpy scan (default: scaled; 0: none).
    #[arg(long)]
    numpy_ticks: Option<usize>,
    /// Ticks of every case on the Verilator model (default: scaled; 0: none).
    #[arg(long)]
    sim_ticks: Option<usize>,
    /// Ticks of every case on the board (default: scaled, none above
    /// 16,000 positions; 0: none).
    #[arg(long)]
    board_ticks: Option<usize>,
    /// The virtual environment numpy is installed into on first use.
    #[arg(long, value_name = "DIR", default_value_os_t = numpy::default_venv())]
    venv: PathBuf,
    /// The circuit's lanes (the Verilator models are built for 1 and 8).
    #[arg(long, default_value_t = DEFAULT_LANES)]
    lanes: usize,
    /// Clock for converting the circuit's cycles to ns (default: the newest
    /// routed, else placed, result of --design for --lanes in the results file).
    #[arg(long)]
    clock_mhz: Option<f64>,
    /// Whose clock the results file gives: the bare scanner's, or
    /// `liqscan_top`'s (the scanner behind its bus logic).
    #[arg(long, default_value = "scanner", value_name = "scanner|top")]
    design: Design,
    /// Synthesis results written by scripts/synth.sh.
    #[arg(long, value_name = "FILE", default_value_os_t = default_results())]
    results: PathBuf,
    /// Core to pin the measuring thread to (default: the last one).
    #[arg(long)]
    core: Option<usize>,
    /// Write bench.md, bench.csv, bench-p50.svg and bench-p99.svg here.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
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
    let started = Instant::now();
    let args = Args::parse();
    anyhow::ensure!(
        LANE_OPTIONS.contains(&args.lanes),
        "--lanes must be one of {LANE_OPTIONS:?}"
    );
    anyhow::ensure!(
        args.backends.iter().all(|b| SOFTWARE.contains(b)),
        "--backends takes cpu and indexed; the Verilator model and the board run on samples \
         (--sim-ticks, --board-ticks)"
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
    let mut plans = default_plans(&args.positions, args.ticks, args.seed, !args.no_zipf);
    for plan in &mut plans {
        let override_with = |sample: &mut usize, given: Option<usize>| {
            if let Some(given) = given {
                *sample = given.min(plan.config.ticks);
            }
        };
        override_with(&mut plan.keeper_ticks, args.keeper_ticks);
        override_with(&mut plan.numpy_ticks, args.numpy_ticks);
        override_with(&mut plan.sim_ticks, args.sim_ticks);
        override_with(&mut plan.board_ticks, args.board_ticks);
    }
    let wants_numpy = plans.iter().any(|p| p.numpy_ticks > 0);
    let python = if wants_numpy {
        numpy::prepare(&args.venv)
    } else {
        Err("--numpy-ticks 0".into())
    };
    if let Err(why) = &python {
        eprintln!("warning: NUMPY SKIPPED: {why}");
    }
    let options = Options {
        backends: args.backends.clone(),
        lanes: args.lanes,
        python: python.clone(),
    };
    // Before pinning: the affinity mask then holds one core.
    let machine = Machine::current();
    let load_before = load_average();
    let pinned = pin(args.core);
    if pinned.is_none() {
        eprintln!("warning: could not pin the measuring thread; figures may be noisier");
    }

    let mut cases = Vec::with_capacity(plans.len());
    for plan in &plans {
        let case = bench_case(plan, &options).with_context(|| format!("case {}", plan.label))?;
        let liquidations = case.run("cpu").map_or(0, |r| r.events.len());
        eprintln!(
            "{}: {liquidations} liquidations, {:.1} s",
            plan.label, case.seconds
        );
        for sim in case
            .sim
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .into_iter()
            .chain(&case.sim_split)
        {
            eprintln!(
                "{}: Verilator cycles/s {:.0} ({} lanes on {} thread(s), {} ticks, {} cycles, host work included)",
                plan.label,
                sim.cycles_per_second(),
                args.lanes,
                sim.threads,
                sim.ticks,
                sim.simulated_cycles
            );
        }
        for (what, why) in [
            (
                "Verilator model",
                case.sim.as_ref().and_then(|r| r.as_ref().err()),
            ),
            ("board", case.board.as_ref().and_then(|r| r.as_ref().err())),
            ("numpy", case.numpy.as_ref().and_then(|r| r.as_ref().err())),
        ] {
            if let Some(why) = why {
                eprintln!("warning: {what} not run: {why}");
            }
        }
        cases.push(case);
    }

    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let settings = Settings {
        machine,
        pinned,
        load_before,
        load_after: load_average(),
        lanes: args.lanes,
        clock_mhz,
        clock_source,
        seed: args.seed,
        command: format!("cargo run --profile bench -p liqscan-bench -- {command}")
            .trim_end()
            .to_owned(),
        seconds: started.elapsed().as_secs_f64(),
        numpy_missing: python.err(),
    };
    match &args.out_dir {
        Some(dir) => {
            let written = write_all(&cases, &settings, dir)?;
            print!("{}", std::fs::read_to_string(&written[0])?);
            for path in &written {
                eprintln!("wrote {}", path.display());
            }
        }
        None => print!("{}", markdown(&cases, &settings)),
    }
    Ok(())
}
