//! `liqscan`: parses the command line, validates it and runs the command
//! (the library, `liqscan_cli`, holds all three and the exit codes).

use std::process::ExitCode;

use liqscan_cli::Invocation;

fn main() -> ExitCode {
    // A usage error prints clap's message and exits 2; `--help` and
    // `--version` print and exit 0.
    let invocation =
        Invocation::parse_from(std::env::args_os()).unwrap_or_else(|error| error.exit());
    liqscan_cli::init_logging();
    invocation.run()
}
