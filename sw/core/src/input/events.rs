//! `events.jsonl`: the live stream. JSON Lines, one object per line, ticks
//! and changes to the book interleaved in `seq` order:
//!
//! ```text
//! {"seq":1,"kind":"open","id":7,"account":"a","symbol":"BTCUSDT","qty":"-0.5","entry_price":"50000","margin":"2500"}
//! {"seq":2,"kind":"update","id":7,"qty":"-0.8","entry_price":"50100.5","margin":"4000"}
//! {"seq":3,"kind":"margin","id":7,"delta":"-100","reason":"withdraw"}
//! {"seq":4,"kind":"close","id":7}
//! {"seq":5,"kind":"tick","symbol":"BTCUSDT","mark_price":"45000.1"}
//! ```
//!
//! Decimals are JSON strings in the one decimal grammar (a JSON number there
//! is refused, as a TOML float is); `seq` and `id` are JSON integers below
//! 2^64, `seq` strictly increasing across all kinds. Every rule, and every
//! refusal, is in `docs/input.md` ("events.jsonl").
//!
//! A line is judged in this order: its JSON (an object, known field names,
//! none twice), `seq`, `kind`, the fields of that kind (none missing, none
//! of another kind), each field's value on its own, and last the change
//! against the book as it stands: the position it names, its symbol's grid,
//! the margin rules. A change to a position that a tick has already
//! liquidated is [`Stale`], not an error; it is judged up to the book step
//! (the position, and so its grid, is gone).

use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::error::{shown, InputError, ReadError};
use super::jsonl::{JsonLines, Line, MAX_LINE_BYTES};
use super::stream::{
    Change, ChangeKind, Item, ItemRecord, MarginReason, Stale, Stream, StreamKind,
};
use crate::book::{Book, Position, Update};
use crate::decimal::parse_decimal;
use crate::engine::Tick;
use crate::market::{Market, SymbolId};
use crate::spec::{FieldError, AMOUNT_LIMIT, MAX_POSITIONS};

/// Every field name a line may have, whatever its kind.
pub const EVENT_FIELDS: [&str; 11] = [
    "seq",
    "kind",
    "id",
    "account",
    "symbol",
    "qty",
    "entry_price",
    "margin",
    "delta",
    "reason",
    "mark_price",
];

/// The kinds of line and the fields of each, in the order they are judged.
pub const EVENT_KINDS: [(&str, &[&str]); 5] = [
    (
        "open",
        &[
            "seq",
            "kind",
            "id",
            "account",
            "symbol",
            "qty",
            "entry_price",
            "margin",
        ],
    ),
    (
        "update",
        &["seq", "kind", "id", "qty", "entry_price", "margin"],
    ),
    ("margin", &["seq", "kind", "id", "delta", "reason"]),
    ("close", &["seq", "kind", "id"]),
    ("tick", &["seq", "kind", "symbol", "mark_price"]),
];

/// A field as written: any JSON value (`null` included), or absent.
#[derive(Debug, Default)]
struct Field(Option<Value>);

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(|value| Field(Some(value)))
    }
}

/// One line as JSON: the union of every kind's fields, nothing else.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawEvent {
    seq: Field,
    kind: Field,
    id: Field,
    account: Field,
    symbol: Field,
    qty: Field,
    entry_price: Field,
    margin: Field,
    delta: Field,
    reason: Field,
    mark_price: Field,
}

