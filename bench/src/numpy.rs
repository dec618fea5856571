//! The float64 numpy baseline: `bench/numpy_scan.py` run on the case's own
//! book and ticks, in the same run. numpy comes from a virtual environment
//! (`bench/.venv`, `bench/requirements.txt`) made with pip on first use.
//!
//! Its per-tick times are read back from the script's output; its
//! decisions are floating-point, so they are compared with the exact
//! liquidations and the differences counted, not required to be none.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use liqscan_core::gen::Scenario;
use liqscan_core::latency::{Recorder, Summary};
use liqscan_core::spec::units::format_scaled;
use liqscan_core::Tick;
use serde_json::json;

/// The script, in this crate.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("numpy_scan.py")
}

/// Where numpy is installed, beside the script.
pub fn default_venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv")
}

fn requirements() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("requirements.txt")
}

/// Runs `command`; its stderr's last line as the error.
fn run(command: &mut Command) -> Result<std::process::Output, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("no output");
        return Err(format!("{command:?} failed ({}): {last}", output.status));
    }
    Ok(output)
}

/// The venv's Python with numpy, made (`python3 -m venv`, `pip install -r
/// bench/requirements.txt`) when missing or made from other requirements.
pub fn prepare(venv: &Path) -> Result<PathBuf, String> {
    let python = venv.join("bin/python");
    let wanted =
        std::fs::read(requirements()).map_err(|e| format!("bench/requirements.txt: {e}"))?;
    let installed = venv.join("requirements.txt");
    if python.exists() && std::fs::read(&installed).ok().as_deref() == Some(&wanted[..]) {
        return Ok(python);
    }
    eprintln!("installing numpy into {} (pip)", venv.display());
    run(Command::new("python3").arg("-m").arg("venv").arg(venv))?;
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(requirements()))?;
    std::fs::write(&installed, wanted).map_err(|e| format!("{}: {e}", installed.display()))?;
    Ok(python)
}

/// The numpy scan over a sample of ticks.
#[derive(Debug, Clone)]
pub struct NumpyRun {
    /// numpy's version, as the script reported it.
    pub version: String,
    /// Ticks run (the first of the case).
    pub ticks: usize,
    /// Per-tick scan time (ns), warm-up excluded.
    pub latency: Summary,
    /// `(seq, position id)` of every liquidation it decided.
    pub events: Vec<(u64, u64)>,
    /// The last tick's `seq`.
    pub last_seq: u64,
}

impl NumpyRun {
    /// Decisions that differ from `exact`'s `(seq, id)` on the same ticks:
    /// `(missed, extra)`.
    pub fn differences(&self, exact: &[(u64, u64)]) -> (usize, usize) {
        let last = self.last_seq;
        let exact: HashSet<_> = exact.iter().filter(|(seq, _)| *seq <= last).collect();
        let mine: HashSet<_> = self.events.iter().collect();
        (
            exact.difference(&mine).count(),
            mine.difference(&exact).count(),
        )
    }
}

fn decimal(value: i128, decimals: u32) -> f64 {
    format_scaled(value, decimals)
        .parse()
        .expect("format_scaled writes a number")
}

/// Rows in symbol order (as `numpy_scan.py` reads them): each symbol's
/// positions in id order; returns the rows' position ids and the symbols'
/// `(start, end)`.
fn rows(scenario: &Scenario) -> (Vec<usize>, Vec<(usize, usize)>) {
    let mut order: Vec<usize> = (0..scenario.positions.len()).collect();
    order.sort_by_key(|&i| (scenario.positions[i].symbol, scenario.positions[i].id));
    let mut bounds = vec![(0, 0); scenario.market.len()];
    let mut start = 0;
    for (s, bound) in bounds.iter_mut().enumerate() {
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| scenario.positions[i].symbol.index() == s)
                .count();
        *bound = (start, end);
        start = end;
    }
    (order, bounds)
}

