//! The bench end to end on tiny books, as CI runs it (the full run takes
//! minutes and is not a test): every measurement runs, the exact backends
//! agree, and the Markdown, CSV and SVG files are written and read back.

use liqscan_bench::plan::default_plans;
use liqscan_bench::report::Settings;
use liqscan_bench::{bench_case, machine::Machine, write_all, Options, SOFTWARE};
use liqscan_core::spec::DEFAULT_LANES;

#[test]
fn tiny_run_writes_markdown_csv_and_svg() {
    let mut plans = default_plans(&[300, 1_200], Some(600), 3, false);
    for plan in &mut plans {
        plan.keeper_ticks = 200;
        plan.sim_ticks = 30;
        plan.board_ticks = 30;
    }
    let options = Options {
        backends: SOFTWARE.to_vec(),
        lanes: DEFAULT_LANES,
        python: Err("not in the smoke test".into()),
    };
    let cases: Vec<_> = plans
        .iter()
        .map(|plan| bench_case(plan, &options).unwrap())
        .collect();
    for case in &cases {
        let cpu = case.run("cpu").unwrap();
        assert_eq!(case.run("indexed").unwrap().events, cpu.events);
        assert!(
            !cpu.events.is_empty(),
            "{}: the walk liquidates",
            case.label
        );
        assert!(case.keeper.is_some() && case.sim().is_some() && case.board().is_some());
    }
    let settings = Settings {
        machine: Machine::current(),
        pinned: None,
        load_before: None,
        load_after: None,
        lanes: DEFAULT_LANES,
        clock_mhz: 150.0,
        clock_source: "--clock-mhz".into(),
        seed: 3,
        command: "smoke".into(),
        seconds: 1.0,
        numpy_missing: Some("not in the smoke test".into()),
    };
    let dir = tempfile::tempdir().unwrap();
    let written = write_all(&cases, &settings, dir.path()).unwrap();
    let names: Vec<_> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["bench.md", "bench.csv", "bench-p50.svg", "bench-p99.svg"]
    );

    let md = std::fs::read_to_string(&written[0]).unwrap();
    assert!(
        md.contains("**numpy column skipped: not in the smoke test.**"),
        "said loudly"
    );
    for section in [
        "## Goals",
        "## Goals by case",
        "## Ratios",
        "## Plan",
        "## Detail",
        "## Board",
    ] {
        assert!(md.contains(&format!("\n{section}\n")), "{section}");
    }
    assert!(
        md.contains("| `indexed` no slower than `cpu` on the crash tick (the one that liquidates the most) | ≤ cpu | "),
        "one goal row for both cases"
    );
    let summary: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| positions in ticked symbol"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(summary.len(), 2 + 2, "header, rule, a row per case");
    assert!(summary[2].starts_with("| 300 |") && summary[3].starts_with("| 1,200 |"));
    let columns = summary[0].matches('|').count();
    assert!(summary
        .iter()
        .all(|row| row.matches('|').count() == columns));

    let mut csv = csv::Reader::from_path(&written[1]).unwrap();
    let header = csv.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        liqscan_bench::table::COLUMNS
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    for key in [
        "cpu",
        "indexed",
        "circuit",
        "board",
        "keeper",
        liqscan_bench::floor::ROW_FLOOR,
        liqscan_bench::floor::SCAN_FLOOR,
    ] {
        let row = rows
            .iter()
            .find(|r| &r[0] == "1,200" && &r[3] == key)
            .unwrap_or_else(|| panic!("no {key} row"));
        let p50: u64 = row[6].parse().unwrap();
        let p99: u64 = row[7].parse().unwrap();
        assert!(p50 > 0 && p50 <= p99, "{key}: {p50} {p99}");
    }
    assert!(
        !rows.iter().any(|r| &r[3] == "numpy"),
        "skipped, not invented"
    );

    for svg in &written[2..] {
        let text = std::fs::read_to_string(svg).unwrap();
        assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
        assert!(text.contains("cpu") && text.contains("keeper (rust_decimal)"));
        assert!(text.matches("<polyline").count() >= 7, "a line per series");
    }
}
