//! `scan --trace`: an FST waveform of the chosen ticks on `--backend sim`
//! (a build with the `trace` feature), and the usage errors around it.

mod common;

use common::*;

/// `--trace` is the circuit's: another backend is a usage error.
#[test]
fn trace_needs_the_sim_backend() {
    let fixture = Fixture::readme();
    for backend in ["cpu", "indexed", "auto"] {
        let output = fixture.scan(&["--backend", backend, "--trace", "scan.fst"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{backend}: {err}");
        assert!(err.contains("--trace needs --backend sim"), "{err}");
        assert!(!fixture.path("scan.fst").exists());
    }
    // The window flags need --trace (clap's usage error).
    let output = fixture.scan(&["--backend", "sim", "--trace-from", "6"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

/// Without the feature the error says how to build with it.
#[cfg(not(feature = "trace"))]
#[test]
fn trace_without_the_feature_says_how_to_build_it() {
    let fixture = Fixture::readme();
    let output = fixture.scan(&["--backend", "sim", "--trace", "scan.fst"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cargo build --release -p liqscan-cli --features trace"),
        "{err}"
    );
    assert!(stdout(&output).is_empty());
}

#[cfg(feature = "trace")]
mod traced {
    use super::*;
    use liqscan_sim::trace::{read_fst, PERIOD};

    /// The README's scan with tick 7 traced: the same events as without,
    /// a file holding the scanner's ports over that tick's cycles only.
    #[test]
    fn writes_a_waveform_of_the_chosen_tick() {
        let fixture = Fixture::readme();
        let plain = fixture.scan(&["--backend", "sim"]);
        assert!(plain.status.success(), "{}", stderr(&plain));
        let output = fixture.scan(&[
            "--backend",
            "sim",
            "--trace",
            "scan.fst",
            "--trace-from",
            "7",
            "--trace-to",
            "7",
        ]);
        let err = stderr(&output);
        assert!(output.status.success(), "{err}");
        assert_eq!(stdout(&output), stdout(&plain));
        assert_eq!(stdout(&output).trim(), README_EVENT);
        assert!(err.contains("traced ticks 1"), "{err}");
        let fst = read_fst(&fixture.path("scan.fst")).unwrap_or_else(|e| panic!("{e}"));
        assert!(fst.start < fst.end, "{fst:?}");
        assert_eq!(fst.start % PERIOD, PERIOD / 2, "a low half first");
        // One tick of a one-position book: a scan of a few dozen cycles.
        let cycles = (fst.end - fst.start) / PERIOD;
        assert!((30..100).contains(&cycles), "{cycles} cycles traced");
        for port in [
            "clock",
            "tick_valid",
            "tick_price",
            "res_valid$0",
            "res_shortfall$7",
            "done",
        ] {
            assert!(
                fst.vars
                    .iter()
                    .any(|v| v.scope == "top" && v.name.split(' ').next() == Some(port)),
                "no {port}"
            );
        }
    }

    #[test]
    fn an_empty_window_or_an_input_as_the_file_is_refused() {
        let fixture = Fixture::readme();
        let output = fixture.scan(&[
            "--backend",
            "sim",
            "--trace",
            "scan.fst",
            "--trace-from",
            "8",
            "--trace-to",
            "7",
        ]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(
            err.contains("--trace-from 8 is after --trace-to 7"),
            "{err}"
        );
        let output = fixture.scan(&["--backend", "sim", "--trace", "ticks.csv"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains("is the same file as --ticks"), "{err}");
        assert!(std::fs::read_to_string(fixture.path("ticks.csv"))
            .unwrap()
            .starts_with("seq,symbol,mark_price"));
    }
}
