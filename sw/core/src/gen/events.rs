//! A live stream for a scenario: its ticks in order, interleaved at random
//! with changes to its book as an exchange reports them: new positions
//! (opened near the symbol's last mark), resizes (the new quantity, the
//! average entry on the tick grid, the margin scaled with the size),
//! deposits, withdrawals (never below zero), funding payments (either sign,
//! a fraction of the notional) and closes.
//!
//! The generator does not scan: a change it makes to a position that a tick
//! has meanwhile liquidated is a stale change for the reader, as it would be
//! from an exchange. Everything else it writes is valid input. Changes are
//! drawn one at a time (the stream is an iterator), so memory holds the
//! positions the generator believes open (at most `MAX_POSITIONS`), not the
//! stream.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::positions::Trader;
use super::symbols::{self, Listing};
use super::{rng, GenConfig, GenError, Scenario, Stream};
use crate::book::Position;
use crate::engine::Tick;
use crate::input::MarginReason;
use crate::market::{Market, SymbolId};
use crate::spec::{MAX_AMOUNT_DECIMALS, MAX_POSITIONS, QTY_MAX};

/// Most book changes a generated events file holds (about 100 bytes a line
/// in `events.jsonl`, on top of the scenario's ticks).
pub const MAX_CHANGES: usize = 10_000_000;

/// One line of a generated events file, in spec integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// A tick of the scenario, renumbered to its place in the stream.
    Tick(Tick),
    Open(Position),
    /// A resize: the position's new state.
    Update(Position),
    /// A margin move of `delta` quote units (`10^-s` of `symbol`).
    Margin {
        id: u64,
        symbol: SymbolId,
        delta: i128,
        reason: MarginReason,
    },
    Close(u64),
}

/// A line of the stream: its `seq` (1, 2, … in order) and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveLine {
    pub seq: u64,
    pub event: LiveEvent,
}

/// An events stream in `seq` order: see [`live_events`].
pub struct LiveEvents<'a> {
    rng: ChaCha8Rng,
    market: &'a Market,
    trader: Trader,
    ticks: std::slice::Iter<'a, Tick>,
    ticks_left: u64,
    changes_left: u64,
    /// Positions opened and not closed by the stream (some may be liquidated).
    open: Vec<Position>,
    next_id: u64,
    /// Each symbol's last mark in the stream (its listing price before one).
    marks: Vec<u32>,
    seq: u64,
}

/// The events of `scenario` (generated from `config`): its ticks with
/// `changes` book changes among them, the same for the same config.
pub fn live_events<'a>(
    config: &GenConfig,
    scenario: &'a Scenario,
    changes: usize,
) -> Result<LiveEvents<'a>, GenError> {
    if changes > MAX_CHANGES {
        return Err(GenError::Changes(changes));
    }
    // The listings (starting marks, popularity) are the market's stream's.
    let (_, listings) = symbols::market(&mut rng(config.seed, Stream::Symbols), config.symbols)?;
    let accounts = (scenario.positions.len() / 4).max(1);
    Ok(LiveEvents {
        rng: rng(config.seed, Stream::Events),
        market: &scenario.market,
        trader: Trader::new(&listings, accounts),
        ticks: scenario.ticks.iter(),
        ticks_left: scenario.ticks.len() as u64,
        changes_left: changes as u64,
        open: scenario.positions.clone(),
        next_id: scenario.positions.iter().map(|p| p.id).max().unwrap_or(0) + 1,
        marks: listings.iter().map(|l: &Listing| l.price).collect(),
        seq: 0,
    })
}

