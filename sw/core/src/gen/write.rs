//! Writers for the input files (`symbols.toml`, `positions.csv`,
//! `ticks.csv`, `events.jsonl`), exact decimals derived from the spec
//! integers.

use std::fmt::Write as _;
use std::io;

use rust_decimal::Decimal;

use super::events::{LiveEvent, LiveLine};
use crate::book::Position;
use crate::decimal::parts;
use crate::engine::Tick;
use crate::market::Market;
use crate::spec::units::format_scaled;

/// An exact decimal as a TOML string.
fn toml_decimal(value: &Decimal) -> String {
    let (mantissa, decimals) = parts(value);
    toml_string(&format_scaled(mantissa, decimals))
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The market as a symbols file: decimals as TOML strings, one
/// `[[symbol.brackets]]` per bracket as written, no cap on the last.
pub fn write_symbols_toml(market: &Market) -> String {
    let mut out = String::new();
    // `fmt::Write` into a String cannot fail.
    let _ = writeln!(out, "liquidate_at_equal = {}", market.liquidate_at_equal);
    for symbol in market.symbols() {
        let _ = writeln!(out, "\n[[symbol]]");
        let _ = writeln!(out, "name = {}", toml_string(&symbol.name));
        let _ = writeln!(out, "tick_size = {}", toml_decimal(&symbol.tick_size));
        let _ = writeln!(out, "lot_size = {}", toml_decimal(&symbol.lot_size));
        for bracket in &symbol.ladder {
            let _ = writeln!(out, "[[symbol.brackets]]");
            if let Some(cap) = &bracket.notional_cap {
                let _ = writeln!(out, "notional_cap = {}", toml_decimal(cap));
            }
            let _ = writeln!(out, "mmr = {}", toml_decimal(&bracket.mmr));
            let _ = writeln!(
                out,
                "maint_amount = {}",
                toml_decimal(&bracket.maint_amount)
            );
        }
    }
    out
}

/// `id,account,symbol,qty,entry_price,margin`: `qty = Q·lot`,
/// `entry_price = Pe·tick`, `margin = C·10^-s`.
pub fn write_positions_csv(
    market: &Market,
    positions: &[Position],
    out: impl io::Write,
) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["id", "account", "symbol", "qty", "entry_price", "margin"])?;
    for p in positions {
        let symbol = market.symbol(p.symbol);
        let units = &symbol.units;
        csv.write_record([
            p.id.to_string().as_str(),
            &p.account,
            &symbol.name,
            &units.lot.format(i128::from(p.qty_lots)),
            &units.format_price(p.entry_ticks),
            &units.format_units(p.margin_units),
        ])?;
    }
    csv.flush()
}

/// `seq,symbol,mark_price`: `mark_price = P·tick`.
pub fn write_ticks_csv(market: &Market, ticks: &[Tick], out: impl io::Write) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["seq", "symbol", "mark_price"])?;
    for tick in ticks {
        let symbol = market.symbol(tick.symbol);
        csv.write_record([
            tick.seq.to_string().as_str(),
            &symbol.name,
            &symbol.units.format_price(tick.price),
        ])?;
    }
    csv.flush()
}

/// A JSON string (names and accounts may need escaping; decimals never do).
fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// `events.jsonl`: one JSON object per line, fields in the order
/// `docs/input.md` lists them, decimals as JSON strings.
pub fn write_events_jsonl(
    market: &Market,
    lines: impl IntoIterator<Item = LiveLine>,
    mut out: impl io::Write,
) -> io::Result<()> {
    for LiveLine { seq, event } in lines {
        match event {
            LiveEvent::Tick(tick) => {
                let symbol = market.symbol(tick.symbol);
                writeln!(
                    out,
                    r#"{{"seq":{seq},"kind":"tick","symbol":{},"mark_price":"{}"}}"#,
                    json_string(&symbol.name),
                    symbol.units.format_price(tick.price)
                )?;
            }
            LiveEvent::Open(p) => {
                let symbol = market.symbol(p.symbol);
                let units = &symbol.units;
                writeln!(
                    out,
                    r#"{{"seq":{seq},"kind":"open","id":{},"account":{},"symbol":{},"qty":"{}","entry_price":"{}","margin":"{}"}}"#,
                    p.id,
                    json_string(&p.account),
                    json_string(&symbol.name),
                    units.lot.format(i128::from(p.qty_lots)),
                    units.format_price(p.entry_ticks),
                    units.format_units(p.margin_units)
                )?;
            }
            LiveEvent::Update(p) => {
                let units = market.units(p.symbol);
                writeln!(
                    out,
                    r#"{{"seq":{seq},"kind":"update","id":{},"qty":"{}","entry_price":"{}","margin":"{}"}}"#,
                    p.id,
                    units.lot.format(i128::from(p.qty_lots)),
                    units.format_price(p.entry_ticks),
                    units.format_units(p.margin_units)
                )?;
            }
            LiveEvent::Margin {
                id,
                symbol,
                delta,
                reason,
            } => {
                writeln!(
                    out,
                    r#"{{"seq":{seq},"kind":"margin","id":{id},"delta":"{}","reason":"{}"}}"#,
                    market.units(symbol).format_units(delta),
                    reason.name()
                )?;
            }
            LiveEvent::Close(id) => {
                writeln!(out, r#"{{"seq":{seq},"kind":"close","id":{id}}}"#)?;
            }
        }
    }
    out.flush()
}
