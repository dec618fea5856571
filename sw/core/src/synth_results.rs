//! The FPGA build's recorded clock, for converting the circuit's cycles to
//! time: the synthesis results `scripts/synth.sh` appends to
//! `docs/results/ecp5.csv`, read from a reader, and the run that gives a
//! lane count's clock (the newest routed one, else the newest placed one).
//! The bench reads the file; the demo the copy built into the binary.

use std::fmt;
use std::io::Read;

use serde::Deserialize;

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
            "{stage} at commit {}, seed {seed}, {}",
            self.commit, self.date
        )
    }
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
    fn converts_cycles_at_the_clock() {
        let results = read_results(RESULTS.as_bytes()).unwrap();
        let one = clock_for(&results, 1).unwrap();
        assert_eq!(one.ns(190), 1_000.0);
        assert_eq!(one.ns(0), 0.0);
    }
}
