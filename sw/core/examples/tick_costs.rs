//! What a tick and a book change cost on `cpu` and `indexed`, measured
//! directly on the scanners (no parsing, no output), in one optimised run:
//!
//! ```sh
//! cargo run --profile bench -p liqscan-core --example tick_costs -- zipf [POSITIONS SYMBOLS TICKS]
//! cargo run --profile bench -p liqscan-core --example tick_costs -- floor [N ...]
//! cargo run --profile bench -p liqscan-core --example tick_costs -- crashloop [N PER_MILLE ROUNDS]
//! cargo run --profile bench -p liqscan-core --example tick_costs -- updates [CHANGES POSITIONS]
//! cargo run --profile bench -p liqscan-core --example tick_costs -- chase [MB ...]
//! ```
//!
//! - `zipf`: the generated book (default 1,000,000 positions over 100
//!   symbols, 100,000 ticks, seed 1) ticked on both scanners, tick by tick,
//!   their liquidations compared; per-tick percentiles, the ticks that
//!   liquidate most, and `indexed`'s time per liquidation. Then the same
//!   ticks on a fresh `indexed` alone (no `cpu` scan between its calls to
//!   evict its cache lines, as when it is the only backend), its events
//!   checked against the first pass.
//! - `floor`: one symbol of `N` positions (default 16k, 64k, 200k, 1M);
//!   per tick, `cpu`'s scan beside a streaming read of the bytes it reads
//!   (`CpuScanner::scan_bytes`), timed alternately in the same run.
//! - `crash [SEQ REPEAT]`: the 1M/100 book up to tick `SEQ` (default its
//!   largest crash), then that tick on fresh copies of both scanners,
//!   `REPEAT` times (what to run under `perf record`).
//! - `crashloop`: one symbol of `N` positions (default 200,000); `ROUNDS`
//!   times a drop of `PER_MILLE` from the first mark, back, and the victims
//!   opened again; the drop ticks timed on both scanners.
//! - `updates`: the 1M/100 book's live stream (`POSITIONS` over 100
//!   symbols, default 1,000,000) with `CHANGES` book changes (default
//!   200,000) among its ticks, each change's cost on `indexed` and
//!   `cpu` by kind (open, resize, margin move, close); then the same stream
//!   on a fresh `indexed` alone.
//!
//! - `chase`: the latency of a load that misses, by working set (default 1,
//!   4, 16, 64 and 256 MB): a random cyclic chase over 64-byte lines, each
//!   load's address read by the one before; then the percentiles of one
//!   load timed alone, of two whose addresses are known together and of
//!   two in turn (a book change's floor).
//!
//! Figures are nanoseconds of one call (`Instant` around it). Pin the run
//! (`taskset -c 1`) and repeat on a shared machine.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use liqscan_core::cpu::SCAN_BYTES_PER_SLOT;
use liqscan_core::gen::{generate, live_events, GenConfig, LiveEvent, Scenario};
use liqscan_core::latency::Recorder;
use liqscan_core::{CpuScanner, Engine, IndexedScanner, Liquidation, Position, SymbolId};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers = |from: usize| -> Vec<usize> {
        args.iter()
            .skip(from)
            .map(|a| a.replace('_', "").parse().expect("a number"))
            .collect()
    };
    match args.first().map(String::as_str) {
        Some("zipf") | None => {
            let n = numbers(1);
            zipf(GenConfig {
                positions: n.first().copied().unwrap_or(1_000_000),
                symbols: n.get(1).copied().unwrap_or(100),
                ticks: n.get(2).copied().unwrap_or(100_000),
                seed: 1,
            })
        }
        Some("floor") => {
            let mut sizes = numbers(1);
            if sizes.is_empty() {
                sizes = vec![16_000, 64_000, 200_000, 1_000_000];
            }
            sizes.into_iter().for_each(floor);
        }
        Some("crash") => {
            let n = numbers(1);
            crash(
                n.first().copied().unwrap_or(62_550) as u64,
                n.get(1).copied().unwrap_or(20),
            )
        }
        Some("crashloop") => {
            let n = numbers(1);
            crash_loop(
                n.first().copied().unwrap_or(200_000),
                n.get(1).copied().unwrap_or(30) as u32,
                n.get(2).copied().unwrap_or(200),
            )
        }
        Some("updates") => {
            let n = numbers(1);
            updates(
                n.first().copied().unwrap_or(200_000),
                n.get(1).copied().unwrap_or(1_000_000),
            )
        }
        Some("chase") => {
            let mut sizes = numbers(1);
            if sizes.is_empty() {
                sizes = vec![1, 4, 16, 64, 256];
            }
            sizes.into_iter().for_each(chase);
        }
        Some(other) => {
            panic!("unknown measurement {other:?}: zipf, floor, crash, crashloop, updates or chase")
        }
    }
}

