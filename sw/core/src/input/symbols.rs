//! `symbols.toml`: the book-wide `liquidate_at_equal` and one `[[symbol]]`
//! table per symbol with its `[[symbol.brackets]]` ladder. Decimals are TOML
//! strings or integers, never floats. Errors name the line of the offending
//! key or table, found through the TOML parser's spans.

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::{Spanned, Value};

use super::error::{shown, InputError, ReadError};
use crate::decimal::parse_decimal;
use crate::market::{Market, Symbol};
use crate::spec::{BracketInput, FieldError, MAX_BRACKETS};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    liquidate_at_equal: Option<bool>,
    #[serde(default)]
    symbol: Vec<Spanned<SymbolDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SymbolDoc {
    name: Spanned<String>,
    tick_size: Spanned<Value>,
    lot_size: Spanned<Value>,
    brackets: Option<Spanned<Vec<Spanned<BracketDoc>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BracketDoc {
    notional_cap: Option<Spanned<Value>>,
    mmr: Spanned<Value>,
    maint_amount: Spanned<Value>,
}

/// Reads a symbols file (UTF-8 TOML).
pub fn read_symbols<R: Read>(mut input: R, file: &str) -> Result<Market, ReadError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|source| ReadError::Io {
            file: file.to_owned(),
            source,
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        InputError::new(file, line, "toml", "invalid UTF-8")
    })?;
    Ok(parse_symbols(text, file)?)
}

/// Parses and validates a symbols file.
pub fn parse_symbols(text: &str, file: &str) -> Result<Market, InputError> {
    let source = Source::new(text, file);
    let doc: FileDoc = toml::from_str(text).map_err(|e| source.toml_error(&e))?;
    if doc.symbol.is_empty() {
        return Err(InputError::new(
            file,
            1,
            "symbol",
            "no [[symbol]] table: define at least one symbol",
        ));
    }
    let mut market = Market::new(doc.liquidate_at_equal.unwrap_or(false));
    let mut first_lines: HashMap<String, u64> = HashMap::new();
    for (i, symbol) in doc.symbol.iter().enumerate() {
        let prefix = format!("symbol[{i}].");
        let at = |span: Range<usize>, field: &str, reason: String| {
            source.error(span, format!("{prefix}{field}"), reason)
        };
        let doc = symbol.get_ref();
        let name = doc.name.get_ref();
        if name.is_empty() {
            return Err(at(doc.name.span(), "name", "empty value".into()));
        }
        let name_line = source.line(doc.name.span().start);
        if let Some(first) = first_lines.insert(name.clone(), name_line) {
            return Err(at(
                doc.name.span(),
                "name",
                format!(
                    "duplicate symbol name {} (first at line {first})",
                    shown(name)
                ),
            ));
        }
        let tick_size = source.decimal(&doc.tick_size, &prefix, "tick_size")?;
        let lot_size = source.decimal(&doc.lot_size, &prefix, "lot_size")?;
        let brackets = doc.brackets.as_ref().map_or(&[][..], |b| b.get_ref());
        let mut ladder = Vec::with_capacity(brackets.len());
        for (j, bracket) in brackets.iter().enumerate() {
            let field = |name: &str| format!("{prefix}brackets[{j}].{name}");
            let b = bracket.get_ref();
            ladder.push(BracketInput {
                notional_cap: b
                    .notional_cap
                    .as_ref()
                    .map(|v| source.decimal(v, "", &field("notional_cap")))
                    .transpose()?,
                mmr: source.decimal(&b.mmr, "", &field("mmr"))?,
                maint_amount: source.decimal(&b.maint_amount, "", &field("maint_amount"))?,
            });
        }
        let compiled = Symbol::new(name.clone(), tick_size, lot_size, ladder).map_err(|e| {
            let span = field_span(symbol, &e);
            source.error(span, format!("{prefix}{}", e.field), e.reason)
        })?;
        market
            .add(compiled)
            .map_err(|e| at(symbol.span(), "name", e.to_string()))?;
    }
    Ok(market)
}

