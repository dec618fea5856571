//! Mark-price ticks: a random walk per symbol (small moves, occasional
//! jumps), ticks interleaving symbols by popularity.

use rand::distributions::{Distribution, WeightedIndex};
use rand::Rng;

use crate::engine::Tick;
use crate::market::SymbolId;
use crate::spec::PRICE_MAX;

use super::sample::{stochastic_round, unit_noise};
use super::symbols::Listing;

/// Expected jumps per symbol over a whole run.
const JUMPS_PER_RUN: f64 = 1.0;

/// One symbol's walk, scaled so its whole run moves a similar amount
/// whatever the number of ticks (so small configs liquidate too).
struct Walk {
    price: u32,
    floor: u32,
    /// Standard deviation of one tick's relative move.
    sigma: f64,
    /// Chance of a jump on one of this symbol's ticks.
    jump: f64,
    volatility: f64,
}

impl Walk {
    fn new(rng: &mut impl Rng, listing: &Listing, expected_ticks: f64) -> Self {
        // 0.3 % … 1 % over the run, times the symbol's volatility.
        let run_sigma = (0.003 + 0.007 * rng.gen::<f64>()) * listing.volatility;
        let n = expected_ticks.max(1.0);
        Self {
            price: listing.price,
            floor: (listing.price / 4).max(1),
            sigma: run_sigma / n.sqrt(),
            jump: (JUMPS_PER_RUN / n).min(1.0),
            volatility: listing.volatility,
        }
    }

    fn step(&mut self, rng: &mut impl Rng) -> u32 {
        let mut r = self.sigma * unit_noise(rng);
        if rng.gen::<f64>() < self.jump {
            let size = (0.005 + 0.015 * rng.gen::<f64>()) * self.volatility; // 0.5 % … 2 %, scaled
            r += if rng.gen::<bool>() { size } else { -size };
        }
        let moved = i64::from(self.price) + stochastic_round(rng, f64::from(self.price) * r);
        self.price = moved.clamp(i64::from(self.floor), PRICE_MAX as i64) as u32;
        self.price
    }
}

/// `count` ticks, `seq` 1, 2, …
pub fn ticks(rng: &mut impl Rng, listings: &[Listing], count: usize) -> Vec<Tick> {
    if count == 0 || listings.is_empty() {
        return Vec::new();
    }
    let total: f64 = listings.iter().map(|l| f64::from(l.weight)).sum();
    let mut walks: Vec<Walk> = listings
        .iter()
        .map(|l| Walk::new(rng, l, count as f64 * f64::from(l.weight) / total))
        .collect();
    let pick = WeightedIndex::new(listings.iter().map(|l| l.weight)).expect("positive weights");
    (1..=count as u64)
        .map(|seq| {
            let symbol = pick.sample(rng);
            Tick {
                seq,
                symbol: SymbolId(symbol as u32),
                price: walks[symbol].step(rng),
            }
        })
        .collect()
}
