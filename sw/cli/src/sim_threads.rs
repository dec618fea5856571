//! `--sim-threads`: how many host threads a scan of the Verilator model runs on.

/// A scan of the Verilator model on one host thread or two.
#[derive(Debug, Clone, clap::Args)]
pub struct SimThreads {
    /// Host threads for each scan of the Verilator model (`sim`): with 2,
    /// two replicas of the model each evaluate half of the lanes and a scan
    /// runs on both at once, the second on a thread that spins between
    /// scans: faster with a core to spare, slower on a busy machine; the
    /// events are the same. Default: 2 on machines with four or more
    /// cores, else 1.
    #[arg(long = "sim-threads", value_name = "N", value_parser = clap::value_parser!(u8).range(1..=2))]
    threads: Option<u8>,
}

impl SimThreads {
    /// The count asked for, or the machine's default.
    pub fn threads(&self) -> usize {
        self.threads.map_or_else(default_threads, usize::from)
    }
}

/// 2 where the worker's spinning leaves cores for everything else.
fn default_threads() -> usize {
    match std::thread::available_parallelism() {
        Ok(cores) if cores.get() >= 4 => 2,
        _ => 1,
    }
}
