//! The agreement runner: plays a scenario from `liqscan_testkit::book` on
//! `cpu`, `indexed` and the decimal oracle and checks that all three agree,
//! counting the edge cases it reached.

#![allow(dead_code)]

use std::collections::BTreeMap;

use liqscan_core::decimal::parse_decimal;
use liqscan_core::spec::{liquidates, PositionConst, SymbolUnits, PRICE_MAX, QTY_MAX};
use liqscan_core::threshold::{by_brackets, by_threshold, liquidation_set, HIGHEST};
use liqscan_core::{CpuScanner, Engine, IndexedScanner, SymbolId, Tick};
use liqscan_testkit::book::{PositionDef, Scenario, Step, SymbolDef};
use liqscan_testkit::oracle::{self, dec, scaled};
use num_traits::Signed;

/// What a run exercised, so tests can show the generators reach the edges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    pub ticks: u64,
    /// (position, tick) pairs judged.
    pub evaluations: u64,
    pub liquidations: u64,
    /// `E = MM` exactly.
    pub equalities: u64,
    /// `|E − MM| ≤ 10^-8` but not equal.
    pub near_equalities: u64,
    /// `N` exactly on the bracket's `notional_cap`.
    pub on_cap: u64,
    /// A `notional_cap` within one tick of the notional, not on it.
    pub beside_cap: u64,
    /// Positions whose liquidation set has a window touching neither end.
    pub windows: u64,
    /// Positions whose liquidation set has two or more intervals.
    pub split_sets: u64,
    pub continuous_symbols: u64,
    pub jumping_symbols: u64,
    /// Ticks at `PRICE_MAX`.
    pub top_ticks: u64,
    /// Positions of `QTY_MAX` lots, or of one lot.
    pub max_qty: u64,
    pub one_lot: u64,
    /// Symbols with `s = 22`, with `s > 8 + 4` (amounts below 10^-8 matter), with 16 brackets.
    pub scale_22: u64,
    pub fine_scale: u64,
    pub sixteen_brackets: u64,
    /// Upserts replacing an open position, closes of open and of unknown ids.
    pub replaced: u64,
    pub closed: u64,
    pub close_missed: u64,
    /// Positions judged with a margin below zero, and with the lowest
    /// margin the spec holds (`−10^10 + 10^-8`).
    pub negative_margins: u64,
    pub bottom_margins: u64,
}

impl Coverage {
    pub fn add(&mut self, o: &Coverage) {
        macro_rules! sum { ($($f:ident),*) => { $(self.$f += o.$f;)* } }
        sum!(
            ticks,
            evaluations,
            liquidations,
            equalities,
            near_equalities,
            on_cap,
            beside_cap,
            windows,
            split_sets,
            continuous_symbols,
            jumping_symbols,
            top_ticks,
            max_qty,
            one_lot,
            scale_22,
            fine_scale,
            sixteen_brackets,
            replaced,
            closed,
            close_missed,
            negative_margins,
            bottom_margins
        );
    }
}

/// Checks one position's liquidation set: the per-bracket computation agrees
/// with the threshold one on continuous ladders, where it is one interval
/// reaching the adverse end.
pub fn check_set(units: &SymbolUnits, konst: PositionConst, at_equal: bool, cov: &mut Coverage) {
    let set = liquidation_set(units, konst, at_equal);
    let brackets = by_brackets(units, konst, at_equal);
    assert_eq!(
        set, brackets,
        "liquidation_set != by_brackets for {konst:?}"
    );
    if units.continuous {
        assert_eq!(
            by_threshold(units, konst, at_equal),
            brackets,
            "threshold != brackets on a continuous ladder: {konst:?}"
        );
        assert!(set.intervals().len() <= 1);
        if let Some(iv) = set.intervals().first() {
            assert!(
                if konst.qty_lots > 0 {
                    iv.lo == 0
                } else {
                    iv.hi == HIGHEST
                },
                "{iv:?} does not reach the end"
            );
        }
    }
    let ivs = set.intervals();
    cov.split_sets += u64::from(ivs.len() > 1);
    cov.windows += u64::from(ivs.iter().any(|iv| iv.lo > 0 && iv.hi < HIGHEST));
}

/// The result of a run that all three agreed on.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub coverage: Coverage,
    /// `(step, position)` of every liquidation, in order.
    pub liquidated: Vec<(usize, u64)>,
}

