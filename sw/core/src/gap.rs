//! Safe gaps: the widest run of marks around a given mark at which the rule
//! liquidates a position nowhere. The `indexed` scanner keeps each position
//! under the two ends of one gap, so a position costs at most two index
//! entries however many windows its liquidation set has; the `cpu` scanner
//! keeps the two ends beside each slot and sends only the slots whose gap
//! a tick leaves to the rule.
//!
//! Computed exactly and without walking the whole ladder: inside bracket
//! `i`'s price range for `|Q|` (`(cap_{i−1}, cap_i]` in notional, see
//! [`crate::threshold`]) the sum is `base_i ± slope_i·P`, strictly monotone,
//! so the bracket's liquidating marks are one interval, a prefix of the range
//! for a long and a suffix for a short, whose inner end is one exact integer
//! division. From a safe mark `m` in bracket `b`, the nearest liquidating
//! mark above is in the first bracket `≥ b` whose interval reaches above `m`,
//! and the nearest below in the last bracket `≤ b` whose interval reaches
//! below `m`; usually `b` or its neighbour.

use crate::spec::{liquidates, PositionConst, SymbolUnits, MAX_BRACKETS, PRICE_MAX};
use crate::threshold::{liquidation_set, HIGHEST};

/// The marks `lo ..= hi` (inclusive), none of which liquidates the position,
/// with `lo − 1` and `hi + 1` liquidating unless they are off the price range.
/// `lo > hi` ([`Gap::DOOMED`]) when every mark liquidates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gap {
    pub lo: u32,
    pub hi: u32,
}

impl Gap {
    /// Every mark liquidates: no safe mark at all.
    pub const DOOMED: Gap = Gap { lo: 1, hi: 0 };
    /// No mark liquidates (`Q = 0`, or a position that can never fall short).
    pub const NEVER: Gap = Gap { lo: 0, hi: HIGHEST };

    pub fn is_doomed(self) -> bool {
        self.lo > self.hi
    }

    #[cfg(test)]
    pub fn contains(self, price: u32) -> bool {
        self.lo <= price && price <= self.hi
    }
}

/// Marks of one bracket's price range.
enum Piece {
    /// The range starts above `PRICE_MAX`, and so does every later one's.
    Past,
    /// No marks.
    Empty,
    /// The marks `lo ..= hi`.
    Marks(u32, u32),
}

/// One position on one symbol's ladder.
struct Ladder<'a> {
    units: &'a SymbolUnits,
    konst: PositionConst,
    qty: u64,
    at_equal: bool,
}

