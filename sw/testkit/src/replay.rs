//! A live stream ([`crate::live`]) played on an engine the way `liqscan
//! scan --events` plays it: the symbols and the opening book read from
//! their files by liqscan-core's readers, every change applied to the book
//! and the engine, every tick scanned and its liquidations reported back
//! to the reader, each turned into the event line the CLI writes. What it
//! gives ([`Played`]) compares with another engine's and with the oracle's
//! ([`Played::oracle`]) as a whole: the lines byte for byte, the shortfalls
//! exactly, the counts of applied and stale changes.

use std::sync::Arc;

use liqscan_core::input::{read_positions, read_symbols, EventReader, Item};
use liqscan_core::report::event;
use liqscan_core::{Book, Engine, Market};
use num_rational::BigRational;

use crate::live::LiveScenario;
use crate::oracle::scaled;

/// What an engine (or the oracle) made of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Played {
    /// The event lines, as `liqscan scan` writes them (without newlines).
    pub lines: Vec<String>,
    /// `(tick seq, position, shortfall)` of every liquidation, in order.
    pub liquidations: Vec<(u64, u64, BigRational)>,
    pub applied: u64,
    pub stale: u64,
}

impl Played {
    /// What the oracle makes of `scenario` ([`LiveScenario::play`]).
    pub fn oracle(scenario: &LiveScenario) -> Self {
        let outcome = scenario.play();
        Self {
            lines: outcome.events.iter().map(|e| e.json_line()).collect(),
            liquidations: outcome
                .events
                .iter()
                .map(|e| (e.tick, e.position, e.shortfall()))
                .collect(),
            applied: outcome.applied,
            stale: outcome.stale,
        }
    }
}

/// Plays `scenario` on the engine `engine_for` makes for its market (read
/// from the symbols file). Panics, naming `name`, on anything the CLI would
/// report as an error: an input error, an engine error, a shortfall that
/// disagrees with the spec's `MM − E`.
pub fn replay<E: Engine + ?Sized>(
    scenario: &LiveScenario,
    name: &str,
    engine_for: impl FnOnce(Arc<Market>) -> Box<E>,
) -> Played {
    let toml = scenario.symbols_toml();
    let market = Arc::new(read_symbols(toml.as_bytes(), "symbols.toml").unwrap());
    let csv = scenario.positions_csv();
    let mut book: Book = read_positions(csv.as_bytes(), "positions.csv", market.clone()).unwrap();
    let mut engine = engine_for(market.clone());
    engine
        .load(&book.sorted())
        .unwrap_or_else(|e| panic!("{name}: loading: {e}"));
    let events = scenario.events_jsonl();
    let mut reader = EventReader::new(events.as_bytes(), "events.jsonl", &book);
    let mut played = Played {
        lines: Vec::new(),
        liquidations: Vec::new(),
        applied: 0,
        stale: 0,
    };
    let mut hits = Vec::new();
    while let Some(record) = reader.next_event(&book) {
        let record = record.unwrap_or_else(|e| panic!("{name}: {e}\n{events}"));
        match record.item {
            Item::Tick(tick) => {
                hits.clear();
                engine
                    .tick(tick, &mut hits)
                    .unwrap_or_else(|e| panic!("{name}: tick {}: {e}", tick.seq));
                let decimals = market.units(tick.symbol).quote_decimals;
                for &hit in &hits {
                    let position = book
                        .close(hit.position)
                        .unwrap_or_else(|| panic!("{name}: {hit:?} is not open"));
                    reader.liquidated(hit.position, tick.seq);
                    let line = event(&market, tick, &position, hit)
                        .unwrap_or_else(|e| panic!("{name}: tick {}: {e}", tick.seq));
                    played.lines.push(serde_json::to_string(&line).unwrap());
                    played.liquidations.push((
                        tick.seq,
                        hit.position,
                        scaled(hit.shortfall, decimals),
                    ));
                }
            }
            Item::Change(change) => {
                engine
                    .apply(&change.update)
                    .unwrap_or_else(|e| panic!("{name}: {:?}: {e}", change.update));
                book.apply(&change.update);
                played.applied += 1;
            }
            Item::Stale(_) => played.stale += 1,
        }
    }
    played
}
