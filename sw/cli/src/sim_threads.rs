//! `--sim-threads`: how many host threads evaluate the Verilator model's lanes.

/// The Verilator model's lanes on one host thread or two.
#[derive(Debug, Clone, clap::Args)]
pub struct SimThreads {
    /// Host threads for the Verilator model's lanes (`sim`): 2 evaluates half
    /// of them on a second thread that spins between clock edges, faster
    /// with a core to spare, slower on a busy machine; the events are the
    /// same. Default: 2 on machines with four or more cores, else 1.
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
