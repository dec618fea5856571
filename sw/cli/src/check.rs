//! The robustness property of the command line on any argument vector: no
//! panic, no hang, and either a command that parses and passes its checks
//! ([`Invocation::validate`]) or a usage error, exit code 2 (`--help` and
//! `--version` aside: exit code 0). The fuzz target `cli_args` (`fuzz/`)
//! and the bounded run in CI (`tests/args_props.rs`) both call [`args`], so
//! they check the same thing. Nothing here opens, creates or writes a file:
//! the checks only compare the identity (`stat`) of the paths they are given.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use clap::error::ErrorKind;

use crate::{exit_code, Invocation};

/// What `liqscan` does with an argument vector, short of running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// It parses and passes its checks: the command would run.
    Runs,
    /// It parses but fails a check ([`Invocation::validate`]): a usage
    /// error, exit code 2.
    Refused,
    /// clap stops it with this exit code: 2 for a usage error, 0 for
    /// `--help` and `--version`.
    Exits(u8),
}

/// The arguments written in `data`, after the program's name: each ends
/// with a NUL byte (as in `/proc/PID/cmdline`), the last one may not.
/// Bytes that are not UTF-8 are kept as they are (Unix arguments are bytes).
pub fn argv(data: &[u8]) -> Vec<OsString> {
    let mut argv = vec![OsString::from("liqscan")];
    if !data.is_empty() {
        let body = data.strip_suffix(b"\0").unwrap_or(data);
        argv.extend(
            body.split(|&b| b == 0)
                .map(|arg| OsString::from_vec(arg.to_vec())),
        );
    }
    argv
}

/// Parses and validates `argv` (the program's name first) as `main` does,
/// panics if the property is broken, and says what `liqscan` would do.
pub fn outcome(argv: Vec<OsString>) -> Outcome {
    match Invocation::parse_from(argv) {
        Ok(invocation) => match invocation.validate() {
            Ok(()) => Outcome::Runs,
            Err(error) => {
                let message = format!("{error:#}");
                let code = exit_code(&error);
                assert_eq!(
                    code, 2,
                    "a check failed but not as a usage error: {message}"
                );
                assert!(
                    !message.is_empty() && !message.contains(['\n', '\r']),
                    "not one line: {message:?}"
                );
                Outcome::Refused
            }
        },
        Err(error) => {
            let rendered = error.render().to_string();
            assert!(
                !rendered.trim().is_empty(),
                "{:?}: nothing to say",
                error.kind()
            );
            let code = error.exit_code();
            match error.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    assert_eq!(code, 0, "{rendered}")
                }
                _ => assert_eq!(code, 2, "{rendered}"),
            }
            Outcome::Exits(code as u8)
        }
    }
}

/// The property on fuzz bytes (see [`argv`]).
pub fn args(data: &[u8]) {
    outcome(argv(data));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_end_with_nul_bytes() {
        let strings = |data: &[u8]| -> Vec<String> {
            argv(data)[1..]
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(argv(b"")[0], "liqscan");
        assert!(strings(b"").is_empty());
        assert_eq!(strings(b"\0"), [""]);
        assert_eq!(strings(b"gen\0--out\0x\0"), ["gen", "--out", "x"]);
        assert_eq!(strings(b"gen\0--out\0x"), ["gen", "--out", "x"]);
        assert_eq!(strings(b"a\0\0b"), ["a", "", "b"]);
        assert_eq!(argv(b"\xff").len(), 2);
    }

    #[test]
    fn outcomes_of_a_few_command_lines() {
        let outcome_of = |args: &[&str]| outcome(argv(args.join("\0").as_bytes()));
        assert_eq!(outcome_of(&["registers"]), Outcome::Runs);
        assert_eq!(outcome_of(&["--version"]), Outcome::Exits(0));
        assert_eq!(outcome_of(&["gen", "--help"]), Outcome::Exits(0));
        assert_eq!(outcome(argv(b"")), Outcome::Exits(2));
        assert_eq!(
            outcome_of(&["gen", "--out", "x", "--symbols", "0"]),
            Outcome::Refused
        );
        assert_eq!(
            outcome_of(&["verilog", "--lanes", "17", "--out", "x"]),
            Outcome::Exits(2)
        );
    }
}