impl RawEvent {
    /// Every field by name, in [`EVENT_FIELDS`] order.
    fn fields(&self) -> [(&'static str, &Field); 11] {
        [
            ("seq", &self.seq),
            ("kind", &self.kind),
            ("id", &self.id),
            ("account", &self.account),
            ("symbol", &self.symbol),
            ("qty", &self.qty),
            ("entry_price", &self.entry_price),
            ("margin", &self.margin),
            ("delta", &self.delta),
            ("reason", &self.reason),
            ("mark_price", &self.mark_price),
        ]
    }
}

/// A line's content once every field has been read on its own.
#[derive(Debug)]
enum Body {
    Open {
        id: u64,
        account: String,
        symbol: SymbolId,
        qty: Decimal,
        entry_price: Decimal,
        margin: Decimal,
    },
    Update {
        id: u64,
        qty: Decimal,
        entry_price: Decimal,
        margin: Decimal,
    },
    Margin {
        id: u64,
        delta: Decimal,
        reason: MarginReason,
    },
    Close {
        id: u64,
    },
    /// Its price already on the symbol's grid (`P = mark / tick_size`).
    Tick {
        symbol: SymbolId,
        price: u32,
    },
}

/// What the reader knows of an id it has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// Open: from the opening book (`None`) or an `open` at this line.
    Open(Option<u64>),
    /// Closed by a `close` at this line.
    Closed(u64),
    /// Liquidated by the tick with this `seq`.
    Liquidated(u64),
}

impl Known {
    fn describe(self) -> String {
        match self {
            Known::Open(None) => "it is in the opening book".to_owned(),
            Known::Open(Some(line)) => format!("opened at line {line}"),
            Known::Closed(line) => format!("closed at line {line}"),
            Known::Liquidated(tick) => format!("liquidated at tick {tick}"),
        }
    }
}

/// The position a change names, as the book holds it now.
enum Target<'b> {
    Open(&'b Position),
    Stale(Option<u64>),
}

/// A line of `events.jsonl` read and checked on its own: its JSON, its
/// `seq` as a number, its kind, fields and values, and a tick's price on its
/// symbol's grid. What it does to the book is for [`EventJudge::judge`].
#[derive(Debug)]
pub struct EventLine {
    line: u64,
    seq: u64,
    /// Its content, or why it is bad after its `seq` (the judge checks the
    /// `seq` first, as the order of checks requires).
    body: Result<Body, InputError>,
}

/// The first step of reading `events.jsonl`: lines read and checked on their
/// own ([`EventLine`]), needing nothing but the market, so it may run ahead
/// of the book on another thread. A line bad before its `seq` is known (too
/// long, not UTF-8, not a JSON object, its JSON, its `seq`) is the error;
/// after an I/O error it stops.
pub struct EventParser<R> {
    lines: JsonLines<R>,
    file: String,
    market: Arc<Market>,
}

impl<R: BufRead> EventParser<R> {
    pub fn new(input: R, file: &str, market: Arc<Market>) -> Self {
        Self {
            lines: JsonLines::new(input),
            file: file.to_owned(),
            market,
        }
    }

    /// The input's name in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The next line, or the error that makes it bad before its `seq` is
    /// known, or the I/O error that ends the input; `None` at the end.
    pub fn next_line(&mut self) -> Option<Result<EventLine, ReadError>> {
        let (line, raw) = loop {
            let (line, text) = match self.lines.next_line()? {
                Ok((line, Line::Text(text))) => (line, text),
                Ok((line, Line::TooLong(bytes))) => {
                    let reason = format!("line too long: {bytes} bytes, at most {MAX_LINE_BYTES}");
                    return Some(Err(self.bad(line, "record", reason).into()));
                }
                Ok((line, Line::NotUtf8)) => {
                    return Some(Err(self.bad(line, "record", "invalid UTF-8").into()))
                }
                Err(source) => {
                    let file = self.file.clone();
                    return Some(Err(ReadError::Io { file, source }));
                }
            };
            let trimmed = text.trim_matches([' ', '\t']);
            if trimmed.is_empty() {
                continue; // a blank line
            }
            if !trimmed.starts_with('{') {
                let reason = format!("not a JSON object: {}", shown(trimmed));
                return Some(Err(self.bad(line, "record", reason).into()));
            }
            break (line, serde_json::from_str::<RawEvent>(text));
        };
        let parsed = raw
            .map_err(|e| json_error(&self.file, line, &e))
            .and_then(|raw| {
                let fields = Fields {
                    file: &self.file,
                    line,
                    market: &self.market,
                    raw: &raw,
                };
                let seq = fields.unsigned("seq")?;
                Ok(EventLine {
                    line,
                    seq,
                    body: fields.body(),
                })
            });
        Some(parsed.map_err(ReadError::from))
    }

