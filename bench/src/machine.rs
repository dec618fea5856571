//! The machine a run measured, for the report header.

use std::fmt;
use std::path::Path;

/// CPU model, logical cores, caches and memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    /// Core 0's caches, e.g. `L1d 32K`, `L3 32768K (shared by 0-1)`.
    pub caches: Vec<String>,
    /// `MemTotal` of `/proc/meminfo`, in KiB.
    pub memory_kib: Option<u64>,
}

impl Machine {
    /// This machine (`/proc/cpuinfo`, `/sys/devices/system/cpu/cpu0/cache`
    /// and `/proc/meminfo` on Linux; unknown elsewhere).
    pub fn current() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            cpu: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown CPU".into()),
            cores,
            caches: caches(Path::new("/sys/devices/system/cpu/cpu0/cache")),
            memory_kib: mem_total(&meminfo),
        }
    }
}

/// The caches described under `dir` (`index*/{level,type,size,shared_cpu_list}`),
/// in index order.
pub fn caches(dir: &Path) -> Vec<String> {
    let mut indices: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("index"))
        })
        .collect();
    indices.sort();
    indices
        .iter()
        .filter_map(|index| {
            let read = |name: &str| {
                std::fs::read_to_string(index.join(name))
                    .ok()
                    .map(|s| s.trim().to_owned())
            };
            let (level, kind, size) = (read("level")?, read("type")?, read("size")?);
            let kind = match kind.as_str() {
                "Data" => "d",
                "Instruction" => "i",
                _ => "",
            };
            let shared = read("shared_cpu_list")
                .filter(|list| list.contains(['-', ',']))
                .map_or(String::new(), |list| format!(" (shared by cpus {list})"));
            Some(format!("L{level}{kind} {size}{shared}"))
        })
        .collect()
}

/// `MemTotal` of a meminfo text, in KiB.
pub fn mem_total(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|line| {
        let rest = line.strip_prefix("MemTotal:")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), as written.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    (fields.len() == 3).then(|| fields.join(" "))
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
        write!(f, "{}, {} logical cores", self.cpu, self.cores)?;
        if !self.caches.is_empty() {
            write!(f, ", caches {}", self.caches.join(", "))?;
        }
        if let Some(kib) = self.memory_kib {
            write!(f, ", {:.1} GiB memory", kib as f64 / (1024.0 * 1024.0))?;
        }
        Ok(())
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

    #[test]
    fn reads_caches_and_memory() {
        let dir = tempfile::tempdir().unwrap();
        for (index, level, kind, size, shared) in [
            ("index0", "1", "Data", "32K", "0"),
            ("index1", "1", "Instruction", "32K", "0"),
            ("index3", "3", "Unified", "32768K", "0-1"),
        ] {
            let d = dir.path().join(index);
            std::fs::create_dir(&d).unwrap();
            for (name, value) in [
                ("level", level),
                ("type", kind),
                ("size", size),
                ("shared_cpu_list", shared),
            ] {
                std::fs::write(d.join(name), format!("{value}\n")).unwrap();
            }
        }
        std::fs::write(dir.path().join("uevent"), "").unwrap();
        assert_eq!(
            caches(dir.path()),
            ["L1d 32K", "L1i 32K", "L3 32768K (shared by cpus 0-1)"]
        );
        assert_eq!(
            mem_total("MemFree: 5 kB\nMemTotal:       24683772 kB\n"),
            Some(24_683_772)
        );
        assert_eq!(mem_total("nothing"), None);
    }
}
