//! `liqscan`: scans isolated-margin books for liquidations tick by tick,
//! prices them, generates scenarios and compares the backends.
//!
//! Exit codes: 0 success, 1 failure (missing file, I/O, backend), 2 bad
//! input (one line on stderr naming file, line, field and reason).

mod demo;
mod gen;
mod load;
mod prices;
mod scan;
mod verilog;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use liqscan_core::input::InputError;
use tracing_subscriber::EnvFilter;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
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
    };
    match result {
        Ok(code) => code,
        Err(error) => match error.downcast_ref::<InputError>() {
            Some(input) => {
                eprintln!("error: {input}");
                ExitCode::from(2)
            }
            None => {
                eprintln!("error: {error:#}");
                ExitCode::FAILURE
            }
        },
    }
}
