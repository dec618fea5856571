//! Live streams as input strings, from a seed: an opening book, then ticks
//! interleaved with opens, resizes, margin moves and closes, as
//! `events.jsonl` carries them, with boundaries planted in them: a resize or
//! a margin move that puts a position's equity exactly on its maintenance
//! at the next tick's mark (and `10^-8` either side), funding that takes a
//! margin below zero, and changes to positions a tick has already
//! liquidated (stale). Every stream is valid input.
//!
//! [`LiveScenario::play`] is the oracle: it plays the stream on exact
//! rationals from the strings ([`crate::oracle`]), with none of liqscan's
//! spec integers, and gives every liquidation event and how many changes
//! were applied or stale.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

use liqscan_core::Market;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::book::{
    fmt, gen_mark, gen_position, gen_symbol, PositionDef, Profile, Scenario, SymbolDef, SymbolGen,
    AMOUNT_LIMIT_E8,
};
use crate::oracle::{self, canonical, dec, scaled, to_decimal};

/// One line of a live stream (`seq` is its place: see [`LiveScenario::seq`]).
#[derive(Debug, Clone)]
pub enum LiveStep {
    Open(PositionDef),
    /// A resize: the position's new quantity, entry and margin.
    Update {
        id: u64,
        qty: String,
        entry: String,
        margin: String,
    },
    /// `reason` is `deposit`, `withdraw` or `funding`.
    Margin {
        id: u64,
        delta: String,
        reason: &'static str,
    },
    Close(u64),
    Tick {
        symbol: usize,
        mark: String,
    },
}

/// Symbols, an opening book (`positions.csv`) and a live stream (`events.jsonl`).
#[derive(Debug, Clone)]
pub struct LiveScenario {
    pub symbols: Vec<SymbolDef>,
    pub at_equal: bool,
    pub opening: Vec<PositionDef>,
    pub steps: Vec<LiveStep>,
}

/// One liquidation as the oracle sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OracleEvent {
    /// The tick's `seq`.
    pub tick: u64,
    pub position: u64,
    pub account: String,
    pub symbol: String,
    pub mark: String,
    pub equity: BigRational,
    pub maintenance: BigRational,
}

impl OracleEvent {
    /// `MM − E`.
    pub fn shortfall(&self) -> BigRational {
        &self.maintenance - &self.equity
    }

    /// The line `liqscan scan` writes for it.
    pub fn json_line(&self) -> String {
        format!(
            r#"{{"tick":{},"position":{},"account":"{}","symbol":"{}","mark":"{}","equity":"{}","maintenance":"{}"}}"#,
            self.tick,
            self.position,
            self.account,
            self.symbol,
            canonical(&dec(&self.mark)),
            canonical(&self.equity),
            canonical(&self.maintenance)
        )
    }
}

/// What the oracle makes of a stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub events: Vec<OracleEvent>,
    /// Changes applied (opens, updates, margin moves, closes).
    pub applied: u64,
    /// Changes to positions already liquidated.
    pub stale: u64,
    /// Positions judged with `E = MM` exactly (liquidated only with
    /// `at_equal`), and judged with a margin below zero.
    pub equalities: u64,
    pub negative_margins: u64,
}

/// The account every position of a test book has (as `PositionDef::build` gives it).
pub fn account(id: u64) -> String {
    format!("acct{}", id % 7)
}

impl LiveScenario {
    pub fn market(&self) -> Arc<Market> {
        Scenario {
            symbols: self.symbols.clone(),
            at_equal: self.at_equal,
            steps: Vec::new(),
        }
        .market()
    }

    /// The `seq` of step `i`: odd numbers from 1, so `seq` is strictly
    /// increasing but not contiguous.
    pub fn seq(i: usize) -> u64 {
        2 * i as u64 + 1
    }