impl Ladder<'_> {
    fn liquidates(&self, price: u32) -> bool {
        liquidates(self.units.margin_sum(self.konst, price), self.at_equal)
    }

    /// Bracket `i`'s marks for this `|Q|`: [`Piece::Past`] once the range
    /// starts above `PRICE_MAX` (every later bracket's does too),
    /// [`Piece::Empty`] when it is empty (a cap equal to the one before it
    /// after flooring).
    fn range(&self, i: usize) -> Piece {
        let lo = match i {
            0 => 0,
            _ => self.units.brackets[i - 1].cap / self.qty + 1,
        };
        if lo > PRICE_MAX {
            return Piece::Past;
        }
        let hi = (self.units.brackets[i].cap / self.qty).min(PRICE_MAX);
        match lo <= hi {
            true => Piece::Marks(lo as u32, hi as u32),
            false => Piece::Empty,
        }
    }

    /// The marks of bracket `i`'s range at which the rule liquidates: one
    /// interval, found by one division.
    fn piece(&self, i: usize) -> Piece {
        let Piece::Marks(lo, hi) = self.range(i) else {
            return self.range(i);
        };
        let bracket = &self.units.brackets[i];
        // `T + A_i`: 108-bit signed plus 107-bit unsigned, 109 bits signed.
        let base = self.konst.offset + bracket.maint as i128;
        let strict = i128::from(!self.at_equal);
        let qty = i128::from(self.qty);
        let marks = if self.konst.qty_lots > 0 {
            // sum = base + slope·P, increasing: liquidated iff slope·P ≤ −base − strict.
            let slope = qty * i128::from(bracket.weight_long);
            let bound = -base - strict;
            if bound < 0 {
                None
            } else {
                // (slope = 0 only in hand-built units: a constant sum, liquidated everywhere.)
                let top = bound.checked_div(slope).unwrap_or(i128::MAX);
                let top = top.min(i128::from(hi)) as u32;
                (lo <= top).then_some((lo, top))
            }
        } else {
            // sum = base − slope·P, decreasing: liquidated iff slope·P ≥ base + strict.
            let slope = qty * i128::from(bracket.weight_short);
            let bound = base + strict;
            let bottom = if bound <= 0 {
                Some(0)
            } else {
                // (slope = 0: a constant positive sum, never liquidated.)
                (bound + slope - 1).checked_div(slope)
            };
            bottom
                .filter(|&bottom| bottom <= i128::from(hi))
                .map(|bottom| (bottom.max(i128::from(lo)) as u32, hi))
        };
        marks.map_or(Piece::Empty, |(lo, hi)| Piece::Marks(lo, hi))
    }

    /// The gap containing the safe mark `m`.
    fn gap_at(&self, m: u32) -> Gap {
        debug_assert!(!self.liquidates(m));
        let home = self
            .units
            .bracket_of(self.units.notional(self.konst.qty_lots, m));
        // On a continuous ladder a long's set is a prefix of the marks and a
        // short's a suffix (the fate is monotone in the mark), so the end on
        // the safe side is the range's own: no walk, no division.
        let (walk_up, walk_down) = match (self.units.continuous, self.konst.qty_lots > 0) {
            (true, true) => (false, true),
            (true, false) => (true, false),
            (false, _) => (true, true),
        };
        let hi = match walk_up {
            true => self.end_above(home, m),
            false => HIGHEST,
        };
        let lo = match walk_down {
            true => self.end_below(home, m),
            false => 0,
        };
        let gap = Gap { lo, hi };
        debug_assert!(self.is_exact(gap), "{:?}: gap {gap:?} at {m}", self.konst);
        gap
    }

    /// The last mark above the safe `m` (in bracket `home`) before one that
    /// liquidates, or `HIGHEST`.
    fn end_above(&self, home: usize, m: u32) -> u32 {
        for i in home..MAX_BRACKETS {
            match self.piece(i) {
                Piece::Past => break,
                // `m` is safe, so this interval lies wholly above it.
                Piece::Marks(bottom, top) if top > m => return bottom.max(m + 1) - 1,
                _ => {}
            }
        }
        HIGHEST
    }

    /// The first mark below the safe `m` (in bracket `home`) after one that
    /// liquidates, or 0.
    fn end_below(&self, home: usize, m: u32) -> u32 {
        for i in (0..=home).rev() {
            if let Piece::Marks(bottom, top) = self.piece(i) {
                if bottom < m {
                    return top.min(m - 1) + 1;
                }
            }
        }
        0
    }

    /// The rule agrees with the gap at and just beyond both of its ends.
    fn is_exact(&self, gap: Gap) -> bool {
        !self.liquidates(gap.lo)
            && !self.liquidates(gap.hi)
            && (gap.lo == 0 || self.liquidates(gap.lo - 1))
            && (gap.hi == HIGHEST || self.liquidates(gap.hi + 1))
    }
}

/// The gap containing `mark`, which the rule must not liquidate.
pub(crate) fn around(units: &SymbolUnits, konst: PositionConst, at_equal: bool, mark: u32) -> Gap {
    if konst.qty_lots == 0 {
        return Gap::NEVER;
    }
    let ladder = Ladder {
        units,
        konst,
        qty: u64::from(konst.qty_lots.unsigned_abs()),
        at_equal,
    };
    if !caps_ascend(units) {
        return from_set(units, konst, at_equal, mark);
    }
    ladder.gap_at(mark)
}

/// A gap for a position just written, near `reference` (the symbol's last
/// mark, or the entry price before the first tick): the gap containing it,
/// or, when the rule liquidates the position there, the nearest gap on the
/// position's safe side; [`Gap::DOOMED`] when there is none at all.
pub(crate) fn place(
    units: &SymbolUnits,
    konst: PositionConst,
    at_equal: bool,
    reference: u32,
) -> Gap {
    if konst.qty_lots == 0 {
        return Gap::NEVER;
    }
    if !liquidates(units.margin_sum(konst, reference), at_equal) {
        return around(units, konst, at_equal, reference);
    }
    // Rare (a position written already under water): take the whole set.
    let set = liquidation_set(units, konst, at_equal);
    let at = set
        .intervals()
        .iter()
        .find(|iv| iv.contains(reference))
        .copied()
        .expect("the rule liquidates at the reference");
    let above = (at.hi < HIGHEST).then(|| at.hi + 1);
    let below = at.lo.checked_sub(1);
    // A long is safe higher up, a short lower down: look there first.
    let safe = if konst.qty_lots > 0 {
        above.or(below)
    } else {
        below.or(above)
    };
    match safe {
        Some(mark) => around(units, konst, at_equal, mark),
        None => Gap::DOOMED,
    }
}

