//! Opening the input files. A file that cannot be opened or read is a
//! failure (exit 1); a file that reads but breaks the contract is bad input
//! (an `InputError`, exit 2).

use std::fs::{self, File};
use std::io::BufReader;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use liqscan_core::input::{self, ReadError, TickReader};
use liqscan_core::{Book, Market};
use tracing::debug;

use crate::UsageError;

/// The book a command reads: its symbols and open positions.
#[derive(Debug, clap::Args)]
pub struct BookFiles {
    /// Symbols file (TOML).
    #[arg(long)]
    symbols: PathBuf,
    /// Open positions (CSV: id,account,symbol,qty,entry_price,margin).
    #[arg(long)]
    positions: PathBuf,
}

impl BookFiles {
    /// The market of the symbols file and the book of the positions file.
    pub fn load(&self) -> Result<(Arc<Market>, Book)> {
        book(&self.symbols, Some(&self.positions))
    }
}

/// Refuses (a [`UsageError`], exit 2) an output path that is one of the
/// `inputs`, before anything opens it for writing: the same file by identity
/// (device and inode), so also through a symlink, a hard link or another
/// spelling of the path. An output that does not exist yet is no input.
pub fn refuse_overwriting_inputs(
    (out_flag, out): (&str, &Path),
    inputs: &[(&str, &Path)],
) -> Result<()> {
    let identity = |path: &Path| fs::metadata(path).map(|m| (m.dev(), m.ino()));
    // Missing: nothing to destroy. Unreadable: opening it will say why.
    let Ok(target) = identity(out) else {
        return Ok(());
    };
    for (flag, input) in inputs {
        if identity(input).is_ok_and(|id| id == target) {
            return Err(UsageError(format!(
                "{out_flag} {} is the same file as {flag} {}: refusing to overwrite an input",
                label(out),
                label(input)
            ))
            .into());
        }
    }
    Ok(())
}

/// A read error as an `anyhow` error whose bad-input case downcasts to [`InputError`].
pub fn read_error(error: ReadError) -> anyhow::Error {
    match error {
        ReadError::Invalid(input) => anyhow::Error::new(input),
        io => anyhow::Error::new(io),
    }
}

fn open(path: &Path) -> Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", label(path)))?;
    Ok(BufReader::new(file))
}

/// The name errors give a file: its path as given, with any control
/// character escaped (`\n` for a newline in a file name), so that an error
/// naming it stays one line.
pub fn label(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.contains(char::is_control) {
        return text;
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn symbols(path: &Path) -> Result<Arc<Market>> {
    let market = input::read_symbols(open(path)?, &label(path)).map_err(read_error)?;
    debug!("{} symbols from {}", market.len(), path.display());
    Ok(Arc::new(market))
}

pub fn positions(path: &Path, market: &Arc<Market>) -> Result<Book> {
    let book =
        input::read_positions(open(path)?, &label(path), market.clone()).map_err(read_error)?;
    debug!("{} positions from {}", book.len(), path.display());
    Ok(book)
}

/// The market of `symbols` and the book of `positions` (empty without one).
pub fn book(symbols_path: &Path, positions_path: Option<&Path>) -> Result<(Arc<Market>, Book)> {
    let market = symbols(symbols_path)?;
    let book = match positions_path {
        Some(path) => positions(path, &market)?,
        None => Book::new(market.clone()),
    };
    Ok((market, book))
}

pub fn ticks(path: &Path, market: &Arc<Market>) -> Result<TickReader<BufReader<File>>> {
    TickReader::new(open(path)?, &label(path), market.clone()).map_err(read_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_escape_control_characters() {
        assert_eq!(label(Path::new("dir/ticks.csv")), "dir/ticks.csv");
        assert_eq!(label(Path::new("tic\nks\r.csv")), "tic\\nks\\r.csv");
        assert_eq!(label(Path::new("ü\t")), "ü\\t");
    }
}
