//! `positions.csv`: `id,account,symbol,qty,entry_price,margin`, one open
//! isolated-margin position per line, validated against its symbol.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use super::columns::{Columns, CsvInput};
use super::error::{InputError, ReadError};
use crate::book::{Book, Position};
use crate::market::Market;
use crate::spec::MAX_POSITIONS;

/// The header of `positions.csv`.
pub const POSITION_COLUMNS: [&str; 6] = ["id", "account", "symbol", "qty", "entry_price", "margin"];

/// Reads and validates every position; the first bad line is the error.
pub fn read_positions<R: Read>(
    input: R,
    file: &str,
    market: Arc<Market>,
) -> Result<Book, ReadError> {
    let mut input = CsvInput::open(input, file, &POSITION_COLUMNS)?;
    let mut book = Book::new(market);
    // First line of each id, for the duplicate message.
    let mut lines: HashMap<u64, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    while let Some(line) = input.next_record(&mut record) {
        let line = line?;
        let position = parse_position(&input.columns, &book.market, &record, line)?;
        if let Some(first) = lines.insert(position.id, line) {
            let reason = format!("duplicate id {} (first at line {first})", position.id);
            return Err(InputError::new(file, line, "id", reason).into());
        }
        if book.len() == MAX_POSITIONS {
            return Err(InputError::new(
                file,
                line,
                "id",
                format!("too many positions: at most {MAX_POSITIONS}"),
            )
            .into());
        }
        book.upsert(position);
    }
    Ok(book)
}

/// One record as a position.
fn parse_position(
    columns: &Columns,
    market: &Market,
    record: &csv::StringRecord,
    line: u64,
) -> Result<Position, InputError> {
    let field = |name| columns.field(record, name);
    let located = |e| InputError::from_field(&columns.file, line, "", e);
    let id = columns.parse_u64(line, "id", field("id"))?;
    let account = field("account");
    if account.is_empty() {
        return Err(InputError::new(
            &columns.file,
            line,
            "account",
            "empty value",
        ));
    }
    let symbol = columns.parse_symbol(market, line, "symbol", field("symbol"))?;
    let units = market.units(symbol);
    let qty_lots = units
        .lots(&columns.parse_decimal(line, "qty", field("qty"))?)
        .map_err(located)?;
    let entry_price = columns.parse_decimal(line, "entry_price", field("entry_price"))?;
    let entry_ticks = units.ticks(&entry_price, "entry_price").map_err(located)?;
    let margin = columns.parse_decimal(line, "margin", field("margin"))?;
    let margin_units = units.quote_units(&margin, "margin").map_err(located)?;
    Ok(Position {
        id,
        account: account.to_owned(),
        symbol,
        qty_lots,
        entry_ticks,
        margin_units,
    })
}
