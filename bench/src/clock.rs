//! The circuit's clock for converting cycles to ns, from the synthesis
//! results `scripts/synth.sh` appends to `docs/results/ecp5.csv`: the newest
//! routed run of the design (the bare scanner unless told) for the lane
//! count, else the newest placed one.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The results file of the workspace this bench was built in.
pub fn default_results() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/results/ecp5.csv")
}

/// What a synthesis run built (the results file's `design` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// The scanner alone, in the timing harness.
    Scanner,
    /// `liqscan_top`: the scanner behind its bus logic (`synth.sh --top`).
    Top,
}

impl fmt::Display for Design {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Design::Scanner => "scanner",
            Design::Top => "liqscan_top",
        })
    }
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
    pub design: Design,
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
            "{} {stage} at commit {}, seed {seed}, {}",
            self.design, self.commit, self.date
        )
    }
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

/// Every row of a results file, in file order (oldest first).
pub fn read_results(reader: impl Read) -> Result<Vec<SynthResult>, csv::Error> {
    csv::Reader::from_reader(reader).deserialize().collect()
}

/// The newest routed result of `design` for `lanes`, else the newest
/// placed one (the file is in run order, so newest is last).
pub fn clock_for(results: &[SynthResult], design: Design, lanes: usize) -> Option<&SynthResult> {
    let newest = |stage| {
        results
            .iter()
            .rev()
            .find(|r| r.design == design && r.lanes == lanes && r.stage == stage)
    };
    newest(Stage::Routed).or_else(|| newest(Stage::Placed))
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

    const RESULTS: &str = "\
date,commit,design,lanes,speed,seed,stage,clock_mhz,luts,ffs,dsps,ebrs,yosys,nextpnr,seconds
2024-05-01,aaa1111,scanner,8,8,1,placed,150.2,1,2,3,4,0.40,0.7,60
2024-05-02,bbb2222,scanner,8,8,2,routed,141.0,1,2,3,4,0.40,0.7,60
2024-05-03,ccc3333,scanner,8,8,,placed,161.5,1,2,3,4,0.40,0.7,60
2024-05-04,ddd4444,scanner,1,8,3,placed,200.1,1,2,3,4,0.40,0.7,60
2024-05-05,eee5555,scanner,1,8,4,placed,190.0,1,2,3,4,0.40,0.7,60
2024-05-06,fff6666,top,8,8,,routed,151.0,1,2,3,4,0.40,0.7,60
2024-05-07,ggg7777,top,1,8,,placed,170.0,1,2,3,4,0.40,0.7,60
";

    #[test]
    fn picks_the_newest_routed_row_else_the_newest_placed_one() {
        let results = read_results(RESULTS.as_bytes()).unwrap();
        assert_eq!(results.len(), 7);
        // A routed row wins over a newer placed one; newer top rows are not
        // the scanner's.
        let eight = clock_for(&results, Design::Scanner, 8).unwrap();
        assert_eq!((eight.commit.as_str(), eight.clock_mhz), ("bbb2222", 141.0));
        assert_eq!(eight.stage, Stage::Routed);
        // Only placed rows: the last one.
        let one = clock_for(&results, Design::Scanner, 1).unwrap();
        assert_eq!((one.commit.as_str(), one.seed.as_str()), ("eee5555", "4"));
        assert_eq!(
            one.to_string(),
            "scanner placed at commit eee5555, seed 4, 2024-05-05"
        );
        assert_eq!(clock_for(&results, Design::Scanner, 4), None);
        // Told to, the top's rows.
        let top = clock_for(&results, Design::Top, 8).unwrap();
        assert_eq!((top.commit.as_str(), top.stage), ("fff6666", Stage::Routed));
        assert_eq!(
            clock_for(&results, Design::Top, 1).unwrap().to_string(),
            "liqscan_top placed at commit ggg7777, seed default, 2024-05-07"
        );
        assert_eq!(results[2].seed, "", "an empty seed is nextpnr's default");
    }

    #[test]
    fn a_header_without_rows_has_no_clock() {
        let header = RESULTS.lines().next().unwrap();
        let results = read_results(header.as_bytes()).unwrap();
        assert!(results.is_empty());
        assert_eq!(clock_for(&results, Design::Scanner, 8), None);
    }

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