    fn bad(&self, line: u64, field: &str, reason: impl ToString) -> InputError {
        InputError::new(&self.file, line, field, reason)
    }
}

/// The second step of reading `events.jsonl`: each [`EventLine`], in order,
/// judged against the book as it stands (see [`Stream`] for the caller's
/// part: apply every change before judging the next line, report every
/// liquidation). A bad line is the error and the judge goes on with the
/// next one (`seq` must exceed that of the last good line).
///
/// It remembers every id it has seen (the opening book's, every `open`'s)
/// and what became of it, about 40 bytes each: an id is never reused.
#[derive(Debug)]
pub struct EventJudge {
    file: String,
    /// `seq` and line of the last good line.
    last_seq: Option<(u64, u64)>,
    known: HashMap<u64, Known>,
}

impl EventJudge {
    /// A judge of the lines of `file` whose positions before the first line
    /// are `book`'s (the opening book; its ids count as seen).
    pub fn new(file: &str, book: &Book) -> Self {
        let known = book
            .positions()
            .map(|p| (p.id, Known::Open(None)))
            .collect();
        Self {
            file: file.to_owned(),
            last_seq: None,
            known,
        }
    }

    /// The input's name in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// A tick (`seq` `tick`) liquidated position `id`. The id is known (it
    /// was open), so this replaces an entry and never allocates.
    pub fn liquidated(&mut self, id: u64, tick: u64) {
        self.known.insert(id, Known::Liquidated(tick));
    }

    fn bad(&self, line: u64, field: &str, reason: impl ToString) -> InputError {
        InputError::new(&self.file, line, field, reason)
    }

