//! The machine a run measured, for the report header.

use std::fmt;

/// CPU model and logical cores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
}

impl Machine {
    /// This machine (`/proc/cpuinfo` on Linux; "unknown CPU" elsewhere).
    pub fn current() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            cpu: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown CPU".into()),
            cores,
        }
    }
}

/// The first `model name` (x86) or `Model`/`CPU part` (ARM) of a cpuinfo text.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    ["model name", "Model", "CPU part"].iter().find_map(|key| {
        cpuinfo.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == *key && !v.trim().is_empty())
                .then(|| v.split_whitespace().collect::<Vec<_>>().join(" "))
        })
    })
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {} logical cores", self.cpu, self.cores)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_model_name() {
        let text = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)  CPU @ 2.20GHz\n";
        assert_eq!(
            cpu_model(text).as_deref(),
            Some("Intel(R) Xeon(R) CPU @ 2.20GHz")
        );
        assert_eq!(cpu_model("processor : 0\n"), None);
        assert!(!Machine::current().cpu.is_empty());
    }
}
