//! `indexed`: an output-sensitive software scanner. Each position's
//! liquidation set (the marks at which the rule liquidates it, see
//! [`crate::threshold`]) is computed once when it is written; a tick then
//! looks up only the positions whose set contains the mark, and computes
//! their shortfalls with the same `margin_sum` as `cpu`.
//!
//! Per symbol, every interval of a set lives in one of three indexes:
//! - `prefixes`: `0 ..= hi` (a long's single threshold), ordered by `hi`;
//!   a tick at `P` takes those with `hi ≥ P`, a range scan from the top.
//! - `suffixes`: `lo ..= PRICE_MAX` (a short's threshold), ordered by `lo`;
//!   a tick takes those with `lo ≤ P`.
//! - `windows`: any other interval, which only a jumping ladder produces;
//!   a sparse segment tree over the marks ([`windows`]).
//!
//! A position's intervals are disjoint, so it is found at most once.
//!
//! Complexity, for `n` positions in the ticked symbol, `k` of them hit and
//! `B ≤ 16` brackets: a tick costs `O((k + 1)·log n + k·log k)` (two range
//! scans, sorting the hits by id, one removal per hit), plus `O(33·log w)`
//! when the symbol holds `w` window blocks. An upsert computes the set with
//! at most 35 evaluations of the rule on a continuous ladder (binary
//! search), or one division and about three evaluations per bracket
//! otherwise (each evaluation is `O(B)`), then stores each interval in
//! `O(log n)` (`O(64·log w)` for a window); a close is `O(log n)` per
//! interval. Memory is `O(n)`.

mod windows;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::book::Position;
use crate::engine::{Engine, EngineError, Liquidation, Tick};
use crate::market::{Market, SymbolId};
use crate::spec::{liquidates, PositionConst};
use crate::threshold::{liquidation_set, Interval, LiquidationSet, HIGHEST};
use windows::Windows;

/// An open position: its slot constants and where it liquidates.
#[derive(Debug, Clone)]
struct Entry {
    symbol: SymbolId,
    konst: PositionConst,
    set: LiquidationSet,
}

/// One symbol's positions, indexed by their liquidation intervals.
#[derive(Debug, Clone, Default)]
struct SymbolIndex {
    /// `(hi, id)` of intervals `0 ..= hi`.
    prefixes: BTreeSet<(u32, u64)>,
    /// `(lo, id)` of intervals `lo ..= HIGHEST`.
    suffixes: BTreeSet<(u32, u64)>,
    windows: Windows,
}

impl SymbolIndex {
    fn insert(&mut self, id: u64, set: &LiquidationSet) {
        for &interval in set.intervals() {
            match interval {
                Interval { lo: 0, hi } => self.prefixes.insert((hi, id)),
                Interval { lo, hi: HIGHEST } => self.suffixes.insert((lo, id)),
                _ => {
                    self.windows.insert(interval, id);
                    true
                }
            };
        }
    }

    fn remove(&mut self, id: u64, set: &LiquidationSet) {
        for &interval in set.intervals() {
            match interval {
                Interval { lo: 0, hi } => self.prefixes.remove(&(hi, id)),
                Interval { lo, hi: HIGHEST } => self.suffixes.remove(&(lo, id)),
                _ => {
                    self.windows.remove(interval, id);
                    true
                }
            };
        }
    }

    /// Appends every position whose set contains `price`.
    fn stab(&self, price: u32, out: &mut Vec<u64>) {
        out.extend(self.prefixes.range((price, 0)..).map(|&(_, id)| id));
        out.extend(self.suffixes.range(..=(price, u64::MAX)).map(|&(_, id)| id));
        self.windows.stab(price, out);
    }
}

/// The output-sensitive scanner.
#[derive(Debug, Clone)]
pub struct IndexedScanner {
    market: Arc<Market>,
    positions: HashMap<u64, Entry>,
    symbols: Vec<SymbolIndex>,
    hits: Vec<u64>,
}

impl IndexedScanner {
    pub fn new(market: Arc<Market>) -> Self {
        let symbols = vec![SymbolIndex::default(); market.len()];
        Self {
            market,
            positions: HashMap::new(),
            symbols,
            hits: Vec::new(),
        }
    }

    /// Removes a position from the book and its symbol's index.
    fn detach(&mut self, id: u64) -> Option<Entry> {
        let entry = self.positions.remove(&id)?;
        self.symbols[entry.symbol.index()].remove(id, &entry.set);
        Some(entry)
    }

    /// The symbol's windows index is empty (only jumping ladders fill it).
    #[cfg(test)]
    fn windows_empty(&self, symbol: SymbolId) -> bool {
        self.symbols[symbol.index()].windows.is_empty()
    }
}

