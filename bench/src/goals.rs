//! The goals of the latency work (issue 23) and of the Verilator model's
//! speed (issue 24), checked against a run's figures: each a measured figure beside its goal, met or not. Reported,
//! never asserted: a slower machine does not fail a build.

use crate::report::{crash_tick, factor, grouped, human, liquidations_per_tick, Case};

/// Whether a goal is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Met,
    NotMet,
}

impl Status {
    fn of(met: bool) -> Self {
        if met {
            Self::Met
        } else {
            Self::NotMet
        }
    }
}

/// One goal on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub goal: &'static str,
    pub case: String,
    pub measured: String,
    pub target: &'static str,
    pub status: Status,
}

/// Books at least this large are held to the `cpu` floor goal.
pub const FLOOR_GOAL_FROM: u64 = 16_000;
/// `cpu` within this factor of streaming its rows.
pub const FLOOR_FACTOR: f64 = 2.0;
/// `cpu` at least this many times faster than numpy.
pub const NUMPY_FACTOR: f64 = 10.0;
/// `indexed`'s p99 on the multi-symbol book, ns.
pub const INDEXED_P99_NS: u64 = 1_000;
/// `indexed`'s time per liquidation on ticks that liquidate, ns.
pub const PER_LIQUIDATION_NS: f64 = 100.0;

/// The Verilator model held to the speed goal: this many lanes, at least
/// this many simulated cycles per second of host time (host work included).
pub const SIM_GOAL_LANES: usize = 8;
pub const SIM_CYCLES_PER_SECOND: f64 = 1_000_000.0;

/// `indexed`'s time on the recorded ticks that liquidate, per liquidation
/// (ns), and the liquidations; `None` without any.
pub fn per_liquidation(case: &Case) -> Option<(f64, usize)> {
    let indexed = case.run("indexed")?;
    let counts = liquidations_per_tick(indexed, case.ticks);
    let (ns, hits) = indexed
        .per_tick
        .iter()
        .zip(&counts)
        .filter(|(_, &n)| n > 0)
        .fold((0u64, 0usize), |(ns, hits), (&t, &n)| (ns + t, hits + n));
    (hits > 0).then(|| (ns as f64 / hits as f64, hits))
}

