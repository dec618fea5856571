//! Waveforms (the `trace` feature): the traced scanner writes an FST file
//! of the chosen ticks only, which GTKWave's reader opens and finds the
//! scanner's ports in; tracing changes no result.
#![cfg(feature = "trace")]

use liqscan_core::gen::{generate, GenConfig};
use liqscan_core::{CpuScanner, Engine};
use liqscan_sim::trace::{read_fst, FstVar, PERIOD};
use liqscan_sim::{SimEngine, TraceWindow};

const LANES: usize = 8;

/// The model's scope (its ports); the Verilog top module is `top.top`.
const TOP: &str = "top";

/// The variable `name` of the model's scope (FST names carry their range,
/// `cycles [31:0]`).
fn top_var<'a>(vars: &'a [FstVar], name: &str) -> Option<&'a FstVar> {
    vars.iter()
        .find(|v| v.scope == TOP && v.name.split(' ').next() == Some(name))
}

#[test]
fn writes_the_chosen_ticks_with_the_scanners_ports() {
    let scenario = generate(&GenConfig {
        positions: 600,
        symbols: 3,
        ticks: 8,
        seed: 11,
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.fst");
    let (from, to) = (scenario.ticks[2].seq, scenario.ticks[4].seq);
    let window = TraceWindow { from, to };
    let mut sim = SimEngine::traced(scenario.market.clone(), LANES, &path, window)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut cpu = CpuScanner::new(scenario.market.clone());
    let book: Vec<_> = scenario.positions.iter().collect();
    sim.load(&book).unwrap();
    cpu.load(&book).unwrap();
    let (mut first, mut last) = (None, 0);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for tick in &scenario.ticks {
        let before = sim.simulated_cycles();
        a.clear();
        b.clear();
        sim.tick(*tick, &mut a).unwrap();
        cpu.tick(*tick, &mut b).unwrap();
        assert_eq!(a, b, "tick {tick:?}");
        if window.contains(tick.seq) {
            first.get_or_insert(before);
            last = sim.simulated_cycles();
        }
    }
    assert_eq!(sim.traced_ticks(), 3);
    drop(sim);

    let fst = read_fst(&path).unwrap_or_else(|e| panic!("{e}"));
    // From the low half before the first traced tick's accepting edge to
    // the low half after the last one's `done`: nothing else.
    let first = first.expect("a traced tick");
    assert_eq!(
        (fst.start, fst.end),
        (PERIOD * first + PERIOD / 2, PERIOD * last + PERIOD / 2)
    );
    assert_eq!(fst.timescale, -9, "ns");
    let names: Vec<&str> = fst
        .vars
        .iter()
        .filter(|v| v.scope == TOP)
        .map(|v| v.name.as_str())
        .collect();
    for (port, width) in [
        ("clock", 1),
        ("tick_valid", 1),
        ("tick_symbol", 12),
        ("tick_price", 32),
        ("res_ready", 1),
        ("busy", 1),
        ("done", 1),
        ("cycles", 32),
        ("pos_wr_offset", 108),
    ] {
        let var = top_var(&fst.vars, port).unwrap_or_else(|| panic!("no {port}: {names:?}"));
        assert_eq!(var.width, width, "{port}");
    }
    for lane in 0..LANES {
        for (port, width) in [("res_valid", 1), ("res_slot", 32), ("res_shortfall", 110)] {
            let name = format!("{port}${lane}");
            let var = top_var(&fst.vars, &name).unwrap_or_else(|| panic!("no {name}: {names:?}"));
            assert_eq!(var.width, width, "{name}");
        }
    }
    // Every level: each lane's pipeline is in the file, under its own scope.
    for lane in 0..LANES {
        let scope = format!("{TOP}.top.lanes${lane}.lane");
        assert!(
            fst.vars.iter().any(|v| v.scope == scope),
            "no scope {scope}"
        );
    }
}

/// A file that cannot be created is an error when the engine is built.
#[test]
fn an_unwritable_file_is_refused() {
    let scenario = generate(&GenConfig {
        positions: 10,
        symbols: 1,
        ticks: 1,
        seed: 1,
    })
    .unwrap();
    let path = std::path::Path::new("/nonexistent/dir/scan.fst");
    let Err(error) = SimEngine::traced(scenario.market, LANES, path, TraceWindow::ALL) else {
        panic!("an unwritable waveform file was accepted");
    };
    assert!(
        error.to_string().contains("/nonexistent/dir/scan.fst"),
        "{error}"
    );
}
