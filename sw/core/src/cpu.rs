//! `cpu`: the reference brute-force scanner. Structure-of-arrays per symbol
//! and exactly the circuit's arithmetic (`SymbolUnits::margin_sum`), so it is
//! the software fallback of the hardware, slot for slot.

use std::sync::Arc;

use crate::book::Position;
use crate::engine::{Engine, EngineError, Liquidation, Tick};
use crate::market::Market;
use crate::slots::SlotMap;
use crate::spec::{liquidates, PositionConst};

/// One symbol's slots as columns; `qty == 0` marks a hole.
#[derive(Debug, Clone, Default)]
struct Columns {
    qty: Vec<i32>,
    offset: Vec<i128>,
}

/// The brute-force scanner.
#[derive(Debug, Clone)]
pub struct CpuScanner {
    market: Arc<Market>,
    slots: SlotMap,
    columns: Vec<Columns>,
    hits: Vec<u32>,
}

impl CpuScanner {
    pub fn new(market: Arc<Market>) -> Self {
        let symbols = market.len();
        Self {
            market,
            slots: SlotMap::new(symbols),
            columns: vec![Columns::default(); symbols],
            hits: Vec::new(),
        }
    }
}

impl Engine for CpuScanner {
    fn name(&self) -> &str {
        "cpu"
    }

    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        let old = self.slots.get(position.id);
        let placement = self.slots.place(position.id, position.symbol);
        if let Some(old) = old.filter(|old| *old != placement) {
            self.columns[old.symbol.index()].qty[old.slot as usize] = 0;
        }
        let konst = position.constants(&self.market);
        let columns = &mut self.columns[placement.symbol.index()];
        let slot = placement.slot as usize;
        if slot == columns.qty.len() {
            columns.qty.push(0);
            columns.offset.push(0);
        }
        columns.qty[slot] = konst.qty_lots;
        columns.offset[slot] = konst.offset;
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        Ok(match self.slots.remove(id) {
            Some(at) => {
                self.columns[at.symbol.index()].qty[at.slot as usize] = 0;
                true
            }
            None => false,
        })
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        self.market.check_symbol(tick.symbol)?;
        let units = self.market.units(tick.symbol);
        let at_equal = self.market.liquidate_at_equal;
        let columns = &mut self.columns[tick.symbol.index()];
        let first = out.len();
        self.hits.clear();
        for (slot, (&qty_lots, &offset)) in columns.qty.iter().zip(&columns.offset).enumerate() {
            if qty_lots == 0 {
                continue;
            }
            let sum = units.margin_sum(PositionConst { qty_lots, offset }, tick.price);
            if liquidates(sum, at_equal) {
                self.hits.push(slot as u32);
                let position = self
                    .slots
                    .id_at(tick.symbol, slot as u32)
                    .expect("an open slot has an id");
                out.push(Liquidation {
                    position,
                    shortfall: -sum,
                });
            }
        }
        for &slot in &self.hits {
            columns.qty[slot as usize] = 0;
        }
        self.slots.retire(&mut out[first..]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Symbol, SymbolId};
    use crate::report::event;
    use crate::test_util::{bracket, d};

    fn btc_market() -> Arc<Market> {
        let ladder = [
            bracket(Some("50000"), "0.004", "0"),
            bracket(None, "0.005", "50"),
        ];
        let mut market = Market::new(false);
        market
            .add(Symbol::new("BTCUSDT", d("0.1"), d("0.001"), ladder.to_vec()).unwrap())
            .unwrap();
        Arc::new(market)
    }

    /// A long of 1 BTC at 50,000 with 5,000 margin in the 0.4% bracket:
    /// E = 180.7 < MM = 180.7228 at 45,180.7; E = 180.8 > MM = 180.7232 at 45,180.8.
    #[test]
    fn hand_computed_long_liquidates_at_45180_7_not_45180_8() {
        let market = btc_market();
        let units = market.units(SymbolId(0));
        let position = Position {
            id: 42,
            account: "a".into(),
            symbol: SymbolId(0),
            qty_lots: units.lots(&d("1")).unwrap(),
            entry_ticks: units.ticks(&d("50000"), "entry_price").unwrap(),
            margin_units: units.quote_units(&d("5000"), "margin").unwrap(),
        };
        let mut cpu = CpuScanner::new(market.clone());
        cpu.upsert(&position).unwrap();
        let mut out = Vec::new();
        let tick = |seq, mark| Tick {
            seq,
            symbol: SymbolId(0),
            price: units.ticks(&d(mark), "mark_price").unwrap(),
        };

        cpu.tick(tick(6, "45180.8"), &mut out).unwrap();
        assert!(out.is_empty());
        cpu.tick(tick(7, "45180.7"), &mut out).unwrap();
        assert_eq!(out.len(), 1);
        let line =
            serde_json::to_string(&event(&market, tick(7, "45180.7"), &position, out[0]).unwrap())
                .unwrap();
        assert_eq!(
            line,
            r#"{"tick":7,"position":42,"account":"a","symbol":"BTCUSDT","mark":"45180.7","equity":"180.7","maintenance":"180.7228"}"#
        );
        cpu.tick(tick(8, "1"), &mut out).unwrap();
        assert_eq!(out.len(), 1, "a liquidated position is closed");
    }
}