/// Plays a scenario on `cpu`, `indexed` and the oracle; panics on any disagreement.
pub fn run(scenario: &Scenario) -> Run {
    let mut liquidated = Vec::new();
    let market = scenario.market();
    let at_equal = scenario.at_equal;
    let mut cov = Coverage::default();
    for symbol in market.symbols() {
        let u = &symbol.units;
        cov.continuous_symbols += u64::from(u.continuous);
        cov.jumping_symbols += u64::from(!u.continuous);
        cov.scale_22 += u64::from(u.quote_decimals == 22);
        cov.fine_scale += u64::from(u.quote_decimals > 12);
        cov.sixteen_brackets += u64::from(u.bracket_count == 16);
    }
    let mut cpu = CpuScanner::new(market.clone());
    let mut indexed = IndexedScanner::new(market.clone());
    let mut book: BTreeMap<u64, PositionDef> = BTreeMap::new();
    let (mut from_cpu, mut from_indexed) = (Vec::new(), Vec::new());
    for (seq, step) in scenario.steps.iter().enumerate() {
        match step {
            Step::Upsert(def) => {
                let position = def.build(&market);
                let konst = position.constants(&market);
                check_set(market.units(position.symbol), konst, at_equal, &mut cov);
                cov.max_qty += u64::from(u64::from(konst.qty_lots.unsigned_abs()) == QTY_MAX);
                cov.one_lot += u64::from(konst.qty_lots.unsigned_abs() == 1);
                cpu.upsert(&position).unwrap();
                indexed.upsert(&position).unwrap();
                cov.replaced += u64::from(book.insert(def.id, def.clone()).is_some());
            }
            Step::Close(id) => {
                let open = book.remove(id).is_some();
                assert_eq!(cpu.close(*id).unwrap(), open, "cpu close {id}");
                assert_eq!(indexed.close(*id).unwrap(), open, "indexed close {id}");
                cov.closed += u64::from(open);
                cov.close_missed += u64::from(!open);
            }
            Step::Tick { symbol, mark } => {
                let sid = SymbolId(*symbol as u32);
                let units = market.units(sid);
                let ladder = &scenario.symbols[*symbol].ladder;
                let price = units
                    .ticks(&parse_decimal(mark).unwrap(), "mark_price")
                    .unwrap();
                let tick = Tick {
                    seq: seq as u64,
                    symbol: sid,
                    price,
                };
                cov.ticks += 1;
                cov.top_ticks += u64::from(u64::from(price) == PRICE_MAX);
                // The oracle, position by position, against the spec integers.
                let mut expected = Vec::new();
                for def in book.values().filter(|d| d.symbol == *symbol) {
                    let konst = def.build(&market).constants(&market);
                    let verdict =
                        oracle::judge(ladder, &def.qty, &def.entry, &def.margin, mark, at_equal);
                    let sum = units.margin_sum(konst, price);
                    let context = || {
                        format!("position {def:?} at mark {mark} (P = {price}), E − MM = {sum}, oracle {verdict:?}")
                    };
                    assert_eq!(
                        scaled(-sum, units.quote_decimals),
                        verdict.shortfall,
                        "shortfall: {}",
                        context()
                    );
                    assert_eq!(
                        liquidates(sum, at_equal),
                        verdict.liquidated,
                        "verdict: {}",
                        context()
                    );
                    assert_eq!(
                        liquidation_set(units, konst, at_equal).contains(price),
                        verdict.liquidated,
                        "set: {}",
                        context()
                    );
                    cov.evaluations += 1;
                    let margin = dec(&def.margin);
                    cov.negative_margins += u64::from(margin.is_negative());
                    cov.bottom_margins += u64::from(margin == dec("-9999999999.99999999"));
                    cov.equalities += u64::from(sum == 0);
                    let e8 = scaled(1, 8);
                    cov.near_equalities += u64::from(sum != 0 && verdict.shortfall.abs() <= e8);
                    cov_caps(&scenario.symbols[*symbol], def, mark, &mut cov);
                    if verdict.liquidated {
                        expected.push((def.id, verdict.shortfall));
                    }
                }
                from_cpu.clear();
                from_indexed.clear();
                cpu.tick(tick, &mut from_cpu).unwrap();
                indexed.tick(tick, &mut from_indexed).unwrap();
                assert_eq!(
                    from_indexed, from_cpu,
                    "indexed != cpu at step {seq} (mark {mark} of symbol {symbol})"
                );
                let got: Vec<_> = from_cpu
                    .iter()
                    .map(|l| (l.position, scaled(l.shortfall, units.quote_decimals)))
                    .collect();
                assert_eq!(
                    got, expected,
                    "cpu != oracle at step {seq} (mark {mark} of symbol {symbol})"
                );
                for (id, _) in &expected {
                    book.remove(id);
                    liquidated.push((seq, *id));
                }
                cov.liquidations += expected.len() as u64;
            }
        }
    }
    Run {
        coverage: cov,
        liquidated,
    }
}

/// Counts notionals on a cap, and caps strictly between a tick's neighbours.
fn cov_caps(symbol: &SymbolDef, def: &PositionDef, mark: &str, cov: &mut Coverage) {
    let qty = dec(&def.qty).abs();
    let notional = &qty * dec(mark);
    let step = &qty * dec(&symbol.tick_size);
    for cap in symbol
        .ladder
        .iter()
        .filter_map(|b| b.notional_cap.as_deref())
        .map(dec)
    {
        cov.on_cap += u64::from(notional == cap);
        cov.beside_cap +=
            u64::from(notional != cap && &notional - &step <= cap && cap <= &notional + &step);
    }
}