/// Writes the book and the first `ticks` ticks for the script into `dir`.
fn write_inputs(
    scenario: &Scenario,
    ticks: &[Tick],
    dir: &Path,
) -> Result<(PathBuf, PathBuf, Vec<usize>), String> {
    let (order, bounds) = rows(scenario);
    let market = &scenario.market;
    let mut columns: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(order.len()));
    for &i in &order {
        let p = &scenario.positions[i];
        let units = market.units(p.symbol);
        let qty = i128::from(p.qty_lots) * i128::from(units.lot.units);
        let entry = i128::from(p.entry_ticks) * i128::from(units.tick.units);
        columns[0].push(decimal(qty, units.lot.decimals));
        columns[1].push(decimal(entry, units.tick.decimals));
        columns[2].push(decimal(p.margin_units, units.quote_decimals));
    }
    let symbols: Vec<_> = market
        .ids()
        .zip(&bounds)
        .map(|(id, &(start, end))| {
            let ladder = &market.symbol(id).ladder;
            let number = |d: &rust_decimal::Decimal| d.to_string().parse::<f64>().expect("a decimal");
            json!({
                "start": start,
                "end": end,
                "caps": ladder.iter().map(|b| b.notional_cap.as_ref().map(number)).collect::<Vec<_>>(),
                "mmr": ladder.iter().map(|b| number(&b.mmr)).collect::<Vec<_>>(),
                "maint": ladder.iter().map(|b| number(&b.maint_amount)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let ticks: Vec<_> = ticks
        .iter()
        .map(|t| {
            let units = market.units(t.symbol);
            let mark = i128::from(t.price) * i128::from(units.tick.units);
            json!([t.symbol.index(), decimal(mark, units.tick.decimals)])
        })
        .collect();
    let meta = json!({
        "positions": order.len(),
        "at_equal": market.liquidate_at_equal,
        "symbols": symbols,
        "ticks": ticks,
    });
    let meta_path = dir.join("meta.json");
    std::fs::write(&meta_path, meta.to_string())
        .map_err(|e| format!("{}: {e}", meta_path.display()))?;
    let rows_path = dir.join("rows.f64");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&rows_path).map_err(|e| format!("{}: {e}", rows_path.display()))?,
    );
    for value in columns.iter().flatten() {
        file.write_all(&value.to_le_bytes())
            .map_err(|e| format!("{}: {e}", rows_path.display()))?;
    }
    file.flush()
        .map_err(|e| format!("{}: {e}", rows_path.display()))?;
    Ok((meta_path, rows_path, order))
}

/// Runs the script with `python` on the first `ticks` ticks of the
/// scenario, recording all but the first `warmup`.
pub fn run_numpy(
    python: &Path,
    scenario: &Scenario,
    ticks: usize,
    warmup: usize,
) -> Result<NumpyRun, String> {
    let ticks = &scenario.ticks[..ticks.min(scenario.ticks.len())];
    let dir = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let (meta, rows, order) = write_inputs(scenario, ticks, dir.path())?;
    let output = run(Command::new(python).arg(script()).arg(meta).arg(rows))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let version = lines
        .next()
        .and_then(|l| l.strip_prefix("numpy "))
        .ok_or("numpy_scan.py printed no version line")?
        .to_owned();
    let mut latency = Recorder::default();
    let mut events = Vec::new();
    let mut count = 0;
    for (i, (line, tick)) in lines.zip(ticks).enumerate() {
        let mut fields = line.split_ascii_whitespace().map(str::parse::<u64>);
        let bad = || format!("numpy_scan.py: tick {}: bad line {line:?}", tick.seq);
        let ns = fields.next().and_then(Result::ok).ok_or_else(bad)?;
        if i >= warmup {
            latency.record(ns);
        }
        for row in fields {
            let row = row.map_err(|_| bad())?;
            let index = *order.get(row as usize).ok_or_else(bad)?;
            events.push((tick.seq, scenario.positions[index].id));
        }
        count += 1;
    }
    if count != ticks.len() {
        return Err(format!(
            "numpy_scan.py answered {count} of {} ticks",
            ticks.len()
        ));
    }
    Ok(NumpyRun {
        version,
        ticks: ticks.len(),
        latency: latency.summary(),
        events,
        last_seq: ticks.last().map_or(0, |t| t.seq),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use liqscan_core::gen::{generate, GenConfig};
    use std::os::unix::fs::PermissionsExt;

    /// The inputs the script gets and the reading of its answer, with a
    /// stand-in for Python that checks its arguments and answers.
    #[test]
    fn writes_the_inputs_and_reads_the_answer() {
        let scenario = generate(&GenConfig {
            positions: 50,
            symbols: 3,
            ticks: 4,
            seed: 2,
        })
        .unwrap();
        let (order, bounds) = rows(&scenario);
        assert_eq!(order.len(), 50);
        assert_eq!(bounds.last().unwrap().1, 50);
        assert!(bounds.windows(2).all(|w| w[0].1 == w[1].0));
        for (s, &(start, end)) in bounds.iter().enumerate() {
            assert!(order[start..end]
                .iter()
                .all(|&i| scenario.positions[i].symbol.index() == s));
        }

        let dir = tempfile::tempdir().unwrap();
        let python = dir.path().join("python");
        let answer = "numpy 9.9\n100\n200 0 1\n300\n400 49\n";
        std::fs::write(
            &python,
            format!(
                "#!/bin/sh\ntest -f \"$1\" && test -f \"$2\" && test -f \"$3\" || exit 3\n\
                 test $(wc -c < \"$3\") -eq {} || exit 4\nprintf '{}'\n",
                50 * 3 * 8,
                answer.replace('\n', "\\n")
            ),
        )
        .unwrap();
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        let run = run_numpy(&python, &scenario, 4, 1).unwrap();
        assert_eq!(run.version, "9.9");
        assert_eq!((run.ticks, run.latency.count, run.last_seq), (4, 3, 4));
        assert_eq!(run.latency.max, 400, "the first tick is warm-up");
        let id = |row: usize| scenario.positions[order[row]].id;
        assert_eq!(run.events, [(2, id(0)), (2, id(1)), (4, id(49))]);
        // Missed: one exact liquidation it did not report; extra: two.
        assert_eq!(run.differences(&[(2, id(0)), (3, id(7))]), (1, 2));
        // An exact liquidation after its ticks is not counted.
        assert_eq!(
            run.differences(&[(2, id(0)), (2, id(1)), (4, id(49)), (9, 1)]),
            (0, 0)
        );

        std::fs::write(&python, "#!/bin/sh\nprintf 'numpy 1\\n5\\n'\n").unwrap();
        let short = run_numpy(&python, &scenario, 4, 0).unwrap_err();
        assert_eq!(short, "numpy_scan.py answered 1 of 4 ticks");
        std::fs::write(&python, "#!/bin/sh\necho broken >&2\nexit 1\n").unwrap();
        assert!(run_numpy(&python, &scenario, 4, 0)
            .unwrap_err()
            .contains("broken"));
    }
}
