//! `ticks.csv`: `seq,symbol,mark_price`, read as a stream so a scan can act
//! on each tick (and write its events) before the next line is read.

use std::io::Read;
use std::sync::Arc;

use super::columns::CsvInput;
use super::error::{InputError, ReadError};
use crate::engine::Tick;
use crate::market::Market;

/// The header of `ticks.csv`.
pub const TICK_COLUMNS: [&str; 3] = ["seq", "symbol", "mark_price"];

/// One validated tick with its line and the mark as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickRecord {
    pub line: u64,
    pub tick: Tick,
    pub mark: String,
}

/// Reads ticks one line at a time. A bad line yields an error and the reader
/// goes on with the next one (`seq` must exceed that of the last *good* tick);
/// after an I/O error it stops.
pub struct TickReader<R> {
    input: CsvInput<R>,
    market: Arc<Market>,
    record: csv::StringRecord,
    /// `seq` and line of the last good tick.
    last_seq: Option<(u64, u64)>,
}

impl<R: Read> TickReader<R> {
    /// Opens a tick stream; a bad header is the error.
    pub fn new(input: R, file: &str, market: Arc<Market>) -> Result<Self, ReadError> {
        let input = CsvInput::open(input, file, &TICK_COLUMNS)?;
        Ok(Self {
            input,
            market,
            record: csv::StringRecord::new(),
            last_seq: None,
        })
    }

    /// The input's name in messages.
    pub fn file(&self) -> &str {
        &self.input.columns.file
    }

    fn parse(&self, line: u64) -> Result<TickRecord, InputError> {
        let (columns, record) = (&self.input.columns, &self.record);
        let seq = columns.parse_u64(line, "seq", columns.field(record, "seq"))?;
        if let Some((last, last_line)) = self.last_seq.filter(|&(last, _)| seq <= last) {
            let reason = format!("not increasing: {seq} after {last} (line {last_line})");
            return Err(InputError::new(&columns.file, line, "seq", reason));
        }
        let symbol = columns.parse_symbol(
            &self.market,
            line,
            "symbol",
            columns.field(record, "symbol"),
        )?;
        let mark = columns.field(record, "mark_price");
        let price = self
            .market
            .units(symbol)
            .ticks(
                &columns.parse_decimal(line, "mark_price", mark)?,
                "mark_price",
            )
            .map_err(|e| InputError::from_field(&columns.file, line, "", e))?;
        Ok(TickRecord {
            line,
            tick: Tick { seq, symbol, price },
            mark: mark.to_owned(),
        })
    }
}

impl<R: Read> Iterator for TickReader<R> {
    type Item = Result<TickRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let parsed = match self.input.next_record(&mut self.record)? {
            Ok(line) => self.parse(line).map_err(ReadError::from),
            Err(e) => Err(e),
        };
        if let Ok(t) = &parsed {
            self.last_seq = Some((t.tick.seq, t.line));
        }
        Some(parsed)
    }
}

/// Reads a whole tick file; the first bad line is the error.
pub fn read_ticks<R: Read>(
    input: R,
    file: &str,
    market: Arc<Market>,
) -> Result<Vec<TickRecord>, ReadError> {
    TickReader::new(input, file, market)?.collect()
}
