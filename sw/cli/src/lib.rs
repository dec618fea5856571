//! `liqscan`: scans isolated-margin books for liquidations tick by tick,
//! prices them, generates scenarios and compares the backends.
//!
//! The command line is a library so that it can be exercised without a
//! process: [`Invocation::parse_from`] parses an argument vector with the
//! clap [`Cli`], [`Invocation::validate`] makes the checks a command makes
//! of its arguments before it opens, generates or writes anything, and
//! [`Invocation::run`] runs it; `main.rs` does just that. [`check::args`]
//! is the robustness property of parsing and validation on any argument
//! vector (the fuzz target `cli_args` and `tests/args_props.rs`).
//!
//! Exit codes: 0 success, 1 failure (missing file, I/O, backend), 2 bad
//! input (one line on stderr naming file, line, field and reason) or usage,
//! 130 and 143 a scan stopped by SIGINT or SIGTERM.
//!
//! Nothing on stderr can stop a command: logs, warnings and the summary are
//! written there best effort, and a closed or failing stderr loses them, not
//! the run (see [`note!`]).

use std::ffi::OsString;
use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
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
pub mod check;
mod circuit;
mod demo;
mod device;
mod gen;
mod load;
pub mod pipeline;
mod prices;
mod scan;
mod sim_threads;
mod trace;
mod verilog;

/// Liquidation scanner for isolated-margin perpetual futures.
#[derive(Debug, Parser)]
#[command(name = "liqscan", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan ticks against a book: one JSON line per liquidation.
    Scan(Box<scan::Args>),
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

/// Logs to stderr, best effort, at `RUST_LOG`'s level (default `info`).
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_writer(|| LossyStderr)
        // Its own report of a failed write is an `eprintln!`, which panics.
        .log_internal_errors(false)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();
}

/// The exit code of a failed command: 2 for bad input and usage errors, else 1.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<InputError>().is_some()
        || error.downcast_ref::<GenError>().is_some()
        || error.downcast_ref::<UsageError>().is_some()
    {
        2
    } else {
        1
    }
}

/// A command line, parsed: the command, and clap's record of the arguments
/// it came from (where [`Invocation::validate`] reads the paths of `scan`,
/// whose fields are its module's own).
#[derive(Debug)]
pub struct Invocation {
    cli: Cli,
    matches: ArgMatches,
}

impl Invocation {
    /// Parses `args`, the program's name first. A clap error is a usage
    /// error (exit code 2), or `--help` or `--version` (exit code 0): see
    /// [`clap::Error::exit_code`].
    pub fn parse_from<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let cli = Cli::from_arg_matches(&matches)?;
        Ok(Self { cli, matches })
    }

    /// The checks a command makes of its arguments before it opens,
    /// generates or writes anything: `scan --out` or `--hist-out` naming one
    /// of its inputs or each other, `scan --core` naming a core this process
    /// may not run on, `scan --trace`'s (the checks `scan` makes again when it
    /// starts), a `gen` or `demo` size out of range. A failure is a usage
    /// error (exit code 2).
    pub fn validate(&self) -> anyhow::Result<()> {
        match &self.cli.command {
            Command::Scan(scan) => {
                scan.check_trace()?;
                let args = self
                    .matches
                    .subcommand_matches("scan")
                    .expect("a scan command was parsed from a `scan` subcommand");
                let path = |id: &str| args.get_one::<PathBuf>(id).cloned();
                scan::check_args(path, args.get_one::<usize>("core").copied())?;
            }
            Command::Gen(args) => args.config().check()?,
            Command::Demo(args) => args.config().check()?,
            Command::Prices(_) | Command::Verilog(_) | Command::Registers | Command::Board(_) => {}
        }
        Ok(())
    }

    /// Validates and runs the command; an error is printed on stderr, one
    /// line, and gives the exit code.
    pub fn run(self) -> ExitCode {
        let result = self.validate().and_then(|()| match &self.cli.command {
            Command::Scan(args) => scan::run(args),
            Command::Prices(args) => prices::run(args),
            Command::Gen(args) => gen::run(args),
            Command::Demo(args) => demo::run(args),
            Command::Verilog(args) => verilog::run(args),
            Command::Board(args) => board::run(args),
            Command::Registers => {
                print!("{}", liqscan_core::spec::registers::markdown());
                Ok(ExitCode::SUCCESS)
            }
        });
        match result {
            Ok(code) => code,
            Err(error) => {
                match error.downcast_ref::<InputError>() {
                    // Already `file:line: field: reason`.
                    Some(input) => note!("error: {input}"),
                    None => note!("error: {error:#}"),
                }
                ExitCode::from(exit_code(&error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Invocation {
        Invocation::parse_from(std::iter::once("liqscan").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    /// `scan --out` naming an input is refused by identity, whichever
    /// input and however the path is spelled; an output that is not an
    /// input passes.
    #[test]
    fn validate_refuses_an_out_that_is_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("ticks.csv");
        std::fs::write(&input, "seq,symbol,mark_price\n").unwrap();
        let input = input.to_str().unwrap();
        let spelled = format!("{}/./ticks.csv", dir.path().display());
        for (flag, out) in [
            ("--ticks", input),
            ("--symbols", input),
            ("--positions", spelled.as_str()),
        ] {
            let mut args = vec![
                "scan",
                "--symbols",
                "s",
                "--positions",
                "p",
                "--ticks",
                "t",
                "--out",
                out,
            ];
            let at = args.iter().position(|a| *a == flag).unwrap();
            args[at + 1] = input;
            let error = parse(&args).validate().unwrap_err();
            assert_eq!(exit_code(&error), 2, "{error:#}");
            assert!(
                error
                    .to_string()
                    .contains(&format!("is the same file as {flag} {input}")),
                "{error:#}"
            );
        }
        // A newline in a file name is shown escaped: the error stays one line.
        let odd = dir.path().join("tic\nks.csv");
        std::fs::write(&odd, "").unwrap();
        let odd = odd.to_str().unwrap();
        let args = [
            "scan",
            "--symbols",
            "s",
            "--positions",
            "p",
            "--ticks",
            odd,
            "--out",
            odd,
        ];
        let error = parse(&args).validate().unwrap_err().to_string();
        assert!(!error.contains('\n'), "{error:?}");
        assert!(error.contains("tic\\nks.csv is the same file"), "{error}");
        let events = dir.path().join("events.jsonl");
        let args = [
            "scan",
            "--symbols",
            input,
            "--positions",
            input,
            "--ticks",
            input,
            "--out",
            events.to_str().unwrap(),
        ];
        assert!(parse(&args).validate().is_ok());
    }

    /// `gen` and `demo` sizes are checked before anything is generated.
    #[test]
    fn validate_checks_generator_sizes() {
        for command in [&["gen", "--out", "x"][..], &["demo"]] {
            let at = [
                "--positions",
                "1048576",
                "--symbols",
                "4096",
                "--ticks",
                "10000000",
            ];
            assert!(parse(&[command, &at].concat()).validate().is_ok());
            let past = parse(&[command, &["--ticks", "10000001"]].concat())
                .validate()
                .unwrap_err();
            assert_eq!(exit_code(&past), 2);
            assert_eq!(
                past.to_string(),
                "ticks must be at most 10000000, got 10000001"
            );
        }
    }
}
