//! The lanes' clock edges, one replica's half of them at a time.
//!
//! Verilator keeps the shared lane module out of line, so a model's
//! clock-edge (`nba`) code calls the lane's edge function once per lane
//! instance, one call after another:
//!
//! ```text
//!         Vscan8_top__024lanes__0240___nba_sequent__TOP__…((&vlSymsp->TOP__top__DOT__lanes__0240));
//!         Vscan8_top__024lanes__0240___nba_sequent__TOP__…((&vlSymsp->TOP__top__DOT__lanes__0241));
//!         …
//! ```
//!
//! Each call reads and writes only its own instance (the root copies the
//! lane's inputs into it before, and reads its outputs after), so the calls
//! are independent. `split` replaces that run with one call to
//! `liqscan_eval_lanes` (`csrc/lanes.h`), which runs the calls of the lanes
//! that the replica being evaluated owns: all of them in a model of one
//! replica, half in each of a model's two (`ScannerModel::with_threads`).
//! The netlist and the order of everything else are untouched.

/// The runtime entry point the patched code calls.
pub const ENTRY: &str = "liqscan_eval_lanes";

/// One lane edge call: the function and the instance expression.
fn lane_call(line: &str) -> Option<(&str, &str)> {
    let body = line.trim().strip_suffix(");")?;
    let (function, instance) = body.split_once("((&vlSymsp->")?;
    let instance = instance.strip_suffix(')')?;
    let plain =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (function.contains("___nba_sequent__") && plain(function) && plain(instance))
        .then_some((function, instance))
}

/// The instance names of lanes `0..lanes` under one parent: `…lanes__0240`,
/// `…lanes__0241`, … (Verilator's mangling of `lanes$0`, `lanes$1`).
fn numbered(instances: &[&str]) -> bool {
    let Some(base) = instances.first().and_then(|i| i.strip_suffix("__0240")) else {
        return false;
    };
    instances
        .iter()
        .enumerate()
        .all(|(n, i)| *i == format!("{base}__024{n}"))
}

/// The lane instances' names in lane order (`TOP__top__DOT__lanes__0240`,
/// …), from the run of lane edge calls in `cpp`; `None` if it has none.
pub fn instances(cpp: &str, lanes: usize) -> Option<Vec<String>> {
    let lines: Vec<&str> = cpp.lines().collect();
    let start = run_start(&lines, lanes)?;
    lines[start..start + lanes]
        .iter()
        .map(|l| lane_call(l).map(|(_, instance)| instance.to_string()))
        .collect()
}

/// The first line of the run of `lanes` lane edge calls in `lines`.
fn run_start(lines: &[&str], lanes: usize) -> Option<usize> {
    if lanes < 2 {
        return None;
    }
    (0..lines.len().saturating_sub(lanes - 1)).find(|&at| {
        let calls: Vec<_> = lines[at..at + lanes].iter().map(|l| lane_call(l)).collect();
        calls.iter().all(Option::is_some)
            && calls.iter().all(|c| c.unwrap().0 == calls[0].unwrap().0)
            && numbered(&calls.iter().map(|c| c.unwrap().1).collect::<Vec<_>>())
            && (at + lanes == lines.len() || lane_call(lines[at + lanes]).is_none())
    })
}

/// `cpp` with the run of `lanes` lane edge calls replaced by one call to
/// [`ENTRY`], and a trampoline for the lane's function added before the
/// function that held the run; `None` if the file has no such run.
pub fn split(cpp: &str, lanes: usize) -> Option<String> {
    let lines: Vec<&str> = cpp.lines().collect();
    let start = run_start(&lines, lanes)?;
    let (function, _) = lane_call(lines[start])?;
    let class = function.split_once("___")?.0;
    // The definition that holds the run: the last line before it that
    // starts a function at column zero.
    let holder = (0..start).rev().find(|&i| {
        let l = lines[i];
        !l.starts_with([' ', '\t', '}', '/', '#']) && l.contains('(') && l.trim_end().ends_with('{')
    })?;
    let indent = &lines[start][..lines[start].len() - lines[start].trim_start().len()];
    let instances: Vec<String> = lines[start..start + lanes]
        .iter()
        .map(|l| format!("(&vlSymsp->{})", lane_call(l).unwrap().1))
        .collect();
    let mut out = String::with_capacity(cpp.len() + 512);
    for line in &lines[..holder] {
        out += line;
        out.push('\n');
    }
    out += &format!(
        "// One lane's clock edge, for {ENTRY} (liqscan's lane worker).\n\
         extern \"C\" void {ENTRY}(void (*edge)(void*), void* const* lanes, unsigned count);\n\
         static void liqscan_lane_edge(void* lane) {{\n    \
         {function}(static_cast<{class}*>(lane));\n}}\n\n"
    );
    for line in &lines[holder..start] {
        out += line;
        out.push('\n');
    }
    out += &format!(
        "{indent}{{\n{indent}    void* const liqscan_lanes[{lanes}] = {{{}}};\n\
         {indent}    {ENTRY}(&liqscan_lane_edge, liqscan_lanes, {lanes}U);\n{indent}}}\n",
        instances.join(", ")
    );
    for line in &lines[start + lanes..] {
        out += line;
        out.push('\n');
    }
    Some(out)
}