/// The contract's caps never decrease along the padded table (they ascend as
/// decimals and are floored monotonically); hand-built units might not.
fn caps_ascend(units: &SymbolUnits) -> bool {
    units.brackets.windows(2).all(|w| w[0].cap <= w[1].cap)
}

/// The gap containing the safe `mark`, from the whole liquidation set.
fn from_set(units: &SymbolUnits, konst: PositionConst, at_equal: bool, mark: u32) -> Gap {
    let set = liquidation_set(units, konst, at_equal);
    let lo = match mark.checked_sub(1) {
        Some(below) => set.highest_at_or_below(below).map_or(0, |p| p + 1),
        None => 0,
    };
    let hi = match mark.checked_add(1) {
        Some(above) => set.lowest_at_or_above(above).map_or(HIGHEST, |p| p - 1),
        None => HIGHEST,
    };
    Gap { lo, hi }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::BracketInput;
    use crate::test_util::d;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A random ladder, continuous or (mostly) jumping, within the contract.
    fn ladder(rng: &mut impl Rng) -> SymbolUnits {
        let n = rng.gen_range(1..=MAX_BRACKETS);
        let mut cap = 0u64;
        let brackets: Vec<BracketInput> = (0..n)
            .map(|i| {
                cap += rng.gen_range(1..=5_000);
                BracketInput {
                    notional_cap: (i + 1 < n).then(|| d(&cap.to_string())),
                    mmr: d(&format!("0.{:06}", rng.gen_range(0..999_999))),
                    maint_amount: d(&rng.gen_range(0..20_000).to_string()),
                }
            })
            .collect();
        let tick = ["1", "0.1", "0.5", "2"][rng.gen_range(0..4)];
        let lot = ["1", "0.1", "3"][rng.gen_range(0..3)];
        SymbolUnits::new(&d(tick), &d(lot), &brackets).unwrap()
    }

    /// On random jumping ladders the gap around every safe mark is the
    /// complement interval of `liquidation_set` (an independent derivation)
    /// that contains it; `place` gives a safe gap or `DOOMED` exactly when
    /// the set is everything.
    #[test]
    fn gaps_are_the_set_complement() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        for _ in 0..300 {
            let units = ladder(&mut rng);
            for _ in 0..20 {
                let qty: i32 = rng.gen_range(1..=200) * if rng.gen() { 1 } else { -1 };
                let entry: u32 = rng.gen_range(1..=50_000);
                let margin: i128 = rng.gen_range(0..2_000_000) * 10i128.pow(units.quote_decimals);
                let konst = units.position_const(qty, entry, margin);
                let at_equal = rng.gen();
                let set = liquidation_set(&units, konst, at_equal);
                let mut marks: Vec<u32> = (0..30).map(|_| rng.gen_range(0..100_000)).collect();
                for iv in set.intervals() {
                    marks.extend([iv.lo, iv.hi]);
                    marks.extend(iv.lo.checked_sub(1));
                    marks.extend(iv.hi.checked_add(1));
                }
                marks.extend([0, HIGHEST]);
                for m in marks {
                    let placed = place(&units, konst, at_equal, m);
                    if placed.is_doomed() {
                        assert_eq!(set.intervals().len(), 1);
                        assert_eq!((set.intervals()[0].lo, set.intervals()[0].hi), (0, HIGHEST));
                        continue;
                    }
                    assert_eq!(placed, from_set(&units, konst, at_equal, placed.lo));
                    if set.contains(m) {
                        assert!(!placed.contains(m));
                        continue;
                    }
                    assert!(placed.contains(m));
                    assert_eq!(
                        around(&units, konst, at_equal, m),
                        from_set(&units, konst, at_equal, m),
                        "{konst:?} at {m}, set {set:?}"
                    );
                }
            }
        }
    }
}
