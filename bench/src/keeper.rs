//! The decimal keeper: what the dYdX v4 liquidation daemon and the Mango
//! and Drift keepers do, a full scan of every open position of the ticked
//! symbol in decimal arithmetic (`rust_decimal`), the rule written plainly:
//!
//! * notional `N = |qty|·mark`; the bracket is the first whose cap is
//!   `≥ N` (the last, uncapped one if none);
//! * maintenance `MM = N·mmr − maint_amount`;
//! * equity `E = margin + qty·(mark − entry)`;
//! * liquidated iff `E < MM` (`E ≤ MM` with `liquidate_at_equal`).
//!
//! Each value is parsed once, when the position is opened, from the exact
//! decimal string the input files would hold; a tick times only the
//! arithmetic. It is an [`Engine`], so the bench times it like the others
//! and checks that it finds exactly their liquidations (shortfall included).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use liqscan_core::spec::units::format_scaled;
use liqscan_core::{Engine, EngineError, Liquidation, Market, Position, Tick};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// One bracket in decimals.
#[derive(Debug, Clone)]
struct Bracket {
    /// `None` for the last bracket.
    cap: Option<Decimal>,
    mmr: Decimal,
    maint_amount: Decimal,
}

/// An open position in decimals.
#[derive(Debug, Clone)]
struct Open {
    id: u64,
    qty: Decimal,
    entry: Decimal,
    margin: Decimal,
}

/// One symbol's ladder and open positions.
#[derive(Debug, Clone)]
struct Book {
    tick_size: Decimal,
    /// `10^s`: a shortfall in quote units of `10^-s` (the spec's).
    quote_scale: Decimal,
    ladder: Vec<Bracket>,
    open: Vec<Open>,
}

/// The decimal keeper as an [`Engine`] (`keeper`).
#[derive(Debug, Clone)]
pub struct DecimalKeeper {
    market: Arc<Market>,
    books: Vec<Book>,
    /// Which symbol each open position is in.
    symbol_of: HashMap<u64, usize>,
    at_equal: bool,
    hits: Vec<usize>,
}

fn parse(text: &str) -> Decimal {
    Decimal::from_str(text).expect("format_scaled writes a decimal")
}

impl DecimalKeeper {
    pub fn new(market: Arc<Market>) -> Self {
        let books = market
            .symbols()
            .iter()
            .map(|symbol| Book {
                tick_size: symbol.tick_size,
                quote_scale: Decimal::from_i128_with_scale(
                    10i128.pow(symbol.units.quote_decimals),
                    0,
                ),
                ladder: symbol
                    .ladder
                    .iter()
                    .map(|b| Bracket {
                        cap: b.notional_cap,
                        mmr: b.mmr,
                        maint_amount: b.maint_amount,
                    })
                    .collect(),
                open: Vec::new(),
            })
            .collect();
        Self {
            at_equal: market.liquidate_at_equal,
            market,
            books,
            symbol_of: HashMap::new(),
            hits: Vec::new(),
        }
    }

    /// The position's decimals, as its input lines would state them.
    fn open_of(market: &Market, position: &Position) -> Open {
        let units = market.units(position.symbol);
        let qty = i128::from(position.qty_lots) * i128::from(units.lot.units);
        let entry = i128::from(position.entry_ticks) * i128::from(units.tick.units);
        Open {
            id: position.id,
            qty: parse(&format_scaled(qty, units.lot.decimals)),
            entry: parse(&format_scaled(entry, units.tick.decimals)),
            margin: parse(&format_scaled(position.margin_units, units.quote_decimals)),
        }
    }
}

impl Book {
    /// `MM − E` of `p` at `mark`, in decimals.
    #[inline]
    fn shortfall(&self, p: &Open, mark: Decimal) -> Decimal {
        let notional = p.qty.abs() * mark;
        let bracket = self
            .ladder
            .iter()
            .find(|b| b.cap.map_or(true, |cap| notional <= cap))
            .expect("the last bracket has no cap");
        let maintenance = notional * bracket.mmr - bracket.maint_amount;
        let equity = p.margin + p.qty * (mark - p.entry);
        maintenance - equity
    }
}

impl Engine for DecimalKeeper {
    fn name(&self) -> &str {
        "keeper"
    }

    /// Opens or replaces a position (a linear search of its symbol: the
    /// bench loads once and only times ticks).
    fn upsert(&mut self, position: &Position) -> Result<(), EngineError> {
        self.market.check_symbol(position.symbol)?;
        self.close(position.id)?;
        let symbol = position.symbol.index();
        let open = Self::open_of(&self.market, position);
        self.books[symbol].open.push(open);
        self.symbol_of.insert(position.id, symbol);
        Ok(())
    }

    fn close(&mut self, id: u64) -> Result<bool, EngineError> {
        let Some(symbol) = self.symbol_of.remove(&id) else {
            return Ok(false);
        };
        self.books[symbol].open.retain(|p| p.id != id);
        Ok(true)
    }

    fn tick(&mut self, tick: Tick, out: &mut Vec<Liquidation>) -> Result<(), EngineError> {
        let book = self
            .books
            .get_mut(tick.symbol.index())
            .ok_or(EngineError::UnknownSymbol(tick.symbol.0))?;
        let mark = Decimal::from(tick.price) * book.tick_size;
        let first = out.len();
        self.hits.clear();
        for (i, p) in book.open.iter().enumerate() {
            let shortfall = book.shortfall(p, mark);
            let liquidated = if self.at_equal {
                shortfall >= Decimal::ZERO
            } else {
                shortfall > Decimal::ZERO
            };
            if liquidated {
                self.hits.push(i);
                let units = shortfall * book.quote_scale;
                let exact = units
                    .fract()
                    .is_zero()
                    .then(|| units.to_i128())
                    .flatten()
                    .ok_or_else(|| {
                        EngineError::Backend(format!(
                            "position {}: shortfall {shortfall} is not a whole number of quote units",
                            p.id
                        ))
                    })?;
                out.push(Liquidation {
                    position: p.id,
                    shortfall: exact,
                });
            }
        }
        if !self.hits.is_empty() {
            let mut hit = self.hits.iter().peekable();
            let mut index = 0;
            book.open.retain(|_| {
                let closed = hit.next_if(|&&h| h == index).is_some();
                index += 1;
                !closed
            });
            for l in &out[first..] {
                self.symbol_of.remove(&l.position);
            }
        }
        out[first..].sort_unstable();
        Ok(())
    }
}
