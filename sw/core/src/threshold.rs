//! The liquidation set of one position: every mark `P` at which the rule
//! (`SymbolUnits::margin_sum`, then `spec::liquidates`) liquidates it, as
//! sorted disjoint intervals of ticks. Shared by the `indexed` scanner and
//! `prices`.
//!
//! The set covers every `u32` mark, `0` included: `0` is not a valid price,
//! but the rule is defined there (bracket 0, `X = 0`) and a backend handed
//! one must still agree with `cpu`.
//!
//! Why intervals: inside one bracket `sum(P) = (T + A_b) + σ·|Q|·W_b,σ·P` is
//! strictly monotone in `P` (`W > 0`), so there the set is a prefix of the
//! bracket's price range for a long and a suffix for a short. A bracket's
//! price range for a given `|Q|` is an interval, so the whole set is a union
//! of at most `MAX_BRACKETS` intervals. On a continuous ladder `E − MM` has
//! no jumps, so the set is one interval reaching `0` (long) or `PRICE_MAX`
//! (short): a single threshold.

use crate::spec::{liquidates, BracketConst, PositionConst, SymbolUnits, PRICE_MAX};

/// The highest mark, `2^32 − 1`.
pub const HIGHEST: u32 = PRICE_MAX as u32;

/// The marks `lo ..= hi` (ticks, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    pub lo: u32,
    pub hi: u32,
}

impl Interval {
    pub fn contains(&self, price: u32) -> bool {
        self.lo <= price && price <= self.hi
    }
}

/// Sorted, disjoint, non-adjacent intervals: where a position liquidates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiquidationSet {
    intervals: Vec<Interval>,
}

impl LiquidationSet {
    pub fn intervals(&self) -> &[Interval] {
        &self.intervals
    }

    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    pub fn contains(&self, price: u32) -> bool {
        let after = self.intervals.partition_point(|iv| iv.lo <= price);
        after > 0 && self.intervals[after - 1].hi >= price
    }

    /// The highest member `≤ price`.
    pub fn highest_at_or_below(&self, price: u32) -> Option<u32> {
        let after = self.intervals.partition_point(|iv| iv.lo <= price);
        (after > 0).then(|| self.intervals[after - 1].hi.min(price))
    }

    /// The lowest member `≥ price`.
    pub fn lowest_at_or_above(&self, price: u32) -> Option<u32> {
        let from = self.intervals.partition_point(|iv| iv.hi < price);
        self.intervals.get(from).map(|iv| iv.lo.max(price))
    }

    /// Appends an interval above every one held, merging it with the last
    /// when they touch.
    fn push(&mut self, next: Interval) {
        match self.intervals.last_mut() {
            Some(last) if u64::from(last.hi) + 1 == u64::from(next.lo) => last.hi = next.hi,
            _ => self.intervals.push(next),
        }
    }
}

/// Where the rule liquidates `position` (empty for `Q = 0`, a hole in `cpu`).
/// Continuous ladders take the single-threshold path, the others the
/// per-bracket one; both give the same set on a continuous ladder.
pub fn liquidation_set(
    units: &SymbolUnits,
    position: PositionConst,
    at_equal: bool,
) -> LiquidationSet {
    if units.continuous {
        by_threshold(units, position, at_equal)
    } else {
        by_brackets(units, position, at_equal)
    }
}

/// The liquidation set of a position whose fate is monotone in the mark (any
/// position on a continuous ladder): a binary search with the rule itself
/// for the one threshold, 33 evaluations.
pub fn by_threshold(
    units: &SymbolUnits,
    position: PositionConst,
    at_equal: bool,
) -> LiquidationSet {
    let liq = |p: u64| liquidates(units.margin_sum(position, p as u32), at_equal);
    let mut set = LiquidationSet::default();
    let long = position.qty_lots > 0;
    // A long liquidates on a prefix `0 ..= p`, a short on a suffix `p ..= HIGHEST`.
    let (inner, outer) = if long { (0, PRICE_MAX) } else { (PRICE_MAX, 0) };
    if position.qty_lots == 0 || !liq(inner) {
        return set;
    }
    let edge = if liq(outer) {
        outer
    } else {
        // Invariant: liq(yes), !liq(no); they close in on the threshold.
        let (mut yes, mut no) = (inner, outer);
        while yes.abs_diff(no) > 1 {
            let mid = yes.min(no) + yes.abs_diff(no) / 2;
            if liq(mid) {
                yes = mid;
            } else {
                no = mid;
            }
        }
        yes
    };
    set.push(if long {
        Interval {
            lo: 0,
            hi: edge as u32,
        }
    } else {
        Interval {
            lo: edge as u32,
            hi: HIGHEST,
        }
    });
    set
}

