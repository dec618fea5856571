//! The CSV: one row per case and series, every figure in ns.

use std::io::Write;

use crate::report::Case;

/// The CSV's columns.
pub const COLUMNS: [&str; 11] = [
    "case",
    "symbols",
    "positions_in_ticked_symbol",
    "series",
    "label",
    "ticks",
    "p50_ns",
    "p99_ns",
    "p999_ns",
    "max_ns",
    "liquidations",
];

/// Writes every case's series as CSV.
pub fn write_csv(cases: &[Case], clock_mhz: f64, out: impl Write) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for case in cases {
        for s in case.series(clock_mhz) {
            let l = s.latency;
            w.write_record([
                case.label.clone(),
                case.symbols.to_string(),
                case.ticked_slots.to_string(),
                s.key.clone(),
                s.label.clone(),
                case.ticks_of(&s.key).to_string(),
                l.p50.to_string(),
                l.p99.to_string(),
                l.p999.to_string(),
                l.max.to_string(),
                s.liquidations.map_or(String::new(), |n| n.to_string()),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}
