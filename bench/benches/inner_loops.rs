//! Criterion micro-benchmarks of the inner loops, each beside its base case
//! in the same group, so that ratios come from one run:
//! * `cpu`: a quiet tick of the `cpu` scanner (its gap filter over every
//!   slot, no liquidation) against plain streaming reads of 8 and 20 bytes
//!   a slot (`floor::stream_sum`);
//! * `indexed`: a quiet tick against a crash tick that liquidates many,
//!   and `cpu` on the same crash;
//! * `keeper`: the decimal keeper's scan against `cpu`'s on the same tick.
//!
//! `cargo bench -p liqscan-bench` (the bench profile: fat LTO, one codegen unit).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use liqscan_bench::floor::{slots_per_symbol, Floor, ROW_BYTES};
use liqscan_bench::keeper::DecimalKeeper;
use liqscan_core::cpu::SCAN_BYTES_PER_SLOT;
use liqscan_core::gen::{generate, GenConfig, Scenario};
use liqscan_core::{CpuScanner, Engine, IndexedScanner, Liquidation, Position, Tick};

const POSITIONS: usize = 16_000;

fn scenario() -> Scenario {
    generate(&GenConfig {
        positions: POSITIONS,
        symbols: 1,
        ticks: 1,
        seed: 1,
    })
    .expect("a valid configuration")
}

fn loaded<E: Engine>(mut engine: E, scenario: &Scenario) -> E {
    let positions: Vec<&Position> = scenario.positions.iter().collect();
    engine.load(&positions).expect("the book fits");
    engine
}

/// A tick at `price` after which a repeat at the same price liquidates nothing.
fn quiet(engine: &mut impl Engine, tick: Tick) -> Tick {
    let mut out = Vec::new();
    engine.tick(tick, &mut out).expect("a known symbol");
    tick
}

/// The first tick's price halved: a crash that liquidates many longs.
fn crash(first: Tick) -> Tick {
    Tick {
        seq: first.seq + 1,
        price: first.price / 2,
        ..first
    }
}

fn cpu_filter(c: &mut Criterion) {
    let scenario = scenario();
    let first = scenario.ticks[0];
    let mut cpu = loaded(CpuScanner::new(scenario.market.clone()), &scenario);
    let tick = quiet(&mut cpu, first);
    let slots = slots_per_symbol(&scenario);
    let (narrow, rows) = (
        Floor::new(&slots, SCAN_BYTES_PER_SLOT),
        Floor::new(&slots, ROW_BYTES),
    );
    let mut group = c.benchmark_group("cpu");
    group.throughput(Throughput::Elements(POSITIONS as u64));
    group.bench_function("base: stream 8 B/slot", |b| b.iter(|| narrow.read(0)));
    group.bench_function("base: stream 20 B/slot", |b| b.iter(|| rows.read(0)));
    let mut out: Vec<Liquidation> = Vec::new();
    group.bench_function("quiet tick", |b| {
        b.iter(|| {
            out.clear();
            cpu.tick(tick, &mut out).expect("a known symbol");
        })
    });
    group.finish();
}

fn indexed_crash(c: &mut Criterion) {
    let scenario = scenario();
    let first = scenario.ticks[0];
    let mut indexed = loaded(IndexedScanner::new(scenario.market.clone()), &scenario);
    let tick = quiet(&mut indexed, first);
    let mut cpu = loaded(CpuScanner::new(scenario.market.clone()), &scenario);
    quiet(&mut cpu, first);
    let crash = crash(first);
    let mut group = c.benchmark_group("indexed");
    let mut out: Vec<Liquidation> = Vec::new();
    group.bench_function("base: quiet tick", |b| {
        b.iter(|| {
            out.clear();
            indexed.tick(tick, &mut out).expect("a known symbol");
        })
    });
    group.bench_function("crash tick", |b| {
        b.iter_batched_ref(
            || (indexed.clone(), Vec::new()),
            |(engine, out)| engine.tick(crash, out).expect("a known symbol"),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("cpu on the crash tick", |b| {
        b.iter_batched_ref(
            || (cpu.clone(), Vec::new()),
            |(engine, out)| engine.tick(crash, out).expect("a known symbol"),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn keeper_scan(c: &mut Criterion) {
    let scenario = scenario();
    let first = scenario.ticks[0];
    let mut keeper = loaded(DecimalKeeper::new(scenario.market.clone()), &scenario);
    let tick = quiet(&mut keeper, first);
    let mut cpu = loaded(CpuScanner::new(scenario.market.clone()), &scenario);
    quiet(&mut cpu, first);
    let mut group = c.benchmark_group("keeper");
    group.throughput(Throughput::Elements(POSITIONS as u64));
    group.sample_size(20);
    let mut out: Vec<Liquidation> = Vec::new();
    group.bench_function("base: cpu quiet tick", |b| {
        b.iter(|| {
            out.clear();
            cpu.tick(tick, &mut out).expect("a known symbol");
        })
    });
    group.bench_function("rust_decimal full scan", |b| {
        b.iter(|| {
            out.clear();
            keeper.tick(tick, &mut out).expect("a known symbol");
        })
    });
    group.finish();
}

criterion_group!(benches, cpu_filter, indexed_crash, keeper_scan);
criterion_main!(benches);