    /// The item `line` makes on `book`: its `seq` against the last good
    /// line's, then whatever made it bad on its own, then the change against
    /// the book.
    pub fn judge(&mut self, book: &Book, line: EventLine) -> Result<ItemRecord, InputError> {
        let EventLine { line, seq, body } = line;
        if let Some((last, last_line)) = self.last_seq.filter(|&(last, _)| seq <= last) {
            let reason = format!("not increasing: {seq} after {last} (line {last_line})");
            return Err(self.bad(line, "seq", reason));
        }
        let (item, known) = self.change(book, line, seq, body?)?;
        if let Some((id, known)) = known {
            self.known.insert(id, known);
        }
        self.last_seq = Some((seq, line));
        Ok(ItemRecord { line, seq, item })
    }
    /// The position `id` names for a change of `kind`: open in `book`, or
    /// stale; an id never opened or closed is bad input.
    fn target<'b>(&self, book: &'b Book, line: u64, id: u64) -> Result<Target<'b>, InputError> {
        match self.known.get(&id) {
            None => Err(self.bad(line, "id", format!("position {id} was never opened"))),
            Some(Known::Closed(at)) => {
                Err(self.bad(line, "id", format!("position {id} was closed at line {at}")))
            }
            Some(Known::Liquidated(tick)) => Ok(Target::Stale(Some(*tick))),
            Some(Known::Open(_)) => Ok(book.get(id).map_or(Target::Stale(None), Target::Open)),
        }
    }

    /// The item a line makes, and what the reader learns of its id.
    fn change(
        &self,
        book: &Book,
        line: u64,
        seq: u64,
        body: Body,
    ) -> Result<(Item, Option<(u64, Known)>), InputError> {
        let located = |e: FieldError| InputError::from_field(&self.file, line, "", e);
        let stale = |kind, id, liquidated_at| {
            let stale = Stale {
                kind,
                id,
                liquidated_at,
            };
            Ok((Item::Stale(stale), None))
        };
        let change = |kind, update, known| Ok((Item::Change(Change { kind, update }), known));
        match body {
            Body::Tick { symbol, price } => Ok((Item::Tick(Tick { seq, symbol, price }), None)),
            Body::Open {
                id,
                account,
                symbol,
                qty,
                entry_price,
                margin,
            } => {
                if let Some(known) = self.known.get(&id) {
                    let reason = format!(
                        "id {id} seen before ({}): an id is never reused",
                        known.describe()
                    );
                    return Err(self.bad(line, "id", reason));
                }
                if book.len() >= MAX_POSITIONS {
                    let reason = format!("too many open positions: at most {MAX_POSITIONS}");
                    return Err(self.bad(line, "id", reason));
                }
                let units = book.market.units(symbol);
                let position = Position {
                    id,
                    account,
                    symbol,
                    qty_lots: units.lots(&qty).map_err(located)?,
                    entry_ticks: units.ticks(&entry_price, "entry_price").map_err(located)?,
                    margin_units: units.quote_units(&margin, "margin").map_err(located)?,
                };
                let known = Some((id, Known::Open(Some(line))));
                change(ChangeKind::Open, Update::Upsert(position), known)
            }
            Body::Update {
                id,
                qty,
                entry_price,
                margin,
            } => {
                let old = match self.target(book, line, id)? {
                    Target::Open(old) => old,
                    Target::Stale(at) => return stale(ChangeKind::Update, id, at),
                };
                let units = book.market.units(old.symbol);
                let position = Position {
                    qty_lots: units.lots(&qty).map_err(located)?,
                    entry_ticks: units.ticks(&entry_price, "entry_price").map_err(located)?,
                    margin_units: units.quote_units(&margin, "margin").map_err(located)?,
                    ..old.clone()
                };
                change(ChangeKind::Update, Update::Upsert(position), None)
            }
            Body::Margin { id, delta, reason } => {
                let kind = ChangeKind::Margin(reason);
                let old = match self.target(book, line, id)? {
                    Target::Open(old) => old,
                    Target::Stale(at) => return stale(kind, id, at),
                };
                let units = book.market.units(old.symbol);
                let delta = units.signed_quote_units(&delta, "delta").map_err(located)?;
                let margin = old.margin_units + delta;
                let show = |u: i128| units.format_units(u);
                if reason == MarginReason::Withdraw && margin < 0 {
                    let reason = format!(
                        "a withdraw of {} would leave the margin at {} (it is {}): a withdraw must leave it >= 0",
                        show(-delta),
                        show(margin),
                        show(old.margin_units)
                    );
                    return Err(self.bad(line, "delta", reason));
                }
                if !units.margin_in_range(margin) {
                    let reason = format!(
                        "the margin would be {} (it is {}): out of range, must be > -{AMOUNT_LIMIT} and < {AMOUNT_LIMIT}",
                        show(margin),
                        show(old.margin_units)
                    );
                    return Err(self.bad(line, "delta", reason));
                }
                let position = Position {
                    margin_units: margin,
                    ..old.clone()
                };
                change(kind, Update::Upsert(position), None)
            }
            Body::Close { id } => match self.target(book, line, id)? {
                Target::Open(_) => {
                    let known = Some((id, Known::Closed(line)));
                    change(ChangeKind::Close, Update::Close(id), known)
                }
                Target::Stale(at) => stale(ChangeKind::Close, id, at),
            },
        }
    }
}

/// Reads `events.jsonl` one line at a time, judging each change against the
/// book it is handed: an [`EventParser`] and an [`EventJudge`] in one (see
/// [`Stream`] for the caller's part). A bad line yields an error and the
/// reader goes on with the next one (`seq` must exceed that of the last
/// good line); after an I/O error it stops.
pub struct EventReader<R> {
    parser: EventParser<R>,
    judge: EventJudge,
}

impl<R: BufRead> EventReader<R> {
    /// A stream over `input` whose positions before the first line are
    /// `book`'s (the opening book; its ids count as seen).
    pub fn new(input: R, file: &str, book: &Book) -> Self {
        Self {
            parser: EventParser::new(input, file, book.market.clone()),
            judge: EventJudge::new(file, book),
        }
    }

    /// The next item; see [`Stream::next_item`].
    pub fn next_event(&mut self, book: &Book) -> Option<Result<ItemRecord, ReadError>> {
        Some(match self.parser.next_line()? {
            Ok(line) => self.judge.judge(book, line).map_err(ReadError::from),
            Err(error) => Err(error),
        })
    }

