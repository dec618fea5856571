//! The fuzz target `cli_args`'s property (`liqscan_cli::check`), run on
//! stable in CI for a bounded time: every seed corpus file, whose name says
//! what liqscan must do with it, then a few thousand argument vectors made
//! of the command line's own words, values at and one past their limits,
//! `=` forms, arbitrary text and bytes, and corpus files with arguments
//! edited. On any argument vector: no panic, and either a command that
//! parses and passes its checks or a usage error (exit 2), `--help` and
//! `--version` aside (exit 0). Nothing is run, opened or written.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use liqscan_cli::check::{self, argv, outcome, Outcome};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::Config;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/cli_args");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Each corpus file keeps the property and does what its name says:
/// `valid-*` runs, `refused-*` parses but fails a check and `invalid-*` does
/// not parse (both usage errors, exit 2), `help-*` prints and exits 0.
#[test]
fn every_corpus_file_keeps_the_property() {
    let files = corpus();
    assert!(files.len() >= 20, "a seed per case at least");
    for (name, data) in files {
        let expected = match name.split('-').next() {
            Some("valid") => Outcome::Runs,
            Some("refused") => Outcome::Refused,
            Some("invalid") => Outcome::Exits(2),
            Some("help") => Outcome::Exits(0),
            _ => panic!("{name}: name it valid-*, refused-*, invalid-* or help-*"),
        };
        assert_eq!(outcome(argv(&data)), expected, "{name}");
    }
}

/// The commands, their flags and clap's own.
const WORDS: &[&str] = &[
    "scan",
    "prices",
    "gen",
    "demo",
    "verilog",
    "registers",
    "help",
    "--symbols",
    "--positions",
    "--ticks",
    "--backend",
    "--out",
    "--skip-bad-ticks",
    "--marks",
    "--seed",
    "--trace",
    "--trace-from",
    "--trace-to",
    "--lanes",
    "--fpga",
    "--ports-json",
    "--help",
    "-h",
    "--version",
    "-V",
    "--",
    "-",
];

/// Values: sizes at and one past their limits, the lane counts, backends,
/// numbers that do not fit, and paths (`/dev/null` twice is one file).
const VALUES: &[&str] = &[
    "0",
    "1",
    "8",
    "16",
    "17",
    "4096",
    "4097",
    "1048576",
    "1048577",
    "10000000",
    "10000001",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "-1",
    "+1",
    "1e3",
    "",
    " ",
    "cpu",
    "indexed",
    "sim",
    "gpu",
    "/dev/null",
    "/",
    ".",
    "symbols.toml",
    "ticks.csv",
];

fn word() -> impl Strategy<Value = String> {
    let token = || {
        prop_oneof![
            proptest::sample::select(WORDS).prop_map(str::to_owned),
            proptest::sample::select(VALUES).prop_map(str::to_owned),
        ]
    };
    prop_oneof![
        6 => token(),
        1 => (proptest::sample::select(WORDS), proptest::sample::select(VALUES))
            .prop_map(|(flag, value)| format!("{flag}={value}")),
        1 => "--?[a-z-]{0,12}",
        1 => ".{0,16}",
    ]
}

/// An argument: mostly words, sometimes bytes that need not be UTF-8.
fn arg() -> impl Strategy<Value = OsString> {
    prop_oneof![
        8 => word().prop_map(OsString::from),
        1 => proptest::collection::vec(any::<u8>(), 0..12).prop_map(OsString::from_vec),
    ]
}

/// Each command, the flags it requires and its other flags.
const COMMANDS: &[(&str, &[&str], &[&str])] = &[
    (
        "scan",
        &["--symbols", "--positions", "--ticks"],
        &[
            "--backend",
            "--out",
            "--skip-bad-ticks",
            "--trace",
            "--trace-from",
            "--trace-to",
        ],
    ),
    ("prices", &["--symbols", "--positions"], &["--marks"]),
    (
        "gen",
        &["--out"],
        &["--positions", "--symbols", "--ticks", "--seed"],
    ),
    (
        "demo",
        &[],
        &["--positions", "--symbols", "--ticks", "--seed"],
    ),
    (
        "verilog",
        &[],
        &["--lanes", "--fpga", "--out", "--ports-json"],
    ),
    ("registers", &[], &[]),
];

