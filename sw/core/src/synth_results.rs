//! The FPGA build's recorded clock, for converting the circuit's cycles to
//! time: the synthesis results `scripts/synth.sh` appends to
//! `docs/results/ecp5.csv`, read from a reader, and the run that gives a
//! design and lane count's clock (the newest routed one, else the newest
//! placed one).
//! The bench reads the file; the demo the copy built into the binary.

use std::fmt;
use std::io::Read;
use std::str::FromStr;

use serde::Deserialize;

/// What a synthesis run built (the results file's `design` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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

/// A design named as in the results file's `design` column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown design {0:?}: expected scanner or top")]
pub struct UnknownDesign(String);

impl FromStr for Design {
    type Err = UnknownDesign;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "scanner" => Ok(Design::Scanner),
            "top" => Ok(Design::Top),
            _ => Err(UnknownDesign(s.to_owned())),
        }
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

/// One row of the results file (the columns the clock needs); shown as the
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

impl SynthResult {
    /// `cycles` at this run's clock, in ns (a report's figure, not a decision).
    pub fn ns(&self, cycles: u64) -> f64 {
        cycles as f64 * 1e3 / self.clock_mhz
    }
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
    fn designs_parse_as_the_column_names_them() {
        assert_eq!("top".parse(), Ok(Design::Top));
        assert_eq!("scanner".parse(), Ok(Design::Scanner));
        assert!("liqscan_top".parse::<Design>().is_err());
    }

    #[test]
    fn converts_cycles_at_the_clock() {
        let results = read_results(RESULTS.as_bytes()).unwrap();
        let one = clock_for(&results, Design::Scanner, 1).unwrap();
        assert_eq!(one.ns(190), 1_000.0);
        assert_eq!(one.ns(0), 0.0);
    }
}