    /// A tick (`seq` `tick`) liquidated position `id`.
    pub fn liquidated(&mut self, id: u64, tick: u64) {
        self.judge.liquidated(id, tick);
    }
}

impl<R: BufRead> Stream for EventReader<R> {
    fn kind(&self) -> StreamKind {
        StreamKind::Events
    }

    fn file(&self) -> &str {
        self.parser.file()
    }

    fn next_item(&mut self, book: &Book) -> Option<Result<ItemRecord, ReadError>> {
        self.next_event(book)
    }

    fn liquidated(&mut self, id: u64, tick: u64) {
        EventReader::liquidated(self, id, tick);
    }
}

/// A JSON error as a located refusal: an unknown or repeated field is that
/// field's error; anything else is the record's, at its column.
fn json_error(file: &str, line: u64, error: &serde_json::Error) -> InputError {
    let message = error.to_string();
    // serde_json ends with " at line 1 column N": the line is ours to give.
    let what = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(what, _)| what);
    // A field is named as written; an empty name is shown quoted.
    let field = |name: &str| {
        if name.is_empty() {
            shown(name)
        } else {
            name.to_owned()
        }
    };
    if let Some((name, _)) = what
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once("`, expected"))
    {
        let reason = format!(
            "unknown field {} (every kind's fields: {})",
            shown(name),
            EVENT_FIELDS.join(", ")
        );
        return InputError::new(file, line, field(name), reason);
    }
    if let Some(name) = what
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return InputError::new(file, line, field(name), "duplicate field");
    }
    let reason = format!("invalid JSON at column {}: {what}", error.column());
    InputError::new(file, line, "record", reason)
}

/// What kind of JSON value `value` is, for messages.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A line's fields, read one at a time into what they mean.
struct Fields<'a> {
    file: &'a str,
    line: u64,
    market: &'a Market,
    raw: &'a RawEvent,
}