impl LiveEvents<'_> {
    /// Quote units of one `10^-8`: every amount is a multiple of it.
    fn step(&self, symbol: SymbolId) -> i128 {
        10i128.pow(self.market.units(symbol).quote_decimals - MAX_AMOUNT_DECIMALS)
    }

    /// `value` rounded toward zero to a multiple of `step`.
    fn on_grid(value: f64, step: i128) -> i128 {
        (value as i128) / step * step
    }

    fn open(&mut self) -> LiveEvent {
        let id = self.next_id;
        self.next_id += 1;
        let marks = &self.marks;
        let position = self
            .trader
            .open(&mut self.rng, self.market, id, |s| marks[s.index()]);
        self.open.push(position.clone());
        LiveEvent::Open(position)
    }

    /// A resize: a larger position's entry moves to the average with the
    /// mark, a smaller one keeps it; the margin follows the size.
    fn update(&mut self, i: usize) -> LiveEvent {
        let factor = self.rng.gen_range(0.25..2.5);
        let step = self.step(self.open[i].symbol);
        let limit = self.market.units(self.open[i].symbol).amount_limit_units();
        let mark = self.marks[self.open[i].symbol.index()];
        let p = &mut self.open[i];
        let old = u64::from(p.qty_lots.unsigned_abs());
        let new = ((old as f64 * factor) as u64).clamp(1, QTY_MAX);
        if new > old {
            let cost = u128::from(old) * u128::from(p.entry_ticks)
                + u128::from(new - old) * u128::from(mark);
            p.entry_ticks = (cost / u128::from(new)).max(1) as u32;
        }
        p.qty_lots = p.qty_lots.signum() * new as i32;
        let margin = p.margin_units.max(0) as f64 * new as f64 / old as f64;
        p.margin_units = Self::on_grid(margin, step).min(limit - step);
        LiveEvent::Update(p.clone())
    }

    fn margin(&mut self, i: usize) -> LiveEvent {
        let (id, symbol, margin) = (
            self.open[i].id,
            self.open[i].symbol,
            self.open[i].margin_units,
        );
        let units = self.market.units(symbol);
        let step = self.step(symbol);
        let limit = units.amount_limit_units();
        let notional = i128::from(self.open[i].qty_lots.unsigned_abs())
            * i128::from(self.marks[symbol.index()])
            * units.lot_tick_value();
        let share = self.rng.gen_range(0.05..0.5);
        let mut reason = MarginReason::ALL[self.rng.gen_range(0..3)];
        if reason == MarginReason::Withdraw && margin < step {
            reason = MarginReason::Deposit;
        }
        let delta = match reason {
            MarginReason::Deposit => {
                let wanted = Self::on_grid(margin.max(notional / 100) as f64 * share, step);
                let room = limit - step - margin;
                if room < step {
                    // At the top of the range: take some out instead.
                    reason = MarginReason::Withdraw;
                    -Self::on_grid(margin as f64 * share, step).max(step)
                } else {
                    wanted.clamp(step, room)
                }
            }
            MarginReason::Withdraw => {
                -Self::on_grid(margin as f64 * share, step).clamp(step, margin)
            }
            MarginReason::Funding => {
                let paid = Self::on_grid(notional as f64 * self.rng.gen_range(0.0..0.0005), step);
                let paid = if self.rng.gen_bool(0.5) { paid } else { -paid };
                paid.clamp(-limit + step - margin, limit - step - margin)
            }
        };
        self.open[i].margin_units += delta;
        LiveEvent::Margin {
            id,
            symbol,
            delta,
            reason,
        }
    }

    fn change(&mut self) -> LiveEvent {
        let roll = self.rng.gen_range(0..100);
        if self.open.is_empty() || (roll < 20 && self.open.len() < MAX_POSITIONS) {
            return self.open();
        }
        let i = self.rng.gen_range(0..self.open.len());
        match roll {
            0..45 => self.update(i),
            45..85 => self.margin(i),
            _ => LiveEvent::Close(self.open.swap_remove(i).id),
        }
    }
}

impl Iterator for LiveEvents<'_> {
    type Item = LiveLine;

    fn next(&mut self) -> Option<LiveLine> {
        let left = self.ticks_left + self.changes_left;
        if left == 0 {
            return None;
        }
        self.seq += 1;
        let seq = self.seq;
        let event = if self.rng.gen_range(0..left) < self.ticks_left {
            self.ticks_left -= 1;
            let tick = *self.ticks.next().expect("ticks_left counts them");
            self.marks[tick.symbol.index()] = tick.price;
            LiveEvent::Tick(Tick { seq, ..tick })
        } else {
            self.changes_left -= 1;
            self.change()
        };
        Some(LiveLine { seq, event })
    }
}
