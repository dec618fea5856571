//! What each case runs: the book, its ticks, and the samples of ticks the
//! slow measurements take (the decimal keeper and numpy scan every position
//! on every tick; the Verilator model and the board simulate every clock
//! edge). Samples shrink as books grow so that the default run stays
//! within about 10–15 minutes on a 2-core machine.

use liqscan_core::gen::GenConfig;
use liqscan_core::spec::{scan_cycles, DEFAULT_LANES};

/// Positions the keeper may scan per case (sum over its ticks): at a few
/// hundred ns a position, a few seconds.
pub const KEEPER_BUDGET: u64 = 80_000_000;
/// Positions numpy may scan per case.
pub const NUMPY_BUDGET: u64 = 400_000_000;
/// Clock edges the Verilator model may simulate per case.
pub const SIM_BUDGET: u64 = 2_000_000;
/// Fewest ticks on the Verilator model: its cycles are exact and the same
/// on every tick of a one-symbol book, so a few ticks say it all. Small
/// books run as many ticks as the budget allows, not fewer: its speed
/// (cycles per second) measured over a few milliseconds would be mostly
/// the start of the run.
pub const SIM_MIN: usize = 5;
/// Clock edges the board's model may simulate per case.
pub const BOARD_BUDGET: u64 = 1_000_000;
/// Fewest ticks of a sample (below it a p99 means little), most of one.
pub const SAMPLE_MIN: usize = 20;
pub const SAMPLE_MAX: usize = 2_000;
/// Largest book the board is loaded with by default: its load goes
/// through the command ring of the verilated top, eight register writes
/// (AXI4-Lite transactions) a position, about a millisecond a position on
/// the 2-core machine; the driver's host work per tick does not grow with
/// the book.
pub const BOARD_MAX_POSITIONS: usize = 16_000;

/// One case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// How the reports name it, e.g. `16,000` or `1M / 100 symbols (Zipf)`.
    pub label: String,
    pub config: GenConfig,
    /// Leading ticks run but not recorded.
    pub warmup: usize,
    /// Ticks (the case's first) of each sampled measurement; 0 skips it.
    pub keeper_ticks: usize,
    pub numpy_ticks: usize,
    pub sim_ticks: usize,
    pub board_ticks: usize,
}

/// `budget / cost` ticks, at least [`SAMPLE_MIN`], at most [`SAMPLE_MAX`]
/// and the case's ticks.
fn sample(budget: u64, cost: u64, ticks: usize) -> usize {
    let n = (budget / cost.max(1)) as usize;
    n.clamp(SAMPLE_MIN, SAMPLE_MAX).min(ticks)
}

impl Plan {
    /// A one-symbol book of `positions`, `ticks` ticks, no samples.
    pub fn one_symbol(positions: usize, ticks: usize, seed: u64) -> Self {
        Self {
            label: liqscan_core::report::grouped(positions as u64),
            config: GenConfig {
                positions,
                symbols: 1,
                ticks,
                seed,
            },
            warmup: ticks / 50,
            keeper_ticks: 0,
            numpy_ticks: 0,
            sim_ticks: 0,
            board_ticks: 0,
        }
    }

    /// Samples scaled to the book: `largest` positions in its largest symbol.
    pub fn with_samples(mut self, largest: usize) -> Self {
        let ticks = self.config.ticks;
        let n = largest as u64;
        let cycles = scan_cycles(n, DEFAULT_LANES as u64);
        self.keeper_ticks = sample(KEEPER_BUDGET, n, ticks);
        self.numpy_ticks = sample(NUMPY_BUDGET, n, ticks);
        self.sim_ticks = (SIM_BUDGET / cycles.max(1)) as usize;
        self.sim_ticks = self.sim_ticks.max(SIM_MIN).min(ticks);
        self.board_ticks = if self.config.positions <= BOARD_MAX_POSITIONS {
            sample(BOARD_BUDGET, cycles, ticks).min(200)
        } else {
            0
        };
        self
    }
}

/// Ticks of a one-symbol case of `positions`: fewer for large books.
pub fn default_ticks(positions: usize) -> usize {
    match positions {
        0..=64_000 => 100_000,
        64_001..=200_000 => 50_000,
        _ => 20_000,
    }
}

/// Positions of the one-symbol cases.
pub const DEFAULT_SIZES: [usize; 6] = [1_000, 4_000, 16_000, 64_000, 200_000, 1_000_000];

/// The Zipf book: `liqscan gen`'s 1,000,000 positions over 100 symbols.
pub const ZIPF: GenConfig = GenConfig {
    positions: 1_000_000,
    symbols: 100,
    ticks: 100_000,
    seed: 1,
};

/// The default run: a one-symbol case per size of `sizes` (ticks
/// [`default_ticks`] unless `ticks` is given), then the Zipf book unless
/// `zipf` is false.
pub fn default_plans(sizes: &[usize], ticks: Option<usize>, seed: u64, zipf: bool) -> Vec<Plan> {
    let mut plans: Vec<Plan> = sizes
        .iter()
        .map(|&n| {
            Plan::one_symbol(n, ticks.unwrap_or_else(|| default_ticks(n)), seed).with_samples(n)
        })
        .collect();
    if zipf {
        let config = GenConfig {
            seed,
            ticks: ticks.unwrap_or(ZIPF.ticks),
            ..ZIPF
        };
        // The largest symbol's share of the book: about 19% (193,507 of
        // 1,000,000 for seed 1); samples are sized for it.
        let largest = config.positions / 5;
        let plan = Plan {
            label: format!(
                "{} / {} symbols, Zipf",
                liqscan_core::report::grouped(config.positions as u64),
                config.symbols
            ),
            warmup: config.ticks / 50,
            config,
            keeper_ticks: 0,
            numpy_ticks: 0,
            sim_ticks: 0,
            board_ticks: 0,
        };
        plans.push(plan.with_samples(largest));
    }
    plans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_shrink_with_the_book_within_bounds() {
        let plans = default_plans(&DEFAULT_SIZES, None, 1, true);
        assert_eq!(plans.len(), 7);
        let small = &plans[0];
        assert_eq!((small.config.ticks, small.warmup), (100_000, 2_000));
        assert_eq!(small.keeper_ticks, SAMPLE_MAX);
        let small_cycles = scan_cycles(1_000, DEFAULT_LANES as u64);
        assert_eq!(small.sim_ticks as u64, SIM_BUDGET / small_cycles);
        let big = &plans[5];
        assert_eq!(big.config.ticks, 20_000);
        assert_eq!(big.keeper_ticks, 80, "1M positions: 80M / 1M");
        let cycles = scan_cycles(1_000_000, DEFAULT_LANES as u64);
        assert_eq!(big.sim_ticks as u64, SIM_BUDGET / cycles);
        assert!(plans[0].sim_ticks > plans[1].sim_ticks, "the most");
        assert_eq!(
            big.board_ticks, 0,
            "no board load of 1M positions by default"
        );
        let zipf = &plans[6];
        assert_eq!(
            (zipf.config.symbols, zipf.config.positions),
            (100, 1_000_000)
        );
        assert!(zipf.label.contains("Zipf"));
        for p in &plans {
            for s in [p.keeper_ticks, p.numpy_ticks] {
                assert!(
                    (SAMPLE_MIN.min(p.config.ticks)..=SAMPLE_MAX).contains(&s),
                    "{p:?}"
                );
            }
        }
        assert_eq!(
            default_plans(&[500], Some(30), 2, false)[0].keeper_ticks,
            30
        );
    }
}
