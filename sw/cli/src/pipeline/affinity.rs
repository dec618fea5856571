//! `--core N`: the scanner's thread pinned to one core (`core_affinity`,
//! `sched_setaffinity` on Linux). Without it the scanner is not pinned: the
//! operating system schedules it, as it does the feed and the sink.

use std::fmt;

use anyhow::{bail, Result};

use crate::UsageError;

/// Where the scanner runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pinned {
    No,
    Core(usize),
}

impl fmt::Display for Pinned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pinned::No => f.write_str("not pinned"),
            Pinned::Core(core) => write!(f, "pinned to core {core}"),
        }
    }
}

/// The cores this process may run on, as the OS numbers them.
fn cores() -> Vec<usize> {
    core_affinity::get_core_ids()
        .unwrap_or_default()
        .into_iter()
        .map(|core| core.id)
        .collect()
}

/// Refuses (a usage error, exit 2) a core this process may not run on.
pub fn check(core: usize) -> Result<(), UsageError> {
    let cores = cores();
    if cores.contains(&core) {
        return Ok(());
    }
    let list: Vec<String> = cores.iter().map(usize::to_string).collect();
    Err(UsageError(format!(
        "--core {core}: not a core this process may run on (it may run on {})",
        if list.is_empty() {
            "none that the OS reports".to_owned()
        } else {
            list.join(", ")
        }
    )))
}

/// Pins the calling thread to `core`, if one is given.
pub fn pin(core: Option<usize>) -> Result<Pinned> {
    let Some(core) = core else {
        return Ok(Pinned::No);
    };
    check(core)?;
    if !core_affinity::set_for_current(core_affinity::CoreId { id: core }) {
        bail!("cannot pin the scanner to core {core}");
    }
    Ok(Pinned::Core(core))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cores_of_this_process_are_taken() {
        let cores = cores();
        assert!(!cores.is_empty(), "the OS reports no core");
        assert!(check(cores[0]).is_ok());
        let error = check(usize::MAX).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("--core {}: not a core", usize::MAX)),
            "{error}"
        );
        let first = cores[0];
        let pinned = std::thread::spawn(move || pin(Some(first)).unwrap())
            .join()
            .unwrap();
        assert_eq!(pinned, Pinned::Core(first));
        assert_eq!(pin(None).unwrap(), Pinned::No);
    }
}
