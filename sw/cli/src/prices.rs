//! `liqscan prices`: each open position's liquidation price on the tick
//! grid, nearest to a reference mark in the adverse direction.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use liqscan_core::prices::liquidation_price;

use crate::load;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    book: load::BookFiles,
    /// Marks (a ticks.csv): a symbol's last mark is its positions' reference;
    /// without one, a position's entry price is.
    #[arg(long)]
    marks: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let (market, book) = args.book.load()?;
    // The last mark of each symbol.
    let mut last = vec![None; market.len()];
    if let Some(path) = &args.marks {
        for tick in load::ticks(path, &market)? {
            let tick = tick.map_err(load::read_error)?.tick;
            last[tick.symbol.index()] = Some(tick.price);
        }
    }
    let mut out = csv::Writer::from_writer(BufWriter::new(io::stdout().lock()));
    out.write_record(["id", "symbol", "side", "reference", "liquidation_price"])?;
    for position in book.sorted() {
        let symbol = market.symbol(position.symbol);
        let units = &symbol.units;
        let reference = last[position.symbol.index()].unwrap_or(position.entry_ticks);
        let price = liquidation_price(
            units,
            position.constants(&market),
            reference,
            market.liquidate_at_equal,
        );
        out.write_record([
            position.id.to_string().as_str(),
            &symbol.name,
            if position.qty_lots > 0 {
                "long"
            } else {
                "short"
            },
            &units.format_price(reference),
            &price.map_or_else(|| "none".to_owned(), |p| units.format_price(p)),
        ])?;
    }
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|mut w| w.flush())
        .context("writing prices")?;
    Ok(ExitCode::SUCCESS)
}
