//! The circuit's clock for converting cycles to ns, from the synthesis
//! results `scripts/synth.sh` appends to `docs/results/ecp5.csv`: the newest
//! routed run of the design (the bare scanner unless told) for the lane
//! count, else the newest placed one. The reader is
//! `liqscan_core::synth_results` (the demo's too); this module opens the file.

use std::path::{Path, PathBuf};

pub use liqscan_core::synth_results::{clock_for, read_results, Design, Stage, SynthResult};

/// The results file of the workspace this bench was built in.
pub fn default_results() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/results/ecp5.csv")
}

/// Why the results file gave no clock.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: csv::Error },
    #[error(
        "{} has no synthesis result of the {design} for {lanes} lanes: run \
         scripts/synth.sh {lanes}{flag}, or give the clock with --clock-mhz",
        path.display(),
        flag = if *design == Design::Top { " --top" } else { "" }
    )]
    NoResult {
        path: PathBuf,
        design: Design,
        lanes: usize,
    },
}

/// [`clock_for`] on the file at `path`.
pub fn clock_from_file(
    path: &Path,
    design: Design,
    lanes: usize,
) -> Result<SynthResult, ResultsError> {
    let read = |source| ResultsError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(|e| read(e.into()))?;
    let results = read_results(file).map_err(read)?;
    clock_for(&results, design, lanes)
        .cloned()
        .ok_or_else(|| ResultsError::NoResult {
            path: path.to_owned(),
            design,
            lanes,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_file_reads() {
        clock_from_file(&default_results(), Design::Scanner, 8)
            .map(|_| ())
            .or_else(|e| match e {
                ResultsError::NoResult { .. } => Ok(()),
                e => Err(e),
            })
            .unwrap();
    }
}
