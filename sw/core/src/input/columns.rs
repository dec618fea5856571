//! What the two CSV inputs share: the exact header, the field count, line
//! numbers, and the strict parsing of integer and decimal fields.

use std::io::Read;

use rust_decimal::Decimal;

use super::error::{shown, InputError, ReadError};
use super::lines::LineTrack;
use crate::decimal::parse_decimal;
use crate::market::{Market, SymbolId};

/// A CSV input with a fixed header, read record by record.
pub(crate) struct CsvInput<R> {
    pub columns: Columns,
    reader: csv::Reader<LineTrack<R>>,
    done: bool,
}

impl<R: Read> CsvInput<R> {
    /// Opens an input and checks its header names exactly `names`, in order.
    pub fn open(input: R, file: &str, names: &'static [&'static str]) -> Result<Self, ReadError> {
        // Flexible: the field count is checked here, so the error carries the line.
        let reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(LineTrack::new(input));
        let mut this = Self {
            columns: Columns {
                file: file.to_owned(),
                names,
            },
            reader,
            done: false,
        };
        let header = match this.reader.headers() {
            Ok(header) => header.clone(),
            Err(e) => return Err(this.csv_error(e)),
        };
        let line = this.reader.get_mut().line_at(0);
        if let Some(error) = this.swallowed(0, line) {
            return Err(error.into());
        }
        this.columns.check_header(&header, line)?;
        if line > 1 {
            return Err(InputError::new(
                file,
                1,
                "header",
                format!("blank line before the header: the header must be line 1 (found at line {line})"),
            )
            .into());
        }
        Ok(this)
    }

    /// Reads the next record into `record` and returns its line, or the
    /// error that makes this record bad (the next call goes on after it),
    /// or `None` at the end (and after an I/O error).
    pub fn next_record(
        &mut self,
        record: &mut csv::StringRecord,
    ) -> Option<Result<u64, ReadError>> {
        if self.done {
            return None;
        }
        match self.reader.read_record(record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let start = record.position().map_or(0, |p| p.byte());
                let line = self.line_of(record.position());
                if let Some(error) = self.swallowed(start, line) {
                    return Some(Err(error.into()));
                }
                Some(
                    self.columns
                        .check_fields(record, line)
                        .map(|()| line)
                        .map_err(ReadError::from),
                )
            }
            Err(e) => Some(Err(self.csv_error(e))),
        }
    }

    /// The record at byte `start` (line `line`) that was just read, if a
    /// quote opened in it was never closed: it ran to the end of the input,
    /// taking every line after it as part of one field.
    fn swallowed(&mut self, start: u64, line: u64) -> Option<InputError> {
        let open = self.reader.get_ref().open_quote()?;
        let end = self.reader.position().byte();
        if !(start <= open.offset && open.offset < end) {
            return None;
        }
        self.done = true;
        let lines = if open.last_line > open.line {
            format!("lines {} to {}", open.line, open.last_line)
        } else {
            format!("line {}", open.line)
        };
        let reason = format!(
            "unterminated quote: the quote opened at line {} is never closed, so the rest of \
             the file ({lines}) was read as one field; nothing after it was read",
            open.line
        );
        Some(InputError::new(&self.columns.file, line, "record", reason))
    }

    fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        self.reader
            .get_mut()
            .line_at(position.map_or(0, |p| p.byte()))
    }

    /// A `csv` failure: I/O stays I/O (and ends the input), the rest is bad input.
    fn csv_error(&mut self, error: csv::Error) -> ReadError {
        let file = self.columns.file.clone();
        let position = error.position().cloned();
        match error.into_kind() {
            csv::ErrorKind::Io(source) => {
                self.done = true;
                ReadError::Io { file, source }
            }
            csv::ErrorKind::Utf8 { pos, .. } => {
                let line = self.line_of(pos.as_ref().or(position.as_ref()));
                InputError::new(&file, line, "record", "invalid UTF-8").into()
            }
            kind => {
                let line = self.line_of(position.as_ref());
                InputError::new(&file, line, "record", format!("{kind:?}")).into()
            }
        }
    }
}

/// The columns a CSV input must have, in order.
pub(crate) struct Columns {
    pub file: String,
    pub names: &'static [&'static str],
}

impl Columns {
    /// Checks the header names exactly these columns in this order; a
    /// refusal shows the header found (cut to a few dozen characters).
    fn check_header(&self, header: &csv::StringRecord, line: u64) -> Result<(), InputError> {
        let got: Vec<&str> = header.iter().collect();
        if got == self.names {
            return Ok(());
        }
        let expected = self.names.join(",");
        if got.is_empty() || got == [""] {
            let reason = format!("missing header: expected `{expected}`");
            return Err(InputError::new(&self.file, line, "header", reason));
        }
        let problem = if let Some(missing) = self.names.iter().find(|n| !got.contains(n)) {
            format!("missing column `{missing}`")
        } else if let Some(extra) = got.iter().find(|n| !self.names.contains(n)) {
            format!("unexpected column {}", shown(extra))
        } else {
            "columns out of order or repeated".to_owned()
        };
        // A name with spaces around it is the usual culprit: say so.
        let spaced = got
            .iter()
            .find(|n| n.trim() != **n && self.names.contains(&n.trim()))
            .map(|n| format!(" (column {} has spaces around it)", shown(n)))
            .unwrap_or_default();
        let reason = format!(
            "{problem}{spaced}: expected `{expected}`, found {}",
            shown(&got.join(","))
        );
        Err(InputError::new(&self.file, line, "header", reason))
    }

    fn check_fields(&self, record: &csv::StringRecord, line: u64) -> Result<(), InputError> {
        if record.len() != self.names.len() {
            let reason = format!("expected {} fields, got {}", self.names.len(), record.len());
            return Err(InputError::new(&self.file, line, "record", reason));
        }
        Ok(())
    }

    /// The field named `name` (which is one of the columns).
    pub fn field<'r>(&self, record: &'r csv::StringRecord, name: &str) -> &'r str {
        let index = self
            .names
            .iter()
            .position(|n| *n == name)
            .expect("a known column");
        &record[index]
    }

    /// An unsigned 64-bit integer: digits only.
    pub fn parse_u64(&self, line: u64, field: &str, text: &str) -> Result<u64, InputError> {
        let error = |reason: String| InputError::new(&self.file, line, field, reason);
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            let reason = format!(
                "not an unsigned integer: {} (expected digits only)",
                shown(text)
            );
            return Err(error(reason));
        }
        text.parse()
            .map_err(|_| error("out of range: must be < 2^64".into()))
    }

    /// A decimal number, exactly (see [`parse_decimal`]).
    pub fn parse_decimal(&self, line: u64, field: &str, text: &str) -> Result<Decimal, InputError> {
        parse_decimal(text).map_err(|e| InputError::new(&self.file, line, field, e))
    }

    /// A symbol of `market`, by name.
    pub fn parse_symbol(
        &self,
        market: &Market,
        line: u64,
        field: &str,
        name: &str,
    ) -> Result<SymbolId, InputError> {
        market.id(name).ok_or_else(|| {
            InputError::new(
                &self.file,
                line,
                field,
                format!("unknown symbol {}", shown(name)),
            )
        })
    }
}