fn scenario(config: GenConfig) -> Scenario {
    let started = Instant::now();
    let scenario = generate(&config).expect("a valid configuration");
    eprintln!(
        "generated {} positions, {} symbols, {} ticks in {:.1?}",
        config.positions,
        config.symbols,
        config.ticks,
        started.elapsed()
    );
    scenario
}

fn loaded<E: Engine>(mut engine: E, positions: &[Position]) -> E {
    let mut per = Recorder::default();
    let started = Instant::now();
    for position in positions {
        let t = Instant::now();
        engine.upsert(position).expect("loads");
        per.record_duration(t.elapsed());
    }
    eprintln!(
        "{} loaded in {:.1?}; per open: {per}",
        engine.name(),
        started.elapsed()
    );
    engine
}

fn timed<E: Engine>(engine: &mut E, tick: liqscan_core::Tick, out: &mut Vec<Liquidation>) -> u64 {
    out.clear();
    let t = Instant::now();
    engine.tick(tick, out).expect("ticks");
    t.elapsed().as_nanos() as u64
}

fn zipf(config: GenConfig) {
    let scenario = scenario(config);
    let largest = {
        let mut count = vec![0usize; scenario.market.len()];
        scenario
            .positions
            .iter()
            .for_each(|p| count[p.symbol.index()] += 1);
        count.into_iter().max().unwrap_or(0)
    };
    println!("largest symbol: {largest} positions");
    let mut cpu = loaded(
        CpuScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let mut indexed = loaded(
        IndexedScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut events = Vec::new();
    let (mut cpu_ns, mut indexed_ns) = (Recorder::default(), Recorder::default());
    let (mut liquidations, mut indexed_total, mut cpu_total) = (0u64, 0u64, 0u64);
    let mut slower = Vec::new();
    // (liquidations, indexed ns, cpu ns, seq) of the ticks that liquidate.
    let mut busy = Vec::new();
    for (i, &tick) in scenario.ticks.iter().enumerate() {
        // Alternate which goes first, so neither always finds the other's
        // evictions.
        let (ti, tc) = if i % 2 == 0 {
            let ti = timed(&mut indexed, tick, &mut a);
            (ti, timed(&mut cpu, tick, &mut b))
        } else {
            let tc = timed(&mut cpu, tick, &mut b);
            (timed(&mut indexed, tick, &mut a), tc)
        };
        assert_eq!(a, b, "tick {}: the scanners disagree", tick.seq);
        events.extend_from_slice(&a);
        cpu_ns.record(tc);
        indexed_ns.record(ti);
        indexed_total += ti;
        cpu_total += tc;
        liquidations += a.len() as u64;
        if !a.is_empty() {
            busy.push((a.len(), ti, tc, tick.seq));
        }
        if ti > tc {
            slower.push((ti, tc, a.len(), tick.seq));
        }
    }
    println!("cpu:     {cpu_ns}; total {:.1} ms", cpu_total as f64 / 1e6);
    println!(
        "indexed: {indexed_ns}; total {:.1} ms",
        indexed_total as f64 / 1e6
    );
    let busy_time = |time: fn(&(usize, u64, u64, u64)) -> u64| busy.iter().map(time).sum::<u64>();
    println!(
        "liquidations {liquidations} on {} ticks; indexed total / liquidations = {:.0} ns; \
         ticks that liquidate / liquidations: indexed {:.0} ns, cpu {:.0} ns",
        busy.len(),
        indexed_total as f64 / liquidations.max(1) as f64,
        busy_time(|b| b.1) as f64 / liquidations.max(1) as f64,
        busy_time(|b| b.2) as f64 / liquidations.max(1) as f64
    );
    // Per number of liquidations on the tick.
    let bands: [(usize, usize); 6] = [
        (1, 1),
        (2, 3),
        (4, 10),
        (11, 100),
        (101, 1000),
        (1001, usize::MAX),
    ];
    for (lo, hi) in bands {
        let (mut band_i, mut band_c, mut sum_i, mut sum_k) =
            (Recorder::default(), Recorder::default(), 0u64, 0u64);
        for &(k, ti, tc, _) in busy.iter().filter(|b| (lo..=hi).contains(&b.0)) {
            band_i.record(ti);
            band_c.record(tc);
            sum_i += ti;
            sum_k += k as u64;
        }
        if sum_k > 0 {
            println!(
                "  {lo}..={hi} liquidations: {} ticks, indexed {band_i}, {:.0} ns per liquidation; cpu p50 {} ns",
                band_i.summary().count,
                sum_i as f64 / sum_k as f64,
                band_c.summary().p50
            );
        }
    }
    busy.sort_unstable_by(|x, y| y.cmp(x));
    // The crashes: is `indexed` ever slower than `cpu` on a tick that
    // liquidates many?
    let crashes: Vec<_> = busy.iter().filter(|b| b.0 >= 1000).collect();
    let lost: Vec<String> = crashes
        .iter()
        .filter(|b| b.1 > b.2)
        .map(|&&(k, ti, tc, seq)| format!("tick {seq} ({k}: {ti} vs {tc} ns)"))
        .collect();
    println!(
        "ticks of 1000 or more liquidations: {}, indexed / cpu summed {:.2}, indexed slower on {}: {}",
        crashes.len(),
        crashes.iter().map(|b| b.1).sum::<u64>() as f64
            / crashes.iter().map(|b| b.2).sum::<u64>().max(1) as f64,
        lost.len(),
        lost.join(", ")
    );
    for &(k, ti, tc, seq) in busy.iter().take(10) {
        println!(
            "  tick {seq}: {k} liquidations, indexed {ti} ns ({:.0} ns each), cpu {tc} ns",
            ti as f64 / k as f64
        );
    }
    slower.sort_unstable_by(|x, y| y.cmp(x));
    println!("ticks where indexed was slower than cpu: {}", slower.len());
    for &(ti, tc, k, seq) in slower.iter().take(5) {
        println!("  tick {seq}: indexed {ti} ns, cpu {tc} ns, {k} liquidations");
    }
    drop((cpu, indexed));
    indexed_alone(&scenario, &events);
}

/// The ticks of `scenario` on a fresh `indexed` alone; its liquidations
/// must be `events`.
fn indexed_alone(scenario: &Scenario, events: &[Liquidation]) {
    let mut indexed = loaded(
        IndexedScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let (mut out, mut all) = (Vec::new(), Vec::with_capacity(events.len()));
    let (mut per_tick, mut busy_ns) = (Recorder::default(), 0u64);
    let mut worst = (0, 0, 0);
    // Per number of liquidations on the tick: 1, 2, 3–4, 5–8, ... .
    let mut bands: Vec<(Recorder, u64, u64)> = Vec::new();
    for &tick in &scenario.ticks {
        let t = timed(&mut indexed, tick, &mut out);
        per_tick.record(t);
        if !out.is_empty() {
            busy_ns += t;
            worst = worst.max((out.len(), t, tick.seq));
            let band = (usize::BITS - (out.len() - 1).leading_zeros()) as usize;
            if bands.len() <= band {
                bands.resize_with(band + 1, Default::default);
            }
            bands[band].0.record(t);
            bands[band].1 += t;
            bands[band].2 += out.len() as u64;
        }
        all.extend_from_slice(&out);
    }
    assert!(all == events, "indexed alone disagrees with the first pass");
    let (k, t, seq) = worst;
    println!(
        "indexed alone: {per_tick}; ticks that liquidate / liquidations = {:.0} ns; tick {seq}: {k} liquidations, {t} ns",
        busy_ns as f64 / events.len().max(1) as f64
    );
    for (band, (ns, sum, k)) in bands.iter().enumerate().filter(|b| b.1 .2 > 0) {
        let lo = if band == 0 { 1 } else { (1 << (band - 1)) + 1 };
        let summary = ns.summary();
        println!(
            "  alone, {lo}..={} liquidations: {} ticks, p50 {} ns, p99 {} ns, {:.0} ns per liquidation",
            1 << band,
            summary.count,
            summary.p50,
            summary.p99,
            *sum as f64 / *k as f64
        );
    }
}

/// The 1M/100 book up to tick `seq`, then that tick alone, `repeat` times
/// on fresh copies of both scanners (what to run under `perf record`).
fn crash(seq: u64, repeat: usize) {
    let scenario = scenario(GenConfig {
        positions: 1_000_000,
        symbols: 100,
        ticks: 100_000,
        seed: 1,
    });
    let mut cpu = loaded(
        CpuScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let mut indexed = loaded(
        IndexedScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let at = scenario
        .ticks
        .iter()
        .position(|t| t.seq == seq)
        .expect("a tick of the run");
    for &tick in &scenario.ticks[..at] {
        timed(&mut indexed, tick, &mut a);
        timed(&mut cpu, tick, &mut b);
    }
    let tick = scenario.ticks[at];
    for _ in 0..repeat {
        let (mut i, mut c) = (indexed.clone(), cpu.clone());
        let ti = timed(&mut i, tick, &mut a);
        let tc = timed(&mut c, tick, &mut b);
        assert_eq!(a, b);
        println!(
            "tick {seq}: {} liquidations, indexed {ti} ns ({:.0} ns each), cpu {tc} ns ({:.0} ns each)",
            a.len(),
            ti as f64 / a.len().max(1) as f64,
            tc as f64 / a.len().max(1) as f64
        );
    }
}

/// One symbol of `n` positions; then `repeat` times: a tick `drop_per_mille`
/// below the first mark (a crash), a tick back at the first mark, and the
/// crash's positions opened again. Times the crash ticks on both scanners.
fn crash_loop(n: usize, drop_per_mille: u32, repeat: usize) {
    let scenario = scenario(GenConfig {
        positions: n,
        symbols: 1,
        ticks: 1,
        seed: 1,
    });
    let mut cpu = loaded(
        CpuScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let mut indexed = loaded(
        IndexedScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let by_id: HashMap<u64, &Position> = scenario.positions.iter().map(|p| (p.id, p)).collect();
    let calm = scenario.ticks[0];
    let crash = liqscan_core::Tick {
        price: (u64::from(calm.price) * u64::from(1000 - drop_per_mille) / 1000) as u32,
        ..calm
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut on_indexed, mut on_cpu) = (Recorder::default(), Recorder::default());
    for round in 0..repeat {
        timed(&mut indexed, calm, &mut a);
        timed(&mut cpu, calm, &mut b);
        // Alternate which goes first.
        if round % 2 == 0 {
            on_indexed.record(timed(&mut indexed, crash, &mut a));
            on_cpu.record(timed(&mut cpu, crash, &mut b));
        } else {
            on_cpu.record(timed(&mut cpu, crash, &mut b));
            on_indexed.record(timed(&mut indexed, crash, &mut a));
        }
        assert_eq!(a, b);
        timed(&mut indexed, calm, &mut b);
        for hit in &a {
            indexed.upsert(by_id[&hit.position]).expect("reopens");
            cpu.upsert(by_id[&hit.position]).expect("reopens");
        }
    }
    let k = a.len().max(1) as f64;
    let (i, c) = (on_indexed.summary(), on_cpu.summary());
    println!(
        "{n} positions, mark {} -> {}: {} liquidations; indexed {i} ({:.0} ns each at p50); cpu {c} ({:.0} ns each at p50)",
        calm.price,
        crash.price,
        a.len(),
        i.p50 as f64 / k,
        c.p50 as f64 / k
    );
}

fn floor(n: usize) {
    let scenario = scenario(GenConfig {
        positions: n,
        symbols: 1,
        ticks: 20_000,
        seed: 1,
    });
    let mut cpu = loaded(
        CpuScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    // The same number of bytes as the scan reads, summed as 64-bit words.
    let bytes = cpu.scan_bytes(SymbolId(0));
    let words = vec![1u64; bytes.div_ceil(8)];
    let (mut scan_ns, mut stream_ns) = (Recorder::default(), Recorder::default());
    let mut out = Vec::new();
    for &tick in &scenario.ticks {
        let t = Instant::now();
        black_box(
            black_box(&words)
                .iter()
                .fold(0u64, |s, &w| s.wrapping_add(w)),
        );
        stream_ns.record_duration(t.elapsed());
        scan_ns.record(timed(&mut cpu, tick, &mut out));
    }
    let (scan, stream) = (scan_ns.summary(), stream_ns.summary());
    println!(
        "{n} positions, {bytes} bytes ({:.1} a position; {SCAN_BYTES_PER_SLOT} a slot on one-ended sides): cpu {scan}\n    stream {stream}\n    cpu / stream at p50 {:.2}, at p99 {:.2}",
        bytes as f64 / n as f64,
        scan.p50 as f64 / stream.p50 as f64,
        scan.p99 as f64 / stream.p99 as f64
    );
}

#[derive(Default)]
struct Kinds {
    open: Recorder,
    resize: Recorder,
    margin: Recorder,
    close: Recorder,
}

impl Kinds {
    fn print(&self, name: &str) {
        println!("{name}: open     {}", self.open);
        println!("{name}: resize   {}", self.resize);
        println!("{name}: margin   {}", self.margin);
        println!("{name}: close    {}", self.close);
    }
}

fn updates(changes: usize, positions: usize) {
    let config = GenConfig {
        positions,
        symbols: 100,
        ticks: 100_000,
        seed: 1,
    };
    let scenario = scenario(config);
    let mut cpu = loaded(
        CpuScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let mut indexed = loaded(
        IndexedScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let mut open: HashMap<u64, Position> = scenario
        .positions
        .iter()
        .map(|p| (p.id, p.clone()))
        .collect();
    let (mut on_indexed, mut on_cpu) = (Kinds::default(), Kinds::default());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut indexed_ticks, mut stale) = (Recorder::default(), 0u64);
    let upsert = |engine: &mut dyn Engine, p: &Position| {
        let t = Instant::now();
        engine.upsert(p).expect("upserts");
        t.elapsed().as_nanos() as u64
    };
    for line in live_events(&config, &scenario, changes).expect("a valid stream") {
        match line.event {
            LiveEvent::Tick(tick) => {
                indexed_ticks.record(timed(&mut indexed, tick, &mut a));
                timed(&mut cpu, tick, &mut b);
                assert_eq!(a, b, "tick {}: the scanners disagree", tick.seq);
                for hit in &a {
                    open.remove(&hit.position);
                }
            }
            LiveEvent::Open(p) => {
                on_indexed.open.record(upsert(&mut indexed, &p));
                on_cpu.open.record(upsert(&mut cpu, &p));
                open.insert(p.id, p);
            }
            LiveEvent::Update(p) if open.contains_key(&p.id) => {
                on_indexed.resize.record(upsert(&mut indexed, &p));
                on_cpu.resize.record(upsert(&mut cpu, &p));
                open.insert(p.id, p);
            }
            LiveEvent::Margin { id, delta, .. } if open.contains_key(&id) => {
                let p = open.get_mut(&id).expect("open");
                p.margin_units += delta;
                on_indexed.margin.record(upsert(&mut indexed, p));
                on_cpu.margin.record(upsert(&mut cpu, p));
            }
            LiveEvent::Close(id) if open.remove(&id).is_some() => {
                let t = Instant::now();
                assert!(indexed.close(id).expect("closes"));
                on_indexed.close.record_duration(t.elapsed());
                let t = Instant::now();
                assert!(cpu.close(id).expect("closes"));
                on_cpu.close.record_duration(t.elapsed());
            }
            _ => stale += 1,
        }
    }
    println!("{changes} changes ({stale} stale, skipped)");
    on_indexed.print("indexed");
    on_cpu.print("cpu");
    println!("indexed ticks: {indexed_ticks}");
    drop((cpu, indexed));
    updates_alone(&config, &scenario, changes);
}

/// [`updates`]' stream on a fresh `indexed` alone.
fn updates_alone(config: &GenConfig, scenario: &Scenario, changes: usize) {
    let mut indexed = loaded(
        IndexedScanner::new(scenario.market.clone()),
        &scenario.positions,
    );
    let mut open: HashMap<u64, Position> = scenario
        .positions
        .iter()
        .map(|p| (p.id, p.clone()))
        .collect();
    let (mut kinds, mut ticks, mut out) = (Kinds::default(), Recorder::default(), Vec::new());
    for line in live_events(config, scenario, changes).expect("a valid stream") {
        match line.event {
            LiveEvent::Tick(tick) => {
                ticks.record(timed(&mut indexed, tick, &mut out));
                for hit in &out {
                    open.remove(&hit.position);
                }
            }
            LiveEvent::Open(p) => {
                kinds.open.record(timed_upsert(&mut indexed, &p));
                open.insert(p.id, p);
            }
            LiveEvent::Update(p) if open.contains_key(&p.id) => {
                kinds.resize.record(timed_upsert(&mut indexed, &p));
                open.insert(p.id, p);
            }
            LiveEvent::Margin { id, delta, .. } if open.contains_key(&id) => {
                let p = open.get_mut(&id).expect("open");
                p.margin_units += delta;
                kinds.margin.record(timed_upsert(&mut indexed, p));
            }
            LiveEvent::Close(id) if open.remove(&id).is_some() => {
                let t = Instant::now();
                assert!(indexed.close(id).expect("closes"));
                kinds.close.record_duration(t.elapsed());
            }
            _ => {}
        }
    }
    kinds.print("indexed alone");
    println!("indexed alone ticks: {ticks}");
}

fn timed_upsert(engine: &mut dyn Engine, p: &Position) -> u64 {
    let t = Instant::now();
    engine.upsert(p).expect("upserts");
    t.elapsed().as_nanos() as u64
}

/// A chase through `megabytes` of 64-byte lines in one random cycle: the
/// time of a load whose address the previous load gave.
fn chase(megabytes: usize) {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    const WORDS_PER_LINE: usize = 8;
    let lines = (megabytes << 20) / 64;
    let mut order: Vec<usize> = (0..lines).collect();
    order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
    // Each line's first word holds the index of the next line's first word.
    let mut next = vec![0usize; lines * WORDS_PER_LINE];
    for (i, &line) in order.iter().enumerate() {
        next[line * WORDS_PER_LINE] = order[(i + 1) % lines] * WORDS_PER_LINE;
    }
    let steps = 2_000_000;
    let mut at = 0;
    for _ in 0..steps / 4 {
        at = next[at];
    }
    let t = Instant::now();
    for _ in 0..steps {
        at = next[at];
    }
    let ns = t.elapsed().as_nanos() as f64 / steps as f64;
    black_box(at);
    println!("chase over {megabytes} MB: {ns:.0} ns a load");
    // One load at a time, timed, from a random line: alone, two whose
    // addresses are known together, and two in turn (the second's address
    // read by the first), as a book change must.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    let mut line = || rand::Rng::gen_range(&mut rng, 0..lines) * WORDS_PER_LINE;
    let (mut one, mut two, mut chained) = (
        Recorder::default(),
        Recorder::default(),
        Recorder::default(),
    );
    for _ in 0..200_000 {
        let (a, b, c) = (line(), line(), line());
        let t = Instant::now();
        black_box(next[a]);
        one.record_duration(t.elapsed());
        let t = Instant::now();
        black_box(next[b] ^ next[c]);
        two.record_duration(t.elapsed());
        let t = Instant::now();
        black_box(next[next[line()]]);
        chained.record_duration(t.elapsed());
    }
    println!("  one load:           {one}");
    println!("  two loads together: {two}");
    println!("  two loads in turn:  {chained}");
}