    /// The symbols file.
    pub fn symbols_toml(&self) -> String {
        let mut out = format!("liquidate_at_equal = {}\n", self.at_equal);
        for s in &self.symbols {
            let _ = write!(
                out,
                "[[symbol]]\nname = \"{}\"\ntick_size = \"{}\"\nlot_size = \"{}\"\n",
                s.name, s.tick_size, s.lot_size
            );
            for b in &s.ladder {
                out.push_str("[[symbol.brackets]]\n");
                if let Some(cap) = &b.notional_cap {
                    let _ = writeln!(out, "notional_cap = \"{cap}\"");
                }
                let _ = writeln!(
                    out,
                    "mmr = \"{}\"\nmaint_amount = \"{}\"",
                    b.mmr, b.maint_amount
                );
            }
        }
        out
    }

    /// The opening book's positions file.
    pub fn positions_csv(&self) -> String {
        let mut out = String::from("id,account,symbol,qty,entry_price,margin\n");
        for p in &self.opening {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{}",
                p.id,
                account(p.id),
                self.symbols[p.symbol].name,
                p.qty,
                p.entry,
                p.margin
            );
        }
        out
    }

    /// The events file.
    pub fn events_jsonl(&self) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            let seq = Self::seq(i);
            let _ = match step {
                LiveStep::Open(p) => writeln!(
                    out,
                    r#"{{"seq":{seq},"kind":"open","id":{},"account":"{}","symbol":"{}","qty":"{}","entry_price":"{}","margin":"{}"}}"#,
                    p.id,
                    account(p.id),
                    self.symbols[p.symbol].name,
                    p.qty,
                    p.entry,
                    p.margin
                ),
                LiveStep::Update {
                    id,
                    qty,
                    entry,
                    margin,
                } => writeln!(
                    out,
                    r#"{{"seq":{seq},"kind":"update","id":{id},"qty":"{qty}","entry_price":"{entry}","margin":"{margin}"}}"#
                ),
                LiveStep::Margin { id, delta, reason } => writeln!(
                    out,
                    r#"{{"seq":{seq},"kind":"margin","id":{id},"delta":"{delta}","reason":"{reason}"}}"#
                ),
                LiveStep::Close(id) => writeln!(out, r#"{{"seq":{seq},"kind":"close","id":{id}}}"#),
                LiveStep::Tick { symbol, mark } => writeln!(
                    out,
                    r#"{{"seq":{seq},"kind":"tick","symbol":"{}","mark_price":"{mark}"}}"#,
                    self.symbols[*symbol].name
                ),
            };
        }
        out
    }

    /// The oracle: the stream played on exact rationals.
    pub fn play(&self) -> Outcome {
        let mut open: BTreeMap<u64, PositionDef> =
            self.opening.iter().map(|p| (p.id, p.clone())).collect();
        let mut liquidated = BTreeSet::new();
        let mut outcome = Outcome::default();
        for (i, step) in self.steps.iter().enumerate() {
            let id = match step {
                LiveStep::Open(p) => {
                    assert!(open.insert(p.id, p.clone()).is_none(), "{p:?} reopened");
                    outcome.applied += 1;
                    continue;
                }
                LiveStep::Tick { symbol, mark } => {
                    self.tick(
                        Self::seq(i),
                        *symbol,
                        mark,
                        &mut open,
                        &mut outcome,
                        &mut liquidated,
                    );
                    continue;
                }
                LiveStep::Update { id, .. } | LiveStep::Margin { id, .. } | LiveStep::Close(id) => {
                    *id
                }
            };
            if liquidated.contains(&id) {
                outcome.stale += 1;
                continue;
            }
            let position = open
                .get_mut(&id)
                .unwrap_or_else(|| panic!("{step:?}: not open"));
            match step {
                LiveStep::Update {
                    qty, entry, margin, ..
                } => {
                    position.qty.clone_from(qty);
                    position.entry.clone_from(entry);
                    position.margin.clone_from(margin);
                }
                LiveStep::Margin { delta, reason, .. } => {
                    let margin = dec(&position.margin) + dec(delta);
                    assert!(
                        *reason != "withdraw" || !margin.is_negative(),
                        "{step:?} leaves {margin}"
                    );
                    position.margin = to_decimal(&margin, 8);
                }
                _ => {
                    open.remove(&id);
                }
            }
            outcome.applied += 1;
        }
        outcome
    }

    /// One tick: every open position of `symbol`, in id order, judged at `mark`.
    fn tick(
        &self,
        seq: u64,
        symbol: usize,
        mark: &str,
        open: &mut BTreeMap<u64, PositionDef>,
        outcome: &mut Outcome,
        liquidated: &mut BTreeSet<u64>,
    ) {
        let def = &self.symbols[symbol];
        let hits: Vec<u64> = open
            .values()
            .filter(|p| p.symbol == symbol)
            .filter_map(|p| {
                let verdict = oracle::judge(
                    &def.ladder,
                    &p.qty,
                    &p.entry,
                    &p.margin,
                    mark,
                    self.at_equal,
                );
                outcome.negative_margins += u64::from(dec(&p.margin).is_negative());
                outcome.equalities += u64::from(verdict.shortfall.is_zero());
                if !verdict.liquidated {
                    return None;
                }
                outcome.events.push(OracleEvent {
                    tick: seq,
                    position: p.id,
                    account: account(p.id),
                    symbol: def.name.clone(),
                    mark: mark.to_owned(),
                    equity: verdict.equity,
                    maintenance: verdict.maintenance,
                });
                Some(p.id)
            })
            .collect();
        for id in hits {
            open.remove(&id);
            liquidated.insert(id);
        }
    }
}