impl Fields<'_> {
    fn bad(&self, field: &str, reason: impl ToString) -> InputError {
        InputError::new(self.file, self.line, field, reason)
    }

    /// The value of a field the kind has (checked present).
    fn value(&self, name: &str) -> Result<&Value, InputError> {
        let field = self
            .raw
            .fields()
            .into_iter()
            .find(|(n, _)| *n == name)
            .expect("a known field")
            .1;
        field
            .0
            .as_ref()
            .ok_or_else(|| self.bad(name, format!("missing field `{name}`")))
    }

    /// A JSON integer in `0 ..= 2^64 − 1`.
    fn unsigned(&self, name: &str) -> Result<u64, InputError> {
        let reason = match self.value(name)? {
            Value::Number(n) => match n.as_u64() {
                Some(value) => return Ok(value),
                None => {
                    format!("not an unsigned 64-bit integer: {n} (a JSON integer, 0 to 2^64 - 1)")
                }
            },
            Value::String(s) => format!(
                "a string {}, not a JSON integer: write it without quotes",
                shown(s)
            ),
            other => format!("expected a JSON integer, found {}", json_type(other)),
        };
        Err(self.bad(name, reason))
    }

    /// A JSON string.
    fn text(&self, name: &str) -> Result<&str, InputError> {
        match self.value(name)? {
            Value::String(s) => Ok(s),
            other => Err(self.bad(
                name,
                format!("expected a JSON string, found {}", json_type(other)),
            )),
        }
    }

    /// A decimal, written as a JSON string in the decimal grammar.
    fn decimal(&self, name: &str) -> Result<Decimal, InputError> {
        let reason = match self.value(name)? {
            Value::String(s) => match parse_decimal(s) {
                Ok(value) => return Ok(value),
                Err(e) => e.to_string(),
            },
            Value::Number(n) => format!(
                "JSON number {n} refused: numbers are inexact, write it as a string, \"{n}\""
            ),
            other => format!("expected a decimal string, found {}", json_type(other)),
        };
        Err(self.bad(name, reason))
    }

    fn symbol(&self, name: &str) -> Result<SymbolId, InputError> {
        let text = self.text(name)?;
        self.market
            .id(text)
            .ok_or_else(|| self.bad(name, format!("unknown symbol {}", shown(text))))
    }

    /// The kind, its fields (each present, none of another kind) and their values.
    fn body(&self) -> Result<Body, InputError> {
        let kinds = || {
            EVENT_KINDS
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let kind = match self.raw.kind.0 {
            None => {
                let reason = format!("missing field `kind` (one of {})", kinds());
                return Err(self.bad("kind", reason));
            }
            Some(_) => self.text("kind")?,
        };
        let Some(&(kind, names)) = EVENT_KINDS.iter().find(|(k, _)| *k == kind) else {
            let reason = format!("unknown kind {} (one of {})", shown(kind), kinds());
            return Err(self.bad("kind", reason));
        };
        let has = || format!("a `{kind}` line has {}", names.join(", "));
        for (name, field) in self.raw.fields() {
            if field.0.is_some() && !names.contains(&name) {
                let reason = format!("unknown field `{name}` for kind `{kind}` ({})", has());
                return Err(self.bad(name, reason));
            }
        }
        for (name, field) in self.raw.fields() {
            if field.0.is_none() && names.contains(&name) {
                return Err(self.bad(name, format!("missing field `{name}` ({})", has())));
            }
        }
        Ok(match kind {
            "open" => {
                let id = self.unsigned("id")?;
                let account = self.text("account")?;
                if account.is_empty() {
                    return Err(self.bad("account", "empty value"));
                }
                Body::Open {
                    id,
                    account: account.to_owned(),
                    symbol: self.symbol("symbol")?,
                    qty: self.decimal("qty")?,
                    entry_price: self.decimal("entry_price")?,
                    margin: self.decimal("margin")?,
                }
            }
            "update" => Body::Update {
                id: self.unsigned("id")?,
                qty: self.decimal("qty")?,
                entry_price: self.decimal("entry_price")?,
                margin: self.decimal("margin")?,
            },
            "margin" => {
                let id = self.unsigned("id")?;
                let delta = self.decimal("delta")?;
                let reason = self.text("reason")?;
                let Some(reason) = MarginReason::ALL.into_iter().find(|r| r.name() == reason)
                else {
                    let reason = format!(
                        "unknown reason {} (one of deposit, withdraw, funding)",
                        shown(reason)
                    );
                    return Err(self.bad("reason", reason));
                };
                let wrong_sign = match reason {
                    MarginReason::Deposit => (delta <= Decimal::ZERO).then_some("> 0"),
                    MarginReason::Withdraw => (delta >= Decimal::ZERO).then_some("< 0"),
                    MarginReason::Funding => None,
                };
                if let Some(rule) = wrong_sign {
                    let reason = format!(
                        "a {} must have delta {rule}, got {}",
                        reason.name(),
                        shown(&delta.to_string())
                    );
                    return Err(self.bad("delta", reason));
                }
                Body::Margin { id, delta, reason }
            }
            "close" => Body::Close {
                id: self.unsigned("id")?,
            },
            _ => {
                let symbol = self.symbol("symbol")?;
                let mark_price = self.decimal("mark_price")?;
                let price = self
                    .market
                    .units(symbol)
                    .ticks(&mark_price, "mark_price")
                    .map_err(|e| InputError::from_field(self.file, self.line, "", e))?;
                Body::Tick { symbol, price }
            }
        })
    }
}

/// Reads a whole events file against `book` (applying each change to it,
/// with no tick liquidating anything); the first bad line is the error.
pub fn read_events<R: BufRead>(
    input: R,
    file: &str,
    mut book: Book,
) -> Result<Vec<ItemRecord>, ReadError> {
    let mut reader = EventReader::new(input, file, &book);
    let mut records = Vec::new();
    while let Some(record) = reader.next_event(&book) {
        let record = record?;
        if let Item::Change(change) = &record.item {
            book.apply(&change.update);
        }
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests;
