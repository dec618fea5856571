//! Books as input strings, from a seed: symbols with continuous and jumping
//! bracket ladders, positions (many built to sit exactly at `E = MM` with
//! notionals on bracket caps), marks and whole scenarios of upserts, closes
//! and ticks, leaning on the limits as a [`Profile`] asks.

use std::sync::Arc;

use liqscan_core::decimal::parse_decimal;
use liqscan_core::spec::{BracketInput, PRICE_MAX, QTY_MAX};
use liqscan_core::{Market, Position, Symbol, SymbolId};
use num_traits::ToPrimitive;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::oracle::{self, scaled, BracketDef};
use crate::{log_uniform, with_point};

/// `margin` and `maint_amount` are below 10^10: in units of 10^-8, below 10^18.
pub const AMOUNT_LIMIT_E8: i128 = 1_000_000_000_000_000_000;

/// A symbol as written in the symbols file.
#[derive(Debug, Clone)]
pub struct SymbolDef {
    pub name: String,
    pub tick_size: String,
    pub lot_size: String,
    pub ladder: Vec<BracketDef>,
}

impl SymbolDef {
    pub fn build(&self) -> Result<Symbol, String> {
        let d = |s: &str| parse_decimal(s).map_err(|e| e.to_string());
        let ladder = self
            .ladder
            .iter()
            .map(|b| {
                Ok(BracketInput {
                    notional_cap: b.notional_cap.as_deref().map(d).transpose()?,
                    mmr: d(&b.mmr)?,
                    maint_amount: d(&b.maint_amount)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Symbol::new(
            self.name.clone(),
            d(&self.tick_size)?,
            d(&self.lot_size)?,
            ladder,
        )
        .map_err(|e| e.to_string())
    }
}

/// A position as written in the positions file (`symbol` indexes the
/// scenario's symbols); its margin may be below zero, as a funding payment
/// leaves it (the spec's range, not the positions file's).
#[derive(Debug, Clone)]
pub struct PositionDef {
    pub id: u64,
    pub symbol: usize,
    pub qty: String,
    pub entry: String,
    pub margin: String,
}

impl PositionDef {
    pub fn build(&self, market: &Market) -> Position {
        let units = market.units(SymbolId(self.symbol as u32));
        let d = |s: &str| parse_decimal(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        Position {
            id: self.id,
            account: format!("acct{}", self.id % 7),
            symbol: SymbolId(self.symbol as u32),
            qty_lots: units
                .lots(&d(&self.qty))
                .unwrap_or_else(|e| panic!("{self:?}: {e}")),
            entry_ticks: units
                .ticks(&d(&self.entry), "entry_price")
                .unwrap_or_else(|e| panic!("{self:?}: {e}")),
            margin_units: units
                .signed_quote_units(&d(&self.margin), "margin")
                .unwrap_or_else(|e| panic!("{self:?}: {e}")),
        }
    }
}

/// One event of a scenario.
#[derive(Debug, Clone)]
pub enum Step {
    Upsert(PositionDef),
    Close(u64),
    Tick { symbol: usize, mark: String },
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub symbols: Vec<SymbolDef>,
    pub at_equal: bool,
    pub steps: Vec<Step>,
}

impl Scenario {
    pub fn market(&self) -> Arc<Market> {
        let mut market = Market::new(self.at_equal);
        for def in &self.symbols {
            market
                .add(def.build().unwrap_or_else(|e| panic!("{def:?}: {e}")))
                .unwrap();
        }
        Arc::new(market)
    }
}

/// How hard a generated scenario leans on the limits and edge cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Realistic books: edge values now and then.
    Random,
    /// Positions built to sit exactly at `E = MM` (and 10^-8 either side)
    /// with notionals on bracket caps, ticks on and one tick either side.
    Edges,
    /// Extreme ranges: `P = 2^32 − 1`, `|Q| = 2^31 − 1`, amounts just under
    /// their limits, 16 brackets, `s = 22`.
    Limits,
}

impl Profile {
    fn edge_rate(self) -> f64 {
        match self {
            Profile::Random => 0.05,
            Profile::Edges => 0.15,
            Profile::Limits => 0.5,
        }
    }
}

/// `units · 10^-decimals` as a decimal string.
pub fn fmt(units: i128, decimals: u32) -> String {
    with_point(units < 0, &units.unsigned_abs().to_string(), decimals)
}

fn pow10(e: u32) -> u128 {
    10u128.pow(e)
}

/// A symbol with the generator's view of it.
#[derive(Debug, Clone)]
pub struct SymbolGen {
    pub def: SymbolDef,
    pub t: u128,
    pub dt: u32,
    pub l: u128,
    pub dl: u32,
    /// Typical mark (ticks) and size (lots).
    pub p0: u64,
    pub q0: u64,
    /// `(|Q|, P, u)` with `u | P`: notionals planted as caps, marks ticked,
    /// and entries `P ± j·u` that keep the PnL's decimals few.
    pub anchors: Vec<(u64, u64, u64)>,
}

impl SymbolGen {
    /// Notional of `x` lot·ticks in units of `10^-decimals`, if exact.
    fn notional_units(&self, x: u128, decimals: u32) -> Option<u128> {
        let num = x * self.t * self.l * pow10(decimals);
        let den = pow10(self.dt + self.dl);
        (num / den * den == num).then_some(num / den)
    }

    pub fn mark(&self, p: u64) -> String {
        fmt((u128::from(p) * self.t) as i128, self.dt)
    }

    pub fn qty(&self, lots: i64) -> String {
        fmt(i128::from(lots) * self.l as i128, self.dl)
    }

    /// The margin (10^-8 units) of a position at leverage `lev`.
    fn margin_for(&self, x: u128, lev: u128) -> i128 {
        let e8 = x * self.t * self.l * pow10(8) / pow10(self.dt + self.dl) / lev;
        (e8 as i128).min(AMOUNT_LIMIT_E8 - 1)
    }
}

/// Picks `edge` with probability `rate`, otherwise `normal()`.
fn edgy<T>(
    rng: &mut ChaCha8Rng,
    rate: f64,
    edge: impl FnOnce(&mut ChaCha8Rng) -> T,
    normal: impl FnOnce(&mut ChaCha8Rng) -> T,
) -> T {
    if rng.gen_bool(rate) {
        edge(rng)
    } else {
        normal(rng)
    }
}

/// A grid step `(units, decimals)`.
fn step(rng: &mut ChaCha8Rng, rate: f64) -> (u128, u32) {
    let decimals = edgy(
        rng,
        rate,
        |r| if r.gen_bool(0.5) { 8 } else { 0 },
        |r| r.gen_range(0..=8),
    );
    let units = match rng.gen_range(0..6) {
        0 | 1 => 1,
        2 => 5,
        3 => 25,
        _ => rng.gen_range(1..=300),
    };
    (units, decimals)
}

/// A random symbol (its ladder kind decided by `continuous`).
pub fn gen_symbol(
    rng: &mut ChaCha8Rng,
    name: String,
    profile: Profile,
    continuous: bool,
) -> SymbolGen {
    let rate = profile.edge_rate();
    loop {
        let (t, dt) = step(rng, rate);
        let (l, dl) = step(rng, rate);
        let (t, dt, l, dl) = if profile == Profile::Limits && rng.gen_bool(0.3) {
            (rng.gen_range(1..=255), 8, rng.gen_range(1..=255), 8) // s = 22
        } else {
            (t, dt, l, dl)
        };
        let p0 = edgy(
            rng,
            rate,
            |r| {
                if r.gen_bool(0.5) {
                    PRICE_MAX - r.gen_range(0..3)
                } else {
                    r.gen_range(2..20)
                }
            },
            |r| log_uniform(r, 20, u128::from(PRICE_MAX) / 2) as u64,
        );
        let q0 = edgy(
            rng,
            rate,
            |r| if r.gen_bool(0.5) { QTY_MAX } else { 1 },
            |r| log_uniform(r, 1, u128::from(QTY_MAX)) as u64,
        );
        let mut g = SymbolGen {
            def: SymbolDef {
                name: name.clone(),
                tick_size: fmt(t as i128, dt),
                lot_size: fmt(l as i128, dl),
                ladder: vec![],
            },
            t,
            dt,
            l,
            dl,
            p0,
            q0,
            anchors: vec![],
        };
        let anchors = match profile {
            Profile::Random => rng.gen_range(0..=1),
            Profile::Edges => rng.gen_range(2..=5),
            Profile::Limits => rng.gen_range(0..=2),
        };
        g.anchors = (0..anchors).filter_map(|_| anchor(rng, &g)).collect();
        g.def.ladder = gen_ladder(rng, &g, profile, continuous);
        if g.def.build().is_ok() {
            return g;
        }
        // k6 too large for this tick × lot: draw again.
    }
}

/// `(|Q|, P)` with `X = |Q|·P` a multiple of `10^(dt + dl − r)`, `r ≤ 2`:
/// the notional has at most 2 decimals, so `N·mmr` has at most 8 and a
/// margin can put `E` exactly on `MM`.
fn anchor(rng: &mut ChaCha8Rng, g: &SymbolGen) -> Option<(u64, u64, u64)> {
    let needed = (g.dt + g.dl).saturating_sub(rng.gen_range(0..=2));
    let a = rng.gen_range(needed.saturating_sub(9)..=needed.min(9));
    let b = needed - a;
    let (pa, qb) = (10u64.pow(a), 10u64.pow(b));
    let target_p = (g.p0 as f64 * rng.gen_range(0.7..1.3)) as u64;
    let p = (target_p / pa).max(1) * pa;
    let target_q = log_uniform(rng, u128::from(g.q0 / 8), u128::from(g.q0) * 8) as u64;
    let q = (target_q / qb).clamp(1, QTY_MAX / qb) * qb;
    ((2..PRICE_MAX).contains(&p) && q <= QTY_MAX).then_some((q, p, pa))
}

/// A bracket ladder: caps ascending (some planted on anchor notionals),
/// continuous maintenance amounts or jumps either way.
fn gen_ladder(
    rng: &mut ChaCha8Rng,
    g: &SymbolGen,
    profile: Profile,
    continuous: bool,
) -> Vec<BracketDef> {
    let rate = profile.edge_rate();
    let count = edgy(
        rng,
        rate,
        |r| if r.gen_bool(0.7) { 16 } else { 1 },
        |r| r.gen_range(1..=8),
    ) as usize;
    let dmmr = edgy(rng, rate, |_| 6, |r| r.gen_range(0..=6));
    // Caps with `cd` decimals; continuous maint amounts need cd + dmmr ≤ 8.
    let max_cd = if continuous { 8 - dmmr } else { 8 };
    let cd = rng.gen_range(max_cd.min(2)..=max_cd);
    let cap_limit = pow10(12 + cd) - 1; // just under 10^12
                                        // Anchor notionals first, then the edge cap, then caps spread around the
                                        // typical notional; squeezed under the limit keeping them ascending.
    let mut caps: Vec<u128> = g
        .anchors
        .iter()
        .filter_map(|&(q, p, _)| g.notional_units(u128::from(q) * u128::from(p), cd))
        .filter(|&c| c > 0 && c <= cap_limit)
        .collect();
    if rng.gen_bool(rate) {
        caps.push(cap_limit - rng.gen_range(0..3));
    }
    let x0 = u128::from(g.p0) * u128::from(g.q0);
    let mut cx = log_uniform(rng, x0 / 64, x0 * 4);
    while caps.len() + 1 < count {
        caps.push((cx * g.t * g.l * pow10(cd) / pow10(g.dt + g.dl)).max(1));
        // Bounded so that cx·t·l·10^8 stays well inside u128.
        cx = (cx + log_uniform(rng, 1, cx * 4)).min(1 << 70);
    }
    caps.truncate(count - 1);
    caps.sort_unstable();
    caps.dedup();
    let mut upper = cap_limit;
    for cap in caps.iter_mut().rev() {
        *cap = (*cap).min(upper);
        upper = *cap - 1;
    }

    let one = pow10(dmmr) as i128; // mmr = R / one < 1
    let mut r = rng.gen_range(0..=(one / 20));
    let mut maint: i128 = edgy(
        rng,
        rate,
        |r| {
            if r.gen_bool(0.5) {
                0
            } else {
                AMOUNT_LIMIT_E8 / 2
            }
        },
        |r| log_uniform(r, 1, 1 << 40) as i128,
    );
    let mut ladder = Vec::new();
    for i in 0..=caps.len() {
        if i > 0 {
            // Next rate: usually up, sometimes down, the edge value now and then.
            let next = edgy(
                rng,
                rate,
                |_| one - 1,
                |rg| {
                    if rg.gen_bool(0.8) {
                        r + rg.gen_range(0..=(one - 1 - r) / 3)
                    } else {
                        r - rg.gen_range(0..=r / 2)
                    }
                },
            );
            // Continuous: A_i = A_{i−1} + cap_{i−1}·(R_i − R_{i−1}), in 10^-8 units
            // (exact when cd + dmmr ≤ 8, always so on a continuous ladder).
            let continued = (cd + dmmr <= 8)
                .then(|| maint + caps[i - 1] as i128 * (next - r) * 10i128.pow(8 - cd - dmmr));
            if continuous {
                // Keep rate and amount when the continued amount is out of range.
                if let Some(a) = continued.filter(|a| (0..AMOUNT_LIMIT_E8).contains(a)) {
                    (r, maint) = (next, a);
                }
            } else {
                r = next;
                maint = continued.unwrap_or(maint).clamp(0, AMOUNT_LIMIT_E8 - 1);
                // Jump: maintenance rises (hurts longs) or falls (hurts shorts) at the cap.
                maint = edgy(
                    rng,
                    rate,
                    |r| {
                        if r.gen_bool(0.5) {
                            AMOUNT_LIMIT_E8 - 1
                        } else {
                            0
                        }
                    },
                    |rg| {
                        if rg.gen_bool(0.15) {
                            maint
                        } else {
                            let size = 10u128.pow(rg.gen_range(0..=14));
                            let jump = log_uniform(rg, 1, size) as i128;
                            if rg.gen_bool(0.5) {
                                maint + jump
                            } else {
                                maint - jump
                            }
                        }
                    },
                )
                .clamp(0, AMOUNT_LIMIT_E8 - 1);
            }
        }
        ladder.push(BracketDef {
            notional_cap: caps.get(i).map(|&c| fmt(c as i128, cd)),
            mmr: fmt(r, dmmr),
            maint_amount: fmt(maint, 8),
        });
    }
    ladder
}

/// A position on `g`: random (leverage 1–100 around the typical price) or,
/// for an anchor, at `E = MM` (±10^-8) on the anchor's mark.
pub fn gen_position(
    rng: &mut ChaCha8Rng,
    id: u64,
    symbol: usize,
    g: &SymbolGen,
    profile: Profile,
) -> PositionDef {
    let rate = profile.edge_rate();
    let long = rng.gen_bool(0.5);
    let sign = if long { 1 } else { -1 };
    if !g.anchors.is_empty() && rng.gen_bool(if profile == Profile::Edges { 0.7 } else { 0.3 }) {
        let (q, p, unit) = g.anchors[rng.gen_range(0..g.anchors.len())];
        // Entry on the adverse side of the mark (a loss), in steps that keep PnL exact.
        let j = rng.gen_range(0..=5u64);
        let entry = if long {
            p.saturating_add(j * unit).min(PRICE_MAX)
        } else {
            p.saturating_sub(j * unit).max(1)
        };
        let (qty, entry_s, mark) = (g.qty(sign * q as i64), g.mark(entry), g.mark(p));
        let delta = rng.gen_range(-1..=1);
        if let Some(needed) = oracle::margin_for_equality(&g.def.ladder, &qty, &entry_s, &mark) {
            let e8 = (needed / scaled(1, 8))
                .to_integer()
                .to_i128()
                .unwrap_or(i128::MAX - 1)
                + delta;
            // Below zero only now and then (a funding payment did it).
            let floor = if rng.gen_bool(rate) {
                -AMOUNT_LIMIT_E8 + 1
            } else {
                0
            };
            if (floor..AMOUNT_LIMIT_E8).contains(&e8) {
                return PositionDef {
                    id,
                    symbol,
                    qty,
                    entry: entry_s,
                    margin: fmt(e8, 8),
                };
            }
        }
    }
    let q = edgy(
        rng,
        rate,
        |r| if r.gen_bool(0.5) { QTY_MAX } else { 1 },
        |r| {
            log_uniform(r, u128::from(g.q0 / 16), u128::from(g.q0) * 16).min(u128::from(QTY_MAX))
                as u64
        },
    );
    let entry = edgy(
        rng,
        rate,
        |r| if r.gen_bool(0.5) { PRICE_MAX } else { 1 },
        |r| (g.p0 as f64 * r.gen_range(0.9..1.1)).clamp(1.0, PRICE_MAX as f64) as u64,
    );
    let lev = log_uniform(rng, 1, 100);
    let margin = edgy(
        rng,
        rate,
        |r| match r.gen_range(0..10) {
            0..7 => AMOUNT_LIMIT_E8 - 1,
            7..9 => 0,
            // The bottom of the spec's range, after a funding payment.
            _ => -AMOUNT_LIMIT_E8 + 1,
        },
        |_| g.margin_for(u128::from(q) * u128::from(entry), lev),
    );
    PositionDef {
        id,
        symbol,
        qty: g.qty(sign * q as i64),
        entry: g.mark(entry),
        margin: fmt(margin, 8),
    }
}

/// Marks worth ticking on `g`: a walk around the typical price, the anchors
/// and one tick either side, and the ends of the range.
pub fn gen_mark(rng: &mut ChaCha8Rng, g: &SymbolGen, walk: &mut u64, profile: Profile) -> u64 {
    let rate = profile.edge_rate();
    if !g.anchors.is_empty() && rng.gen_bool(if profile == Profile::Edges { 0.6 } else { 0.2 }) {
        let (_, p, _) = g.anchors[rng.gen_range(0..g.anchors.len())];
        return (p as i64 + [-1, 0, 0, 1][rng.gen_range(0..4)]) as u64;
    }
    edgy(
        rng,
        rate,
        |r| {
            if r.gen_bool(0.6) {
                PRICE_MAX
            } else {
                r.gen_range(1..=3)
            }
        },
        |r| {
            let moved = *walk as f64 * r.gen_range(0.93..1.07);
            let pulled = moved + (g.p0 as f64 - moved) * 0.2;
            *walk = pulled.clamp(1.0, PRICE_MAX as f64) as u64;
            *walk
        },
    )
}

/// A whole scenario from a seed: 1–3 symbols (continuous and jumping
/// ladders), an opening book, then ticks interleaved with upserts (new ids,
/// replacements, re-opened liquidated ids, moves between symbols) and closes.
pub fn gen_scenario(seed: u64, profile: Profile) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let count = rng.gen_range(1..=3);
    let gens: Vec<SymbolGen> = (0..count)
        .map(|i| {
            let continuous = rng.gen_bool(0.5);
            gen_symbol(&mut rng, format!("S{i}"), profile, continuous)
        })
        .collect();
    let mut walks: Vec<u64> = gens.iter().map(|g| g.p0).collect();
    let mut steps = Vec::new();
    let mut next_id = rng.gen_range(0..1000u64);
    let opening = rng.gen_range(1..=30);
    for _ in 0..opening {
        let s = rng.gen_range(0..count);
        steps.push(Step::Upsert(gen_position(
            &mut rng, next_id, s, &gens[s], profile,
        )));
        next_id += rng.gen_range(1..=3);
    }
    let first_id = next_id.saturating_sub(opening * 3);
    for _ in 0..rng.gen_range(10..=40) {
        let s = rng.gen_range(0..count);
        match rng.gen_range(0..100) {
            0..=64 => {
                let p = gen_mark(&mut rng, &gens[s], &mut walks[s], profile);
                steps.push(Step::Tick {
                    symbol: s,
                    mark: gens[s].mark(p),
                });
            }
            65..=84 => {
                // A new id, or any id seen so far (open, liquidated or closed).
                let id = if rng.gen_bool(0.5) {
                    next_id
                } else {
                    rng.gen_range(first_id..=next_id)
                };
                next_id += 1;
                steps.push(Step::Upsert(gen_position(
                    &mut rng, id, s, &gens[s], profile,
                )));
            }
            _ => steps.push(Step::Close(rng.gen_range(first_id..=next_id + 2))),
        }
    }
    Scenario {
        symbols: gens.into_iter().map(|g| g.def).collect(),
        at_equal: rng.gen_bool(0.5),
        steps,
    }
}