/// The liquidation set on any ladder: per bracket, the bracket's price range
/// for this `|Q|`, and in it the threshold of the linear sum — estimated by
/// an exact division, then settled with the rule on the neighbouring marks.
pub fn by_brackets(units: &SymbolUnits, position: PositionConst, at_equal: bool) -> LiquidationSet {
    let mut set = LiquidationSet::default();
    let qty = u64::from(position.qty_lots.unsigned_abs());
    if qty == 0 {
        return set;
    }
    // Highest cap of the brackets before this one: X at or below it went there.
    let mut below: Option<u64> = None;
    for bracket in &units.brackets {
        // Bracket b takes X = |Q|·P with max(cap_<b) < X ≤ cap_b.
        let lo = below.map_or(0, |cap| cap / qty + 1);
        let hi = (bracket.cap / qty).min(PRICE_MAX);
        if lo > PRICE_MAX {
            break; // `below` only grows: no later bracket is reachable either
        }
        below = Some(below.map_or(bracket.cap, |cap| cap.max(bracket.cap)));
        if lo <= hi {
            if let Some(piece) = piece(units, position, bracket, lo as u32, hi as u32, at_equal) {
                set.push(piece);
            }
        }
    }
    set
}

/// The marks of `lo ..= hi` (all in `bracket`) at which the rule liquidates.
fn piece(
    units: &SymbolUnits,
    position: PositionConst,
    bracket: &BracketConst,
    lo: u32,
    hi: u32,
    at_equal: bool,
) -> Option<Interval> {
    let liq = |p: i64| liquidates(units.margin_sum(position, p as u32), at_equal);
    let qty = i128::from(position.qty_lots.unsigned_abs());
    let (lo, hi) = (i64::from(lo), i64::from(hi));
    // T + A_b: 108-bit signed + 107-bit unsigned → 109 bits signed.
    let base = position.offset + bracket.maint as i128;
    let strict = i128::from(!at_equal);
    if position.qty_lots > 0 {
        // sum = base + slope·P, slope = |Q|·W_b,+ (31 + 37 = 68 bits), increasing:
        // liquidated iff slope·P ≤ −base − strict, on a prefix [lo, p].
        let slope = qty * i128::from(bracket.weight_long);
        let bound = -base - strict;
        // (slope = 0 only in hand-built units: a constant sum.)
        let guess = if bound < 0 {
            -1
        } else {
            bound.checked_div(slope).unwrap_or(i128::from(hi))
        };
        let mut p = guess.clamp(i128::from(lo) - 1, i128::from(hi)) as i64;
        while p < hi && liq(p + 1) {
            p += 1;
        }
        while p >= lo && !liq(p) {
            p -= 1;
        }
        (p >= lo).then_some(Interval {
            lo: lo as u32,
            hi: p as u32,
        })
    } else {
        // sum = base − slope·P, slope = |Q|·W_b,− (68 bits), decreasing:
        // liquidated iff slope·P ≥ base + strict, on a suffix [p, hi].
        let slope = qty * i128::from(bracket.weight_short);
        let bound = base + strict;
        let guess = if bound <= 0 {
            0
        } else {
            (bound + slope - 1)
                .checked_div(slope)
                .unwrap_or(i128::from(hi) + 1)
        };
        let mut p = guess.clamp(i128::from(lo), i128::from(hi) + 1) as i64;
        while p > lo && liq(p - 1) {
            p -= 1;
        }
        while p <= hi && !liq(p) {
            p += 1;
        }
        (p <= hi).then_some(Interval {
            lo: p as u32,
            hi: hi as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(intervals: &[(u32, u32)]) -> LiquidationSet {
        let mut s = LiquidationSet::default();
        for &(lo, hi) in intervals {
            s.push(Interval { lo, hi });
        }
        s
    }

    #[test]
    fn merges_touching_intervals_and_answers_queries() {
        let s = set(&[(0, 4), (5, 9), (20, 30), (40, HIGHEST)]);
        assert_eq!(
            s.intervals(),
            &[
                Interval { lo: 0, hi: 9 },
                Interval { lo: 20, hi: 30 },
                Interval {
                    lo: 40,
                    hi: HIGHEST
                }
            ]
        );
        assert!(
            s.contains(0) && s.contains(9) && !s.contains(10) && s.contains(25) && !s.contains(39)
        );
        assert!(s.contains(HIGHEST));
        assert_eq!(s.highest_at_or_below(15), Some(9));
        assert_eq!(s.highest_at_or_below(25), Some(25));
        assert_eq!(s.lowest_at_or_above(15), Some(20));
        assert_eq!(s.lowest_at_or_above(31), Some(40));
        let empty = LiquidationSet::default();
        assert_eq!(empty.highest_at_or_below(HIGHEST), None);
        assert_eq!(empty.lowest_at_or_above(0), None);
        let high = set(&[(7, 8)]);
        assert_eq!(high.highest_at_or_below(6), None);
        assert_eq!(high.lowest_at_or_above(9), None);
    }
}
