//! `liqscan`: scans isolated-margin books for liquidations tick by tick,
//! prices them, generates scenarios and compares the backends.
//!
//! Exit codes: 0 success, 1 failure (missing file, I/O, backend), 2 bad
//! input (one line on stderr naming file, line, field and reason) or usage,
//! 130 and 143 a scan stopped by SIGINT or SIGTERM.
//!
//! Nothing on stderr can stop a command: logs, warnings and the summary are
//! written there best effort, and a closed or failing stderr loses them, not
//! the run (see [`note!`]).

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use liqscan_core::gen::GenError;
use liqscan_core::input::InputError;
use tracing_subscriber::EnvFilter;

/// `eprintln!` that never panics: a line on stderr, lost if stderr is closed
/// or failing (`eprintln!` panics there, which would stop the scan).
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::stderr_line(format_args!($($arg)*))
    };
}

mod board;
mod demo;
mod device;
mod gen;
mod load;
mod prices;
mod scan;
mod verilog;

/// Liquidation scanner for isolated-margin perpetual futures.
#[derive(Debug, Parser)]
#[command(name = "liqscan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan ticks against a book: one JSON line per liquidation.
    Scan(scan::Args),
    /// Each position's liquidation price on the tick grid, as CSV.
    Prices(prices::Args),
    /// Write a generated scenario (symbols.toml, positions.csv, ticks.csv).
    Gen(gen::Args),
    /// Scan the embedded default scenario on every backend and compare.
    Demo(demo::Args),
    /// Write the scanner's generated Verilog.
    Verilog(verilog::Args),
    /// Write the board's register map as Markdown (`docs/registers.md`).
    Registers,
    /// Serve a virtual board (the verilated circuit behind its register
    /// window and result ring) at a file, until SIGINT or SIGTERM.
    Board(board::Args),
}

/// A command-line usage error found after parsing (exit 2), e.g. `--out`
/// naming an input.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Writes one line on stderr, ignoring any error (see [`note!`]).
pub fn stderr_line(args: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{args}");
}

/// The log's writer: stderr, its errors ignored, so that a closed stderr
/// (EPIPE) or a full disk behind it never stops the engine.
struct LossyStderr;

impl Write for LossyStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}

/// The exit code of a failed command: 2 for bad input and usage errors, else 1.
fn exit_code(error: &anyhow::Error) -> ExitCode {
    if error.downcast_ref::<InputError>().is_some()
        || error.downcast_ref::<GenError>().is_some()
        || error.downcast_ref::<UsageError>().is_some()
    {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(|| LossyStderr)
        // Its own report of a failed write is an `eprintln!`, which panics.
        .log_internal_errors(false)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();
    let result = match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Prices(args) => prices::run(&args),
        Command::Gen(args) => gen::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Verilog(args) => verilog::run(&args),
        Command::Board(args) => board::run(&args),
        Command::Registers => {
            print!("{}", liqscan_core::spec::registers::markdown());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            match error.downcast_ref::<InputError>() {
                // Already `file:line: field: reason`.
                Some(input) => note!("error: {input}"),
                None => note!("error: {error:#}"),
            }
            exit_code(&error)
        }
    }
}