/// The span of the key a [`Symbol::new`] error is about (`tick_size`,
/// `lot_size`, `brackets`, `brackets[j].<key>`), else of the symbol's table.
fn field_span(symbol: &Spanned<SymbolDoc>, error: &FieldError) -> Range<usize> {
    let doc = symbol.get_ref();
    let brackets = doc.brackets.as_ref();
    let bracket = |j: usize| brackets.and_then(|b| b.get_ref().get(j));
    match error.field.as_str() {
        "tick_size" => doc.tick_size.span(),
        "lot_size" => doc.lot_size.span(),
        // Too many brackets: the first one too many; none: the symbol.
        "brackets" => bracket(MAX_BRACKETS).map_or_else(|| symbol.span(), |b| b.span()),
        other => {
            let parsed = other
                .strip_prefix("brackets[")
                .and_then(|rest| rest.split_once("]."))
                .and_then(|(j, key)| Some((j.parse::<usize>().ok()?, key)));
            match parsed.and_then(|(j, key)| Some((bracket(j)?, key))) {
                Some((b, key)) => {
                    let value = match key {
                        "notional_cap" => b.get_ref().notional_cap.as_ref(),
                        "mmr" => Some(&b.get_ref().mmr),
                        "maint_amount" => Some(&b.get_ref().maint_amount),
                        _ => None,
                    };
                    value.map_or_else(|| b.span(), |v| v.span())
                }
                None => symbol.span(),
            }
        }
    }
}

/// The text being parsed, for turning spans into lines.
struct Source<'a> {
    text: &'a str,
    file: &'a str,
    /// Offset of every `\n`, ascending: a line is found by binary search, so
    /// locating each of 4,096 symbols costs no rescan of the text before it.
    newlines: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str, file: &'a str) -> Self {
        let newlines = text
            .bytes()
            .enumerate()
            .filter_map(|(i, b)| (b == b'\n').then_some(i))
            .collect();
        Self {
            text,
            file,
            newlines,
        }
    }

    /// The 1-based line of a byte offset: one more than the `\n` before it.
    fn line(&self, offset: usize) -> u64 {
        1 + self.newlines.partition_point(|&i| i < offset) as u64
    }

    fn error(&self, span: Range<usize>, field: String, reason: impl ToString) -> InputError {
        InputError::new(self.file, self.line(span.start), field, reason)
    }

    /// A decimal written as a TOML string or integer; floats are refused.
    fn decimal(
        &self,
        value: &Spanned<Value>,
        prefix: &str,
        field: &str,
    ) -> Result<Decimal, InputError> {
        let error = |reason: String| self.error(value.span(), format!("{prefix}{field}"), reason);
        match value.get_ref() {
            Value::String(s) => parse_decimal(s).map_err(|e| error(e.to_string())),
            Value::Integer(i) => Ok(Decimal::from(*i)),
            Value::Float(_) => {
                let raw = self.text.get(value.span()).unwrap_or("").trim();
                Err(error(format!(
                    "TOML float {raw} refused: floats are inexact, write it as a string, \"{raw}\""
                )))
            }
            other => Err(error(format!(
                "expected a decimal string or an integer, got a {}",
                other.type_str()
            ))),
        }
    }

    /// A TOML syntax or shape error: its line, and the key it is about.
    fn toml_error(&self, error: &toml::de::Error) -> InputError {
        let message = error.message();
        let offset = error.span().map_or(0, |s| s.start).min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_text = self.text[start..].lines().next().unwrap_or("").trim();
        // `unknown field `x``, `missing field `x``: name the key itself.
        let named = message
            .split_once("field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(key, _)| key);
        let field = match named {
            Some(key) => key.to_owned(),
            None if line_text.starts_with('[') => line_text.to_owned(),
            None => line_text
                .split_once('=')
                .map(|(key, _)| key.trim())
                .filter(|key| !key.is_empty())
                .unwrap_or("toml")
                .to_owned(),
        };
        let bytes = self.text.as_bytes();
        let lone_cr = bytes.get(offset) == Some(&b'\r') && bytes.get(offset + 1) != Some(&b'\n');
        let reason = if lone_cr {
            "carriage return (CR) without a line feed: TOML lines end with LF or CRLF".to_owned()
        } else if message.trim().is_empty() {
            "invalid TOML".to_owned()
        } else if message.starts_with("unknown field") {
            match message.split_once(", ") {
                Some((_, allowed)) => format!("unknown key `{field}` ({allowed})"),
                None => format!("unknown key `{field}`"),
            }
        } else {
            message.to_owned()
        };
        InputError::new(self.file, self.line(offset), field, reason)
    }
}