/// A position the generator has opened and not closed (it may have been
/// liquidated meanwhile: the generator does not scan).
#[derive(Debug, Clone)]
struct Held {
    def: PositionDef,
    /// The mark at which its quantity and entry allow an exact `E = MM`.
    anchor: Option<String>,
}

/// `value` (with at most 8 decimals) in units of `10^-8`.
fn e8(value: &BigRational) -> i128 {
    (value / scaled(1, 8))
        .to_integer()
        .to_i128()
        .unwrap_or(i128::MAX)
}

struct Generator {
    rng: ChaCha8Rng,
    profile: Profile,
    gens: Vec<SymbolGen>,
    walks: Vec<u64>,
    held: Vec<Held>,
    next_id: u64,
    steps: Vec<LiveStep>,
}

impl Generator {
    /// A new position on `symbol` with a margin of at least zero (as an
    /// input states it), and the mark it is anchored at, if any.
    fn position(&mut self, id: u64, symbol: usize) -> Held {
        let mut def = gen_position(&mut self.rng, id, symbol, &self.gens[symbol], self.profile);
        if dec(&def.margin).is_negative() {
            def.margin = "0".into();
        }
        Held {
            anchor: self.anchor_of(&def),
            def,
        }
    }

    /// An anchor mark of `def`'s symbol at which `E = MM` is exact for it.
    fn anchor_of(&self, def: &PositionDef) -> Option<String> {
        let g = &self.gens[def.symbol];
        g.anchors.iter().map(|&(_, p, _)| g.mark(p)).find(|mark| {
            oracle::margin_for_equality(&g.def.ladder, &def.qty, &def.entry, mark).is_some()
        })
    }

    fn tick(&mut self, symbol: usize, mark: String) {
        self.steps.push(LiveStep::Tick { symbol, mark });
    }

    fn random_tick(&mut self) {
        let symbol = self.rng.gen_range(0..self.gens.len());
        let p = gen_mark(
            &mut self.rng,
            &self.gens[symbol],
            &mut self.walks[symbol],
            self.profile,
        );
        let mark = self.gens[symbol].mark(p);
        self.tick(symbol, mark);
    }

