//! The circuit's clock for converting cycles to ns, from the synthesis
//! results `scripts/synth.sh` appends to `docs/results/ecp5.csv`: the newest
//! routed run for the lane count, else the newest placed one.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The results file of the workspace this bench was built in.
pub fn default_results() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/results/ecp5.csv")
}

/// How far a synthesis run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// nextpnr's estimate after placement.
    Placed,
    /// Timed after routing.
    Routed,
}

/// One row of the results file (the columns the bench uses); shown as the
/// run it was: stage, commit, seed and date.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SynthResult {
    pub date: String,
    pub commit: String,
    pub lanes: usize,
    /// Empty for nextpnr's default seed.
    pub seed: String,
    pub stage: Stage,
    pub clock_mhz: f64,
}

impl fmt::Display for SynthResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match self.stage {
            Stage::Placed => "placed",
            Stage::Routed => "routed",
        };
        let seed = if self.seed.is_empty() {
            "default"
        } else {
            &self.seed
        };
        write!(
            f,
            "{stage} at commit {}, seed {seed}, {}",
            self.commit, self.date
        )
    }
}

/// Why the results file gave no clock.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: csv::Error },
    #[error(
        "{} has no synthesis result for {lanes} lanes: run scripts/synth.sh {lanes}, \
         or give the clock with --clock-mhz",
        path.display()
    )]
    NoResult { path: PathBuf, lanes: usize },
}

/// Every row of a results file, in file order (oldest first).
pub fn read_results(reader: impl Read) -> Result<Vec<SynthResult>, csv::Error> {
    csv::Reader::from_reader(reader).deserialize().collect()
}

/// The newest routed result for `lanes`, else the newest placed one (the
/// file is in run order, so newest is last).
pub fn clock_for(results: &[SynthResult], lanes: usize) -> Option<&SynthResult> {
    let newest = |stage| {
        results
            .iter()
            .rev()
            .find(|r| r.lanes == lanes && r.stage == stage)
    };
    newest(Stage::Routed).or_else(|| newest(Stage::Placed))
}

/// [`clock_for`] on the file at `path`.
pub fn clock_from_file(path: &Path, lanes: usize) -> Result<SynthResult, ResultsError> {
    let read = |source| ResultsError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(|e| read(e.into()))?;
    let results = read_results(file).map_err(read)?;
    clock_for(&results, lanes)
        .cloned()
        .ok_or_else(|| ResultsError::NoResult {
            path: path.to_owned(),
            lanes,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESULTS: &str = "\
date,commit,lanes,speed,seed,stage,clock_mhz,luts,ffs,dsps,ebrs,yosys,nextpnr,seconds
2024-05-01,aaa1111,8,8,1,placed,150.2,1,2,3,4,0.40,0.7,60
2024-05-02,bbb2222,8,8,2,routed,141.0,1,2,3,4,0.40,0.7,60
2024-05-03,ccc3333,8,8,,placed,161.5,1,2,3,4,0.40,0.7,60
2024-05-04,ddd4444,1,8,3,placed,200.1,1,2,3,4,0.40,0.7,60
2024-05-05,eee5555,1,8,4,placed,190.0,1,2,3,4,0.40,0.7,60
";

    #[test]
    fn picks_the_newest_routed_row_else_the_newest_placed_one() {
        let results = read_results(RESULTS.as_bytes()).unwrap();
        assert_eq!(results.len(), 5);
        // A routed row wins over a newer placed one.
        let eight = clock_for(&results, 8).unwrap();
        assert_eq!((eight.commit.as_str(), eight.clock_mhz), ("bbb2222", 141.0));
        assert_eq!(eight.stage, Stage::Routed);
        // Only placed rows: the last one.
        let one = clock_for(&results, 1).unwrap();
        assert_eq!((one.commit.as_str(), one.seed.as_str()), ("eee5555", "4"));
        assert_eq!(
            one.to_string(),
            "placed at commit eee5555, seed 4, 2024-05-05"
        );
        assert_eq!(clock_for(&results, 4), None);
        assert_eq!(results[2].seed, "", "an empty seed is nextpnr's default");
    }

    #[test]
    fn a_header_without_rows_has_no_clock() {
        let header = RESULTS.lines().next().unwrap();
        let results = read_results(header.as_bytes()).unwrap();
        assert!(results.is_empty());
        assert_eq!(clock_for(&results, 8), None);
    }

    #[test]
    fn the_committed_file_reads() {
        clock_from_file(&default_results(), 8)
            .map(|_| ())
            .or_else(|e| match e {
                ResultsError::NoResult { .. } => Ok(()),
                e => Err(e),
            })
            .unwrap();
    }
}
