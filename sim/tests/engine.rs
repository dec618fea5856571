//! The `sim` backend against the `cpu` reference scanner on a generated
//! scenario, with positions opened, replaced and closed between ticks:
//! identical liquidations (ids and shortfalls) on every tick.

use liqscan_core::gen::{generate, GenConfig};
use liqscan_core::{CpuScanner, Engine};
use liqscan_sim::SimEngine;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn agree(lanes: usize, threads: usize, seed: u64) {
    let started = std::time::Instant::now();
    let scenario = generate(&GenConfig {
        positions: 8_000,
        symbols: 12,
        ticks: 1_500,
        seed,
    })
    .unwrap();
    let mut sim = SimEngine::with_threads(scenario.market.clone(), lanes, threads)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sim.threads(), threads, "scans on {threads} thread(s)");
    let mut cpu = CpuScanner::new(scenario.market.clone());
    let (head, tail) = scenario.positions.split_at(6_000);
    let head: Vec<_> = head.iter().collect();
    sim.load(&head).unwrap();
    cpu.load(&head).unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pending = tail.iter();
    let (mut sim_out, mut cpu_out, mut events) = (Vec::new(), Vec::new(), 0);
    for (i, tick) in scenario.ticks.iter().enumerate() {
        if i % 10 == 0 {
            // Open a few more, reopen a closed id with another position's terms, close one.
            for p in pending.by_ref().take(12) {
                sim.upsert(p).unwrap();
                cpu.upsert(p).unwrap();
            }
            let mut p = scenario.positions[rng.gen_range(0..scenario.positions.len())].clone();
            p.id = rng.gen_range(1..=scenario.positions.len() as u64);
            sim.upsert(&p).unwrap();
            cpu.upsert(&p).unwrap();
            let id = rng.gen_range(1..=scenario.positions.len() as u64);
            assert_eq!(sim.close(id).unwrap(), cpu.close(id).unwrap());
        }
        sim_out.clear();
        cpu_out.clear();
        sim.tick(*tick, &mut sim_out).unwrap();
        cpu.tick(*tick, &mut cpu_out).unwrap();
        assert_eq!(sim_out, cpu_out, "tick {tick:?}");
        events += cpu_out.len();
    }
    println!(
        "L={lanes}: {} ticks, {events} liquidations, {} cycles, {:.2} s",
        scenario.ticks.len(),
        sim.simulated_cycles(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        events > 100,
        "the scenario liquidated only {events} positions"
    );
}

#[test]
fn sim_engine_matches_cpu_one_lane() {
    agree(1, 1, 11);
}

#[test]
fn sim_engine_matches_cpu_eight_lanes() {
    agree(8, 1, 12);
}

/// Two replicas of the model, each evaluating half of the lanes, a scan on
/// both at once (`csrc/lanes.h`).
#[test]
fn sim_engine_matches_cpu_eight_lanes_on_two_threads() {
    agree(8, 2, 13);
}

#[test]
fn only_a_model_of_several_lanes_takes_a_second_thread() {
    let market = generate(&GenConfig {
        positions: 10,
        symbols: 1,
        ticks: 1,
        seed: 1,
    })
    .unwrap()
    .market;
    let one = SimEngine::with_threads(market.clone(), 1, 2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(one.threads(), 1);
    assert_eq!(SimEngine::new(market.clone(), 8).unwrap().threads(), 1);
    assert_eq!(
        SimEngine::with_threads(market.clone(), 8, 1)
            .unwrap()
            .threads(),
        1
    );
    assert_eq!(SimEngine::with_threads(market, 8, 2).unwrap().threads(), 2);
}