    fn open(&mut self) {
        let symbol = self.rng.gen_range(0..self.gens.len());
        let id = self.next_id;
        self.next_id += self.rng.gen_range(1..=3);
        let held = self.position(id, symbol);
        self.steps.push(LiveStep::Open(held.def.clone()));
        self.held.push(held);
    }

    /// A resize of position `i`: new terms, sometimes built to sit on its
    /// maintenance (±10^-8) at an anchor mark ticked right after.
    fn update(&mut self, i: usize) {
        let (id, symbol) = (self.held[i].def.id, self.held[i].def.symbol);
        let fresh = self.position(id, symbol);
        let mut planted = None;
        if let Some(mark) = fresh.anchor.clone().filter(|_| self.rng.gen_bool(0.6)) {
            let g = &self.gens[symbol];
            let needed =
                oracle::margin_for_equality(&g.def.ladder, &fresh.def.qty, &fresh.def.entry, &mark)
                    .expect("an anchor");
            let margin = e8(&needed) + self.rng.gen_range(-1..=1);
            planted = Some((mark, margin));
        }
        let mut def = fresh.def;
        let below_zero = match &planted {
            Some((_, margin)) if *margin >= 0 && *margin < AMOUNT_LIMIT_E8 => {
                def.margin = fmt(*margin, 8);
                None
            }
            // Below zero: stated as 0, then funding takes it there.
            Some((_, margin)) if *margin < 0 && *margin > -AMOUNT_LIMIT_E8 => {
                def.margin = "0".into();
                Some(*margin)
            }
            _ => None,
        };
        self.steps.push(LiveStep::Update {
            id,
            qty: def.qty.clone(),
            entry: def.entry.clone(),
            margin: def.margin.clone(),
        });
        if let Some(margin) = below_zero {
            self.steps.push(LiveStep::Margin {
                id,
                delta: fmt(margin, 8),
                reason: "funding",
            });
            def.margin = fmt(margin, 8);
        }
        self.held[i] = Held {
            anchor: fresh.anchor,
            def,
        };
        if let Some((mark, _)) = planted {
            self.tick(symbol, mark);
        }
    }

    /// A margin move on position `i`: to its maintenance (±10^-8) at its
    /// anchor mark, ticked right after, or a random deposit, withdrawal or
    /// funding payment (which may take it below zero).
    fn margin(&mut self, i: usize) {
        let held = &self.held[i];
        let (id, symbol) = (held.def.id, held.def.symbol);
        let current = e8(&dec(&held.def.margin));
        let target = match held.anchor.clone().filter(|_| self.rng.gen_bool(0.6)) {
            Some(mark) => {
                let g = &self.gens[symbol];
                let needed = oracle::margin_for_equality(
                    &g.def.ladder,
                    &held.def.qty,
                    &held.def.entry,
                    &mark,
                )
                .expect("an anchor");
                Some((mark, e8(&needed) + self.rng.gen_range(-1..=1)))
            }
            None => None,
        };
        let (new, reason, mark) = match target {
            Some((mark, new)) => {
                let reason = if new > current {
                    "deposit"
                } else if new >= 0 && self.rng.gen_bool(0.7) {
                    "withdraw"
                } else {
                    "funding"
                };
                (new, reason, Some(mark))
            }
            None => {
                let size = crate::log_uniform(&mut self.rng, 1, current.unsigned_abs().max(1 << 20))
                    as i128;
                match self.rng.gen_range(0..4) {
                    0 => (current + size, "deposit", None),
                    1 if current > 0 => (current - size.min(current), "withdraw", None),
                    // Funding past zero.
                    2 => (current.min(0) - size, "funding", None),
                    _ if self.rng.gen_bool(0.5) => (current + size, "funding", None),
                    _ => (current - size, "funding", None),
                }
            }
        };
        let delta = new - current;
        let in_range = |x: i128| x.abs() < AMOUNT_LIMIT_E8;
        if delta == 0 || !in_range(new) || !in_range(delta) {
            return self.random_tick();
        }
        self.steps.push(LiveStep::Margin {
            id,
            delta: fmt(delta, 8),
            reason,
        });
        self.held[i].def.margin = fmt(new, 8);
        if let Some(mark) = mark {
            self.tick(symbol, mark);
        }
    }
}

