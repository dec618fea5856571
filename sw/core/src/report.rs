//! Liquidation events as reported: exact decimal strings recomputed by the
//! host from the spec integers, for the hits only.

use serde::Serialize;

use crate::book::Position;
use crate::engine::{Liquidation, Tick};
use crate::market::Market;

/// One output line of `liqscan scan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The tick's `seq`.
    pub tick: u64,
    pub position: u64,
    pub account: String,
    pub symbol: String,
    pub mark: String,
    pub equity: String,
    pub maintenance: String,
}

/// A backend's shortfall disagrees with the spec's `MM − E` for the position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("position {position}: backend shortfall {reported} but MM − E = {expected} (quote units)")]
pub struct ShortfallMismatch {
    pub position: u64,
    pub reported: i128,
    pub expected: i128,
}

/// The event for a liquidation of `position` (as it was before the tick).
/// Checks the backend's shortfall against `MM − E` recomputed here.
pub fn event(
    market: &Market,
    tick: Tick,
    position: &Position,
    hit: Liquidation,
) -> Result<Event, ShortfallMismatch> {
    let symbol = market.symbol(position.symbol);
    let units = &symbol.units;
    let konst = position.constants(market);
    let equity = units.equity(konst, tick.price);
    let maintenance = units.maintenance(konst, tick.price);
    if maintenance - equity != hit.shortfall {
        return Err(ShortfallMismatch {
            position: position.id,
            reported: hit.shortfall,
            expected: maintenance - equity,
        });
    }
    Ok(Event {
        tick: tick.seq,
        position: position.id,
        account: position.account.clone(),
        symbol: symbol.name.clone(),
        mark: units.format_price(tick.price),
        equity: units.format_units(equity),
        maintenance: units.format_units(maintenance),
    })
}

/// Where two backends' outputs (events, liquidations, hits) first differ:
/// `event I: A vs B (M vs N events)`, `none` for a missing side; `None` when
/// they are equal.
pub fn first_difference<T: PartialEq + std::fmt::Debug>(a: &[T], b: &[T]) -> Option<String> {
    let show = |e: Option<&T>| e.map_or_else(|| "none".to_owned(), |e| format!("{e:?}"));
    let at = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))?;
    Some(format!(
        "event {at}: {} vs {} ({} vs {} events)",
        show(a.get(at)),
        show(b.get(at)),
        a.len(),
        b.len()
    ))
}

/// `12345` as `12,345`: the thousands grouping of reports and messages.
pub fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn first_difference_names_the_event_and_both_sides() {
        assert_eq!(first_difference(&[1, 2, 3], &[1, 2, 3]), None);
        assert_eq!(
            first_difference(&[1, 2, 3], &[1, 5, 3]).as_deref(),
            Some("event 1: 2 vs 5 (3 vs 3 events)")
        );
        assert_eq!(
            first_difference(&[1, 2], &[1, 2, 3]).as_deref(),
            Some("event 2: none vs 3 (2 vs 3 events)")
        );
    }
}
