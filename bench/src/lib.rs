//! liqscan-bench: per-tick latency of every backend on the same generated
//! books and ticks, in one run, beside the baselines a liquidation engine is
//! measured against (a decimal keeper, a float64 numpy scan) and the
//! physical limits (a streaming read of the bytes a scan must touch, the
//! circuit's `ceil(n/L) + D` cycles); written as Markdown, CSV and SVG.

pub mod board;
pub mod circuit;
pub mod clock;
pub mod floor;
pub mod goals;
pub mod keeper;
pub mod machine;
pub mod measure;
pub mod numpy;
pub mod plan;
pub mod plot;
pub mod report;
pub mod table;

use std::path::PathBuf;
use std::time::Instant;

use liqscan_core::cpu::SCAN_BYTES_PER_SLOT;
use liqscan_core::gen::{self, GenError, Scenario};
use liqscan_core::EngineError;
use liqscan_sim::Backend;

use floor::{run_floor, slots_per_symbol, Floor, ROW_BYTES};
use keeper::DecimalKeeper;
use measure::{circuit_cycles, run, Baseline, Run};
use plan::Plan;
use report::{Case, FloorRun};

/// The software backends the bench times on every tick of a case.
pub const SOFTWARE: [Backend; 2] = [Backend::Cpu, Backend::Indexed];

/// Why a bench case could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Gen(#[from] GenError),
    #[error("{backend}: {error}")]
    Engine { backend: String, error: EngineError },
    /// Two backends reported different liquidations: the figures would be meaningless.
    #[error("backends disagree: {0}")]
    Disagree(String),
}

fn engine_error(backend: &str) -> impl FnOnce(EngineError) -> BenchError + '_ {
    move |error| BenchError::Engine {
        backend: backend.to_owned(),
        error,
    }
}

/// What every case of a run shares.
#[derive(Debug, Clone)]
pub struct Options {
    /// Software backends run on every tick, after the baseline.
    pub backends: Vec<Backend>,
    /// The circuit's lanes (Verilator model and board).
    pub lanes: usize,
    /// The Python with numpy, or why there is none (the numpy column is
    /// then skipped, and the report says why).
    pub python: Result<PathBuf, String>,
}

/// `reference`'s events up to the `seq` of `ticks`'s last tick: what a
/// backend run on those first ticks must report.
fn prefix(reference: &Run, ticks: &[liqscan_core::Tick]) -> Run {
    let last = ticks.last().map_or(0, |t| t.seq);
    Run {
        events: reference
            .events
            .iter()
            .copied()
            .take_while(|&(seq, _)| seq <= last)
            .collect(),
        ..reference.clone()
    }
}

/// Checks a sample run against the reference's events on the same ticks.
fn agree(
    sample: &Run,
    reference: Option<&Run>,
    scenario: &Scenario,
    ticks: usize,
) -> Result<(), BenchError> {
    if let Some(reference) = reference {
        let ticks = &scenario.ticks[..ticks.min(scenario.ticks.len())];
        if let Some(difference) = sample.difference(&prefix(reference, ticks)) {
            return Err(BenchError::Disagree(difference));
        }
    }
    Ok(())
}

/// The warm-up of a sample of `sample` ticks: in proportion to the case's.
fn sample_warmup(plan: &Plan, sample: usize) -> usize {
    plan.warmup * sample / plan.config.ticks.max(1)
}