/// A whole live scenario from a seed: 1–3 symbols, an opening book of up
/// to 12 positions, then 20–60 steps of ticks and changes.
pub fn gen_live(seed: u64, profile: Profile) -> LiveScenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let count = rng.gen_range(1..=3);
    let gens: Vec<SymbolGen> = (0..count)
        .map(|i| {
            let continuous = rng.gen_bool(0.5);
            gen_symbol(&mut rng, format!("S{i}"), profile, continuous)
        })
        .collect();
    let mut g = Generator {
        walks: gens.iter().map(|g| g.p0).collect(),
        rng,
        profile,
        gens,
        held: Vec::new(),
        next_id: 0,
        steps: Vec::new(),
    };
    g.next_id = g.rng.gen_range(0..1000);
    let opening: Vec<PositionDef> = (0..g.rng.gen_range(0..=12))
        .map(|_| {
            let symbol = g.rng.gen_range(0..g.gens.len());
            let id = g.next_id;
            g.next_id += g.rng.gen_range(1..=3);
            let held = g.position(id, symbol);
            g.held.push(held.clone());
            held.def
        })
        .collect();
    for _ in 0..g.rng.gen_range(20..=60) {
        let roll = g.rng.gen_range(0..100);
        if g.held.is_empty() || roll < 15 {
            g.open();
            continue;
        }
        let i = g.rng.gen_range(0..g.held.len());
        match roll {
            15..55 => g.random_tick(),
            55..70 => g.update(i),
            70..92 => g.margin(i),
            _ => {
                let id = g.held.swap_remove(i).def.id;
                g.steps.push(LiveStep::Close(id));
            }
        }
    }
    LiveScenario {
        symbols: g.gens.into_iter().map(|g| g.def).collect(),
        at_equal: g.rng.gen_bool(0.5),
        opening,
        steps: g.steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::BracketDef;

    /// The README's symbol: 0.4 % up to a notional of 50,000, then 0.5 % less 50.
    fn btc() -> SymbolDef {
        let bracket = |cap: Option<&str>, mmr: &str, maint: &str| BracketDef {
            notional_cap: cap.map(String::from),
            mmr: mmr.into(),
            maint_amount: maint.into(),
        };
        SymbolDef {
            name: "BTCUSDT".into(),
            tick_size: "0.1".into(),
            lot_size: "0.001".into(),
            ladder: vec![
                bracket(Some("50000"), "0.004", "0"),
                bracket(None, "0.005", "50"),
            ],
        }
    }

    fn position(id: u64, qty: &str, entry: &str, margin: &str) -> PositionDef {
        PositionDef {
            id,
            symbol: 0,
            qty: qty.into(),
            entry: entry.into(),
            margin: margin.into(),
        }
    }

    /// Worked by hand. The README's long (1 at 50,000, margin 5,000) has
    /// MM = 180.7228 and E = margin − 4,819.3 at 45,180.7: a deposit of
    /// 0.0228 puts E exactly on MM, so the tick liquidates it only with
    /// `at_equal`; after that, changes to it are stale. Position 2 (short 1
    /// at 40,000, margin 10) is funded 20, to −10: at 45,180.7 its
    /// E = −10 − 5,180.7 = −5,190.7 < MM, liquidated either way.
    #[test]
    fn a_deposit_onto_the_maintenance_and_funding_below_zero() {
        for at_equal in [false, true] {
            let scenario = LiveScenario {
                symbols: vec![btc()],
                at_equal,
                opening: vec![position(1, "1", "50000", "5000")],
                steps: vec![
                    LiveStep::Margin {
                        id: 1,
                        delta: "0.0228".into(),
                        reason: "deposit",
                    },
                    LiveStep::Open(position(2, "-1", "40000", "10")),
                    LiveStep::Margin {
                        id: 2,
                        delta: "-20".into(),
                        reason: "funding",
                    },
                    LiveStep::Tick {
                        symbol: 0,
                        mark: "45180.7".into(),
                    },
                    LiveStep::Close(1),
                    LiveStep::Tick {
                        symbol: 0,
                        mark: "40000.0".into(),
                    },
                ],
            };
            let outcome = scenario.play();
            let lines: Vec<String> = outcome.events.iter().map(OracleEvent::json_line).collect();
            // Position 2 at 45,180.7: E = −10 − 5,180.7, liquidated at step 3 (seq 7).
            let mut expected = vec![];
            if at_equal {
                expected.push(r#"{"tick":7,"position":1,"account":"acct1","symbol":"BTCUSDT","mark":"45180.7","equity":"180.7228","maintenance":"180.7228"}"#.to_owned());
            }
            expected.push(r#"{"tick":7,"position":2,"account":"acct2","symbol":"BTCUSDT","mark":"45180.7","equity":"-5190.7","maintenance":"180.7228"}"#.to_owned());
            assert_eq!(lines, expected, "at_equal = {at_equal}");
            assert_eq!(outcome.equalities, 1);
            assert_eq!(outcome.negative_margins, 1);
            // The close of position 1 is stale only if it was liquidated.
            assert_eq!(
                (outcome.applied, outcome.stale),
                if at_equal { (3, 1) } else { (4, 0) }
            );
            let events = scenario.events_jsonl();
            assert!(events.starts_with(
                r#"{"seq":1,"kind":"margin","id":1,"delta":"0.0228","reason":"deposit"}"#
            ));
            assert_eq!(events.lines().count(), 6);
            assert!(scenario
                .positions_csv()
                .ends_with("1,acct1,BTCUSDT,1,50000,5000\n"));
        }
    }

    /// The generator is not vacuous: over fixed seeds its streams hold
    /// every kind of change, exact equalities (with and without
    /// `at_equal`), margins below zero and stale changes.
    #[test]
    fn generated_streams_reach_every_edge() {
        let (mut equal_with, mut equal_without) = (0, 0);
        let (mut negative, mut stale, mut events) = (0, 0, 0);
        let mut kinds = BTreeMap::new();
        for seed in 0..60 {
            let profile = [Profile::Random, Profile::Edges, Profile::Limits][seed as usize % 3];
            let scenario = gen_live(seed, profile);
            for step in &scenario.steps {
                let kind = match step {
                    LiveStep::Open(_) => "open",
                    LiveStep::Update { .. } => "update",
                    LiveStep::Margin { reason, .. } => reason,
                    LiveStep::Close(_) => "close",
                    LiveStep::Tick { .. } => "tick",
                };
                *kinds.entry(kind).or_insert(0) += 1;
            }
            let outcome = scenario.play();
            if scenario.at_equal {
                equal_with += outcome.equalities;
            } else {
                equal_without += outcome.equalities;
            }
            negative += outcome.negative_margins;
            stale += outcome.stale;
            events += outcome.events.len();
        }
        println!("{kinds:?}: equalities {equal_with} / {equal_without}, negative {negative}, stale {stale}, events {events}");
        for kind in [
            "open", "update", "deposit", "withdraw", "funding", "close", "tick",
        ] {
            assert!(
                kinds.get(kind).is_some_and(|&n| n >= 20),
                "{kind}: {kinds:?}"
            );
        }
        assert!(
            equal_with >= 5 && equal_without >= 5,
            "{equal_with} / {equal_without}"
        );
        assert!(
            negative >= 5 && stale >= 10 && events >= 100,
            "{negative}, {stale}, {events}"
        );
    }
}
