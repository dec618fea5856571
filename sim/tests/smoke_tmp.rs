use liqscan_sim::ScannerModel;
use liqscan_core::spec;

#[test]
fn smoke() {
    let t = std::time::Instant::now();
    let mut m = ScannerModel::new(std::env::var("L").map(|v| v.parse().unwrap()).unwrap_or(8)).unwrap_or_else(|e| panic!("{e}"));
    println!("new {:?}", t.elapsed());
    for n in [0u32, 1, 7, 8, 9, 100] {
        m.write_region(3, 2, n).unwrap();
        let mut out = Vec::new();
        let s = m.tick(3, 100, &mut out).unwrap();
        println!("n={n} {s:?} expect {}", spec::scan_cycles(n as u64, 8));
    }
    let t = std::time::Instant::now();
    let c0 = m.simulated_cycles();
    for i in 0..100_000u32 {
        m.write_position(i, Some(liqscan_core::spec::PositionConst { qty_lots: 5, offset: -1 })).unwrap();
    }
    let el = t.elapsed();
    println!("writes: {:.0} cycles/s", (m.simulated_cycles() - c0) as f64 / el.as_secs_f64());
    m.write_region(3, 0, 100_000).unwrap();
    let t = std::time::Instant::now();
    let c0 = m.simulated_cycles();
    let mut out = Vec::new();
    let s = m.tick(3, 100, &mut out).unwrap();
    let el = t.elapsed();
    println!("scan {s:?}: {:.0} cycles/s, {} hits", (m.simulated_cycles() - c0) as f64 / el.as_secs_f64(), out.len());
}