/// Runs every measurement of one case on one generated scenario: the
/// floors, the baseline and `options.backends` on every tick, then the
/// keeper, numpy, the Verilator model and the board on their samples.
/// Fails if any exact backend's liquidations differ from the first one's.
pub fn bench_case(plan: &Plan, options: &Options) -> Result<Case, BenchError> {
    let started = Instant::now();
    let scenario = gen::generate(&plan.config)?;
    let slots = slots_per_symbol(&scenario);
    let floors = [ROW_BYTES, SCAN_BYTES_PER_SLOT]
        .map(|bytes| {
            let floor = Floor::new(&slots, bytes);
            FloorRun {
                bytes_per_slot: bytes,
                latency: run_floor(&floor, &scenario, plan.warmup),
            }
        })
        .to_vec();

    let mut runs = vec![run(&mut Baseline, &scenario, plan.warmup).map_err(engine_error("base"))?];
    for &backend in &options.backends {
        let name = backend.to_string();
        let mut engine = backend
            .engine(scenario.market.clone(), options.lanes)
            .map_err(engine_error(&name))?;
        runs.push(run(engine.as_mut(), &scenario, plan.warmup).map_err(engine_error(&name))?);
    }
    let reference = runs.get(1).cloned();
    if let Some(reference) = &reference {
        if let Some(difference) = runs[2..].iter().find_map(|r| r.difference(reference)) {
            return Err(BenchError::Disagree(difference));
        }
    }

    let keeper = if plan.keeper_ticks > 0 {
        let mut keeper = DecimalKeeper::new(scenario.market.clone());
        let ticks = &scenario.ticks[..plan.keeper_ticks.min(scenario.ticks.len())];
        let load = measure::load(&mut keeper, &scenario).map_err(engine_error("keeper"))?;
        let run = measure::run_ticks(&mut keeper, ticks, sample_warmup(plan, ticks.len()), |_| {})
            .map_err(engine_error("keeper"))?;
        let run = Run { load, ..run };
        agree(&run, reference.as_ref(), &scenario, plan.keeper_ticks)?;
        Some(run)
    } else {
        None
    };

    let numpy = (plan.numpy_ticks > 0).then(|| {
        let python = options.python.as_ref().map_err(Clone::clone)?;
        numpy::run_numpy(
            python,
            &scenario,
            plan.numpy_ticks,
            sample_warmup(plan, plan.numpy_ticks),
        )
    });

    let run_sim = |threads: usize| -> Result<Option<Result<circuit::SimRun, String>>, BenchError> {
        if plan.sim_ticks == 0 {
            return Ok(None);
        }
        let ticks = plan.sim_ticks;
        let warmup = sample_warmup(plan, ticks);
        match circuit::run_sim(&scenario, options.lanes, threads, ticks, warmup) {
            Ok(sim) => {
                agree(&sim.run, reference.as_ref(), &scenario, ticks)?;
                Ok(Some(Ok(sim)))
            }
            Err(EngineError::Unavailable(reason)) => Ok(Some(Err(reason))),
            Err(error) => Err(engine_error("sim")(error)),
        }
    };
    let sim = run_sim(1)?;
    // The same model with its lanes on two threads, when it was built so.
    let sim_split = match (&sim, options.lanes >= 2) {
        (Some(Ok(_)), true) => run_sim(2)?.and_then(Result::ok).filter(|s| s.threads == 2),
        _ => None,
    };

    let board = if plan.board_ticks > 0 {
        let ticks = plan.board_ticks;
        match board::run_board(&scenario, options.lanes, ticks, sample_warmup(plan, ticks)) {
            Ok(board) => {
                agree(&board.run, reference.as_ref(), &scenario, ticks)?;
                Some(Ok(board))
            }
            Err(EngineError::Unavailable(reason)) => Some(Err(reason)),
            Err(error) => return Err(engine_error("board")(error)),
        }
    } else {
        None
    };

    let exact: Vec<(u64, u64)> = reference
        .as_ref()
        .map(|r| {
            r.events
                .iter()
                .map(|&(seq, hit)| (seq, hit.position))
                .collect()
        })
        .unwrap_or_default();
    let numpy = numpy.map(|result| {
        result.map(|run| {
            let (missed, extra) = run.differences(&exact);
            report::NumpyResult { run, missed, extra }
        })
    });
    Ok(Case {
        label: plan.label.clone(),
        symbols: plan.config.symbols,
        positions: scenario.positions.len(),
        ticked_slots: slots.iter().copied().max().unwrap_or(0),
        ticks: scenario.ticks.len(),
        warmup: plan.warmup,
        circuit: circuit_cycles(&scenario, options.lanes, plan.warmup),
        runs,
        floors,
        keeper,
        numpy,
        sim,
        sim_split,
        board,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Why the outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{0}")]
    Plot(String),
}

/// Writes `bench.md`, `bench.csv`, `bench-p50.svg` and `bench-p99.svg`
/// into `dir` (made if missing); returns their paths, in that order.
pub fn write_all(
    cases: &[Case],
    settings: &report::Settings,
    dir: &std::path::Path,
) -> Result<Vec<PathBuf>, WriteError> {
    let io = |path: &std::path::Path| {
        let path = path.to_owned();
        move |source| WriteError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let md = dir.join("bench.md");
    std::fs::write(&md, report::markdown(cases, settings)).map_err(io(&md))?;
    let csv_path = dir.join("bench.csv");
    let file = std::fs::File::create(&csv_path).map_err(io(&csv_path))?;
    table::write_csv(cases, settings.clock_mhz, file).map_err(|source| WriteError::Csv {
        path: csv_path.clone(),
        source,
    })?;
    let mut written = vec![md, csv_path];
    for which in [plot::Percentile::P50, plot::Percentile::P99] {
        let svg = dir.join(format!("bench-{}.svg", which.name()));
        plot::plot(cases, settings.clock_mhz, which, &svg).map_err(WriteError::Plot)?;
        written.push(svg);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use liqscan_core::spec::{scan_cycles, DEFAULT_LANES};

    fn options(backends: &[Backend]) -> Options {
        Options {
            backends: backends.to_vec(),
            lanes: DEFAULT_LANES,
            python: Err("not in this test".into()),
        }
    }

    #[test]
    fn small_case_agrees_and_reports_every_backend() {
        let mut plan = Plan::one_symbol(1_000, 3_000, 5);
        plan.warmup = 100;
        plan.keeper_ticks = 500;
        plan.numpy_ticks = 100;
        let case = bench_case(&plan, &options(&SOFTWARE)).unwrap();
        let names: Vec<_> = case.runs.iter().map(|r| r.backend.as_str()).collect();
        assert_eq!(names, ["base", "cpu", "indexed"]);
        let cpu = &case.runs[1];
        assert!(!cpu.events.is_empty(), "the walk liquidates some positions");
        assert_eq!(cpu.latency.count, 2_900);
        assert_eq!(cpu.per_tick.len(), 2_900);
        assert!(case.runs[0].events.is_empty());
        let cycles = scan_cycles(1_000, DEFAULT_LANES as u64);
        assert_eq!(
            (case.circuit.p50, case.circuit.max, case.circuit.count),
            (cycles, cycles, 2_900)
        );
        let keeper = case.keeper.as_ref().unwrap();
        assert_eq!(keeper.latency.count, 500 - 100 * 500 / 3_000);
        assert!(!keeper.events.is_empty(), "the keeper's sample liquidates");
        assert_eq!(case.floors.len(), 2);
        assert!(case.floors.iter().all(|f| f.latency.count == 2_900));
        assert!(matches!(&case.numpy, Some(Err(why)) if why == "not in this test"));
    }

    #[test]
    fn a_disagreement_is_an_error() {
        let plan = Plan::one_symbol(500, 2_000, 5);
        let case = bench_case(&plan, &options(&SOFTWARE)).unwrap();
        let (cpu, indexed) = (&case.runs[1], &case.runs[2]);
        let mut wrong = indexed.clone();
        assert_eq!(wrong.difference(cpu), None);
        let last = wrong.events.last_mut().expect("some liquidations");
        last.1.shortfall += 1;
        let difference = wrong.difference(cpu).unwrap();
        assert!(
            difference.starts_with("cpu and indexed differ at event"),
            "{difference}"
        );
        wrong.events.pop();
        assert!(wrong.difference(cpu).is_some());
        // A sample is held to the reference's events on its own ticks only.
        let scenario = gen::generate(&plan.config).unwrap();
        let first = cpu.events[0].0 as usize;
        let sample = Run {
            events: cpu
                .events
                .iter()
                .copied()
                .take_while(|e| e.0 as usize == first)
                .collect(),
            ..cpu.clone()
        };
        agree(&sample, Some(cpu), &scenario, first).unwrap();
        assert!(agree(&sample, Some(cpu), &scenario, 2_000).is_err());
    }

    /// The Verilator model and the board report the software's liquidations;
    /// the model takes exactly the timing contract's cycles.
    #[test]
    fn verilator_model_and_board_agree_and_meet_the_contract() {
        for lanes in [1, 8] {
            let mut plan = Plan::one_symbol(300, 400, 9);
            plan.warmup = 0;
            plan.sim_ticks = 400;
            plan.board_ticks = if lanes == 8 { 150 } else { 0 };
            let options = Options {
                lanes,
                ..options(&[Backend::Cpu])
            };
            let case = bench_case(&plan, &options).unwrap();
            let cpu = &case.runs[1];
            let sim = case
                .sim
                .expect("planned")
                .expect("the Verilator model is built");
            assert_eq!(sim.ticks, 400);
            assert_eq!(sim.run.events, cpu.events, "{lanes} lanes");
            assert!(!sim.run.events.is_empty());
            let cycles = scan_cycles(300, lanes as u64);
            assert_eq!(
                (sim.cycles.p50, sim.cycles.max, sim.cycles.count),
                (cycles, cycles, 400),
                "{lanes} lanes"
            );
            assert!(sim.simulated_cycles >= 400 * cycles && sim.cycles_per_second() > 0.0);
            if lanes == 8 {
                let board = case.board.expect("planned").expect("the top is built");
                assert_eq!(board.ticks, 150);
                assert_eq!(board.host.count, 150);
                let [writes, reads, ring_reads, _] = board.per_tick();
                assert_eq!((writes, reads), (3.0, 0.0), "a tick is three posted writes");
                assert!(
                    ring_reads >= 2.0,
                    "at least the producer index and a completion"
                );
                assert!(!board.run.events.is_empty());
            }
        }
    }
}
