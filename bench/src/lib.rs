//! liqscan-bench: per-tick decision latency of every backend on the same
//! generated books and ticks, side by side with the circuit's latency from
//! its timing contract, as markdown for the README.

pub mod circuit;
pub mod clock;
pub mod machine;
pub mod measure;
pub mod report;

use liqscan_core::gen::{self, GenConfig, GenError};
use liqscan_core::{Engine, EngineError};
use liqscan_sim::Backend;

use measure::{circuit_cycles, run, Baseline};
use report::Case;

/// The software backends the bench times on every tick of a case (the
/// `sim` backend runs only the first ticks, see [`SimPlan`]).
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

/// Whether and how long to run the Verilator model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimPlan {
    /// Ticks to simulate (the first ones of the case).
    pub ticks: usize,
    /// Leading simulated ticks not recorded.
    pub warmup: usize,
}

/// A one-symbol book of `positions` positions and `ticks` ticks.
pub fn case_config(positions: usize, ticks: usize, seed: u64) -> GenConfig {
    GenConfig {
        positions,
        symbols: 1,
        ticks,
        seed,
    }
}

/// Runs the baseline, then `backends` one after another, over the scenario
/// of `config` and checks that every backend reports exactly the
/// liquidations of the first one.
/// With `sim`, also runs the first ticks on the Verilator model and checks
/// its liquidations against the software's for those ticks.
pub fn bench_case(
    config: &GenConfig,
    backends: &[Backend],
    warmup: usize,
    lanes: usize,
    sim: Option<SimPlan>,
) -> Result<Case, BenchError> {
    let scenario = gen::generate(config)?;
    let mut engines: Vec<Box<dyn Engine>> = vec![Box::new(Baseline)];
    for &backend in backends {
        let engine = backend
            .engine(scenario.market.clone(), lanes)
            .map_err(|error| BenchError::Engine {
                backend: backend.to_string(),
                error,
            })?;
        engines.push(engine);
    }
    let mut runs = Vec::with_capacity(engines.len());
    for mut engine in engines {
        let result =
            run(engine.as_mut(), &scenario, warmup).map_err(|error| BenchError::Engine {
                backend: engine.name().to_owned(),
                error,
            })?;
        runs.push(result);
    }
    let deciding = &runs[1..];
    if let Some((reference, others)) = deciding.split_first() {
        if let Some(difference) = others.iter().find_map(|r| r.difference(reference)) {
            return Err(BenchError::Disagree(difference));
        }
    }
    let sim = match sim {
        Some(plan) => Some(simulate(&scenario, lanes, plan, deciding.first())?),
        None => None,
    };
    Ok(Case {
        positions: scenario.positions.len(),
        circuit: circuit_cycles(&scenario, lanes, warmup),
        runs,
        sim,
    })
}

/// Runs the Verilator model; `Err` in the result when it is not available.
fn simulate(
    scenario: &gen::Scenario,
    lanes: usize,
    plan: SimPlan,
    reference: Option<&measure::Run>,
) -> Result<Result<circuit::SimRun, String>, BenchError> {
    let sim = match circuit::run_sim(scenario, lanes, plan.ticks, plan.warmup) {
        Ok(sim) => sim,
        Err(EngineError::Unavailable(reason)) => return Ok(Err(reason)),
        Err(error) => {
            return Err(BenchError::Engine {
                backend: Backend::Sim.to_string(),
                error,
            })
        }
    };
    if let Some(reference) = reference {
        // The software's liquidations on the ticks the model ran.
        let last = scenario.ticks[..sim.ticks].last().map_or(0, |t| t.seq);
        let reference = measure::Run {
            events: reference
                .events
                .iter()
                .copied()
                .take_while(|&(seq, _)| seq <= last)
                .collect(),
            ..reference.clone()
        };
        if let Some(difference) = sim.run.difference(&reference) {
            return Err(BenchError::Disagree(difference));
        }
    }
    Ok(Ok(sim))
}

#[cfg(test)]
mod tests {
    use super::*;
    use liqscan_core::spec::{scan_cycles, DEFAULT_LANES};
    use report::{detail_table, summary_table, Settings};

    #[test]
    fn small_case_agrees_and_reports_every_backend() {
        let config = case_config(1_000, 3_000, 5);
        let case = bench_case(&config, &SOFTWARE, 100, DEFAULT_LANES, None).unwrap();
        let names: Vec<_> = case.runs.iter().map(|r| r.backend.as_str()).collect();
        assert_eq!(names, ["base", "cpu", "indexed"]);
        let cpu = &case.runs[1];
        assert!(!cpu.events.is_empty(), "the walk liquidates some positions");
        assert_eq!(cpu.latency.count, 2_900);
        assert!(case.runs[0].events.is_empty());
        let cycles = scan_cycles(1_000, DEFAULT_LANES as u64);
        assert_eq!(
            (case.circuit.p50, case.circuit.max, case.circuit.count),
            (cycles, cycles, 2_900)
        );

        let settings = Settings {
            machine: machine::Machine::current(),
            pinned: None,
            lanes: DEFAULT_LANES,
            clock_mhz: 100.0,
            clock_source: "--clock-mhz".into(),
            seed: 5,
            ticks: 3_000,
            warmup: 100,
            sim_ticks: None,
        };
        let summary = summary_table(std::slice::from_ref(&case), &settings);
        assert_eq!(summary.lines().count(), 5);
        assert!(summary.contains(&format!(
            "| 1,000 | {} / ",
            report::grouped(cpu.latency.p50)
        )));
        assert!(summary.contains(&format!(
            "| {cycles} | – | {} | – |",
            report::grouped(cycles * 10)
        )));
        let detail = detail_table(&[case], &settings);
        assert_eq!(detail.lines().count(), 2 + 4, "base, cpu, indexed, circuit");
        assert!(detail.contains("| 1,000 | cpu |") && detail.contains("| 1.00× | 1.00× |"));
    }

    #[test]
    fn a_disagreement_is_an_error() {
        let config = case_config(500, 2_000, 5);
        let case = bench_case(&config, &[Backend::Cpu, Backend::Indexed], 0, 8, None).unwrap();
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
    }

    /// The Verilator model reports the software's liquidations and exactly
    /// the timing contract's cycles (no back-pressure), on 1 and 8 lanes.
    #[test]
    fn verilator_model_agrees_and_meets_the_contract() {
        let config = case_config(300, 400, 9);
        for lanes in [1, 8] {
            let plan = SimPlan {
                ticks: 400,
                warmup: 0,
            };
            let case = bench_case(&config, &[Backend::Cpu], 0, lanes, Some(plan)).unwrap();
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
        }
    }
}