impl Engine for IndexedScanner {
    fn name(&self) -> &str {
        "indexed"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        let konst = position.constants(&self.market);
        // Q = 0 gives an empty set: never liquidated, like a hole in `cpu`.
        let set = liquidation_set(
            self.market.units(position.symbol),
            konst,
            self.market.liquidate_at_equal,
        );
        self.detach(position.id);
        self.symbols[position.symbol.index()].insert(position.id, &set);
        self.positions.insert(
            position.id,
            Entry {
                symbol: position.symbol,
                konst,
                set,
            },
        );
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        Ok(self.detach(id).is_some())
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        self.market.check_symbol(tick.symbol)?;
        let units = self.market.units(tick.symbol);
        let at_equal = self.market.liquidate_at_equal;
        self.hits.clear();
        self.symbols[tick.symbol.index()].stab(tick.price, &mut self.hits);
        self.hits.sort_unstable();
        let first = out.len();
        for &id in &self.hits {
            let sum = units.margin_sum(self.positions[&id].konst, tick.price);
            // The index is only a filter: the rule itself decides, and a miss is a bug.
            if !liquidates(sum, at_equal) {
                out.truncate(first);
                return Err(EngineError::Backend(format!(
                    "position {id} indexed as liquidated at mark {} but E − MM = {sum}",
                    tick.price
                )));
            }
            out.push(Liquidation {
                position: id,
                shortfall: -sum,
            });
        }
        let hits = std::mem::take(&mut self.hits);
        for &id in &hits {
            self.detach(id);
        }
        self.hits = hits;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuScanner;
    use crate::decimal::parse_decimal;
    use crate::market::Symbol;
    use crate::spec::BracketInput;

    fn d(s: &str) -> rust_decimal::Decimal {
        parse_decimal(s).unwrap()
    }

    fn position(
        id: u64,
        qty_lots: i32,
        entry_ticks: u32,
        margin: &str,
        market: &Market,
    ) -> Position {
        let margin_units = market
            .units(SymbolId(0))
            .quote_units(&d(margin), "margin")
            .unwrap();
        Position {
            id,
            account: "a".into(),
            symbol: SymbolId(0),
            qty_lots,
            entry_ticks,
            margin_units,
        }
    }

    /// A long on a ladder whose maintenance jumps up at notional 1,000 is
    /// safe just below the cap, liquidated just above it, and safe again
    /// higher up: a window, found by the windows index, exactly as `cpu`.
    #[test]
    fn jumping_ladder_window_matches_cpu() {
        let ladder = vec![
            BracketInput {
                notional_cap: Some(d("1000")),
                mmr: d("0.01"),
                maint_amount: d("0"),
            },
            BracketInput {
                notional_cap: None,
                mmr: d("0.5"),
                maint_amount: d("0"),
            },
        ];
        let mut market = Market::new(false);
        market
            .add(Symbol::new("J", d("1"), d("1"), ladder).unwrap())
            .unwrap();
        let market = Arc::new(market);
        assert!(!market.units(SymbolId(0)).continuous);
        // Long 1 lot at entry 1,000 with 400 margin: E = P − 600.
        // P ≤ 1,000: MM = 0.01·P → liquidated iff P < 606.06…;
        // P > 1,000: MM = 0.5·P → liquidated iff P < 1,200.
        let long = position(7, 1, 1000, "400", &market);
        let konst = long.constants(&market);
        let set = liquidation_set(market.units(SymbolId(0)), konst, false);
        assert_eq!(
            set.intervals(),
            &[Interval { lo: 0, hi: 606 }, Interval { lo: 1001, hi: 1199 }]
        );
        for price in [1200, 1199, 1001, 1000, 607, 606] {
            let mut indexed = IndexedScanner::new(market.clone());
            let mut cpu = CpuScanner::new(market.clone());
            indexed.upsert(&long).unwrap();
            cpu.upsert(&long).unwrap();
            assert!(!indexed.windows_empty(SymbolId(0)));
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let tick = Tick {
                seq: 1,
                symbol: SymbolId(0),
                price,
            };
            indexed.tick(tick, &mut a).unwrap();
            cpu.tick(tick, &mut b).unwrap();
            assert_eq!(a, b, "price {price}");
            assert_eq!(a.len(), usize::from(set.contains(price)));
            if !a.is_empty() {
                assert!(
                    indexed.windows_empty(SymbolId(0)),
                    "a liquidated position leaves every index"
                );
                assert!(!indexed.close(7).unwrap());
            }
        }
    }
}
