//! The symbols of a book, validated and compiled to spec integers.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::engine::EngineError;
use crate::spec::{BracketInput, FieldError, SymbolUnits};

/// Index of a symbol in its [`Market`] (also its row in the circuit's symbol table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymbolId(pub u32);

impl SymbolId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A symbol: its definition as written and its spec constants.
#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub tick_size: Decimal,
    pub lot_size: Decimal,
    /// The bracket ladder as written (1 ..= 16 brackets).
    pub ladder: Vec<BracketInput>,
    pub units: SymbolUnits,
}

impl Symbol {
    /// Validates a definition and computes its spec constants.
    pub fn new(
        name: impl Into<String>,
        tick_size: Decimal,
        lot_size: Decimal,
        ladder: Vec<BracketInput>,
    ) -> Result<Self, FieldError> {
        let units = SymbolUnits::new(&tick_size, &lot_size, &ladder)?;
        Ok(Self {
            name: name.into(),
            tick_size,
            lot_size,
            ladder,
            units,
        })
    }
}

/// Every symbol of a book, and the book-wide comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Market {
    symbols: Vec<Symbol>,
    by_name: HashMap<String, SymbolId>,
    /// Liquidate when equity equals maintenance too (`E <= MM`).
    pub liquidate_at_equal: bool,
}

/// Adding a symbol whose name is taken, or one too many.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarketError {
    #[error("duplicate symbol name {0:?}")]
    Duplicate(String),
    #[error("too many symbols: at most {max}")]
    TooMany { max: usize },
}

impl Market {
    pub fn new(liquidate_at_equal: bool) -> Self {
        Self {
            liquidate_at_equal,
            ..Self::default()
        }
    }

    /// Adds a symbol and returns its id.
    pub fn add(&mut self, symbol: Symbol) -> Result<SymbolId, MarketError> {
        if self.by_name.contains_key(&symbol.name) {
            return Err(MarketError::Duplicate(symbol.name));
        }
        if self.symbols.len() >= crate::spec::MAX_SYMBOLS {
            return Err(MarketError::TooMany {
                max: crate::spec::MAX_SYMBOLS,
            });
        }
        let id = SymbolId(self.symbols.len() as u32);
        self.by_name.insert(symbol.name.clone(), id);
        self.symbols.push(symbol);
        Ok(id)
    }

    pub fn id(&self, name: &str) -> Option<SymbolId> {
        self.by_name.get(name).copied()
    }

    pub fn symbol(&self, id: SymbolId) -> &Symbol {
        &self.symbols[id.index()]
    }

    pub fn units(&self, id: SymbolId) -> &SymbolUnits {
        &self.symbols[id.index()].units
    }

    pub fn symbols(&self) -> &[Symbol] {
        &self.symbols
    }

    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// `Ok` if `id` is one of this market's symbols: every engine's guard
    /// before it indexes per-symbol state.
    pub fn check_symbol(&self, id: SymbolId) -> Result<(), EngineError> {
        if id.index() < self.len() {
            Ok(())
        } else {
            Err(EngineError::UnknownSymbol(id.0))
        }
    }

    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// Every symbol id, in order.
    pub fn ids(&self) -> impl Iterator<Item = SymbolId> + '_ {
        (0..self.symbols.len() as u32).map(SymbolId)
    }
}