/// A command, its required flags (each now and then left out), some of
/// its other flags, all once each in any order, most with a value (a
/// value, a word or bytes), and now and then another word: more of them
/// get past clap to the checks than vectors in any order do.
fn flagged_command() -> impl Strategy<Value = Vec<OsString>> {
    proptest::sample::select(COMMANDS).prop_flat_map(|(command, required, optional)| {
        let kept = proptest::collection::vec(proptest::bool::weighted(0.9), required.len());
        let flags = (
            kept,
            proptest::sample::subsequence(optional, 0..=optional.len()),
        )
            .prop_map(move |(kept, optional)| {
                let required = required.iter().zip(kept).filter(|(_, k)| *k);
                required
                    .map(|(f, _)| *f)
                    .chain(optional)
                    .collect::<Vec<_>>()
            })
            .prop_shuffle()
            .prop_flat_map(|flags| {
                let n = flags.len();
                (Just(flags), proptest::collection::vec(value(), n))
            });
        let extra = proptest::option::weighted(0.1, proptest::sample::select(WORDS));
        (flags, extra).prop_map(move |((flags, values), extra)| {
            let mut argv = vec![OsString::from("liqscan"), OsString::from(command)];
            for (flag, value) in flags.into_iter().zip(values) {
                argv.push(flag.into());
                argv.extend(value);
            }
            argv.extend(extra.map(OsString::from));
            argv
        })
    })
}

/// A flag's value: mostly one of [`VALUES`], sometimes any argument or none.
fn value() -> impl Strategy<Value = Option<OsString>> {
    proptest::option::weighted(
        0.97,
        prop_oneof![
            6 => proptest::sample::select(VALUES).prop_map(OsString::from),
            1 => arg(),
        ],
    )
}

/// Any vector of arguments: words, values and bytes in any order.
fn any_args() -> impl Strategy<Value = Vec<OsString>> {
    proptest::collection::vec(arg(), 0..10).prop_map(|args| {
        std::iter::once(OsString::from("liqscan"))
            .chain(args)
            .collect()
    })
}

/// The generated command lines reach every outcome, so that the property
/// runs below test each: some run, some are refused by a check, some stop
/// in clap with a usage error, some print help.
#[test]
fn generated_command_lines_reach_every_outcome() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = HashMap::new();
    for strategy in [flagged_command().boxed(), any_args().boxed()] {
        for _ in 0..2000 {
            let argv = strategy.new_tree(&mut runner).unwrap().current();
            *seen.entry(outcome(argv)).or_insert(0) += 1;
        }
    }
    println!("{seen:?}");
    for expected in [
        Outcome::Runs,
        Outcome::Refused,
        Outcome::Exits(2),
        Outcome::Exits(0),
    ] {
        assert!(seen.get(&expected).is_some_and(|&n| n >= 20), "{seen:?}");
    }
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(4000))]

    /// Vectors of words, values and bytes, in any order.
    #[test]
    fn any_argument_vector_keeps_the_property(argv in any_args()) {
        outcome(argv);
    }

    /// Commands with flags and values (see [`flagged_command`]).
    #[test]
    fn flagged_commands_keep_the_property(argv in flagged_command()) {
        outcome(argv);
    }

    /// Corpus files with arguments replaced, inserted or dropped.
    #[test]
    fn edited_corpus_files_keep_the_property(
        file in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..3u8, arg()), 1..4),
    ) {
        let files = corpus();
        let (_, data) = &files[file.index(files.len())];
        let mut argv = argv(data);
        for (at, kind, value) in edits {
            // Never the program's name.
            let at = 1 + at.index(argv.len());
            match kind {
                0 if at < argv.len() => argv[at] = value,
                1 => argv.insert(at.min(argv.len()), value),
                _ if at < argv.len() => {
                    argv.remove(at);
                }
                _ => argv.push(value),
            }
        }
        outcome(argv);
    }

    /// Arbitrary bytes, as the fuzz target takes them.
    #[test]
    fn arbitrary_bytes_keep_the_property(
        data in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        check::args(&data);
    }
}
