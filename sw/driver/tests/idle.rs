//! An idle virtual board does not spin a core: over half a second with no
//! host, the process (this test alone) uses a small fraction of one core.
//! Linux only: the CPU time comes from `/proc/self/stat`.

mod common;

use std::time::{Duration, Instant};

use common::{card, generated, Served};

/// User plus system CPU time of this process, in clock ticks.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat (Linux)");
    // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
    let after = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let field = |n: usize| fields[n - 3].parse::<u64>().expect("a number");
    field(14) + field(15)
}

#[test]
fn an_idle_server_sleeps() {
    let dir = tempfile::tempdir().unwrap();
    let run = generated(10, 1, 1, 1);
    let mut served = Served::start(card(&run.market, 1 << 10), dir.path());
    // Let it settle into its sleep.
    std::thread::sleep(Duration::from_millis(50));
    let (before, started) = (cpu_ticks(), Instant::now());
    std::thread::sleep(Duration::from_millis(600));
    let used = cpu_ticks() - before;
    let wall = started.elapsed();
    served.stop();
    // Clock ticks are 10 ms on Linux (USER_HZ = 100): a spinning server
    // would use about 60 of them here.
    println!("{used} clock ticks of CPU in {wall:.2?}");
    assert!(used <= 12, "{used} clock ticks of CPU in {wall:.2?}");
}