/// Every goal the run's cases have figures for.
pub fn goals(cases: &[Case], clock_mhz: f64) -> Vec<Goal> {
    let mut all = Vec::new();
    for case in cases {
        let get = |key: &str| case.series_of(key, clock_mhz).map(|s| s.latency);
        let cpu = get("cpu");
        if let (Some(cpu), Some(floor)) = (cpu, get(crate::floor::ROW_FLOOR)) {
            if case.ticked_slots >= FLOOR_GOAL_FROM && floor.p50 > 0 && floor.p99 > 0 {
                let (r50, r99) = (
                    cpu.p50 as f64 / floor.p50 as f64,
                    cpu.p99 as f64 / floor.p99 as f64,
                );
                all.push(Goal {
                    goal: "`cpu` within 2× of streaming its 20-byte rows (p50, p99)",
                    case: case.label.clone(),
                    measured: format!("{}, {}", factor(r50), factor(r99)),
                    target: "≤ 2×",
                    status: Status::of(r50 <= FLOOR_FACTOR && r99 <= FLOOR_FACTOR),
                });
            }
        }
        if let (Some(cpu), Some(numpy)) = (cpu, get("numpy")) {
            if cpu.p50 > 0 && cpu.p99 > 0 {
                let (r50, r99) = (
                    numpy.p50 as f64 / cpu.p50 as f64,
                    numpy.p99 as f64 / cpu.p99 as f64,
                );
                all.push(Goal {
                    goal: "`cpu` faster than float64 numpy (p50, p99)",
                    case: case.label.clone(),
                    measured: format!("{}, {}", factor(r50), factor(r99)),
                    target: "≥ 10×",
                    status: Status::of(r50 >= NUMPY_FACTOR && r99 >= NUMPY_FACTOR),
                });
            }
        }
        if let (Some(indexed), Some(cpu_run)) = (case.run("indexed"), case.run("cpu")) {
            if let Some((n, slow, cpu_ns)) = crash_tick(indexed, cpu_run, case.ticks) {
                all.push(Goal {
                    goal: "`indexed` no slower than `cpu` on the crash tick (the one that liquidates the most)",
                    case: case.label.clone(),
                    measured: format!(
                        "{} vs {} ({} liquidations)",
                        human(slow),
                        human(cpu_ns),
                        grouped(n as u64)
                    ),
                    target: "≤ cpu",
                    status: Status::of(slow <= cpu_ns),
                });
            }
        }
        let one_thread = case.sim.as_ref().and_then(|r| r.as_ref().ok());
        for (sim, goal) in [
            (
                one_thread,
                "Verilator model, 8 lanes: simulated cycles per second (host work included)",
            ),
            (
                case.sim_split.as_ref(),
                "Verilator model, 8 lanes on two threads: simulated cycles per second (host work included)",
            ),
        ] {
            let Some(sim) = sim.filter(|s| s.lanes == SIM_GOAL_LANES) else {
                continue;
            };
            let speed = sim.cycles_per_second();
            all.push(Goal {
                goal,
                case: case.label.clone(),
                measured: grouped(speed.round() as u64),
                target: "≥ 1,000,000",
                status: Status::of(speed >= SIM_CYCLES_PER_SECOND),
            });
        }
        if !case.one_symbol() {
            if let Some(indexed) = get("indexed") {
                all.push(Goal {
                    goal: "`indexed` p99 per tick",
                    case: case.label.clone(),
                    measured: human(indexed.p99),
                    target: "< 1 µs",
                    status: Status::of(indexed.p99 < INDEXED_P99_NS),
                });
            }
            if let Some((ns, hits)) = per_liquidation(case) {
                all.push(Goal {
                    goal: "`indexed` per liquidation (ticks that liquidate: time / liquidations)",
                    case: case.label.clone(),
                    measured: format!("{ns:.0} ns ({} liquidations)", grouped(hits as u64)),
                    target: "< 100 ns",
                    status: Status::of(ns < PER_LIQUIDATION_NS),
                });
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::SimRun;
    use crate::measure::Run;
    use crate::numpy::NumpyRun;
    use crate::report::{FloorRun, NumpyResult};
    use liqscan_core::latency::Summary;
    use liqscan_core::Liquidation;

    fn summary(p50: u64, p99: u64) -> Summary {
        Summary {
            count: 4,
            p50,
            p90: p99,
            p99,
            p999: p99,
            max: p99,
        }
    }

    fn run(backend: &str, latency: Summary, per_tick: Vec<u64>, events: &[u64]) -> Run {
        Run {
            backend: backend.into(),
            latency,
            per_tick,
            events: events
                .iter()
                .map(|&seq| {
                    (
                        seq,
                        Liquidation {
                            position: seq,
                            shortfall: 1,
                        },
                    )
                })
                .collect(),
            load: Default::default(),
            wall: Default::default(),
        }
    }

    /// A 100-symbol case of 6 ticks, the first 2 warm-up.
    fn case() -> Case {
        Case {
            label: "book".into(),
            symbols: 100,
            positions: 50_000,
            ticked_slots: 20_000,
            ticks: 6,
            warmup: 2,
            runs: vec![
                run("cpu", summary(300, 500), vec![300, 300, 500, 300], &[]),
                // Slowest on the third recorded tick (seq 5), which liquidates 4.
                run(
                    "indexed",
                    summary(50, 900),
                    vec![40, 50, 800, 60],
                    &[1, 5, 5, 5, 5],
                ),
            ],
            circuit: summary(100, 100),
            floors: vec![FloorRun {
                bytes_per_slot: 20,
                latency: summary(200, 200),
            }],
            keeper: None,
            numpy: Some(Ok(NumpyResult {
                run: NumpyRun {
                    version: "2".into(),
                    ticks: 6,
                    latency: summary(3_000, 6_000),
                    events: Vec::new(),
                    last_seq: 6,
                },
                missed: 0,
                extra: 0,
            })),
            sim: None,
            sim_split: None,
            board: None,
            seconds: 1.0,
        }
    }

    /// A Verilator run of `lanes` lanes: `cycles` simulated in one second.
    fn sim(lanes: usize, cycles: u64) -> SimRun {
        SimRun {
            lanes,
            threads: 1,
            ticks: 4,
            cycles: summary(100, 100),
            simulated_cycles: cycles,
            run: Run {
                wall: std::time::Duration::from_secs(1),
                ..run("sim", summary(1, 1), vec![1; 4], &[])
            },
        }
    }

    #[test]
    fn the_eight_lane_model_is_held_to_its_speed() {
        let speed = |lanes, cycles| {
            let case = Case {
                sim: Some(Ok(sim(lanes, cycles))),
                ..case()
            };
            goals(&[case], 100.0)
                .into_iter()
                .find(|g| g.goal.starts_with("Verilator model"))
                .map(|g| (g.measured, g.status))
        };
        assert_eq!(
            speed(8, 999_999),
            Some(("999,999".to_string(), Status::NotMet))
        );
        assert_eq!(
            speed(8, 1_000_000),
            Some(("1,000,000".to_string(), Status::Met))
        );
        assert_eq!(speed(1, 5_000_000), None, "only the 8-lane model");
    }

    #[test]
    fn the_two_thread_model_has_a_row_of_its_own() {
        let case = Case {
            sim: Some(Ok(sim(8, 700_000))),
            sim_split: Some(SimRun {
                threads: 2,
                ..sim(8, 1_200_000)
            }),
            ..case()
        };
        let rows: Vec<_> = goals(&[case], 100.0)
            .into_iter()
            .filter(|g| g.goal.starts_with("Verilator model"))
            .map(|g| (g.goal.contains("two threads"), g.measured, g.status))
            .collect();
        assert_eq!(
            rows,
            [
                (false, "700,000".to_string(), Status::NotMet),
                (true, "1,200,000".to_string(), Status::Met)
            ]
        );
    }

    #[test]
    fn each_goal_against_its_figure() {
        let all = goals(&[case()], 100.0);
        let find = |start: &str| {
            all.iter()
                .find(|g| g.goal.starts_with(start))
                .unwrap_or_else(|| panic!("no goal {start}"))
        };
        let floor = find("`cpu` within 2×");
        assert_eq!(
            (floor.measured.as_str(), floor.status),
            ("1.50×, 2.50×", Status::NotMet)
        );
        let numpy = find("`cpu` faster than float64 numpy");
        assert_eq!(
            (numpy.measured.as_str(), numpy.status),
            ("10.0×, 12.0×", Status::Met)
        );
        let crash = find("`indexed` no slower than `cpu` on the crash tick");
        assert_eq!(
            (crash.measured.as_str(), crash.status),
            ("800 ns vs 500 ns (4 liquidations)", Status::NotMet)
        );
        let p99 = find("`indexed` p99");
        assert_eq!(p99.status, Status::Met);
        assert_eq!(
            per_liquidation(&case()),
            Some((200.0, 4)),
            "800 ns / 4; seq 1 is warm-up"
        );
        assert_eq!(find("`indexed` per liquidation").status, Status::NotMet);
        assert_eq!(all.len(), 5);
    }
}
